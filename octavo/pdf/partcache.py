"""A part's HTML + every other input of its layout -> one key; the part PDFs and what their layout made, kept under
the output folder (dist/.octavo-parts/KEY/) and written whole or not at all, so an edit lays out only its parts."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from octavo.manifest import engine
from octavo.model import Book
from octavo.pages import PageMap, Position, PrintPage
from octavo.pdf.partwork import Laid
from octavo.resources import Resources

#: The cache's folder in the output folder, hidden.
FOLDER = ".octavo-parts"
#: A part's staging folder older than this was left by an interrupted build (seconds).
STALE = 3600
#: What a cached part holds besides its record.
PRINT, SCREEN, RECORD = "print.pdf", "screen.pdf", "laid.json"


def inputs_key(book: Book, styles: Resources) -> str:
    """Everything a part's layout reads besides its own HTML: book.yaml's settings, the styles and fonts (every file
    of the style folders), the book's images, Octavo's code and the engines' versions (manifest.engine)."""
    digest = hashlib.sha256()
    digest.update(repr(book.meta).replace(str(book.root), "").encode())  # the same book in another folder too
    digest.update(json.dumps(engine(), sort_keys=True).encode())  # Octavo's code (hashed) and the engines
    for folder in styles.styles:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    for image in sorted(book.images):
        path = book.root / image
        digest.update(str(image).encode() + b"\0" + (path.read_bytes() if path.is_file() else b""))
    return digest.hexdigest()


def part_key(html: str, inputs: str) -> str:
    """The key of one part's layout."""
    return hashlib.sha256(inputs.encode() + b"\0" + html.encode()).hexdigest()[:32]


class PartCache:
    """The cached parts of one output folder."""

    def __init__(self, out: Path):
        self.root = out / FOLDER
        self.used: set[str] = set()

    def get(self, key: str) -> Laid | None:
        """The record of a cached part, or None."""
        folder = self.root / key
        try:
            data = json.loads((folder / RECORD).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not (folder / PRINT).is_file() or not (folder / SCREEN).is_file():
            return None
        self.used.add(key)
        return _laid(data)

    def pdfs(self, key: str) -> tuple[Path, Path]:
        """Where a part's print and screen PDFs are (or go)."""
        return self.root / key / PRINT, self.root / key / SCREEN

    def staging(self, key: str) -> Path:
        """A new folder a part is written into before `put` renames it into place."""
        self.root.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=f".{key}.", dir=self.root))

    def put(self, key: str, staged: Path, laid: Laid) -> None:
        """Keep a part written in `staged`: its record beside its PDFs, the folder renamed into place whole."""
        (staged / RECORD).write_text(json.dumps(asdict(laid)), encoding="utf-8")
        target = self.root / key
        shutil.rmtree(target, ignore_errors=True)
        try:
            os.replace(staged, target)
        except OSError:  # another build of this folder kept the same part meanwhile: the same bytes
            shutil.rmtree(staged, ignore_errors=True)
            if not (target / RECORD).is_file():
                raise
        self.used.add(key)

    def read_json(self, name: str) -> Any:
        try:
            return json.loads((self.root / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def write_json(self, name: str, value: Any) -> None:
        """A small file of the cache (the last build's folios and what it laid out), replaced whole."""
        self.root.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(prefix=f".{name}.", dir=self.root)
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(value, stream)
        os.replace(temp, self.root / name)

    def prune(self) -> None:
        """Drop the parts this build did not use (and folders left by an interrupted build)."""
        if not self.root.is_dir():
            return
        for child in self.root.iterdir():
            staging = child.name.startswith(".")  # a part being written: another build's, unless it is old
            if child.is_dir() and child.name not in self.used and (not staging or _older(child, STALE)):
                shutil.rmtree(child, ignore_errors=True)


def _older(path: Path, seconds: float) -> bool:
    try:
        return time.time() - path.stat().st_mtime > seconds
    except OSError:
        return False


def _laid(data: dict[str, Any]) -> Laid:
    pages = data["page_map"]
    page_map = PageMap(tuple(PrintPage(p["number"], p["label"], None if p["start"] is None else Position(**p["start"]))
                             for p in pages["pages"]), dict(pages["anchors"]))
    records = tuple((str(name), int(level), str(text)) for name, level, text in data["records"])
    return Laid(data["number"], data["key"], data["pages"], tuple(data["labels"]), dict(data["anchors"]), page_map,
                tuple(data["findings"]), records)
