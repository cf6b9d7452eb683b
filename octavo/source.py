"""A source file's bytes -> its text (UTF-8, no control characters), and the line where a piece of it is."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from octavo.errors import ContentError

#: Characters a book cannot carry: C0 controls other than tab and line ends, DEL, C1 controls, non-characters.
#: XML forbids most of them, so they would make the EPUB invalid; the rest print as nothing or as boxes.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


def read_source(path: Path, shown: str) -> str:
    """Read a UTF-8 text file; a bad byte or a control character is reported with where it is."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ContentError(f"cannot be read: {exc.strerror}", shown) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ContentError(f"not UTF-8: byte 0x{data[exc.start]:02x} at offset {exc.start} cannot be decoded; "
                           "save the file as UTF-8", shown, line) from None
    text = text.removeprefix("\ufeff")
    if match := _CONTROL.search(text):
        char = match.group(0)
        line = text.count("\n", 0, match.start()) + 1
        column = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
        raise ContentError(f"invisible control character U+{ord(char):04X} at column {column} is not allowed "
                           "in a book; delete it", shown, line)
    return text


def line_in_file(path: Path, needle: str) -> int | None:
    """The first line of a UTF-8 file that contains `needle`, for a message; None if none does."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    return None


def place_in(name: str, sources: tuple[Path, ...], needle: str) -> tuple[str, int] | None:
    """Which of a chapter's files (its chapter file `name` first, then its section files) holds `needle`, shown
    as messages show it, and the line; None when none does."""
    for index, path in enumerate(sources):
        line = line_in_file(path, needle)
        if line is not None:
            return (name if index == 0 else str(Path(name).parent / path.name)), line
    return None


@dataclass(frozen=True)
class SourceText:
    """A Markdown file's text, to find the line a piece of raw HTML or a reference came from."""

    name: str
    """The file as shown in messages (content/01-x.md)."""
    text: str
    """The whole file, front matter included, so that lines are the file's lines."""

    def line_of(self, needle: str) -> int | None:
        """The first line containing `needle` (case-insensitive), or None."""
        folded = needle.lower()
        for number, line in enumerate(self.text.splitlines(), start=1):
            if folded in line.lower():
                return number
        return None

    def where(self, needle: str) -> str:
        """'content/01-x.md:12' for messages, or just the file name when the text is not found."""
        line = self.line_of(needle)
        return f"{self.name}:{line}" if line else self.name
