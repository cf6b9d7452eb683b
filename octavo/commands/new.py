"""templates/new/ -> a new book repository: content/ (a documented book.yaml, two sample chapters, a picture),
a .gitignore, a README and GitHub workflows that build every push and publish every v* tag."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import shutil
import string
import uuid
from pathlib import Path

from octavo import __version__
from octavo.config import CONFIG_NAME, slugify
from octavo.errors import UsageError
from octavo.program import program
from octavo.resources import TEMPLATES

log = logging.getLogger("octavo")

#: The sample book: content/ is copied into PATH/content/ (book.yaml filled in on the way), repository/ into PATH.
SCAFFOLD = TEMPLATES / "new"
#: A file or folder in repository/ named dot-x is written as .x: kept visible here, where a real .gitignore
#: or .github/ would act on this repository itself.
DOT = "dot-"


def new_publication(dest: Path, today: dt.date | None = None, scaffold: Path = SCAFFOLD) -> list[Path]:
    """Create the book repository `dest`; return the files written, content/book.yaml first.

    Everything is written into a hidden folder beside `dest`, which then takes its name: a failure leaves
    nothing behind, and nothing already there is ever written over.
    """
    _check_destination(dest)
    created = _missing_parents(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = dest.parent / f".{dest.name}.{uuid.uuid4().hex[:8]}.octavo-new"
    staging.mkdir()  # not mkdtemp: the book's folder gets the usual permissions, not 0700
    try:
        names = _write(staging, dest, today or dt.date.today(), scaffold)
        _take_place(staging, dest)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        for folder in created:
            folder.rmdir()
        raise
    written = [dest / name for name in names]
    prog = program()
    log.info("Created %s/ with %s", dest, ", ".join(names))
    log.info("Next: %s watch %s   (a live preview; Ctrl-C stops it)", prog, _shell_word(str(dest)))
    log.info("  or: %s build %s   (the PDFs and the EPUB, in %s)", prog, _shell_word(str(dest)), dest / "dist")
    return written


def _write(folder: Path, dest: Path, today: dt.date, scaffold: Path) -> list[str]:
    """Write the book into `folder` (to be renamed `dest`); return the paths written, relative to it."""
    content = folder / "content"
    content.mkdir()
    names = [f"content/{CONFIG_NAME}"]
    (content / CONFIG_NAME).write_text(book_yaml(dest, today, scaffold), encoding="utf-8")
    for source in _files(scaffold / "content"):
        if source.name != CONFIG_NAME:
            names.append(_copy(source, content, scaffold / "content", folder))
    title = title_from_folder(dest.resolve().name)
    for source in _files(scaffold / "repository"):
        relative = Path(*(part.replace(DOT, ".", 1) if part.startswith(DOT) else part
                          for part in source.relative_to(scaffold / "repository").parts))
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        text = source.read_text(encoding="utf-8")
        target.write_text(text.replace("@@VERSION@@", __version__).replace("@@TITLE@@", title), encoding="utf-8")
        names.append(relative.as_posix())
    return names


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def _copy(source: Path, into: Path, base: Path, root: Path) -> str:
    target = into / source.relative_to(base)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target.relative_to(root).as_posix()


def _take_place(staging: Path, dest: Path) -> None:
    """Rename the finished book to `dest`: a new name, or an empty folder (rename fails if it is not empty)."""
    try:
        staging.replace(dest)
    except OSError:
        _check_destination(dest)  # something appeared meanwhile: say what
        raise


def _missing_parents(dest: Path) -> list[Path]:
    """The folders above `dest` that do not exist yet, deepest first (removed again if `new` fails)."""
    missing = []
    for folder in dest.absolute().parents:
        if folder.exists():
            break
        missing.append(folder)
    return missing


def _check_destination(dest: Path) -> None:
    """Never write over anything: the folder must be new or empty."""
    prog = program()
    if dest.exists() and not dest.is_dir():
        raise UsageError(f"{dest} is a file; give a new folder name: {prog} new my-book")
    if dest.is_dir() and any(dest.iterdir()):
        raise UsageError(f"{dest}/ is not empty; give a new folder name: {prog} new my-book")


def book_yaml(dest: Path, today: dt.date, scaffold: Path = SCAFFOLD) -> str:
    """The scaffold's book.yaml with a title from the folder name, a fresh identifier and today's date."""
    title = title_from_folder(dest.resolve().name)
    template = string.Template((scaffold / "content" / CONFIG_NAME).read_text(encoding="utf-8"))
    folder = _shell_word(str(dest))
    return template.substitute(
        title=json.dumps(title, ensure_ascii=False),  # a JSON string is a valid quoted YAML scalar
        slug=slugify(title),
        # Random once, then fixed in the file: the book keeps its id when its title changes.
        identifier=f"urn:uuid:{uuid.uuid4()}",
        date=today.isoformat(),
        build=f"octavo build {folder}",
        watch=f"octavo watch {folder}",
    )


def title_from_folder(name: str) -> str:
    """'my-first-novel' -> 'My First Novel'; a name with capitals keeps them."""
    words = [w for w in re.split(r"[-_\s]+", name) if w]
    if not words:
        return "Untitled"
    return " ".join(w if w != w.lower() else w[:1].upper() + w[1:] for w in words)


def _shell_word(text: str) -> str:
    return text if re.fullmatch(r"[\w./-]+", text) else "'" + text.replace("'", "'\\''") + "'"
