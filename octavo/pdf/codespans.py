"""A highlighted code block (<code> with Pygments' <span>s) + the measure -> the same block with each long line
wrapped as pdf/code.py wraps plain code (↪ and a hanging indent), every span kept around its own text.

The text is read as runs (each with the spans it sits in), wrapped as plain text, and the spans are rebuilt
around the pieces; a span that a wrap cuts is split in two, and the mark sits outside every span.
"""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from octavo.markup import local_name

#: A run's spans, outermost first: each span's attributes, sorted.
Spans = tuple[tuple[tuple[str, str], ...], ...]


def is_highlighted(code: etree._Element) -> bool:
    """Whether `code` holds only <span>s (fences.py's highlighting), the one markup this module wraps."""
    return all(isinstance(e.tag, str) and local_name(e.tag) == "span" for e in code.iterdescendants())


def runs_of(code: etree._Element) -> list[tuple[Spans, str]]:
    """The text of `code` in document order, each piece with the spans around it."""
    runs: list[tuple[Spans, str]] = []

    def walk(element: etree._Element, spans: Spans) -> None:
        if element.text:
            runs.append((spans, element.text))
        for child in element:
            walk(child, (*spans, tuple(sorted((str(k), str(v)) for k, v in child.attrib.items()))))
            if child.tail:
                runs.append((spans, child.tail))

    walk(code, ())
    return runs


def lines_of(runs: list[tuple[Spans, str]]) -> list[list[tuple[Spans, str]]]:
    lines: list[list[tuple[Spans, str]]] = [[]]
    for spans, text in runs:
        for index, piece in enumerate(text.expandtabs(8).split("\n")):
            if index:
                lines.append([])
            if piece:
                lines[-1].append((spans, piece))
    return lines


class _Builder:
    """Appends text to a <code> element inside a given stack of spans, reusing the spans still open."""

    def __init__(self, code: etree._Element) -> None:
        self.code = code
        self.open: list[tuple[tuple[tuple[str, str], ...], etree._Element]] = []

    def add(self, spans: Spans, text: str) -> None:
        keep = 0
        while keep < min(len(spans), len(self.open)) and self.open[keep][0] == spans[keep]:
            keep += 1
        del self.open[keep:]
        for attributes in spans[keep:]:
            parent = self.open[-1][1] if self.open else self.code
            span = etree.SubElement(parent, "span")
            for key, value in attributes:
                span.set(key, value)
            self.open.append((attributes, span))
        _append_text(self.open[-1][1] if self.open else self.code, text)

    def mark(self, mark: str) -> None:
        self.open.clear()
        span = etree.SubElement(self.code, "span")
        span.set("class", "code-continued")
        span.set("aria-hidden", "true")
        span.text = mark


def _append_text(element: etree._Element, text: str) -> None:
    if len(element):
        last = element[-1]
        last.tail = (last.tail or "") + text
    else:
        element.text = (element.text or "") + text


def rewrite_spans(code: etree._Element, columns: int, split: Callable[[str, int], list[str]], mark: str,
                  hang_limit: int, warn: Callable[[str], None]) -> bool:
    """Wrap each line of `code` longer than `columns`; `warn` gets each such line's text. Whether any was."""
    lines = lines_of(runs_of(code))
    if all(sum(len(t) for _, t in line) <= columns for line in lines):
        return False
    for child in list(code):
        code.remove(child)
    code.text = ""
    build = _Builder(code)
    for number, line in enumerate(lines):
        if number:
            build.add((), "\n")
        text = "".join(t for _, t in line)
        if len(text) <= columns:
            for spans, piece in line:
                build.add(spans, piece)
            continue
        # The line number (a span of class ln) counts as indentation: a continuation hangs under the code.
        numbered = bool(line) and ("class", "ln") in (line[0][0][-1] if line[0][0] else ())
        warn(text[len(line[0][1]):] if numbered else text)
        shape = " " * len(line[0][1]) + text[len(line[0][1]):] if numbered else text
        hang = " " * min(len(shape) - len(shape.lstrip(" ")), hang_limit)
        position = 0
        for index, piece in enumerate(split(shape, columns)):
            # split() drops only the spaces at each cut: a piece starts at its first match after the last.
            found = shape.find(piece, position) if piece else -1
            start = found if found >= 0 else position
            if index:
                build.add((), "\n" + hang)
                build.mark(mark)
                build.add((), " ")
            _emit(build, line, start, start + len(piece))
            position = start + len(piece)
    return True


def _emit(build: _Builder, line: list[tuple[Spans, str]], start: int, end: int) -> None:
    """The characters start..end of a line, each run's part inside its own spans."""
    offset = 0
    for spans, text in line:
        low, high = max(start, offset), min(end, offset + len(text))
        if low < high:
            build.add(spans, text[low - offset:high - offset])
        offset += len(text)
