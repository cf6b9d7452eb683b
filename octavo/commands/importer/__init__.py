"""octavo import mdbook|quarto PATH -> an Octavo book folder made from an mdBook or Quarto project (or a pandoc
manuscript), the same files on every run: mdbook.py and quarto.py read, writer.py writes."""

from __future__ import annotations

import logging
from pathlib import Path

from octavo.commands.importer.writer import write_book
from octavo.errors import UsageError

log = logging.getLogger("octavo")

#: The formats `octavo import` reads.
FORMATS = ("mdbook", "quarto")


def import_book(kind: str, source: Path, to: Path | None = None, site_url: str | None = None) -> list[Path]:
    """Import the project at `source` into `to` (default: SOURCE/octavo/); return the files written."""
    if not source.exists():
        raise UsageError(f"no {source} to import")
    if kind == "mdbook":
        from octavo.commands.importer.mdbook import import_mdbook

        book = import_mdbook(source, site_url + ("" if site_url.endswith("/") else "/") if site_url else None)
    else:
        from octavo.commands.importer.quarto import import_quarto

        book = import_quarto(source)
    from octavo.commands.importer.trim import choose_trim

    trim = choose_trim(book.texts.values(), str(source))
    if trim:
        book.after = {"print": {"trim": trim}, **book.after}
    folder = source if source.is_dir() else source.parent
    target = to or folder / "octavo"
    files = write_book(book, target, str(source))
    chapters = sum(1 for name in book.texts)
    log.info("imported %s: %d Markdown files, %d other files, into %s/", source, chapters, len(book.copies), target)
    return files
