"""An mdBook page's text + its folder -> the text with `{{#include}}`, `{{#rustdoc_include}}`, `{{#playground}}`
and `{{#title}}` expanded as mdBook's links preprocessor does (crates/mdbook-driver/.../links.rs and take_lines.rs),
each one that cannot be a warning with its file and line.

Ranges count lines from 1 and include both ends (`file:2:10`, `file:2:`, `file::10`, `file:2`); an anchor takes
the lines between `ANCHOR: name` and `ANCHOR_END: name`, without any line that marks an anchor; a rustdoc include
keeps the other lines as hidden lines (`# `), which the import then drops like every hidden line of a Rust block.
Included text is indented like the directive, and its own directives are expanded (10 levels at most).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger("octavo")

#: mdBook's expression: an escaped one (\{{#...}}), or {{#type target props}}.
_LINK = re.compile(r"\\\{\{#.*\}\}|\{\{\s*#([a-zA-Z0-9_]+)\s+([^}]+)\}\}")
_ANCHOR_START = re.compile(r"ANCHOR:\s*([\w-]+)")
_ANCHOR_END = re.compile(r"ANCHOR_END:\s*([\w-]+)")
MAX_DEPTH = 10


def expand(text: str, folder: Path, shown: str, inside: Path, depth: int = 0) -> str:
    """`text` (of the file `shown`, in `folder`) with its expressions replaced; `inside`: the folder no included
    file may be outside of."""
    out, last = [], 0
    for match in _LINK.finditer(text):
        out.append(text[last:match.start()])
        last = match.end()
        line = text.count("\n", 0, match.start()) + 1
        if match.group(1) is None:  # escaped: written as it is, without its backslash
            out.append(match.group(0)[1:])
            continue
        kind, rest = match.group(1), match.group(2).split()
        result = _render(kind, rest, folder, f"{shown}:{line}", inside)
        if result is None:
            out.append(match.group(0))
            continue
        content, path = result
        if path is not None and depth < MAX_DEPTH:
            content = expand(content, path.parent, _shown(path, inside, shown), inside, depth + 1)
        elif path is not None:
            log.warning("%s:%d: includes nested more than %d deep (a file including itself?); the rest is left "
                        "as written", shown, line, MAX_DEPTH)
        prefix = "".join(out).rsplit("\n", 1)[-1]
        out.append(("\n" + prefix).join(content.splitlines()))
    out.append(text[last:])
    return "".join(out)


def include_root(book: Path) -> Path:
    """The folder an include may reach into: the repository that holds the mdBook project (the nearest folder
    above it with a `.git`; mdBook's own guide includes `../../../examples/*.rs`), else the project's folder."""
    for folder in (book.resolve(), *book.resolve().parents):
        if (folder / ".git").exists():
            return folder
    return book


def _shown(path: Path, inside: Path, default: str) -> str:
    try:
        return path.relative_to(inside).as_posix()
    except ValueError:
        return default


def _render(kind: str, rest: list[str], folder: Path, where: str, inside: Path) -> tuple[str, Path | None] | None:
    """An expression's text and the file it came from; None (with a warning) when it cannot be expanded."""
    if kind == "title":
        return "", None  # mdBook's page title for the web: a book's chapter has its own heading
    if kind not in ("include", "rustdoc_include", "playground", "playpen") or not rest:
        log.warning("%s: unknown mdBook expression {{#%s}}: left as written", where, kind)
        return None
    name, _, selector = rest[0].partition(":")
    path = (folder / name).resolve()
    if not path.is_relative_to(inside.resolve()):
        log.warning("%s: {{#%s %s}} names a file outside the book's folder and "
                    "its repository: left as written", where, kind, rest[0])
        return None
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        log.warning("%s: {{#%s %s}}: cannot read %s (%s): left as written", where, kind, rest[0], name, reason)
        return None
    if kind in ("playground", "playpen"):
        flags = ",".join(rest[1:])
        return f"```rust{',' + flags if flags else ''}\n{source.rstrip(chr(10))}\n```\n", path
    take: Callable[[str, str], str] = _take if kind == "include" else _take_rustdoc
    text = take(source, selector)
    if selector and not _is_range(selector) and not text and not _has_anchor(source, selector):
        log.warning("%s: {{#%s %s}}: %s has no anchor '%s' (ANCHOR: %s ... ANCHOR_END: %s)", where, kind, rest[0],
                    name, selector, selector, selector)
    return text, path


def _is_range(selector: str) -> bool:
    return re.fullmatch(r"\d*(:\d*)?", selector) is not None


def _has_anchor(source: str, anchor: str) -> bool:
    return any(m.group(1) == anchor for m in _ANCHOR_START.finditer(source))


def line_range(selector: str) -> tuple[int, int | None] | None:
    """`2:10` -> (1, 10), `2:` -> (1, None), `:10` -> (0, 10), `2` -> (1, 2), '' -> (0, None): zero-based start,
    exclusive end; None for an anchor name."""
    if not selector:
        return 0, None
    first, colon, second = selector.partition(":")
    if first and not first.isdigit():
        return None
    start = max(int(first) - 1, 0) if first else 0
    if not colon:
        return (start, start + 1) if first else (0, None)
    end = int(second) if second.isdigit() else None
    return start, end


def _take(source: str, selector: str) -> str:
    lines = source.splitlines()
    bounds = line_range(selector)
    if bounds is not None:
        start, end = bounds
        return "\n".join(lines[start:end] if end is None or end > start else [])
    kept, found = [], False
    for line in lines:
        if found:
            closing = _ANCHOR_END.search(line)
            if closing and closing.group(1) == selector:
                break
            if not closing and not _ANCHOR_START.search(line):
                kept.append(line)
        elif (start_mark := _ANCHOR_START.search(line)) and start_mark.group(1) == selector:
            found = True
    return "\n".join(kept)


def _take_rustdoc(source: str, selector: str) -> str:
    lines = source.splitlines()
    bounds = line_range(selector)
    if bounds is not None:
        start, end = bounds
        return "\n".join(line if start <= i and (end is None or i < end) else "# " + line
                         for i, line in enumerate(lines))
    out, within = [], False
    for line in lines:
        if within:
            closing = _ANCHOR_END.search(line)
            if closing and closing.group(1) == selector:
                within = False
            elif not closing and not _ANCHOR_START.search(line):
                out.append(line)
        elif (start_mark := _ANCHOR_START.search(line)) and start_mark.group(1) == selector:
            within = True
        elif not _ANCHOR_END.search(line):
            out.append("# " + line)
    return "\n".join(out)
