"""The PDFs of a book's parts, laid out apart in reading order -> one PDF edition: pages, page labels, outline,
named destinations and the links across parts, catalogue and metadata, structure tree (structmerge.py) and fonts
(fontmerge.py)."""

from __future__ import annotations

import os
import sys
import threading
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from octavo.errors import ContentError
from octavo.model import Book, Edition
from octavo.pdf.pagelabels import pikepdf_page_labels
from octavo.pdf.pdftrees import bring, name_tree

#: The URI a part's link to an anchor laid out in another part carries (WeasyPrint keeps it as a /URI action).
PART_LINK = "octavo-part:#"
#: Held while the warnings filters are changed: the editions are merged in threads (partbuild.py), and
#: catch_warnings changes filters that every thread shares.
_WARNINGS = threading.Lock()
#: What the first part's catalogue says for the whole book.
_CATALOGUE = ("/Lang", "/MarkInfo", "/ViewerPreferences", "/Metadata", "/OutputIntents", "/PageMode")


def merge_editions(jobs: dict[Edition, tuple[list[Path], Path]], book: Book,
                   labels: Sequence[str] | None = None) -> dict[Edition, int]:
    """Each edition's parts merged into its target (`merge_parts`); their page counts. With two editions and a
    second core, the last is merged in a forked copy of this process while this one merges the others: the merges
    hold the interpreter (fontTools, the structure tree), so in threads they ran one after the other. The child
    makes its own united fonts (fontmerge.py remembers them per process): the same bytes, a second's CPU more."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    from octavo.children import die_with_parent

    editions = list(jobs)
    fork = len(editions) > 1 and (os.cpu_count() or 1) > 1 and "fork" in mp.get_all_start_methods()
    if not fork:
        return {edition: merge_parts(*jobs[edition], book, edition, labels) for edition in editions}
    last = editions[-1]
    for stream in (sys.stdout, sys.stderr):  # or the child would write what they hold a second time as it exits
        stream.flush()
    with ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("fork"), initializer=die_with_parent,
                             initargs=(os.getpid(),)) as pool:
        child = pool.submit(merge_parts, *jobs[last], book, last, labels)
        counts = {edition: merge_parts(*jobs[edition], book, edition, labels) for edition in editions[:-1]}
        return {**counts, last: child.result()}


def merge_parts(parts: Sequence[Path], target: Path, book: Book, edition: Edition,
                labels: Sequence[str] | None = None) -> int:
    """Write the parts' PDFs (each written by editions.write_edition from its own layout) to `target` as one
    PDF and return its page count. `labels` are the merged book's folios, one a page (else the parts' own)."""
    import pikepdf

    from octavo.pdf.fontmerge import merge_fonts
    from octavo.pdf.pdfshare import share_identical_streams
    from octavo.pdf.structmerge import merge_structure

    sources = [pikepdf.open(path) for path in parts]
    out = pikepdf.new()
    try:
        _catalogue(out, sources[0])
        starts = _append_pages(out, sources, labels)
        folios = list(labels) if labels is not None else [page.label for src in sources for page in src.pages]
        if len(folios) != len(out.pages):
            raise ValueError(f"{len(folios)} page labels for {len(out.pages)} pages")
        pikepdf_page_labels(out, folios)
        if edition != Edition.PRINT or book.meta.print.printer != "kdp":  # KDP: no bookmarks (editions.py)
            _merge_outlines(out, sources)
        destinations = _merge_destinations(out, sources)
        _resolve_part_links(out, destinations, parts, starts)
        merge_structure(out, sources, starts)
        merge_fonts(out)
        share_identical_streams(out)
        _save(out, target, max(src.pdf_version for src in sources))
        return len(out.pages)
    finally:  # the merged file first: it reads the parts' streams until it is written
        out.close()
        for src in sources:
            src.close()


def _catalogue(out: Any, first: Any) -> None:
    """The first part's catalogue entries, document information and identifier, for the whole book."""
    import pikepdf

    for key in _CATALOGUE:
        if key in first.Root:
            out.Root[key] = bring(out, first, first.Root[key])
    if "/Info" in first.trailer:
        out.trailer.Info = bring(out, first, first.trailer.Info)
    if "/ID" in first.trailer:  # the edition's identifier first, as a single layout writes it
        out.trailer.ID = pikepdf.Array([pikepdf.String(bytes(first.trailer.ID[0])), pikepdf.String(b"")])


def _append_pages(out: Any, sources: Sequence[Any], labels: Sequence[str] | None) -> list[int]:
    """Each part's pages after the ones before, with the blank pages between parts that `labels` hold; the index of
    each part's first page."""
    import pikepdf

    starts: list[int] = []
    # labels for as many pages as the parts hold: the parts already hold every page, blank ones included
    blanks_given = labels is not None and len(labels) != sum(len(src.pages) for src in sources)
    with _WARNINGS, warnings.catch_warnings():  # the named destinations and links are merged below
        warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
        for src in sources:
            if starts and labels is not None and blanks_given:
                _blank_before(out, str(src.pages[0].label), labels)
            starts.append(len(out.pages))
            out.pages.extend(src.pages)
    return starts


def _blank_before(out: Any, first: str, labels: Sequence[str]) -> None:
    """The blank verso a single layout has before a chapter that opens on a recto, when the part before ends on a
    recto: no part holds it (each is laid out from its own first page), the merged book's folios do."""
    import pikepdf

    at = len(out.pages)
    if at >= len(labels) or labels[at] == first:
        return
    if at + 1 >= len(labels) or labels[at + 1] != first or at < 2:
        raise ValueError(f"a part opening on page {first} follows page {labels[at - 1]}: the labels given "
                         "are not the parts' pages")
    model = out.pages[at - 2].obj  # a page of the same side: the same boxes (bleed on the same edges)
    page = pikepdf.Dictionary(Type=pikepdf.Name.Page, Resources=pikepdf.Dictionary(), Contents=out.make_stream(b""))
    for key in ("/MediaBox", "/TrimBox", "/BleedBox", "/CropBox", "/ArtBox", "/Tabs"):
        if key in model:
            page[key] = model[key]
    out.pages.append(pikepdf.Page(out.make_indirect(page)))


def _merge_outlines(out: Any, sources: Sequence[Any]) -> None:
    """One outline: the parts' top-level items in order under one root, each item's own tree kept."""
    import pikepdf

    items: list[Any] = []
    count = 0
    for src in sources:
        root = src.Root.get("/Outlines")
        if root is None or "/First" not in root:
            continue
        copied = bring(out, src, root)
        count += int(copied.get("/Count", 0))
        item = copied.First
        while True:
            items.append(item)
            if "/Next" not in item or item.objgen == copied.Last.objgen:
                break
            item = item.Next
    if not items:
        return
    outlines = out.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Outlines))
    for before, item in zip([None, *items], items, strict=False):
        item.Parent = outlines
        if before is None:
            _drop(item, "/Prev")
        else:
            item.Prev, before.Next = before, item
    _drop(items[-1], "/Next")
    outlines.First, outlines.Last, outlines.Count = items[0], items[-1], count
    out.Root.Outlines = outlines


def _drop(obj: Any, key: str) -> None:
    if key in obj:
        del obj[key]


def _merge_destinations(out: Any, sources: Sequence[Any]) -> dict[bytes, Any]:
    """Every part's named destinations in one name tree, sorted (the first part that names one wins)."""
    import pikepdf

    destinations: dict[bytes, Any] = {}
    for src in sources:
        tree = src.Root.get("/Names", {}).get("/Dests")
        if tree is not None:
            for name, value in name_tree(bring(out, src, tree)):
                destinations.setdefault(name, value)
    if destinations:
        flat: list[Any] = []
        for name in sorted(destinations):
            flat += [pikepdf.String(name), destinations[name]]
        out.Root.Names = pikepdf.Dictionary(Dests=out.make_indirect(pikepdf.Dictionary(Names=pikepdf.Array(flat))))
    return destinations


def _resolve_part_links(out: Any, destinations: dict[bytes, Any], parts: Sequence[Path], starts: list[int]) -> None:
    """Each link to `octavo-part:#ID` made a link to the named destination ID, as a single layout writes it."""
    import pikepdf

    for number, page in enumerate(out.pages):
        for annot in page.obj.get("/Annots", ()):
            action = annot.get("/A")
            uri = str(action.get("/URI", "")) if action is not None and action.get("/S") == "/URI" else ""
            if not uri.startswith(PART_LINK):
                continue
            name = uri.removeprefix(PART_LINK)
            if name.encode() not in destinations:
                part = parts[max(n for n, start in enumerate(starts) if start <= number)]
                raise ContentError(f"a link to '#{name}' leads to no part of the book", part)
            del annot["/A"]
            annot.Dest = annot.Contents = pikepdf.String(name)


def _save(out: Any, target: Path, version: str) -> None:
    """Write `out` to `target` through a temporary file beside it; the /ID's second half follows from the content."""
    import pikepdf

    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        # The XMP stays the first part's, byte for byte (pikepdf would rewrite it to say the PDF version, and
        # qpdf would write it uncompressed); the streams the parts deflated are written as they are.
        out.save(temporary, deterministic_id=True, min_version=version, compress_streams=True,
                 stream_decode_level=pikepdf.StreamDecodeLevel.none, fix_metadata_version=False,
                 object_stream_mode=pikepdf.ObjectStreamMode.generate)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
