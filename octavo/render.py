"""Stage 2: Book + templates/ -> print HTML (one document) and EPUB XHTML (one per chapter)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import jinja2

from octavo.errors import TemplateError
from octavo.language import labels_for
from octavo.model import Book, Chapter, Footnote
from octavo.pages import roman

EDITIONS = ("print", "screen")
_NOTEREF = re.compile(r'<a class="noteref" id="([^"]+)" href="#([^"]+)"[^>]*>(\d+)</a>')
_LINK = re.compile(r"<a ([^>]*?)href=\"([^\"]*)\"")


@dataclass(frozen=True)
class PageContext:
    """What every template sees: the book, which output it is for, and the build date."""

    book: Book
    """The publication."""
    edition: str
    """'print', 'screen' or 'epub'."""
    modified: dt.datetime
    """Build date (from SOURCE_DATE_EPOCH or the newest source), UTC."""
    generator: str
    """'Octavo x.y.z', written into metadata."""

    @property
    def links(self) -> bool:
        """Whether internal links are live (screen and EPUB; never in print files)."""
        return self.edition != "print"


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
        folders = ", ".join(f"{_shown(folder)}/" for folder in env.loader.searchpath)  # type: ignore[union-attr]
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
    return {
        "page": page, "meta": meta, "chapters": page.book.chapters, "labels": labels_for(meta.language),
        "identifier_label": display_identifier(meta.identifier, labels_for(meta.language)["identifier"]),
        "href": href,
        "link_attr": "href" if page.links else "data-href", "show_notes": page.edition == "epub",
        "note_html": note_html, "paged": page.edition != "epub",
    }


def note_html(note: Footnote) -> str:
    """An EPUB note's body, its number linking back to the call."""
    backlink = f'<a class="note-number" href="#{note.ref_id}" role="doc-backlink">{note.number}.</a> '
    if note.html.startswith("<p>"):
        return "<p>" + backlink + note.html[3:]
    return f"<p>{backlink}</p>{note.html}"


def render_print_html(book: Book, env: jinja2.Environment, edition: str, modified: dt.datetime,
                      generator: str) -> str:
    """The whole book as one HTML document for WeasyPrint (print or screen edition)."""
    page = PageContext(book, edition, modified, generator)
    bodies = [print_chapter_html(chapter, page.links) for chapter in book.chapters]
    return render_template(env, "print.html.j2", bodies=bodies, **common_context(page, lambda id: f"#{id}"))


def print_chapter_html(chapter: Chapter, links: bool) -> str:
    """Chapter HTML for paged media: note calls become inline `float: footnote` notes."""
    notes = {note.id: note for note in chapter.footnotes}
    seen: set[str] = set()

    def inline_note(match: re.Match[str]) -> str:
        note = notes[match.group(2)]
        if note.id in seen:  # a second call to the same note repeats only its number
            return f'<span class="noteref-repeat">{note.number}</span>'
        seen.add(note.id)
        return f'<span class="footnote" id="{note.id}">{_inline(note)}</span>'

    body = _NOTEREF.sub(inline_note, chapter.html)
    return body if links else _LINK.sub(r'<a \1data-href="\2"', body)


def _inline(note: Footnote) -> str:
    """A note's paragraphs as inline content (a float inside a paragraph cannot hold <p>)."""
    parts = re.findall(r"<p>(.*?)</p>", note.html, re.S) or [note.html]
    return "<br />".join(part.strip() for part in parts)


