"""An imported book (book.yaml's values, the chapter texts, the files to copy) -> an Octavo book folder, the same
bytes on every run: book.yaml written key by key, the files in sorted order, the previous import's files replaced.

The folder is the importer's: a list of what it wrote (`.octavo-import`) lets the next run remove files the
source no longer has; a folder with other files in it and no such list is refused.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from octavo.errors import UsageError

#: The list of the files an import wrote, in the folder it wrote them to.
RECORD = ".octavo-import"
#: What the next run keeps in an imported folder: the outputs of a build.
KEPT = ("dist",)


@dataclass(frozen=True)
class Chapter:
    """One chapter of the imported book."""

    file: str
    """Its file, relative to the book's folder (posix)."""
    sections: tuple[str, ...] = ()
    """Its section files, in order."""


@dataclass(frozen=True)
class Part:
    """A part: a title and its chapters."""

    title: str
    chapters: tuple[Chapter, ...]


@dataclass
class Imported:
    """What an importer made, before it is written."""

    meta: dict[str, Any] = field(default_factory=dict)
    """book.yaml's keys before `chapters`, in the order they are written (title, authors, language...)."""
    contents: list[Chapter | Part] = field(default_factory=list)
    """The chapters and parts, in reading order."""
    texts: dict[str, str] = field(default_factory=dict)
    """Each Markdown file's text, by its path in the book's folder."""
    copies: dict[str, Path] = field(default_factory=dict)
    """Files copied as they are (images), by their path in the book's folder -> the source file."""
    after: dict[str, Any] = field(default_factory=dict)
    """book.yaml's keys after `chapters` (print:)."""
    comments: list[str] = field(default_factory=list)
    """Lines written at the end of book.yaml as comments: what the import kept aside."""


def book_yaml(book: Imported, source: str) -> str:
    """book.yaml's text: every string quoted (JSON strings are YAML), lists in flow or block style."""
    lines = [f"# Made by octavo import from {source}: edit the source and import again, or edit this book.", ""]
    for key, value in book.meta.items():
        lines += _entry(key, value, 0)
    lines.append("chapters:")
    for item in book.contents:
        if isinstance(item, Part):
            lines.append(f"  - part: {_scalar(item.title)}")
            lines.append("    chapters:")
            lines += [f"      {line}" for chapter in item.chapters for line in _chapter(chapter)]
        else:
            lines += [f"  {line}" for line in _chapter(item)]
    for key, value in book.after.items():
        lines += _entry(key, value, 0)
    lines += book.comments
    return "\n".join(lines) + "\n"


def _chapter(chapter: Chapter) -> list[str]:
    if not chapter.sections:
        return [f"- {_scalar(chapter.file)}"]
    return [f"- file: {_scalar(chapter.file)}", "  sections:", *(f"    - {_scalar(s)}" for s in chapter.sections)]


def _entry(key: str, value: Any, indent: int) -> list[str]:
    pad = " " * indent
    if isinstance(value, dict):
        return [f"{pad}{key}:", *(line for k, v in value.items() for line in _entry(k, v, indent + 2))]
    if isinstance(value, (list, tuple)):
        return [f"{pad}{key}:", *(f"{pad}  - {_scalar(v)}" for v in value)]
    return [f"{pad}{key}: {_scalar(value)}"]


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, dict):  # a flow mapping: {"name": "Ada Lovelace", "affiliation": "..."}
        return json.dumps({str(k): str(v) for k, v in value.items()}, ensure_ascii=False)
    return json.dumps(str(value), ensure_ascii=False)


def write_book(book: Imported, to: Path, source: str) -> list[Path]:
    """Write `book` into the folder `to` (made if missing); return the files written, book.yaml first."""
    _clear(to)
    written = {"book.yaml": book_yaml(book, source).encode()}
    written.update({name: text.encode() for name, text in book.texts.items()})
    paths = []
    for name in sorted(written, key=lambda n: (n != "book.yaml", n)):
        paths.append(_write(to, name, written[name]))
    for name in sorted(book.copies):
        paths.append(_write(to, name, book.copies[name].read_bytes()))
    record = sorted(p.relative_to(to).as_posix() for p in paths)
    (to / RECORD).write_text("\n".join(record) + "\n", encoding="utf-8")
    return paths


def _write(to: Path, name: str, data: bytes) -> Path:
    path = to / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _clear(to: Path) -> None:
    """Remove what the previous import wrote; refuse a folder that holds anything else."""
    if to.is_file():
        raise UsageError(f"{to} is a file; give a folder to import into with --to DIR")
    if not to.exists():
        to.mkdir(parents=True)
        return
    record = to / RECORD
    others = [p for p in to.iterdir() if p.name not in (RECORD, *KEPT)]
    if not record.is_file():
        if others:
            raise UsageError(f"{to}/ is not empty and holds no earlier import ({RECORD}); give a new or empty "
                             "folder with --to DIR")
        return
    for name in record.read_text(encoding="utf-8").splitlines():
        path = (to / name)
        if name and path.resolve().is_relative_to(to.resolve()) and path.is_file():
            path.unlink()
    folders = [p for p in to.rglob("*") if p.is_dir() and p.relative_to(to).parts[0] not in KEPT]
    for folder in sorted(folders, key=lambda p: -len(p.parts)):
        if not any(folder.iterdir()):
            folder.rmdir()

