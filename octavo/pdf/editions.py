"""A laid-out book -> the print edition (PDF/X-4, bleed, no links) or the screen edition (PDF/UA-1, RGB), and the
fixes made on the PDF objects before they are written."""

from __future__ import annotations

import copy
import hashlib
import logging
import os
import re
import zlib
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

from octavo.model import Book, Edition
from octavo.pages import PageMap
from octavo.pdf.indexed import lay_out_indexed
from octavo.pdf.internals import cache_page_references, drawing_streams, stream_bytes
from octavo.pdf.layout import PdfLayout, ignore, lay_out, pdf_options, shares_layout
from octavo.pdf.layoutcheck import layout_defects
from octavo.pdf.lines import report
from octavo.pdf.pagelabels import pydyf_page_labels
from octavo.pdf.pagemap import page_labels, page_map
from octavo.resources import Resources

log = logging.getLogger("octavo")


def write_editions(html: Callable[[Edition, PageMap | None], str], book: Book, targets: dict[Edition, Path],
                   styles: Resources, out: Path | None = None,
                   ahead: Callable[[PageMap], None] | None = None) -> Iterator[tuple[Edition, PdfLayout]]:
    """Write each PDF edition in `targets` and yield (edition, what was laid out) as each is written.

    WeasyPrint lays the book out once for both editions: the print geometry, from the HTML with live links
    (`html(edition, pages)` renders it; the print edition drops the links when it is written, see
    `write_edition`). A proof with crop marks is laid out once per edition instead. The page map comes from the
    print geometry. A book with an index is laid out again with its pages (pdf/indexed.py). A long book is laid
    out in parts, in parallel, cached in `out` (pdf/partbuild.py); `ahead` then has its page map while the parts'
    PDFs are still drawn.
    """
    if out is not None:
        from octavo.pdf.partbuild import plan, write_in_parts

        source, parts = plan(partial(html, Edition.SCREEN), book, styles)
        if parts:
            yield from write_in_parts(partial(html, Edition.SCREEN), source, parts, book, targets, styles,
                                      out, ahead).items()
            return
    shared = shares_layout(book)
    laid: tuple[Any, PageMap] | None = None
    for edition, target in targets.items():
        if laid is None or not shared:
            html_edition, geometry = (Edition.SCREEN, Edition.PRINT) if shared else (edition, edition)
            document, pages = lay_out_indexed(partial(html, html_edition), book, geometry, styles,
                                              warn=None if laid is None else ignore)
            if laid is None:  # the pages of every edition are the same: checked once
                report(document, book, log)
                for message in layout_defects(document, book):  # the layout check of every page
                    log.warning("%s", message)
            laid = document, pages
        yield edition, PdfLayout(write_edition(laid[0], book, edition, target), laid[1])


def write_edition(document: Any, book: Book, edition: Edition, target: Path) -> int:
    """Write `edition` to `target` from a layout and return its page count.

    The layout is the edition's own, or the one both editions share: the print geometry (bleed, crop marks
    off, single-ink black) laid out from the HTML with live links. The two editions paginate identically, and
    what else differs is decided at write time: the print edition keeps its bleed and output intent and
    loses its links (no annotations in a printer's file); the screen edition has no bleed, no output intent,
    and RGB black instead of K (see `finish_passes`).
    """
    from weasyprint import Document

    cache_page_references()
    printed = edition == Edition.PRINT
    view = Document(edition_pages(document.pages, edition), document.metadata, document.url_fetcher,
                    document.font_config, document.color_profiles if printed else {},
                    document.output_intent if printed else None)
    passes = finish_passes(book, edition, folios(view.pages))
    view.write_pdf(target, finisher=_finisher(passes), **pdf_options(book, edition))
    return len(view.pages)


def folios(pages: list[Any]) -> list[str]:
    """The folio of each laid-out page (pdf/pagemap.py), for the PDF's page labels."""
    from weasyprint.formatting_structure import boxes

    return page_labels([page._page_box for page in pages], boxes)


def edition_pages(pages: list[Any], edition: Edition) -> list[Any]:
    """Copies of laid-out pages as `edition` writes them: print without links, screen without bleed.

    WeasyPrint reads both when it writes: the page boxes (MediaBox, TrimBox, BleedBox) from `Page.bleed`
    and the link annotations from `Page.links`; the boxes drawn on the page are shared, untouched.
    """
    copies = []
    for page in pages:
        view = copy.copy(page)
        if edition == Edition.PRINT:
            view.links = []
        else:
            view.bleed = dict.fromkeys(page.bleed, 0)
        copies.append(view)
    return copies


Pass = Callable[[Any], None]


def finish_passes(book: Book, edition: Edition, labels: Sequence[str] = ()) -> tuple[Pass, ...]:
    """The fixes made on the PDF objects after WeasyPrint has drawn them and before pydyf writes them, in order;
    `labels`, the pages' folios, become the PDF's page labels (a reader's page numbers)."""
    passes: list[Pass] = [partial(pydyf_page_labels, labels=labels), _stable_document_id(book, edition)]
    if edition == Edition.PRINT and book.meta.print.printer == "kdp":
        passes.append(_drop_bookmarks)
    if edition == Edition.SCREEN:
        passes.append(_rgb_black)
    if edition == Edition.PRINT:
        passes.append(_single_ink)  # the shared layout draws code (and SVG images) in screen colours
    passes.append(deflate_streams)  # last: the passes above change what is in the streams
    return tuple(passes)


def _finisher(passes: tuple[Pass, ...]) -> Callable[[Any, Any], None]:
    def finish(document: Any, pdf: Any) -> None:
        for fix in passes:
            fix(pdf)

    return finish


def _stable_document_id(book: Book, edition: Edition) -> Pass:
    """WeasyPrint writes a random XMP DocumentID into PDF/X files; make it a function of the book and edition."""
    # The same UUID the EPUB names as the source of its page list (BookMeta.page_source).
    doc_id = ("xmp.did:" + book.meta.edition_id(edition).removeprefix("urn:uuid:")).encode()

    def fix(pdf: Any) -> None:
        for obj in pdf.objects:
            extra = getattr(obj, "extra", None)
            if isinstance(extra, dict) and extra.get("Type") == "/Metadata":
                obj.stream = [re.sub(rb"xmp\.did:[0-9a-f-]{36}", doc_id, part) for part in obj.stream]

    return fix


def _drop_bookmarks(pdf: Any) -> None:
    """KDP: a print file "should not contain bookmarks"."""
    pdf.catalog.pop("Outlines", None)
    pdf.catalog.pop("PageMode", None)


#: The colour operators WeasyPrint draws single-ink black with, and what the screen edition's own layout
#: draws instead (RGB black), for fills and strokes.
_K_TO_RGB = {(b"/DeviceCMYK cs", b"0 0 0 1 scn"): b"0 0 0 rg", (b"/DeviceCMYK CS", b"0 0 0 1 SCN"): b"0 0 0 RG"}


def _rgb_black(pdf: Any) -> None:
    """The screen edition is RGB: redraw the shared layout's K-only black as RGB black, operator for operator.

    Only WeasyPrint's drawing streams (pages, and the groups drawn into them) are read; fonts, images and
    profiles are never touched. Any other colour is left as the content asked for it.
    """
    for obj in drawing_streams(pdf):
        if b"/DeviceCMYK cs" in obj.stream or b"/DeviceCMYK CS" in obj.stream:
            obj.stream = _swap_pairs(obj.stream, _K_TO_RGB)


def _swap_pairs(operators: list[Any], swaps: dict[tuple[bytes, bytes], bytes]) -> list[Any]:
    """`operators` with every adjacent pair found in `swaps` replaced by its single replacement."""
    out: list[Any] = []
    for operator in operators:
        if out and isinstance(operator, bytes) and isinstance(out[-1], bytes) and (out[-1], operator) in swaps:
            out[-1] = swaps[(out[-1], operator)]
        else:
            out.append(operator)
    return out


#: An RGB fill or stroke colour as pydyf writes it: `0.47451 0.156863 0.631373 rg`.
_RGB = re.compile(rb"^([\d.]+) ([\d.]+) ([\d.]+) (rg|RG)$")


def _single_ink(pdf: Any) -> None:
    """The print edition is single-ink: redraw each colour of the code scheme (codestyle.PRINT_GREYS) as its grey
    of K, and any other RGB colour (an SVG image's) as the grey of its luminance, so that no colour reaches the
    printer's file."""
    from octavo.codestyle import PRINT_GREYS

    greys = {tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5)): grey for colour, grey in PRINT_GREYS.items()}
    for obj in drawing_streams(pdf):
        out: list[Any] = []
        for operator in obj.stream:
            match = _RGB.match(operator) if isinstance(operator, bytes) else None
            if match is None:
                out.append(operator)
                continue
            rgb = [min(1.0, float(v)) for v in match.groups()[:3]]
            key = tuple(round(v * 255) for v in rgb)
            grey = greys.get(key, round(1 - (0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]), 4))
            fill = match.group(4) == b"rg"
            out += [b"/DeviceCMYK cs" if fill else b"/DeviceCMYK CS",
                    f"0 0 0 {grey:g} {'scn' if fill else 'SCN'}".encode()]
        obj.stream = out


def deflate_streams(pdf: Any) -> None:
    """Compress every stream once, on every core, exactly as pydyf would.

    pydyf deflates each stream twice, on one core: once to write it and once more to hash the file identifier.
    zlib lets other threads run while it works, and a stream marked as already compressed is written as is.
    """
    import pydyf

    streams = [obj for obj in pdf.objects
               if isinstance(obj, pydyf.Stream) and obj.compress and "Filter" not in obj.extra]
    with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 1)) as pool:
        for stream, data in zip(streams, pool.map(_deflate, streams), strict=True):
            stream.stream, stream.compress = [data], False
            stream.extra["Filter"] = "/FlateDecode"


#: Large streams compressed in this process, by their SHA-256: the print edition's 766 KB CMYK profile is the same
#: in every PDF, and a book laid out in parts writes one per part (pdf/parallel.py): 0.3 s of CPU each.
_DEFLATED: dict[bytes, bytes] = {}
#: From this size on, a stream's compressed bytes are kept (a profile, an image; not a page's drawing).
KEEP_DEFLATED = 256 * 1024


def _deflate(stream: Any) -> bytes:
    """pydyf's own encoding of a stream (Stream.data): the operators joined by newlines, zlib level 9."""
    data = stream_bytes(stream)
    key = hashlib.sha256(data).digest() if len(data) >= KEEP_DEFLATED else None
    if key is not None and key in _DEFLATED:
        return _DEFLATED[key]
    compressor = zlib.compressobj(level=9)
    deflated = compressor.compress(data) + compressor.flush()
    if key is not None and len(_DEFLATED) < 16:
        _DEFLATED[key] = deflated
    return deflated


def render_pdf(html: str, book: Book, edition: Edition, styles: Resources, target: Path) -> PdfLayout:
    """Lay out `html` with the edition's styles and write the PDF to `target`; say what was laid out."""
    document = lay_out(html, book, edition, styles)
    return PdfLayout(write_edition(document, book, edition, target), page_map(document))
