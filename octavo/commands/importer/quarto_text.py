"""A Quarto chapter's text -> the same text as Octavo reads it: `{{< include >}}` expanded, executable cells shown as
code, callouts as Octavo's notes, other fenced divs unwrapped, heading classes dropped (labels kept); each thing
it cannot carry over a warning with its file and line."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from octavo.commands.importer.markdown_text import fenced
from octavo.content.markdown import CALLOUTS

log = logging.getLogger("octavo")

#: `::: {.callout-note title="..."}`, and the bare class Pandoc also reads (`::: callout-note`, as R for Data Science
#: writes them): group 3 the kind, group 4 the attributes, if any.
_CALLOUT = re.compile(r"^(\s*)(:{3,})\s*(?:\{\s*\.callout-(\w+)([^}]*)\}|callout-(\w+)())\s*$")
_DIV_OPEN = re.compile(r"^(\s*)(:{3,})\s*(\{[^}]*\}|[\w-]+)\s*$")
_DIV_CLOSE = re.compile(r"^(\s*)(:{3,})\s*$")
_TITLE_ATTR = re.compile(r'title\s*=\s*"([^"]*)"')
_HEADING_ATTRS = re.compile(r"^(#{1,6}\s.*?)\s*\{([^}]*)\}\s*$")
_SHORTCODE = re.compile(r"\{\{<\s*(\w+)\s*([^>]*?)\s*>\}\}")
_OPTION = re.compile(r"^\s*#\|\s*(\w[\w-]*)\s*:\s*(.*?)\s*$")


def includes(text: str, folder: Path, shown: str, depth: int = 0) -> str:
    """`{{< include file >}}` expanded; other shortcodes are warnings, and left out."""
    def replace(match: re.Match[str]) -> str:
        line = text.count("\n", 0, match.start()) + 1
        if match.group(1) == "include" and depth < 10:
            target = folder / match.group(2).strip("\"'")
            if target.is_file():
                return includes(target.read_text(encoding="utf-8"), target.parent, str(target), depth + 1)
            log.warning("%s:%d: {{< include %s >}}: no such file; left out", shown, line, match.group(2))
            return ""
        log.warning("%s:%d: Quarto shortcode {{< %s >}} is not carried over: left out", shown, line, match.group(1))
        return ""
    return _SHORTCODE.sub(replace, text)


def cells(text: str, shown: str) -> str:
    """Executable cells (```{python}) shown as code, without their `#|` options; `echo: false` leaves one out."""
    out: list[str] = []
    cell: list[str] | None = None
    start = 0
    for number, line, inside in fenced(text):
        if cell is not None and inside is None:
            out += _shown_cell(cell, shown, start)
            cell = None
        if cell is None and inside is not None and re.match(r"^\{[a-zA-Z]\w*(?=[\s,}])", inside.strip()):
            cell, start = [line], number
            continue
        if cell is not None:
            cell.append(line)
        else:
            out.append(line)
    return "".join(out + (_shown_cell(cell, shown, start) if cell else []))


def _shown_cell(cell: list[str], shown: str, line: int) -> list[str]:
    """A cell as a code block without its `#|` options, or nothing when it says `echo: false`."""
    options = [m for text in cell if (m := _OPTION.match(text))]
    language = re.split(r"[\s,}]", cell[0].strip().lstrip("`~").strip()[1:], maxsplit=1)[0]
    if any(m.group(1) == "echo" and m.group(2).lower() == "false" for m in options):
        log.warning("%s:%d: executable %s cell with echo: false left out: Octavo does not run code (render its "
                    "output with Quarto first)", shown, line, language)
        return []
    log.warning("%s:%d: executable %s cell shown as code: Octavo does not run code (render its output with "
                "Quarto first)", shown, line, language)
    return [text for text in cell if not _OPTION.match(text)]


def divs(text: str, shown: str) -> str:
    """Callouts as Octavo's notes (`::: note Title`); any other fenced div is a warning, its contents kept."""
    out: list[str] = []
    stack: list[bool] = []  # per open div: whether its closing fence is kept
    pending_title = False
    for number, line, inside in fenced(text):
        if inside is not None:
            out.append(line)
            continue
        if callout := _CALLOUT.match(line):
            name = (callout.group(3) or callout.group(5)).lower()
            name = name if name in CALLOUTS else "note"
            title = _TITLE_ATTR.search(callout.group(4) or "")
            out.append(f"{callout.group(1)}::: {name}{' ' + title.group(1) if title else ''}\n")
            stack.append(True)
            pending_title = title is None
            continue
        if pending_title and (heading := re.match(r"^#{1,6}\s+(.*?)\s*$", line)):
            out[-1] = out[-1].rstrip("\n") + f" {heading.group(1)}\n"
            pending_title = False
            continue
        if line.strip():
            pending_title = False
        if (opened := _DIV_OPEN.match(line)) and not _DIV_CLOSE.match(line):
            log.warning("%s:%d: fenced div %s is not carried over: its contents are kept", shown, number,
                        opened.group(3))
            stack.append(False)
            continue
        if _DIV_CLOSE.match(line) and stack:
            if stack.pop():
                out.append(line)
            continue
        out.append(line)
    return "".join(out)


def heading_attributes(text: str) -> tuple[str, bool]:
    """`# Title {#sec-x .unnumbered}` -> `# Title {#sec-x}` (labels kept for cross-references); whether the
    chapter's title was unnumbered."""
    out, unnumbered, first = [], False, True
    for _, line, inside in fenced(text):
        match = _HEADING_ATTRS.match(line.rstrip("\n")) if inside is None else None
        if match:
            attrs = match.group(2).split()
            if first and line.startswith("# ") and any(a in (".unnumbered", "-") for a in attrs):
                unnumbered = True
            anchor = next((a for a in attrs if a.startswith("#")), None)
            line = match.group(1) + (f" {{{anchor}}}" if anchor else "") + "\n"
        if inside is None and line.startswith("#"):
            first = False
        out.append(line)
    return "".join(out), unnumbered
