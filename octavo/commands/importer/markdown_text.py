"""Markdown text of an imported page -> the same text with its headings shifted, mdBook's hidden lines of Rust
blocks dropped, and the links and images it has found, each with its line (the importers decide what to do).

Lines are read with their code fences, so nothing inside a code block is ever taken for a heading or a link.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

#: A fence's opening or closing line: ``` or ~~~, indented at most three spaces.
_FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})(.*)$")
_HEADING = re.compile(r"^( {0,3})(#{1,6})(?=[ \t]|$)")
#: mdBook's hidden Rust lines (mdbook-html hide_lines.rs): `# x` and `#` hidden, `##x` shown as `#x`.
_BORING = re.compile(r"^(\s*)#(.?)(.*)$")
#: An inline link or image target: ](target "title") or ](<target>).
_INLINE = re.compile(r'(!?)\[((?:[^\[\]]|\[[^\]]*\])*)\]\(\s*(<[^>\n]*>|[^)\s]+)(\s+(?:"[^"]*"|\'[^\']*\'))?\s*\)')
#: A reference definition: [label]: target "title".
_DEFINITION = re.compile(r"^( {0,3}\[([^\]^][^\]]*)\]:[ \t]*)(<[^>\n]*>|\S+)(.*)$")  # not a note, [^x]:
#: Raw HTML that loads or links: <img src="..."> and <a href="...">.
_HTML_URL = re.compile(r"""(<(?:img|a|source)\b[^>]*?\b(?:src|href)\s*=\s*)(["'])([^"']*)\2""", re.I)
#: Inline code spans, whose text is never a link.
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")


@dataclass(frozen=True)
class Reference:
    """A link or image target in a page."""

    target: str
    """As written (without <>)."""
    line: int
    """Its line in the page, from 1."""
    image: bool
    """An image (![..](x), <img src>), else a link."""


def fenced(text: str) -> Iterator[tuple[int, str, str | None]]:
    """(line number, line with its end, the language of the code block it is inside or None) per line; the
    fence lines themselves count as inside."""
    fence: str | None = None
    language = ""
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        match = _FENCE.match(line.rstrip("\r\n"))
        if fence is None and match and not (match.group(2)[0] == "`" and "`" in match.group(3)):
            fence, language = match.group(2), match.group(3).strip()
            yield number, line, language
        elif fence is not None and match and match.group(2)[0] == fence[0] and len(match.group(2)) >= len(fence) \
                and not match.group(3).strip():
            yield number, line, language
            fence = None
        else:
            yield number, line, language if fence is not None else None


def shift_headings(text: str, by: int, skip_first: bool = False) -> tuple[str, list[int]]:
    """Every ATX heading outside code `by` levels down (`#` -> `##`); the lines of those that would pass `######`
    (kept at level 6). `skip_first`: the first heading stays as it is (a chapter's title)."""
    out, deep, first = [], [], skip_first
    for number, line, inside in fenced(text):
        match = _HEADING.match(line) if inside is None else None
        if match and first:
            first = False
        elif match and by:
            level = len(match.group(2)) + by
            if level > 6:
                deep.append(number)
            line = match.group(1) + "#" * min(level, 6) + line[match.end():]
        out.append(line)
    return "".join(out), deep


def headings(text: str) -> list[tuple[int, int]]:
    """(level, line) of each ATX heading outside code."""
    return [(len(m.group(2)), number) for number, line, inside in fenced(text)
            if inside is None and (m := _HEADING.match(line))]


def is_rust(info: str) -> bool:
    """Whether a fence's info string makes it a Rust block, as mdBook reads it (the first word, before a comma)."""
    word = re.split(r"[\s,{]", info.strip(), maxsplit=1)[0].lower()
    return word == "rust"


def drop_hidden_lines(text: str) -> str:
    """Rust code blocks without mdBook's hidden lines (`# x`, `#`); `##x` becomes `#x`. A block with
    `hidelines=P` in its info string drops the lines starting with P instead (mdBook's rule for other languages)."""
    out = []
    for _, line, inside in fenced(text):
        body = line.rstrip("\r\n")
        fence_line = _FENCE.match(body) is not None and inside is not None
        if inside is None or fence_line:
            out.append(line)
            continue
        prefix = re.search(r"hidelines=(\S+?)(?=[\s,}]|$)", inside)
        if prefix and not is_rust(inside):
            if body.lstrip().startswith(prefix.group(1)):
                continue
        elif is_rust(inside) and (match := _BORING.match(body)):
            if match.group(2) == "#":
                line = match.group(1) + "#" + match.group(3) + line[len(body):]
            elif match.group(2) in ("", " "):
                continue
        out.append(line)
    return "".join(out)


def references(text: str) -> list[Reference]:
    """The link and image targets of a page, outside code, in order of kind (HTML, inline, definitions)."""
    found = [Reference(m.group(3), line, m.group(0).lower().startswith("<img")) for m, line in _html_urls(text)]
    found += [Reference(m.group(3).strip("<>"), line, bool(m.group(1))) for m, line in _inline_links(text)]
    for number, line, inside in fenced(text):
        if inside is None and (definition := _DEFINITION.match(_blank_code_spans(line))):
            found.append(Reference(definition.group(3).strip("<>"), number, False))
    return found


def rewrite_links(text: str, change: Callable[[str, int, bool], str | None]) -> str:
    """Each link target outside code through `change(target, line, image)`: a new target, the same one, or None
    to unlink it (the link's text stays; a reference definition is dropped and its uses become their text).
    An inline link's text may run over several lines; its line is the one it starts on."""
    out, last = [], 0
    for match, number in _inline_links(text):
        target = change(match.group(3).strip("<>"), number, bool(match.group(1)))
        if target is None:
            replacement = match.group(0) if match.group(1) else match.group(2)
        else:
            replacement = f"{match.group(1)}[{match.group(2)}]({_target(target)}{match.group(4) or ''})"
        out += [text[last:match.start()], replacement]
        last = match.end()
    text = "".join(out) + text[last:]
    lines, dropped = [], set()
    for number, line, inside in fenced(text):
        # A definition is read from the line as written, if it is one once code spans are blanked too.
        definition = _DEFINITION.match(line.rstrip("\r\n")) if inside is None else None
        if definition is not None and _DEFINITION.match(_blank_code_spans(line)):
            target = change(definition.group(3).strip("<>"), number, False)
            if target is None:
                dropped.add(definition.group(2).strip().lower())
                continue
            line = definition.group(1) + _target(target) + definition.group(4) + line[len(line.rstrip("\r\n")):]
        lines.append(line)
    result = _rewrite_html("".join(lines), change)
    return _unlink_references(result, dropped) if dropped else result


def _blank_code_spans(text: str) -> str:
    """`text` with its code spans blanked (same length), so nothing in them is read as a link."""
    return _CODE_SPAN.sub(lambda m: " " * len(m.group(0)), text)


def _inline_links(text: str) -> list[tuple[re.Match[str], int]]:
    """Each inline link or image outside code blocks and code spans, with the line it starts on."""
    code = {number for number, _, inside in fenced(text) if inside is not None}
    plain = "".join(" " * len(line) if number in code else _blank_code_spans(line)
                    for number, line, _ in fenced(text))
    found = []
    for match in _INLINE.finditer(plain):
        line = plain.count("\n", 0, match.start()) + 1
        found.append((_INLINE.match(text, match.start(), match.end()) or match, line))
    return found


def _html_urls(text: str) -> list[tuple[re.Match[str], int]]:
    """Each <img src>, <a href>, <source src> outside code (a tag may run over several lines), with its line."""
    code = {number for number, _, inside in fenced(text) if inside is not None}
    found = []
    for match in _HTML_URL.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        if line not in code:
            found.append((match, line))
    return found


def _rewrite_html(text: str, change: Callable[[str, int, bool], str | None]) -> str:
    out, last = [], 0
    for match, line in _html_urls(text):
        out += [text[last:match.start()], _html_link(match, line, change)]
        last = match.end()
    return "".join(out) + text[last:]


def _target(target: str) -> str:
    return f"<{target}>" if re.search(r"[\s()]", target) else target


def _html_link(match: re.Match[str], number: int, change: Callable[[str, int, bool], str | None]) -> str:
    target = change(match.group(3), number, match.group(0).lower().startswith("<img"))
    return match.group(0) if target is None else f"{match.group(1)}{match.group(2)}{target}{match.group(2)}"


def _unlink_references(text: str, labels: set[str]) -> str:
    """`[text][label]`, `[label][]` and `[label]` whose definition was dropped -> their text."""
    out = []
    for _, line, inside in fenced(text):
        if inside is None:
            line = re.sub(r"\[((?:[^\[\]]|\[[^\]]*\])*)\]\[([^\]]*)\]",
                          lambda m: m.group(1) if (m.group(2) or m.group(1)).strip().lower() in labels
                          else m.group(0), line)
            line = re.sub(r"(?<![\]!])\[([^\[\]]+)\](?![(\[:])",
                          lambda m: m.group(1) if m.group(1).strip().lower() in labels else m.group(0), line)
        out.append(line)
    return "".join(out)


#: The Rust Book's listings (its mdbook-trpl preprocessor): <Listing number="1-1" file-name="x.rs" caption="...">.
_LISTING_OPEN = re.compile(r"^\s*<Listing((?:\s+[\w-]+=\"[^\"]*\")*)\s*>\s*$")
_LISTING_CLOSE = re.compile(r"^\s*</Listing>\s*$")
_LISTING_ATTR = re.compile(r'([\w-]+)="([^"]*)"')


def listings(text: str) -> str:
    """`<Listing number= file-name= caption=>` around a code block -> the block's own attributes: its id
    (`#lst:1-1`), title line and caption (see docs/code.md); the tags themselves are dropped. A backtick fence
    whose caption holds a backtick becomes a tilde fence (CommonMark allows no backtick in a backtick fence's
    info string)."""
    out: list[str] = []
    pending: dict[str, str] | None = None
    retick = ""  # the backtick fence being written as tildes
    for _, line, inside in fenced(text):
        if inside is None and (opened := _LISTING_OPEN.match(line)):
            pending = dict(_LISTING_ATTR.findall(opened.group(1)))
            continue
        if inside is None and _LISTING_CLOSE.match(line):
            pending = None
            continue
        bare = line.rstrip("\r\n")
        if retick and inside is not None and re.fullmatch(" {0,3}`{" + str(len(retick)) + r",}\s*", bare):
            line, retick = bare.replace("`", "~") + "\n", ""
        fence = _FENCE.match(bare) if inside is not None and pending is not None else None
        if fence is not None and pending is not None:
            attributes = [f"#lst:{pending['number']}"] if pending.get("number") else []
            for key, name in (("file-name", "title"), ("caption", "caption")):
                if pending.get(key):
                    attributes.append(f'{name}="{pending[key]}"')
            marks = fence.group(2)
            if marks[0] == "`" and any("`" in a for a in attributes):
                retick, marks = marks, "~" * len(marks)
            line = f"{fence.group(1)}{marks}{fence.group(3).strip()} {{{' '.join(attributes)}}}\n"
            pending = None
        out.append(line)
    return "".join(out)


_ANCHOR_LINE = re.compile(r"""^\s*<a\s+(?:id|name)\s*=\s*["']([^"']+)["']\s*>\s*</a>\s*$""")


def drop_heading_anchors(text: str, slug: Callable[[str], str]) -> str:
    """Lines that are only `<a id="x"></a>` where a heading of the page already has the id x (its `slug`): a
    second element with one id would stop the build (mdBook books keep such anchors for old links)."""
    ids = {slug(re.sub(r"^#{1,6}\s+|\s*\{#[^}]*\}\s*$", "", line.strip()))
           for _, line, inside in fenced(text) if inside is None and _HEADING.match(line)}
    return "".join(line for _, line, inside in fenced(text)
                   if inside is not None or not ((m := _ANCHOR_LINE.match(line)) and m.group(1) in ids))
