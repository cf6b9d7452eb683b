"""Stage 3b: Book + templates/ + styles/ -> EPUB 3 (ebooklib), normalised to be byte-reproducible."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from ebooklib import epub
from lxml import etree
from lxml import html as lxml_html

from .errors import ContentError, OutputError
from .model import Book, Chapter
from .render import PageContext, common_context, render_template

TEXT_DIR = "text"
#: Fixed zip entry time (the earliest a zip can hold): entry times never change between builds.
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
_HREF = re.compile(r'href="#([^"]+)"')
_ID = re.compile(r'\sid="([^"]+)"')
_SRC = re.compile(r'src="(?![a-zA-Z][a-zA-Z0-9+.-]*:|/|\.\./)([^"]+)"')


@dataclass(frozen=True)
class EpubDoc:
    """One XHTML content document of the EPUB."""

    uid: str
    """Manifest id."""
    file_name: str
    """Path inside the EPUB's content folder."""
    title: str
    """Document title, also used in the NCX."""
    xhtml: str
    """The complete XHTML document."""
    properties: tuple[str, ...] = ()
    """Manifest properties (nav, svg, ...)."""
    landmark: str | None = None
    """epub:type of the landmark pointing here, if any."""


@dataclass
class _Files:
    """Which EPUB file holds each anchor id."""

    by_id: dict[str, str] = field(default_factory=dict)

    def href(self, anchor: str) -> str:
        return f"{self.by_id[anchor]}#{anchor}"


def chapter_file(chapter: Chapter) -> str:
    return f"{TEXT_DIR}/{chapter.id}.xhtml"


def render_epub_documents(book: Book, env: jinja2.Environment, modified: dt.datetime,
                          generator: str) -> tuple[EpubDoc, ...]:
    """Front matter, contents/navigation and one document per chapter, in reading order."""
    page = PageContext(book, "epub", modified, generator)
    files = _anchor_files(book)
    context = common_context(page, files.href)
    labels = context["labels"]
    assert isinstance(labels, dict)
    docs = [
        _document(env, context, "titlepage", f"{TEXT_DIR}/titlepage.xhtml", labels["titlepage"], "frontmatter",
                  render_template(env, "partials/titlepage.html.j2", **context), landmark="titlepage"),
        _document(env, context, "copyright", f"{TEXT_DIR}/copyright.xhtml", labels["copyright"], "frontmatter",
                  render_template(env, "partials/copyright.html.j2", **context)),
    ]
    landmarks = _landmarks(book, labels)
    nav = render_template(env, "epub/nav.xhtml.j2", landmarks=landmarks, pages=(), **context)
    docs.append(_document(env, context, "nav", f"{TEXT_DIR}/nav.xhtml", labels["contents"], "frontmatter", nav,
                          properties=("nav",), landmark="toc"))
    for index, chapter in enumerate(book.chapters):
        opening = index == 0 or chapter.division != book.chapters[index - 1].division
        body = _link_across_files(chapter.html, chapter_file(chapter), files)
        content = render_template(env, "partials/chapter.html.j2", chapter=chapter, body=body, opening=opening,
                                  **context)
        docs.append(_document(env, context, chapter.id, chapter_file(chapter), chapter.title, chapter.division,
                              content))
    return tuple(docs)


def refuse_remote_images(book: Book) -> None:
    """An EPUB must carry its images inside it (EPUB 3.3 allows only audio, video and fonts to be remote)."""
    for chapter in book.chapters:
        for url in chapter.remote:
            raise ContentError(f"remote image '{url}' cannot go into the EPUB, which must carry its images inside "
                               "it: download the file into the publication folder", chapter.name,
                               _line_of(chapter.source, url))


def _line_of(path: Path, needle: str) -> int | None:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next((number for number, line in enumerate(lines, start=1) if needle in line), None)


def _anchor_files(book: Book) -> _Files:
    files = _Files()
    for anchor in ("titlepage", "copyright", "contents"):
        files.by_id[anchor] = {"contents": f"{TEXT_DIR}/nav.xhtml"}.get(anchor, f"{TEXT_DIR}/{anchor}.xhtml")
    for chapter in book.chapters:
        name = chapter_file(chapter)
        for anchor in [chapter.id, *(h.id for h in chapter.headings), *(n.id for n in chapter.footnotes),
                       *(n.ref_id for n in chapter.footnotes), *_ID.findall(chapter.html)]:
            files.by_id.setdefault(anchor, name)
    # Hrefs are written relative to the nav and chapters, which all live in TEXT_DIR.
    files.by_id = {k: v.removeprefix(f"{TEXT_DIR}/") for k, v in files.by_id.items()}
    return files


def _link_across_files(html: str, own_file: str, files: _Files) -> str:
    own = own_file.removeprefix(f"{TEXT_DIR}/")

    def fix(match: re.Match[str]) -> str:
        target = files.by_id.get(match.group(1), own)
        return f'href="#{match.group(1)}"' if target == own else f'href="{target}#{match.group(1)}"'

    html = _HREF.sub(fix, html)
    # Chapters live in text/, images are referenced from the publication root.
    return _SRC.sub(r'src="../\1"', html)


def _landmarks(book: Book, labels: dict[str, str]) -> list[dict[str, str]]:
    marks = [{"type": "toc", "href": "nav.xhtml#contents", "title": labels["contents"]}]
    body = next((c for c in book.chapters if c.division == "bodymatter"), book.chapters[0])
    marks.append({"type": "bodymatter", "href": f"{body.id}.xhtml", "title": labels["start"]})
    return marks


def _document(env: jinja2.Environment, context: dict[str, object], uid: str, file_name: str, title: str,
              division: str, content: str, properties: tuple[str, ...] = (), landmark: str | None = None) -> EpubDoc:
    xhtml = render_template(env, "epub/document.xhtml.j2", doc_title=title, division=division, content=content,
                            **context)
    return EpubDoc(uid, file_name, title, as_xhtml(xhtml, file_name), properties, landmark)


def as_xhtml(document: str, file_name: str) -> str:
    """Ensure a document is well-formed XML; repair HTML-only markup (from raw HTML in Markdown)."""
    try:
        etree.fromstring(document.encode("utf-8"))
        return document
    except etree.XMLSyntaxError:
        pass
    head, _, rest = document.partition("<body")
    body_open, _, inner = rest.partition(">")
    inner, _, tail = inner.rpartition("</body>")
    root = lxml_html.fragment_fromstring(inner, create_parent="div")
    fixed = (root.text or "").replace("&", "&amp;").replace("<", "&lt;") + "".join(
        etree.tostring(child, encoding="unicode", method="xml") for child in root)
    repaired = f"{head}<body{body_open}>{fixed}</body>{tail}"
    try:
        etree.fromstring(repaired.encode("utf-8"))
    except etree.XMLSyntaxError as exc:
        raise OutputError(f"could not make well-formed XHTML: {exc}", file_name) from None
    return repaired


def build_epub(book: Book, docs: tuple[EpubDoc, ...], styles: Path, modified: dt.datetime) -> bytes:
    """Assemble the EPUB with ebooklib and return its normalised bytes."""
    ebook = epub.EpubBook()
    _metadata(ebook, book)
    css = epub.EpubItem(uid="css", file_name="css/epub.css", media_type="text/css",
                        content=(styles / "epub.css").read_bytes())
    ebook.add_item(css)
    items = []
    for doc in docs:
        item = epub.EpubItem(uid=doc.uid, file_name=doc.file_name, media_type="application/xhtml+xml",
                             content=doc.xhtml.encode("utf-8"))
        item.properties = list(doc.properties)
        ebook.add_item(item)
        items.append(item)
    for image in book.images:
        ebook.add_item(epub.EpubItem(uid=_image_uid(image), file_name=image, media_type=_media_type(image),
                                     content=(book.root / image).read_bytes()))
    ebook.add_item(epub.EpubNcx())
    ebook.toc = _ncx_toc(book)
    ebook.spine = items
    out = io.BytesIO()
    epub.write_epub(out, ebook, {"mtime": modified, "epub3_pages": False, "epub3_landmark": False,
                                 "raise_exceptions": True})
    return normalise_zip(out.getvalue(), book.meta.language)


def _metadata(ebook: epub.EpubBook, book: Book) -> None:
    meta = book.meta
    ebook.set_identifier(meta.identifier)
    ebook.set_title(meta.title)
    ebook.set_language(meta.language)
    for number, author in enumerate(meta.authors, start=1):
        ebook.add_author(author, uid=f"creator{number}")
    for name, value in (("publisher", meta.publisher), ("date", meta.date), ("rights", meta.rights),
                        ("description", meta.description)):
        if value:
            ebook.add_metadata("DC", name, value)
    for keyword in meta.keywords:
        ebook.add_metadata("DC", "subject", keyword)
    if meta.version or meta.edition:
        ebook.add_metadata(None, "meta", meta.version or meta.edition or "", {"property": "schema:version"})
    for prop, value in accessibility_metadata(book):
        ebook.add_metadata(None, "meta", value, {"property": prop})


def accessibility_metadata(book: Book) -> list[tuple[str, str]]:
    """schema.org accessibility properties derived from what the book contains."""
    has_images = bool(book.images)
    features = ["structuralNavigation", "tableOfContents", "readingOrder"]
    if has_images:
        features.append("alternativeText")
    modes = ["textual"] + (["visual"] if has_images else [])
    summary = ("This publication has a table of contents, structured headings and a logical reading order. "
               + ("Every image has a text alternative. " if has_images else "It contains no images. ")
               + "It has no known hazards.")
    return [("schema:accessMode", mode) for mode in modes] + [
        ("schema:accessModeSufficient", "textual"),
        *(("schema:accessibilityFeature", feature) for feature in features),
        ("schema:accessibilityHazard", "none"),
        ("schema:accessibilitySummary", summary),
    ]


def _ncx_toc(book: Book) -> list[object]:
    toc: list[object] = []
    for chapter in book.chapters:
        link = epub.Link(chapter_file(chapter), chapter.title, chapter.id)
        sections = [epub.Link(f"{chapter_file(chapter)}#{h.id}", h.text, h.id) for h in chapter.headings
                    if h.level == 2]
        toc.append((epub.Section(chapter.title, chapter_file(chapter)), sections) if sections else link)
    return toc


def _image_uid(path: str) -> str:
    return "img-" + re.sub(r"[^A-Za-z0-9]+", "-", path).strip("-")


def _media_type(path: str) -> str:
    suffix = path.rsplit(".", 1)[-1].lower()
    return {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "gif": "image/gif",
            "svg": "image/svg+xml", "webp": "image/webp"}.get(suffix, "application/octet-stream")


def normalise_zip(data: bytes, language: str) -> bytes:
    """Rewrite the archive: mimetype first and stored, fixed entry times, xml:lang on <package>."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename.endswith(".opf"):
                content = _package_lang(content, language)
            stored = info.filename == "mimetype"
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_EPOCH)
            entry.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            entry.create_system = 3
            target.writestr(entry, content, compresslevel=None if stored else 9)
    return out.getvalue()


def _package_lang(opf: bytes, language: str) -> bytes:
    """ebooklib leaves <package> without xml:lang, which Ace reports as a serious violation."""
    if b"xml:lang=" in opf.split(b">", 2)[1]:
        return opf
    return re.sub(rb"<package ", f'<package xml:lang="{language}" '.encode(), opf, count=1)
