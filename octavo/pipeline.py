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

import jinja2

from . import __version__
from .config import CONFIG_NAME, load_config
from .content import read_book
from .epub import build_epub, render_epub_documents
from .fonts import check_coverage
from .model import PROJECT, STYLES, TARGETS, TEMPLATES, Book, BuildOptions
from .output import atomic_write, atomic_path
from .render import make_environment, render_print_html

__all__ = ["PROJECT", "STYLES", "TARGETS", "TEMPLATES", "BuildOptions", "BuildResult", "build", "output_names"]

log = logging.getLogger("octavo")

CHECKSUMS = "SHA256SUMS"


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
    steps = 2 + len(options.editions) + ("epub" in options.targets)
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
        if options.editions:
            check_coverage(book, options.styles / "fonts", f"{options.content}/{CONFIG_NAME}")
            paths = {edition: options.out / names[edition] for edition in options.editions}
            for edition, pages in _write_pdfs(book, env, paths, options.styles, modified, generator):
                result.outputs.append(paths[edition])
                result.pages[edition] = pages
                step(f"{paths[edition]} ({pages} pages)")
        if "epub" in options.targets:
            docs = render_epub_documents(book, env, modified, generator)
            path = options.out / names["epub"]
            atomic_write(path, build_epub(book, docs, options.styles, modified))
            result.outputs.append(path)
            step(f"{path} ({len(docs)} documents)")
    write_checksums(options.out, [options.out / name for name in names.values()])
    step(f"{options.out / CHECKSUMS}")
    return result


def _write_pdfs(book: Book, env: jinja2.Environment, paths: dict[str, Path], styles: Path, modified: dt.datetime,
                generator: str) -> Iterator[tuple[str, int]]:
    """Write each PDF edition in `paths` and yield (edition, pages) as each is written.

    WeasyPrint lays the book out once for both editions: the print geometry, from the HTML with live links
    (the print edition drops them when it is written; pdf.write_edition). A proof with crop marks is laid
    out once per edition instead.
    """
    from .pdf import layout, shares_layout, write_edition

    shared = shares_layout(book)
    document = None
    for edition, path in paths.items():
        if document is None or not shared:
            html_edition, geometry = ("screen", "print") if shared else (edition, edition)
            document = layout(render_print_html(book, env, html_edition, modified, generator), book, geometry, styles)
        with atomic_path(path) as temporary:
            yield edition, write_edition(document, book, edition, temporary)


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
