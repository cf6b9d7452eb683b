"""build(): the stages in order, from the content folder to the files in the output folder."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .config import CONFIG_NAME, load_config
from .content import read_book
from .cover import make_cover
from .epub import build_epub
from .fonts import check_coverage
from .model import Book
from .output import atomic_path, atomic_write
from .pagemap import PageMap
from .render import make_environment, render_print_html
from .xhtml import render_epub_content

if TYPE_CHECKING:
    from .pdf import PdfLayout

log = logging.getLogger("octavo")

PROJECT = Path(__file__).resolve().parent.parent
TEMPLATES = PROJECT / "templates"
STYLES = PROJECT / "styles"
TARGETS = ("pdf", "epub")
CHECKSUMS = "SHA256SUMS"


@dataclass(frozen=True)
class BuildOptions:
    """What to build, from where, to where."""

    content: Path
    """The publication folder (book.yaml and chapters)."""
    out: Path
    """The output folder."""
    targets: tuple[str, ...] = TARGETS
    """Any of 'pdf', 'epub'."""
    version: str | None = None
    """Release version shown in the book and its metadata."""
    templates: Path = TEMPLATES
    """Jinja templates."""
    styles: Path = STYLES
    """CSS, fonts and ICC profile."""


@dataclass
class BuildResult:
    """What a build wrote."""

    outputs: list[Path] = field(default_factory=list)
    """Files written, in order."""
    pages: dict[str, int] = field(default_factory=dict)
    """Page count per PDF edition."""


def output_names(slug: str, version: str | None = None) -> dict[str, str]:
    """File names of the outputs: slug.pdf, slug-print.pdf, slug.epub (with -vX.Y.Z after the slug)."""
    stem = f"{slug}-{version}" if version else slug
    return {"screen": f"{stem}.pdf", "print": f"{stem}-print.pdf", "epub": f"{stem}.epub"}


def build(options: BuildOptions) -> BuildResult:
    """Run every stage; raise a BuildError subclass when the user has something to fix."""
    steps = 2 + 2 * ("pdf" in options.targets) + ("epub" in options.targets)
    step = _Steps(steps)
    root = options.content.resolve()
    meta = load_config(root, options.content, options.version)
    book = read_book(meta, root, options.content)
    step(f"{options.content}/{CONFIG_NAME}: {len(book.chapters)} chapters")
    env = make_environment(options.templates)
    modified = source_date(book)
    generator = f"Octavo {__version__}"
    names = output_names(meta.slug, options.version)
    result = BuildResult()
    options.out.mkdir(parents=True, exist_ok=True)
    with source_date_epoch(modified):
        page_map: PageMap | None = None
        if "pdf" in options.targets:
            check_coverage(book, options.styles / "fonts", f"{options.content}/{CONFIG_NAME}")
            for edition in ("print", "screen"):
                path = options.out / names[edition]
                layout = _write_pdf(book, env, edition, options.styles, path, modified, generator)
                page_map = layout.page_map if edition == "print" else page_map
                result.outputs.append(path)
                result.pages[edition] = layout.pages
                step(f"{path} ({layout.pages} pages)")
        if "epub" in options.targets:
            if page_map is None:  # an EPUB on its own still gets the print edition's page numbers
                page_map = _print_page_map(book, env, options.styles, modified, generator)
            content = render_epub_content(book, env, modified, generator, make_cover(book, env, options.styles),
                                          page_map)
            path = options.out / names["epub"]
            atomic_write(path, build_epub(book, content, options.styles, modified))
            result.outputs.append(path)
            step(f"{path} ({len(content.documents)} documents, {len(content.page_breaks)} print pages listed)")
    write_checksums(options.out, [options.out / name for name in names.values()])
    step(f"{options.out / CHECKSUMS}")
    return result


def _write_pdf(book: Book, env: object, edition: str, styles: Path, path: Path, modified: dt.datetime,
               generator: str) -> PdfLayout:
    from .pdf import render_pdf

    html = render_print_html(book, env, edition, modified, generator)  # type: ignore[arg-type]
    with atomic_path(path) as temporary:
        return render_pdf(html, book, edition, styles, temporary)


def _print_page_map(book: Book, env: object, styles: Path, modified: dt.datetime, generator: str) -> PageMap:
    from .pdf import print_page_map

    html = render_print_html(book, env, "print", modified, generator)  # type: ignore[arg-type]
    return print_page_map(html, book, styles)


class _Steps:
    """Numbered progress lines: [2/5] dist/book.pdf (48 pages)."""

    def __init__(self, total: int):
        self.total = total
        self.done = 0

    def __call__(self, message: str) -> None:
        self.done += 1
        log.info("[%d/%d] %s", self.done, self.total, message)


def source_date(book: Book) -> dt.datetime:
    """SOURCE_DATE_EPOCH if set, else the newest content file's time; never the clock."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
    files = [book.root / CONFIG_NAME, *book.meta.chapters, *(book.root / i for i in book.images)]
    if book.meta.cover:
        files.append(book.meta.cover)
    newest = max(int(path.stat().st_mtime) for path in files)
    return dt.datetime.fromtimestamp(newest, dt.timezone.utc)


@contextmanager
def source_date_epoch(when: dt.datetime) -> Iterator[None]:
    """Set SOURCE_DATE_EPOCH while writing: fontTools stamps subset fonts with it instead of the clock."""
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(int(when.timestamp()))
    try:
        yield
    finally:
        if previous is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous


def write_checksums(out: Path, candidates: list[Path]) -> Path:
    """dist/SHA256SUMS in `sha256sum -c` format, for every output present."""
    lines = [f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.name}\n" for p in candidates if p.is_file()]
    path = out / CHECKSUMS
    atomic_write(path, "".join(lines).encode())
    return path


def elapsed(start: float) -> str:
    return f"{time.perf_counter() - start:.1f} s"
