"""Stage 2b: Book + templates/ + the print edition's PageMap -> the EPUB's XHTML documents (cover, title
page, copyright, contents and navigation, one per chapter), each put through the ordered passes."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import jinja2
from lxml import etree
from lxml import html as lxml_html

from octavo.bidi import language_direction, mark_direction
from octavo.epub.a11y import Features, add_missing_roles, conformance_problems, empty_header_cells_as_data
from octavo.epub.contentmodel import refuse_invalid_documents
from octavo.epub.cover import Cover
from octavo.epub.pagebreaks import PageBreak, insert_page_breaks, plan_page_breaks
from octavo.epub.reading import captions_at_an_edge, lines_as_divs, mark_image_paragraphs, mark_images_on_white
from octavo.epub.typography import typeset_tree
from octavo.errors import OutputError
from octavo.markup import anchor_ids, escape, internal_links, parse_fragment
from octavo.model import Book, Chapter, Edition, Part
from octavo.pages import PageMap
from octavo.render import PageContext, common_context, render_template
from octavo.scholarly.index import with_index
from octavo.scholarly.math import has_mathml, typeset_as_mathml

log = logging.getLogger("octavo")

TEXT_DIR = "text"
#: The navigation document sits beside the package document, as Standard Ebooks' does: its hrefs are then the
#: manifest's, which is how epub.js looks them up (relative to text/, every one is "No Section Found").
NAV_FILE = "nav.xhtml"
XML_HEADER = '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n'
#: A src that is already absolute, a URL, or relative to the text folder: left as it is.
_NOT_FROM_ROOT = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:|/|\.\./")


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


@dataclass(frozen=True)
class EpubContent:
    """Everything the EPUB shows, ready to be packaged."""

    documents: tuple[EpubDoc, ...]
    """XHTML documents in reading order."""
    cover: Cover
    """The cover image."""
    page_breaks: tuple[PageBreak, ...]
    """One marker per print page, in order (empty when built without a page map)."""
    features: Features
    """What the accessibility metadata may say."""


@dataclass(frozen=True)
class PassContext:
    """What a pass over one document may use."""

    book: Book
    """The publication."""
    file_name: str
    """The document being processed."""
    page_breaks: tuple[PageBreak, ...]
    """The markers that belong in this document."""
    files: _Files
    """Which file holds each anchor id."""
    chapter: bool
    """Whether the document is a chapter (its links and images come from the Markdown)."""


def _link_across_files(root: etree._Element, context: PassContext) -> None:
    """A chapter's links to anchors in other documents name that document; its images, referred to from the
    publication folder, are found from text/ where the chapters live."""
    if not context.chapter:
        return
    own = context.file_name.removeprefix(f"{TEXT_DIR}/")
    for link, anchor in internal_links(root):
        target = context.files.by_id.get(anchor, own)
        if target != own:
            link.set("href", f"{target}#{anchor}")
    for element in root.iter():
        src = element.get("src") if isinstance(element.tag, str) else None
        if src and not _NOT_FROM_ROOT.match(src):
            element.set("src", f"../{src}")


def _mark_print_pages(root: etree._Element, context: PassContext) -> None:
    insert_page_breaks(root, context.page_breaks)


def _typeset(root: etree._Element, context: PassContext) -> None:
    typeset_tree(root, context.book.meta.language)


def _direction(root: etree._Element, context: PassContext) -> None:
    """A right-to-left book's documents are dir="rtl"; any block whose text runs the other way says so."""
    base = language_direction(context.book.meta.language) or "ltr"
    if base == "rtl":
        root.set("dir", "rtl")
    mark_direction(root, base)


def _math(root: etree._Element, context: PassContext) -> None:
    typeset_as_mathml(root)  # TeX -> MathML (octavo/scholarly/math.py); the manifest then says "mathml"
    for link in root.iterfind(".//{*}a[@data-on-page]"):  # print pages are named in the PDFs only
        del link.attrib["data-on-page"]


def _roles(root: etree._Element, context: PassContext) -> None:
    add_missing_roles(root)
    empty_header_cells_as_data(root)


def _for_readers(root: etree._Element, context: PassContext) -> None:
    lines_as_divs(root)
    captions_at_an_edge(root)
    mark_image_paragraphs(root)
    mark_images_on_white(root, context.file_name, context.book.root)


#: Passes over every document, in order. Page-break markers go first: they find where the print
#: edition's pages begin by counting characters of the text as it was printed, before typography
#: changes anything. (Links change no text, so their place does not matter.)
PASSES: tuple[Callable[[etree._Element, PassContext], None], ...] = (_mark_print_pages, _link_across_files,
                                                                      _math, _typeset, _direction, _roles,
                                                                      _for_readers)


@dataclass
class _Files:
    """Which EPUB file holds each anchor id."""

    by_id: dict[str, str] = field(default_factory=dict)

    def href(self, anchor: str) -> str:
        return f"{self.by_id[anchor]}#{anchor}"


def from_text(path: str) -> str:
    """A path inside the EPUB's content folder -> the same, relative to the text folder."""
    return path.removeprefix(f"{TEXT_DIR}/") if path.startswith(f"{TEXT_DIR}/") else f"../{path}"


def from_root(href: str) -> str:
    """An href relative to the text folder -> the same, relative to the content folder (where the nav is)."""
    return href.removeprefix("../") if href.startswith("../") else f"{TEXT_DIR}/{href}"


def part_file(part: Part) -> str:
    """The EPUB document of a part's title page."""
    return f"{TEXT_DIR}/{part.id}.xhtml"


def chapter_file(chapter: Chapter) -> str:
    return f"{TEXT_DIR}/{chapter.file_id}.xhtml"


def render_epub_content(book: Book, env: jinja2.Environment, modified: dt.datetime, generator: str,
                        cover: Cover, page_map: PageMap | None) -> EpubContent:
    """Render every document, place the print page breaks, run the passes, check what may be claimed."""
    book = with_index(book, page_map)  # the index gives the print edition's page numbers, each a link
    page = PageContext(book, Edition.EPUB, modified, generator)
    files = _anchor_files(book)
    context = {**common_context(page, files.href), "up": "../"}  # up: from the document to the content folder
    if not book.meta.embed_fonts:  # the colophon says what is true of this edition: the reader's font is used
        labels = context["labels"]
        assert isinstance(labels, dict)
        context["labels"] = {**labels, "typeset": labels["made_with"]}
    docs = _render_documents(book, env, context, cover, ())
    trees = {doc.file_name: parse(doc) for doc in docs}
    breaks: tuple[PageBreak, ...] = ()
    if page_map is not None:
        anchors = {own: from_text(name) for name, tree in trees.items() for own in tree.xpath("//@id")}
        breaks = plan_page_breaks(page_map, anchors, from_text(chapter_file(book.chapters[-1])))
        docs = _render_documents(book, env, context, cover, breaks)  # the nav now lists the pages
        trees = {doc.file_name: parse(doc) for doc in docs}
    chapters = {chapter_file(chapter) for chapter in book.chapters}
    for name, tree in trees.items():
        mine = tuple(b for b in breaks if from_root(b.file) == name)
        for apply in PASSES:
            apply(tree, PassContext(book, name, mine, files, name in chapters))
    refuse_invalid_documents(trees)
    problems = conformance_problems(list(trees.items()), book.meta.language)
    for problem in problems:
        log.warning("%s: the EPUB makes no accessibility conformance claim", problem)
    features = Features(images=bool(book.images), page_list=bool(breaks), conforms=not problems)
    final = tuple(replace(doc, xhtml=serialise(trees[doc.file_name]),
                          properties=doc.properties + (("mathml",) * has_mathml(trees[doc.file_name])))
                  for doc in docs)
    return EpubContent(final, cover, breaks, features)


def _render_documents(book: Book, env: jinja2.Environment, context: dict[str, object], cover: Cover,
                      breaks: tuple[PageBreak, ...]) -> list[EpubDoc]:
    labels = context["labels"]
    assert isinstance(labels, dict)
    cover_html = (f'<div class="cover"><img src="../{cover.file_name}" alt="{escape(cover.alt)}" '
                  'role="doc-cover"/></div>')
    docs = [
        _document(env, context, "cover", f"{TEXT_DIR}/cover.xhtml", labels["cover"], "cover", cover_html),
        _document(env, context, "titlepage", f"{TEXT_DIR}/titlepage.xhtml", labels["titlepage"], "frontmatter",
                  render_template(env, "partials/titlepage.html.j2", **context)),
        _document(env, context, "copyright", f"{TEXT_DIR}/copyright.xhtml", labels["copyright"], "frontmatter",
                  render_template(env, "partials/copyright.html.j2", **context)),
    ]
    if book.meta.dedication:
        docs.append(_document(env, context, "dedication", f"{TEXT_DIR}/dedication.xhtml", labels["dedication"],
                              "frontmatter", render_template(env, "partials/dedication.html.j2", **context)))
    if book.abstract_html:
        docs.append(_document(env, context, "abstract", f"{TEXT_DIR}/abstract.xhtml", labels["abstract"],
                              "frontmatter", render_template(env, "partials/abstract.html.j2", **context)))
    in_text = context["href"]
    assert callable(in_text)
    at_root = {**context, "href": lambda anchor: from_root(in_text(anchor)), "up": ""}
    pages = [{"href": from_root(b.href), "label": b.label} for b in breaks]
    nav = render_template(env, "epub/nav.xhtml.j2", landmarks=_landmarks(book, labels), pages=pages, **at_root)
    docs.append(_document(env, at_root, "nav", NAV_FILE, labels["contents"], "frontmatter", nav,
                          properties=("nav",)))
    if lists := render_template(env, "partials/lists.html.j2", **context).strip():  # figures, tables
        docs.append(_document(env, context, "lists", f"{TEXT_DIR}/lists.xhtml", _lists_title(context),
                              "frontmatter", lists))
    for index, chapter in enumerate(book.chapters):
        if (part := book.part_opens(index)) is not None:
            docs.append(_document(env, context, part.id, part_file(part), part.title, "bodymatter",
                                  render_template(env, "partials/part.html.j2", part=part, **context)))
        opening = index == 0 or chapter.division != book.chapters[index - 1].division
        content = render_template(env, "partials/chapter.html.j2", chapter=chapter, body=chapter.html,
                                  opening=opening, **context)
        docs.append(_document(env, context, chapter.file_id, chapter_file(chapter), chapter.title, chapter.division,
                              content))
    return docs


def _lists_title(context: dict[str, object]) -> str:
    words = context["crossref_words"]
    assert isinstance(words, dict)
    return str(words["list_of_figures"])


def _anchor_files(book: Book) -> _Files:
    files = _Files()
    for anchor in ("titlepage", "copyright", "contents", "dedication", "abstract"):
        files.by_id[anchor] = {"contents": NAV_FILE}.get(anchor, f"{TEXT_DIR}/{anchor}.xhtml")
    for part in book.parts:
        files.by_id[part.id] = part_file(part)
    for chapter in book.chapters:
        name = chapter_file(chapter)
        for anchor in [chapter.id, *(h.id for h in chapter.headings), *(n.id for n in chapter.footnotes),
                       *(n.ref_id for n in chapter.footnotes), *_fragment_ids(chapter.html),
                       *(i for n in chapter.footnotes for i in _fragment_ids(n.html))]:  # an index mark in a note
            files.by_id.setdefault(anchor, name)
    # Hrefs are written relative to the chapters, which all live in TEXT_DIR (the nav rebases its own).
    files.by_id = {k: from_text(v) for k, v in files.by_id.items()}
    return files


def _fragment_ids(html: str) -> list[str]:
    return list(anchor_ids(parse_fragment(html))) if html.strip() else []


def _landmarks(book: Book, labels: dict[str, str]) -> list[dict[str, str]]:
    """cover, title page, contents, start of the text, and the back matter and the index when there are."""
    marks = [{"type": "cover", "href": f"{TEXT_DIR}/cover.xhtml", "title": labels["cover"]},
             {"type": "titlepage", "href": f"{TEXT_DIR}/titlepage.xhtml", "title": labels["titlepage"]},
             {"type": "toc", "href": f"{NAV_FILE}#contents", "title": labels["contents"]}]
    body = next((c for c in book.chapters if c.division == "bodymatter"), book.chapters[0])
    marks.append({"type": "bodymatter", "href": chapter_file(body), "title": labels["start"]})
    back = next((c for c in book.chapters if c.division == "backmatter"), None)
    if back is not None:
        marks.append({"type": "backmatter", "href": chapter_file(back), "title": back.title})
    index = next((c for c in book.chapters if c.kind == "index"), None)  # EPUB Indexes: the index is a landmark
    if index is not None:
        marks.append({"type": "index", "href": chapter_file(index), "title": index.title})
    return marks


def _document(env: jinja2.Environment, context: dict[str, object], uid: str, file_name: str, title: str,
              division: str, content: str, properties: tuple[str, ...] = ()) -> EpubDoc:
    xhtml = render_template(env, "epub/document.xhtml.j2", doc_title=title, division=division, content=content,
                            **context)
    return EpubDoc(uid, file_name, title, as_xhtml(xhtml, file_name), properties)


def parse(doc: EpubDoc) -> etree._Element:
    return etree.fromstring(doc.xhtml.encode("utf-8"))


def serialise(root: etree._Element) -> str:
    return XML_HEADER + str(etree.tostring(root, encoding="unicode")) + "\n"


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
    fixed = escape(root.text or "") + "".join(
        etree.tostring(child, encoding="unicode", method="xml") for child in root)
    repaired = f"{head}<body{body_open}>{fixed}</body>{tail}"
    try:
        etree.fromstring(repaired.encode("utf-8"))
    except etree.XMLSyntaxError as exc:
        raise OutputError(f"could not make well-formed XHTML: {exc}", file_name) from None
    return repaired
