"""A finished EPUB -> what Amazon's documented requirements for a Kindle book (KDP takes EPUB) find wrong in it.

The rules and where Amazon states them:

- cover (KDP help, "Cover Image Guidelines"): a cover image in the EPUB; at least 1,000 x 625 pixels and at
  most 10,000 x 10,000; ideally 1,600 x 2,560, a height/width ratio of 1.6:1 and a height of 2,500 or more
  (below that, advice);
- navigation (Kindle Publishing Guidelines, "Navigation Guidelines"): a toc nav whose every link reaches its
  target, an NCX, and the NCX nested no deeper than the two levels Kindle devices and apps show (advice);
- page numbers (Kindle Publishing Guidelines, "Kindle Quality Guidelines"): "there should not be any references
  to page numbers in the book, including in the cross-references, TOC, and index";
- hidden text: no text hidden from the reader (the hidden attribute, display: none, visibility: hidden) outside
  the nav document, where EPUB itself hides the landmarks and the page list. Amazon gives no allowance for it;
- colours (Kindle Publishing Guidelines, "Faded Text": "if text is forced black, it will not be readable" on a
  black background): no fixed text colour in a stylesheet or a style attribute; `position: absolute` or
  `fixed`, which Kindle's reflowable text does not support, is advice.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from octavo.language import labels_for

OPF = "http://www.idpf.org/2007/opf"
NS = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops",
      "opf": OPF, "ncx": "http://www.daisy.org/z3986/2005/ncx/", "dc": "http://purl.org/dc/elements/1.1/"}
MIN_COVER, MAX_COVER, IDEAL_COVER = (625, 1000), 10_000, (1600, 2560)
IDEAL_RATIO, RATIO_SLACK, GOOD_HEIGHT = 1.6, 0.1, 2500
NCX_LEVELS = 2
#: A colour that follows the reader's theme; any other value of `color` fixes the text's colour.
THEMED = {"inherit", "currentcolor", "initial", "unset", "revert"}
_COLOR = re.compile(r"(?<![-\w])color\s*:\s*([^;}]+)", re.I)
_POSITION = re.compile(r"(?<![-\w])position\s*:\s*(absolute|fixed)", re.I)
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


@dataclass(frozen=True)
class KindleProblem:
    """One requirement the EPUB does not meet."""

    message: str
    """What is wrong, and Amazon's rule."""
    advice: bool = False
    """True for a recommendation (it fails `check` only with --strict)."""


class _Epub:
    """The package, its documents and stylesheets, read from the zip."""

    def __init__(self, archive: zipfile.ZipFile):
        self.archive = archive
        self.opf_name = next(n for n in archive.namelist() if n.endswith(".opf"))
        self.folder = posixpath.dirname(self.opf_name)
        self.opf = etree.fromstring(archive.read(self.opf_name))
        self.items = {item.get("id"): item for item in self.opf.iterfind(".//opf:manifest/opf:item", NS)}

    def read(self, href: str) -> bytes:
        return self.archive.read(posixpath.join(self.folder, href) if self.folder else href)

    def with_type(self, media: str) -> dict[str, bytes]:
        return {i.get("href"): self.read(i.get("href")) for i in self.items.values() if i.get("media-type") == media}

    def with_property(self, prop: str) -> etree._Element | None:
        return next((i for i in self.items.values() if prop in (i.get("properties") or "").split()), None)


def kindle_problems(path: Path) -> list[KindleProblem]:
    """Every requirement of Amazon's the EPUB at `path` does not meet."""
    with zipfile.ZipFile(path) as archive:
        epub = _Epub(archive)
        documents = {href: etree.fromstring(data) for href, data in epub.with_type("application/xhtml+xml").items()}
        language = epub.opf.findtext(".//dc:language", namespaces=NS) or "en"
        return (_cover(epub) + _navigation(epub, documents) + _page_numbers(documents, language)
                + _hidden(epub, documents) + _styles(epub, documents))


def _cover(epub: _Epub) -> list[KindleProblem]:
    from PIL import Image

    item = epub.with_property("cover-image")
    if item is None:
        return [KindleProblem("no cover image (a manifest item with properties=\"cover-image\"): Kindle books "
                              "must have one")]
    with Image.open(io.BytesIO(epub.read(item.get("href")))) as image:
        width, height = image.size
    short, long = sorted((width, height))
    if short < MIN_COVER[0] or long < MIN_COVER[1] or long > MAX_COVER:
        return [KindleProblem(f"the cover is {width} x {height} pixels; Kindle takes 1,000 x 625 to 10,000 x "
                              f"10,000 (ideally {IDEAL_COVER[0]:,} x {IDEAL_COVER[1]:,})")]
    if abs(height / width - IDEAL_RATIO) > RATIO_SLACK or height < GOOD_HEIGHT:
        return [KindleProblem(f"the cover is {width} x {height} pixels; Kindle's ideal is {IDEAL_COVER[0]:,} x "
                              f"{IDEAL_COVER[1]:,}, a height/width ratio of 1.6 and a height of at least 2,500",
                              advice=True)]
    return []


def _navigation(epub: _Epub, documents: dict[str, etree._Element]) -> list[KindleProblem]:
    nav_item = epub.with_property("nav")
    nav = documents.get(nav_item.get("href")) if nav_item is not None else None
    links = nav.xpath("//x:nav[@epub:type='toc']//x:a", namespaces=NS) if nav is not None else []
    if not links:
        return [KindleProblem("no contents: Kindle books need a toc nav that links every chapter")]
    problems = []
    base = posixpath.dirname(nav_item.get("href")) if nav_item is not None else ""
    for link in links:
        file, _, anchor = (link.get("href") or "").partition("#")
        target = documents.get(posixpath.normpath(posixpath.join(base, file)))
        if target is None or (anchor and not target.xpath("//*[@id=$id]", id=anchor)):
            problems.append(KindleProblem(f"the contents entry '{' '.join(''.join(link.itertext()).split())}' "
                                          f"links to {link.get('href')}, which is not in the EPUB"))
    ncx_item = next((i for i in epub.items.values() if i.get("media-type") == "application/x-dtbncx+xml"), None)
    if ncx_item is None:
        return [*problems, KindleProblem("no NCX: the Kindle menu's contents come from it")]
    ncx = etree.fromstring(epub.read(ncx_item.get("href")))
    deepest = max((len(p.xpath("ancestor-or-self::ncx:navPoint", namespaces=NS))
                   for p in ncx.iterfind(".//ncx:navPoint", NS)), default=0)
    if deepest > NCX_LEVELS:
        problems.append(KindleProblem(f"the NCX nests {deepest} levels deep; Kindle devices and apps show two",
                                      advice=True))
    return problems


def _page_numbers(documents: dict[str, etree._Element], language: str) -> list[KindleProblem]:
    """A link whose text cites a printed page ('see page 12', 'p. 12'): the print edition's, not the reader's."""
    labels = labels_for(language)
    words = {labels["page"], labels["page_short"], "page", "p.", "pp."}
    cited = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
                       + r")\s*\d+", re.I)
    problems = []
    for href, root in documents.items():
        for link in root.xpath("//x:a[@href][not(ancestor::x:nav[@epub:type='page-list'])]", namespaces=NS):
            text = " ".join("".join(link.itertext()).split())
            if cited.search(text):
                problems.append(KindleProblem(f"{href}: the link '{text}' cites a page number; Kindle books "
                                              "have no pages (name the chapter or section instead)"))
    return problems


def _hidden(epub: _Epub, documents: dict[str, etree._Element]) -> list[KindleProblem]:
    nav_item = epub.with_property("nav")
    problems = []
    for href, root in documents.items():
        if nav_item is not None and href == nav_item.get("href"):
            continue  # EPUB hides the landmarks and the page list in the nav document itself
        for element in root.xpath("//x:body//*[@hidden or @style]", namespaces=NS):
            hidden = element.get("hidden") is not None or _HIDDEN.search(element.get("style") or "")
            text = " ".join("".join(element.itertext()).split())
            if hidden and text:
                problems.append(KindleProblem(f"{href}: hidden text '{text[:60]}': a Kindle book shows all "
                                              "its text"))
    return problems


#: An @media block for light pages only, as the EPUB's code scheme is written (octavo/epub/package.py).
_LIGHT_ONLY = re.compile(r"@media\s*\(\s*prefers-color-scheme\s*:\s*light\s*\)\s*\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}", re.I)


def _styles(epub: _Epub, documents: dict[str, etree._Element]) -> list[KindleProblem]:
    sources = {href: data.decode("utf-8", "replace") for href, data in epub.with_type("text/css").items()}
    for href, root in documents.items():
        for element in root.xpath("//*[@style]"):
            sources[f"{href}:{element.sourceline}"] = element.get("style")
    problems = []
    for where, css in sources.items():
        css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
        # Colours for a light page only (the code scheme): a reader on a black or sepia page, and Kindle, which
        # reads no such query, leave them out.
        css = _LIGHT_ONLY.sub("", css)
        for value in _COLOR.findall(css):
            if value.strip().lower().removesuffix("!important").strip() not in THEMED:
                problems.append(KindleProblem(f"{where}: color: {value.strip()} fixes the text's colour; Kindle's "
                                              "black and sepia backgrounds need the reader's own"))
        for value in _POSITION.findall(css):
            problems.append(KindleProblem(f"{where}: position: {value} is not supported in Kindle's reflowable "
                                          "text", advice=True))
    return problems
