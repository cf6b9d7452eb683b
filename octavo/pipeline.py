"""build(): the stages in order, from the content folder to the files in the output folder."""

from __future__ import annotations

import datetime as dt
import logging
import multiprocessing as mp
import os
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2

from octavo import __version__
from octavo.config import CONFIG_NAME, load_config
from octavo.content.markdown import read_book
from octavo.epub.cover import Cover, make_cover
from octavo.epub.documents import render_epub_content
from octavo.epub.package import build_epub, refuse_remote_images
from octavo.errors import BuildError, ContentError, UsageError
from octavo.log import Tally, tally
from octavo.model import TARGETS, Book, BuildOptions
from octavo.output import CHECKSUMS, Staging, output_names, sha256sums, staged
from octavo.pages import PageMap
from octavo.pdf.fonts import check_coverage
from octavo.render import make_environment, render_print_html
from octavo.resources import STYLES, TEMPLATES, Resources

if TYPE_CHECKING:
    from octavo.pdf.layout import PdfLayout

__all__ = ["STYLES", "TARGETS", "TEMPLATES", "BuildOptions", "BuildResult", "build", "output_names"]

log = logging.getLogger("octavo")

@dataclass
class BuildResult:
    """What a build wrote."""

    outputs: list[Path] = field(default_factory=list)
    """Files written, in order."""
    pages: dict[str, int] = field(default_factory=dict)
    """Page count per PDF edition."""
    warnings: int = 0
    """Warnings logged during the build (a --strict build does not trust a cached one that had any)."""


def build(options: BuildOptions) -> BuildResult:
    """Run every stage; raise a BuildError subclass when the user has something to fix.

    Outputs are staged beside their destinations and replace the previous ones together at the end,
    so a build that fails or is interrupted leaves the output folder exactly as it was.
    """
    with tally() as seen, staged() as staging:
        result = _build(options, staging)
        _gate(seen, options.strict)
    result.warnings = seen.warnings
    return result


def _gate(seen: Tally, strict: bool) -> None:
    """WeasyPrint's errors (an image it could not load...) always fail; warnings fail with --strict."""
    if seen.errors:
        raise ContentError(f"{seen.errors} error(s) reported above while rendering; the previous outputs are "
                           "kept")
    if strict and seen.warnings:
        raise BuildError(f"{seen.warnings} warning(s) and --strict is on: fix them, or build without --strict; "
                         "the previous outputs are kept")


def _build(options: BuildOptions, staging: Staging) -> BuildResult:
    steps = 2 + len(options.editions) + ("epub" in options.targets)
    step = _Steps(steps)
    root = options.content.resolve()
    meta = load_config(root, options.content, options.version)
    book = read_book(meta, root, options.content)
    step(f"{options.content}/{CONFIG_NAME}: {len(book.chapters)} chapters")
    resources = options.resources  # the book's overrides, then the defaults
    env = make_environment(resources.templates)
    modified = source_date(book)
    generator = f"Octavo {__version__}"
    names = output_names(meta.slug, options.version)
    result = BuildResult()
    if "epub" in options.targets:
        refuse_remote_images(book)
    with source_date_epoch(modified):
        cover = _cover_in_background(book, options) if "epub" in options.targets else None
        page_map: PageMap | None = None
        if options.editions:
            check_coverage(book, resources, f"{options.content}/{CONFIG_NAME}")
            paths = {edition: options.out / names[edition] for edition in options.editions}
            for edition, layout in _write_pdfs(book, env, paths, staging, resources, modified, generator):
                page_map = layout.page_map if edition == "print" or page_map is None else page_map
                result.outputs.append(paths[edition])
                result.pages[edition] = layout.pages
                step(f"{paths[edition]} ({layout.pages} pages)")
        if "epub" in options.targets:
            if page_map is None:  # an EPUB on its own still gets the print edition's page numbers
                page_map = _print_page_map(book, env, resources, modified, generator)
            assert cover is not None
            content = render_epub_content(book, env, modified, generator, cover(), page_map)
            path = options.out / names["epub"]
            staging.write(path, build_epub(book, content, resources, modified))
            result.outputs.append(path)
            step(f"{path} ({len(content.documents)} documents, {len(content.page_breaks)} print pages listed)")
    staging.write(options.out / CHECKSUMS, sha256sums(staging, [options.out / name for name in names.values()]))
    step(f"{options.out / CHECKSUMS}")
    return result


def _write_pdfs(book: Book, env: jinja2.Environment, paths: dict[str, Path], staging: Staging, styles: Resources,
                modified: dt.datetime, generator: str) -> Iterator[tuple[str, PdfLayout]]:
    """Write each PDF edition in `paths` and yield (edition, what was laid out) as each is written.

    WeasyPrint lays the book out once for both editions: the print geometry, from the HTML with live links
    (the print edition drops them when it is written; pdf.write_edition). A proof with crop marks is laid
    out once per edition instead. The page map (for the EPUB's page list) comes from the print geometry.
    """
    from octavo.pdf.editions import write_edition
    from octavo.pdf.layout import PdfLayout, lay_out, shares_layout
    from octavo.pdf.pagemap import page_map

    shared = shares_layout(book)
    document, pages_map = None, None
    for edition, path in paths.items():
        if document is None or not shared:
            html_edition, geometry = ("screen", "print") if shared else (edition, edition)
            document = lay_out(render_print_html(book, env, html_edition, modified, generator), book, geometry,
                               styles)
            pages_map = page_map(document)
        pages = write_edition(document, book, edition, staging.path(path))
        yield edition, PdfLayout(pages, pages_map)  # type: ignore[arg-type]


def _cover_in_background(book: Book, options: BuildOptions) -> Callable[[], Cover]:
    """Start drawing the EPUB cover on the other core while the book is laid out; call the result to get it.

    A generated cover is a WeasyPrint layout and a raster of its own (a third of a second): in a forked
    process, made before this process has loaded WeasyPrint, it costs no wall time and its raster never
    sits on top of the book's layout in memory. One core, or no fork: drawn here and now.
    """
    if book.meta.cover is not None or (os.cpu_count() or 1) < 2 or "fork" not in mp.get_all_start_methods() \
            or "weasyprint" in sys.modules:
        cover = make_cover(book, make_environment(options.resources.templates), options.resources)
        return lambda: cover
    pool = ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("fork"))
    future = pool.submit(_draw_cover, book, options.resources)
    pool.shutdown(wait=False)  # the worker exits once it has drawn the cover

    def result() -> Cover:
        return future.result()

    return result


def _draw_cover(book: Book, resources: Resources) -> Cover:
    return make_cover(book, make_environment(resources.templates), resources)


def _print_page_map(book: Book, env: object, styles: Resources, modified: dt.datetime, generator: str) -> PageMap:
    from octavo.pdf.layout import print_page_map

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
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        if not epoch.isdigit() or int(epoch) > 253402300799:
            raise UsageError(f"SOURCE_DATE_EPOCH must be a number of seconds since 1970-01-01 UTC, not '{epoch}'")
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

