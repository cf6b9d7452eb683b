"""Stage 3b: EPUB XHTML documents + cover + epub.css -> EPUB 3 (ebooklib), normalised to be byte-reproducible."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

from ebooklib import epub
from lxml import etree

from octavo.bidi import language_direction
from octavo.codestyle import code_css, light_only
from octavo.epub.a11y import accessibility_metadata
from octavo.epub.documents import NAV_FILE, EpubContent
from octavo.epub.fonts import embed_fonts
from octavo.epub.ncx import build_ncx, guide, read_nav
from octavo.epub.typography import smarten
from octavo.errors import ContentError
from octavo.media import media_type
from octavo.model import Book
from octavo.resources import Resources
from octavo.source import line_in_file

#: Fixed zip entry time (the earliest a zip can hold): entry times never change between builds.
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
COVER_ID = "cover-image"


def build_epub(book: Book, content: EpubContent, styles: Resources, modified: dt.datetime) -> bytes:
    """Assemble the EPUB with ebooklib and return its normalised bytes."""
    ebook = epub.EpubBook()
    _metadata(ebook, book, content)
    if language_direction(book.meta.language) == "rtl":
        ebook.set_direction("rtl")  # the spine's page-progression-direction: pages turn to the left
    has_code = any("<code" in doc.xhtml or "<pre" in doc.xhtml for doc in content.documents)
    fonts = embed_fonts(book, styles, styles.find_style("epub.css").read_bytes(), has_code)
    # The code colours (codestyle.py) in a sheet of their own, linked before epub.css, which may override them.
    ebook.add_item(epub.EpubItem(uid="code-css", file_name="css/code.css", media_type="text/css",
                                 content=light_only(code_css()).encode()))
    ebook.add_item(epub.EpubItem(uid="css", file_name="css/epub.css", media_type="text/css",
                                 content=fonts.stylesheet))
    for font in fonts.files:
        ebook.add_item(epub.EpubItem(uid=_image_uid(font.file_name, "font"), file_name=font.file_name,
                                     media_type=font.media_type, content=font.data))
    items = []
    for doc in content.documents:
        item = epub.EpubItem(uid=doc.uid, file_name=doc.file_name, media_type="application/xhtml+xml",
                             content=doc.xhtml.encode("utf-8"))
        item.properties = list(doc.properties)
        ebook.add_item(item)
        items.append(item)
    cover = epub.EpubItem(uid=COVER_ID, file_name=content.cover.file_name, media_type=content.cover.media_type,
                          content=content.cover.data)
    cover.properties = ["cover-image"]
    ebook.add_item(cover)
    for image in book.images:
        if image != content.cover.file_name:
            ebook.add_item(epub.EpubItem(uid=_image_uid(image), file_name=image, media_type=media_type(image),
                                         content=book.cleaned.get(image) or (book.root / image).read_bytes()))
    _epub2_navigation(ebook, book, content)
    ebook.spine = items
    out = io.BytesIO()
    epub.write_epub(out, ebook, {"mtime": modified, "epub3_pages": False, "epub3_landmark": False,
                                 "raise_exceptions": True})
    return normalise_zip(out.getvalue(), book.meta.language)


def _metadata(ebook: epub.EpubBook, book: Book, content: EpubContent) -> None:
    meta = book.meta

    def text(value: str) -> str:
        return smarten(value, meta.language)

    ebook.set_identifier(meta.identifier)
    ebook.set_title(text(meta.title))
    ebook.set_language(meta.language)
    for number, author in enumerate(meta.authors, start=1):
        ebook.add_author(text(author), uid=f"creator{number}")
    for name, value in (("publisher", meta.publisher), ("date", meta.date), ("rights", meta.rights),
                        ("description", meta.description)):
        if value:
            ebook.add_metadata("DC", name, value if name == "date" else text(value))
    for keyword in meta.keywords:
        ebook.add_metadata("DC", "subject", text(keyword))
    if meta.version or meta.edition:
        ebook.add_metadata(None, "meta", meta.version or meta.edition or "", {"property": "schema:version"})
    # EPUB 2 readers find the cover image by this; EPUB 3 ones by the manifest's cover-image property.
    ebook.add_metadata(None, "meta", "", {"name": "cover", "content": COVER_ID})
    if content.page_breaks:
        # The page list follows the print edition: name it (EPUB Accessibility 1.1, page source).
        ebook.add_metadata("DC", "source", meta.page_source)
        ebook.add_metadata(None, "meta", meta.page_source, {"property": "pageBreakSource"})
    for prop, value, extra in accessibility_metadata(book, content.features):
        ebook.add_metadata(None, "meta", value, {"property": prop, **extra})


def _epub2_navigation(ebook: epub.EpubBook, book: Book, content: EpubContent) -> None:
    """The NCX and the guide, read from the finished nav document (ebooklib's own NCX has depth 0, no playOrder
    and no page list, and is made from a second list of the contents)."""
    trees = [(doc.file_name, etree.fromstring(doc.xhtml.encode("utf-8"))) for doc in content.documents]
    nav = read_nav(dict(trees)[NAV_FILE], NAV_FILE)
    ncx = build_ncx(nav, trees, book.meta.identifier, smarten(book.meta.title, book.meta.language), book.meta.language)
    # A plain item with the id "ncx": ebooklib names it in the spine's toc attribute and writes it as it is.
    ebook.add_item(epub.EpubItem(uid="ncx", file_name="toc.ncx", media_type="application/x-dtbncx+xml", content=ncx))
    ebook.guide = guide(nav)


def _image_uid(path: str, kind: str = "img") -> str:
    return f"{kind}-" + re.sub(r"[^A-Za-z0-9]+", "-", path).strip("-")


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


def refuse_remote_images(book: Book) -> None:
    """An EPUB must carry its images inside it (EPUB 3.3 allows only audio, video and fonts to be remote)."""
    for chapter in book.chapters:
        for url in chapter.remote:
            raise ContentError(f"remote image '{url}' cannot go into the EPUB, which must carry its images inside "
                               "it: download the file into the publication folder", chapter.name,
                               line_in_file(chapter.source, url))
