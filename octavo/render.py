"""Stage 2: Book + templates/ -> print HTML (one document) and EPUB XHTML (one per chapter)."""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import jinja2
from lxml import etree

from octavo.bidi import mark_direction
from octavo.errors import TemplateError
from octavo.language import crossref_words, labels_for
from octavo.markup import internal_links, links, local_name, parse_fragment, serialise_fragment
from octavo.model import PDF_EDITIONS, Book, Chapter, Edition, Footnote
from octavo.pages import PageMap, roman
from octavo.scholarly.crossref import print_pages
from octavo.scholarly.index import with_index
from octavo.scholarly.math import typeset_for_pages

EDITIONS = PDF_EDITIONS


@dataclass(frozen=True)
class PageContext:
    """What every template sees: the book, which output it is for, and the build date."""

    book: Book
    """The publication."""
    edition: Edition
    """Which output the page is for."""
    modified: dt.datetime
    """Build date (from SOURCE_DATE_EPOCH or the newest source), UTC."""
    generator: str
    """'Octavo x.y.z', written into metadata."""

    @property
    def links(self) -> bool:
        """Whether internal links are live (screen and EPUB; never in print files)."""
        return self.edition != Edition.PRINT


def make_environment(templates: Path | Sequence[Path]) -> jinja2.Environment:
    """The one Jinja environment: strict about undefined names, escaping everything by default.

    `templates` is one folder or a search path (a book's overrides, then the defaults: Resources.templates);
    the first folder holding a template's name wins, for `{% include %}` and `{% extends %}` too.
    """
    folders = [templates] if isinstance(templates, Path) else list(templates)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(folder) for folder in folders]),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["roman"] = roman
    return env


def render_template(env: jinja2.Environment, name: str, **context: object) -> str:
    """Render one template; a template mistake becomes a TemplateError naming the file and line."""
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"template syntax error: {exc.message}", _shown(exc.filename) or name,
                            exc.lineno) from None
    except jinja2.TemplateNotFound as exc:
        template, line = _template_frame(exc)
        folders = ", ".join(f"{_shown(folder)}/" for folder in _search_path(env))
        raise TemplateError(f"template '{exc.name}' not found in {folders}", template or name, line) from None
    except jinja2.UndefinedError as exc:
        template, line = _template_frame(exc)
        raise TemplateError(f"undefined variable: {exc.message}", template or name, line) from None
    except jinja2.TemplateError as exc:
        template, line = _template_frame(exc)
        raise TemplateError(f"template error: {exc.message}", template or name, line) from None


def _template_frame(exc: BaseException) -> tuple[str | None, int | None]:
    """The innermost template file and line in a Jinja traceback.

    Jinja rewrites the traceback of a rendering error so that its frames are the template files, with
    the templates' own line numbers: no mapping back from the compiled code is needed.
    """
    found: tuple[str | None, int | None] = (None, None)
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            found = (_shown(filename), tb.tb_lineno)
        tb = tb.tb_next
    return found


def _shown(filename: str | None) -> str | None:
    """A template's path relative to the working folder when it is inside it (templates/x.j2), else as it is."""
    if filename is None:
        return None
    path = Path(filename).resolve()
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)


def display_identifier(identifier: str, label: str) -> str:
    """'urn:isbn:9781234567897' -> 'ISBN 978-1234567897'; other ids behind a label."""
    if identifier.startswith("urn:isbn:"):
        digits = identifier.removeprefix("urn:isbn:")
        return f"ISBN {digits[:3]}-{digits[3:]}"
    return f"{label} {identifier}"


def common_context(page: PageContext, href: Callable[[str], str]) -> dict[str, object]:
    """Names every template can use."""
    meta = page.book.meta
    labels = labels_for(meta.language)
    if meta.fonts.body is not None:  # the colophon names the face the book is set in: the book's own
        labels = {**labels, "typeset": labels["typeset"].replace("Vollkorn", meta.fonts.body.family)}
    return {
        "page": page, "meta": meta, "chapters": page.book.chapters, "labels": labels,
        "identifier_label": display_identifier(meta.identifier, labels_for(meta.language)["identifier"]),
        "href": href,
        "link_attr": "href" if page.links else "data-href", "show_notes": page.edition == Edition.EPUB,
        "note_html": note_html, "paged": page.edition != Edition.EPUB,
        "part_opens": page.book.part_opens, "abstract_html": page.book.abstract_html,
        "numbered": page.book.numbered, "crossref_words": crossref_words(meta.language),
        "caption_html": caption_for(page.edition),
    }


def caption_for(edition: Edition) -> Callable[[str], str]:
    """A caption's HTML as the lists of figures and tables set it: in the PDFs with its formulas drawn (the
    EPUB's documents get MathML in their own pass)."""
    def typeset(html: str) -> str:
        if edition == Edition.EPUB or "math" not in html:
            return html
        root = parse_fragment(html)
        typeset_for_pages(root)
        return serialise_fragment(root)

    return typeset


def note_html(note: Footnote) -> str:
    """An EPUB note's body, its number linking back to the call."""
    backlink = f'<a class="note-number" href="#{note.ref_id}" role="doc-backlink">{note.number}.</a> '
    if note.html.startswith("<p>"):
        return "<p>" + backlink + note.html[3:]
    return f"<p>{backlink}</p>{note.html}"


def render_print_html(book: Book, env: jinja2.Environment, edition: Edition, modified: dt.datetime,
                      generator: str, page_map: PageMap | None = None) -> str:
    """The whole book as one HTML document for WeasyPrint (print or screen edition); its index, if it has one,
    gives the pages of `page_map` (an earlier layout of the same book), or placeholders before there is one."""
    book = with_index(book, page_map)
    page = PageContext(book, edition, modified, generator)
    bodies = [print_chapter_html(chapter, page.links) for chapter in book.chapters]
    return render_template(env, "print.html.j2", bodies=bodies, **common_context(page, lambda id: f"#{id}"))


def print_chapter_html(chapter: Chapter, links_live: bool) -> str:
    """Chapter HTML for paged media: note calls become inline `float: footnote` notes; without live links
    (the print edition) every href becomes a data-href, kept for the page references."""
    root = parse_fragment(chapter.html)
    _inline_notes(root, {note.id: note for note in chapter.footnotes})
    typeset_for_pages(root)  # TeX -> vector SVG images (WeasyPrint draws no MathML)
    print_pages(root)  # "Figure 3.2 on page 47"
    set_for_the_page(root)
    mark_direction(root)  # a Hebrew or Arabic paragraph is set from the right
    if not links_live:
        for link in links(root):
            link.set("data-href", link.attrib.pop("href"))
    return serialise_fragment(root)


def _inline_notes(root: etree._Element, notes: dict[str, Footnote]) -> None:
    """Each note call -> the note itself, as an inline span; a second call to a note repeats only its number."""
    seen: set[str] = set()
    for call, anchor in list(internal_links(root)):
        if "noteref" not in (call.get("class") or "").split() or anchor not in notes:
            continue
        note = notes[anchor]
        span = etree.Element("span")
        if note.id in seen:
            span.set("class", "noteref-repeat")
            span.text = str(note.number)
        else:
            span.set("class", "footnote")
            span.set("id", note.id)
            _fill_inline(span, note)
            seen.add(note.id)
        span.tail = call.tail
        call.getparent().replace(call, span)


def _fill_inline(span: etree._Element, note: Footnote) -> None:
    """A note's paragraphs as inline content of `span`, joined by line breaks (a float inside a paragraph cannot
    hold <p>)."""
    body = parse_fragment(note.html)
    paragraphs = [p for p in body if local_name(p.tag) == "p"] or [body]
    for index, paragraph in enumerate(paragraphs):
        if index:
            span.append(etree.Element("br"))
        _append_content(span, paragraph)


def _append_content(target: etree._Element, source: etree._Element) -> None:
    """Move the text and children of `source` to the end of `target`, trimmed as a whole."""
    children = list(source)
    text = (source.text or "").lstrip()
    _add_text(target, text if children else text.rstrip())
    for position, child in enumerate(children):
        moved = copy.deepcopy(child)
        if position == len(children) - 1:
            moved.tail = (moved.tail or "").rstrip() or None
        target.append(moved)


def _add_text(target: etree._Element, text: str) -> None:
    if not text:
        return
    if len(target):
        last = target[-1]
        last.tail = (last.tail or "") + text
    else:
        target.text = (target.text or "") + text


#: Characters Pango ends a line at, which HTML and CSS treat as ordinary text (a pasted line or paragraph
#: separator): in the print HTML they become spaces, or a justified line stops short in mid-paragraph.
_PANGO_BREAKS = str.maketrans({"\u2028": " ", "\u2029": " ", "\u0085": " "})
_SPACE_RUN = re.compile(r"[ \t\n\r\f]+")
#: A hyphen inside a word of code (`--vcs`, `foo-bar`): a line may not end after it.
_CODE_HYPHEN = re.compile(r"-(?=[^\s-])")
#: Word joiner: an invisible character that forbids a line break where it stands.
WORD_JOINER = "\u2060"
#: A paragraph that introduces the block after it (a label, or one ending with ':') stays on its page when it
#: is at most this many characters long.
LABEL_CHARS = 120
#: Code blocks of at most this many lines are never split across pages.
SHORT_CODE_LINES = 6


def set_for_the_page(root: etree._Element) -> None:
    """What the print HTML needs for its pages, beside the content itself (tests/test_page.py):

    - text inside a footnote has its white space collapsed here, since WeasyPrint 70 takes `float: footnote`
      elements out of the box tree before it collapses white space, and a source line end left in a note
      ends its line there (docs/weasyprint-footnote-newline.html);
    - a line or paragraph separator (U+2028, U+2029, U+0085) becomes a space: Pango ends a line there;
    - a line never ends after a hyphen inside inline code (`cargo new --vcs=git`): a word joiner follows it;
    - `width` and `height` on a raw <img> become its style (WeasyPrint reads no presentational attributes);
    - a paragraph that only holds images gets the class `image-only` (never indented);
    - a short paragraph, or one ending with ':', before a code block or table gets `keep-with-next`;
    - a code block of a few lines gets `short` (it is never split across pages).
    """
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for attr in ("text", "tail"):
            value = getattr(element, attr)
            if value and any(c in value for c in "\u2028\u2029\u0085"):
                setattr(element, attr, value.translate(_PANGO_BREAKS))
    for note in root.iterfind(".//span[@class='footnote']"):
        _collapse_space(note)
    for code in root.iter("code", "kbd", "samp"):
        if not any(local_name(a.tag) == "pre" for a in code.iterancestors()):
            _join_code_hyphens(code)
    for image in root.iter("img"):
        _size_from_attributes(image)
    for paragraph in root.iter("p"):
        _classify_paragraph(paragraph)
    for pre in root.iter("pre"):
        if "".join(pre.itertext()).rstrip("\n").count("\n") < SHORT_CODE_LINES:
            _add_class(pre, "short")


def _collapse_space(note: etree._Element) -> None:
    """White space runs inside `note` (not inside a <pre>) -> one space, as CSS collapses them elsewhere."""
    for element in note.iter():
        if not isinstance(element.tag, str) or any(local_name(a.tag) == "pre" for a in
                                                   (element, *element.iterancestors())):
            continue
        if element.text:
            element.text = _SPACE_RUN.sub(" ", element.text)
        if element.tail and element is not note:
            element.tail = _SPACE_RUN.sub(" ", element.tail)


def _join_code_hyphens(code: etree._Element) -> None:
    for element in code.iter():
        if not isinstance(element.tag, str):
            continue
        if element.text:
            element.text = _CODE_HYPHEN.sub("-" + WORD_JOINER, element.text)
        if element.tail and element is not code:
            element.tail = _CODE_HYPHEN.sub("-" + WORD_JOINER, element.tail)


_HTML_LENGTH = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(%|px)?\s*")


def _size_from_attributes(image: etree._Element) -> None:
    style = image.get("style") or ""
    rules = []
    for name in ("width", "height"):
        value = image.get(name)
        if value is None or re.search(rf"(^|;)\s*{name}\s*:", style):
            continue
        if (length := _HTML_LENGTH.fullmatch(value)) is not None:
            rules.append(f"{name}: {length.group(1)}{length.group(2) or 'px'}")
    if rules:
        image.set("style", "; ".join(filter(None, [style.strip().rstrip(";"), *rules])))


def _classify_paragraph(paragraph: etree._Element) -> None:
    text = "".join(paragraph.itertext()).strip()
    if not text and any(True for _ in paragraph.iter("img")):
        _add_class(paragraph, "image-only")
        return
    following = paragraph.getnext()
    if following is None or local_name(following.tag) not in ("pre", "table"):
        return
    notes = paragraph.xpath(".//span[@class='footnote']")
    if notes:  # what the paragraph says on its page, without its notes
        text = "".join(paragraph.xpath(".//text()[not(ancestor::span[@class='footnote'])]")).strip()
    if text.endswith(":") or len(text) <= LABEL_CHARS:
        _add_class(paragraph, "keep-with-next")


def _add_class(element: etree._Element, name: str) -> None:
    classes = (element.get("class") or "").split()
    if name not in classes:
        element.set("class", " ".join([*classes, name]))


def _search_path(env: jinja2.Environment) -> list[str]:
    """The folders the environment's loader looks in, in order."""
    loader = env.loader
    return list(loader.searchpath) if isinstance(loader, jinja2.FileSystemLoader) else ["templates"]
