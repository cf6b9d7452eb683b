"""build(): the stages in order, from the content folder to the files in the output folder."""

from __future__ import annotations

import datetime as dt
import logging
import multiprocessing as mp
import os
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import cache, partial
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2

from octavo import __version__
from octavo.children import die_with_parent
from octavo.config import CONFIG_NAME, load_config
from octavo.content.markdown import read_book
from octavo.dates import read_source_date_epoch, source_date_epoch, utc
from octavo.epub.cover import Cover, make_cover
from octavo.epub.documents import render_epub_content
from octavo.epub.package import build_epub, refuse_remote_images
from octavo.errors import BuildError, ContentError, printable
from octavo.log import Tally, tally
from octavo.model import PDF_EDITIONS, TARGETS, Book, BuildOptions, Edition
from octavo.output import CHECKSUMS, Staging, output_names, sha256sums, staged
from octavo.pages import PageMap
from octavo.pdf.fonts import check_coverage
from octavo.render import make_environment, render_print_html
from octavo.resources import STYLES, TEMPLATES, Resources

if TYPE_CHECKING:
    from octavo.pdf.layout import PdfLayout

__all__ = ["STYLES", "TARGETS", "TEMPLATES", "BuildOptions", "BuildResult", "build", "output_names",
           "source_date", "source_date_epoch"]

log = logging.getLogger("octavo")


@dataclass
class BuildResult:
    """What a build wrote."""

    outputs: list[Path] = field(default_factory=list)
    """Files written, in order."""
    pages: dict[Edition, int] = field(default_factory=dict)
    """Page count per PDF edition."""
    warnings: int = 0
    """Warnings logged during the build (a --strict build does not trust a cached one that had any)."""


def build(options: BuildOptions, before_commit: Callable[[], None] | None = None,
          pdfs_placed: Callable[[], None] | None = None) -> BuildResult:
    """Run every stage; raise a BuildError subclass when the user has something to fix.

    Outputs are staged beside their destinations and replace the previous ones together at the end,
    so a build that fails or is interrupted leaves the output folder exactly as it was. `before_commit` runs
    once every output is staged, before any replaces an old one: it may still refuse them by raising
    (cli: the inputs changed while the book was being built). With `pdfs_placed` (watch), the PDFs replace
    the previous ones as soon as they are written, then `pdfs_placed` runs, and the EPUB and the checksums follow.
    """
    with tally() as seen, staged() as staging:
        early = None if pdfs_placed is None else partial(_place_pdfs, seen, options.strict, staging, pdfs_placed)
        result = _build(options, staging, early)
        _gate(seen, options.strict)
        if before_commit is not None:
            before_commit()
    result.warnings = seen.warnings
    return result


def _build(options: BuildOptions, staging: Staging, early: Callable[[], None] | None = None) -> BuildResult:
    """The stages, one line each; `early` places the PDFs before the EPUB is made."""
    steps = Steps.for_build(options)
    book = _read_book(options, steps)
    resources = options.resources  # the book's overrides, then the defaults
    run = _Run(options, book, resources, make_environment(resources.templates), Stamp.of(book), staging, steps)
    with source_date_epoch(run.stamp.modified):
        cover = cover_in_background(book, options) if options.epub else None
        ahead = _EpubAhead(run, cover) if cover is not None and early is None else None
        layouts = _write_pdfs(run, ahead)
        if early is not None and layouts:
            early()
        if cover is not None:
            _write_epub(run, cover, choose_page_map(layouts), ahead)
    _write_checksums(run)
    return run.result


def _place_pdfs(seen: Tally, strict: bool, staging: Staging, then: Callable[[], None]) -> None:
    """The PDFs written so far replace the previous ones (unless what was logged fails the build), then `then`."""
    _gate(seen, strict)
    staging.commit()
    then()


def _gate(seen: Tally, strict: bool) -> None:
    """WeasyPrint's errors (an image it could not load...) always fail; warnings fail with --strict."""
    if seen.errors:
        raise ContentError(f"{seen.errors} error(s) reported above while rendering; the previous outputs are "
                           "kept")
    if strict and seen.warnings:
        raise BuildError(f"{seen.warnings} warning(s) and --strict is on: fix them, or build without --strict; "
                         "the previous outputs are kept")


@dataclass(frozen=True)
class Stamp:
    """What dates a build: every output of one build carries the same date and generator."""

    modified: dt.datetime
    """SOURCE_DATE_EPOCH, else the newest source file's time (see `source_date`), UTC."""
    generator: str
    """'Octavo x.y.z'."""

    @classmethod
    def of(cls, book: Book) -> Stamp:
        return cls(source_date(book), f"Octavo {__version__}")

    @property
    def fields(self) -> tuple[dt.datetime, str]:
        """(modified, generator), as the renderers take them."""
        return self.modified, self.generator


@dataclass(frozen=True)
class _Run:
    """What every writing stage of one build shares (the writers add to `result`)."""

    options: BuildOptions
    """What was asked for."""
    book: Book
    """The publication, read."""
    resources: Resources
    """Where templates and styles are found: the book's overrides, then the defaults."""
    env: jinja2.Environment
    """The templates."""
    stamp: Stamp
    """The build date and the generator name written into every output."""
    staging: Staging
    """Where the outputs are written until they replace the previous ones."""
    steps: Steps
    """The progress lines."""
    result: BuildResult = field(default_factory=BuildResult)
    """What has been written so far."""

    def path(self, edition: Edition) -> Path:
        """Where `edition` goes in the output folder."""
        return self.options.out / output_names(self.book.meta.slug, self.options.version)[edition]

    def wrote(self, path: Path, message: str) -> None:
        """Count `path` as written and say so."""
        self.result.outputs.append(path)
        self.steps(message)


def _read_book(options: BuildOptions, steps: Steps) -> Book:
    """Stage 1: book.yaml and the chapters -> Book, with what the outputs asked for refuse checked first."""
    root = options.content.resolve()
    book = read_book(load_config(root, options.content, options.version), root, options.content)
    if options.epub:
        refuse_remote_images(book)
    steps(f"{options.content}/{CONFIG_NAME}: {len(book.chapters)} chapters")
    return book


def _write_pdfs(run: _Run, ahead: Callable[[PageMap], None] | None = None) -> dict[Edition, PdfLayout]:
    """Stage 3a: the PDF editions asked for; what each layout produced, by edition. A book laid out in parts
    gives `ahead` its page map while the workers still draw its PDFs."""
    from octavo.pdf.editions import write_editions

    editions = run.options.editions
    if not editions:
        return {}
    check_coverage(run.book, run.resources, f"{run.options.content}/{CONFIG_NAME}")
    paths = {edition: run.path(edition) for edition in editions}
    html = _print_html(run)
    layouts: dict[Edition, PdfLayout] = {}
    for edition, layout in write_editions(html, run.book, {e: run.staging.path(p) for e, p in paths.items()},
                                          run.resources, run.options.out, ahead):
        layouts[edition] = layout
        run.result.pages[edition] = layout.pages
        run.wrote(paths[edition], f"{paths[edition]} ({layout.pages} pages)")
    return layouts


def _print_html(run: _Run) -> Callable[[Edition, PageMap | None], str]:
    """The book as one HTML document for an edition, rendered when the layout asks for it (its index with the
    pages of an earlier layout)."""
    return lambda edition, pages: render_print_html(run.book, run.env, edition, *run.stamp.fields, pages)


def choose_page_map(layouts: dict[Edition, PdfLayout]) -> PageMap | None:
    """The print edition's page map, else the screen edition's (both paginate alike); None when no PDF was laid
    out."""
    return next((layouts[edition].page_map for edition in PDF_EDITIONS if edition in layouts), None)


class _EpubAhead:
    """The EPUB's bytes, made from the print edition's page map as soon as it is known (a book laid out in parts
    knows it while its PDFs are drawn); written, and said, after the PDFs."""

    def __init__(self, run: _Run, cover: Callable[[], Cover]):
        self.run, self.cover = run, cover
        self.made: tuple[PageMap, int, int, bytes] | None = None

    def __call__(self, page_map: PageMap) -> None:
        run = self.run
        content = render_epub_content(run.book, run.env, *run.stamp.fields, self.cover(), page_map)
        data = build_epub(run.book, content, run.resources, run.stamp.modified)
        self.made = page_map, len(content.documents), len(content.page_breaks), data


def _write_epub(run: _Run, cover: Callable[[], Cover], page_map: PageMap | None,
                ahead: _EpubAhead | None = None) -> None:
    """Stage 3b: the EPUB, its page list from the print edition's pages."""
    if ahead is not None and ahead.made is not None and ahead.made[0] == page_map:
        path = run.path(Edition.EPUB)
        run.staging.write(path, ahead.made[3])
        run.wrote(path, f"{path} ({ahead.made[1]} documents, {ahead.made[2]} print pages listed)")
        return
    if page_map is None:  # an EPUB on its own still gets the print edition's page numbers: from the parts, if any
        from octavo.pdf.layout import print_page_map
        from octavo.pdf.partbuild import page_map_of

        html = _print_html(run)
        page_map = page_map_of(partial(html, Edition.SCREEN), run.book, run.resources, run.options.out)
        if page_map is None:
            page_map = print_page_map(partial(html, Edition.PRINT), run.book, run.resources)
    content = render_epub_content(run.book, run.env, *run.stamp.fields, cover(), page_map)
    path = run.path(Edition.EPUB)
    run.staging.write(path, build_epub(run.book, content, run.resources, run.stamp.modified))
    run.wrote(path, f"{path} ({len(content.documents)} documents, {len(content.page_breaks)} print pages listed)")


def _write_checksums(run: _Run) -> None:
    """SHA256SUMS for every output the folder will hold, built now or before."""
    out = run.options.out
    names = output_names(run.book.meta.slug, run.options.version)
    run.staging.write(out / CHECKSUMS, sha256sums(run.staging, [out / name for name in names.values()]))
    run.steps(f"{out / CHECKSUMS}")


def cover_in_background(book: Book, options: BuildOptions) -> Callable[[], Cover]:
    """Start drawing the EPUB cover on the other core while the book is laid out; call the result to get it.

    A generated cover is a WeasyPrint layout and a raster of its own (a third of a second): in a forked
    process, made before this process has loaded WeasyPrint, it costs no wall time and its raster never
    sits on top of the book's layout in memory. One core, no fork, or WeasyPrint loaded (a warm
    `watch` child): drawn here, once, when the EPUB first asks for it.
    """
    if not _can_fork_a_cover(book):  # drawn when the EPUB first needs it: a PDF placed early never waits for it
        return cache(partial(_draw_cover, book, options.resources))
    pool = ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("fork"), initializer=die_with_parent,
                               initargs=(os.getpid(),))
    future = pool.submit(_draw_cover, book, options.resources)
    pool.shutdown(wait=False)  # the worker exits once it has drawn the cover
    return future.result


def _can_fork_a_cover(book: Book) -> bool:
    """Whether drawing the cover in a forked process pays: a cover to draw, a second core, fork, and no
    WeasyPrint loaded yet (a fork after that would copy its memory and its threads' locks)."""
    return (book.meta.cover is None and (os.cpu_count() or 1) >= 2 and "fork" in mp.get_all_start_methods()
            and "weasyprint" not in sys.modules)


def _draw_cover(book: Book, resources: Resources) -> Cover:
    return make_cover(book, make_environment(resources.templates), resources)


class Steps:
    """Numbered progress lines: [2/5] dist/book.pdf (48 pages)."""

    def __init__(self, total: int):
        self.total = total
        self.done = 0

    @classmethod
    def for_build(cls, options: BuildOptions) -> Steps:
        """Reading the book, each PDF edition, the EPUB, the checksums."""
        return cls(2 + len(options.editions) + options.epub)

    def __call__(self, message: str) -> None:
        self.done += 1
        log.info("[%d/%d] %s", self.done, self.total, printable(message))


def page_defects_of(content: Path, out: Path, version: str | None) -> list[str]:
    """What `check` reports about the pages: the book read and laid out as a build of it lays it out."""
    from octavo.pdf.layout import lay_out
    from octavo.pdf.layoutcheck import layout_defects
    from octavo.pdf.lines import page_defects

    options = BuildOptions(content=content, out=out, version=version, overrides=(content,))
    book = read_book(load_config(content.resolve(), content, version), content.resolve(), content)
    resources = options.resources
    stamp = Stamp.of(book)
    env = make_environment(resources.templates)
    from octavo.pdf.partbuild import page_findings, plan

    source, parts = plan(lambda pages: render_print_html(book, env, Edition.SCREEN, *stamp.fields, pages), book,
                         resources)
    if parts:  # the parts a build left in `out` hold their findings
        return page_findings(lambda pages: render_print_html(book, env, Edition.SCREEN, *stamp.fields, pages),
                             source, parts, book, resources, out)
    html = render_print_html(book, env, Edition.SCREEN, *stamp.fields)
    messages: list[str] = []
    document = lay_out(html, book, Edition.PRINT, resources, warn=messages.append)
    return messages + page_defects(document, book) + layout_defects(document, book)


def source_date(book: Book) -> dt.datetime:
    """SOURCE_DATE_EPOCH if set, else the newest content file's time; never the clock."""
    epoch = read_source_date_epoch()
    if epoch is not None:
        return utc(epoch)
    files = [book.root / CONFIG_NAME, *book.meta.chapters, *(book.root / i for i in book.images)]
    if book.meta.cover:
        files.append(book.meta.cover)
    return utc(max(int(path.stat().st_mtime) for path in files))
