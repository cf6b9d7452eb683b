"""templates/new/ -> a new publication folder: a documented book.yaml, two sample chapters, a picture."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import shutil
import string
import uuid
from pathlib import Path

from octavo.config import CONFIG_NAME, slugify
from octavo.errors import UsageError
from octavo.resources import TEMPLATES

log = logging.getLogger("octavo")

#: The sample publication, copied file by file; book.yaml is filled in on the way.
SCAFFOLD = TEMPLATES / "new"


def new_publication(dest: Path, today: dt.date | None = None, scaffold: Path = SCAFFOLD) -> list[Path]:
    """Create `dest` with a ready-to-build publication; return the files written, book.yaml first."""
    _check_destination(dest)
    dest.mkdir(parents=True, exist_ok=True)
    written = [dest / CONFIG_NAME]
    written[0].write_text(book_yaml(dest, today or dt.date.today(), scaffold), encoding="utf-8")
    for source in sorted(p for p in scaffold.rglob("*") if p.is_file() and p.name != CONFIG_NAME):
        target = dest / source.relative_to(scaffold)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        written.append(target)
    log.info("Created %s/ with %s", dest, ", ".join(str(p.relative_to(dest)) for p in written))
    log.info("Next: python build.py watch --content %s   (a live preview; Ctrl-C stops it)", dest)
    log.info("  or: python build.py --content %s         (the PDFs and the EPUB, in dist/)", dest)
    return written


def _check_destination(dest: Path) -> None:
    """Never write over anything: the folder must be new or empty."""
    if dest.exists() and not dest.is_dir():
        raise UsageError(f"{dest} is a file; give a new folder name: python build.py new my-book")
    if dest.is_dir() and any(dest.iterdir()):
        raise UsageError(f"{dest}/ is not empty; give a new folder name: python build.py new my-book")


def book_yaml(dest: Path, today: dt.date, scaffold: Path = SCAFFOLD) -> str:
    """The scaffold's book.yaml with a title from the folder name, a fresh identifier and today's date."""
    title = title_from_folder(dest.resolve().name)
    template = string.Template((scaffold / CONFIG_NAME).read_text(encoding="utf-8"))
    return template.substitute(
        title=json.dumps(title, ensure_ascii=False),  # a JSON string is a valid quoted YAML scalar
        slug=slugify(title),
        # Random once, then fixed in the file: the book keeps its id when its title changes.
        identifier=f"urn:uuid:{uuid.uuid4()}",
        date=today.isoformat(),
        folder=_shell_word(str(dest)),
    )


def title_from_folder(name: str) -> str:
    """'my-first-novel' -> 'My First Novel'; a name with capitals keeps them."""
    words = [w for w in re.split(r"[-_\s]+", name) if w]
    if not words:
        return "Untitled"
    return " ".join(w if w != w.lower() else w[:1].upper() + w[1:] for w in words)


def _shell_word(text: str) -> str:
    return text if re.fullmatch(r"[\w./-]+", text) else "'" + text.replace("'", "'\\''") + "'"
