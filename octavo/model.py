"""Frozen data passed between the stages: BookMeta -> Book (Chapters, Headings, Footnotes)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path

from octavo.resources import STYLES, TEMPLATES

#: Points per inch; every length in the model is in PostScript points.
PT_PER_IN = 72.0

#: What `build` makes by default: 'pdf' is both PDF editions; 'print' or 'screen' is one of them.
TARGETS = ("pdf", "epub")


@dataclass(frozen=True)
class BuildOptions:
    """What to build, from where, to where (here rather than in pipeline.py so that the command line can
    decide that nothing needs building without importing a single engine)."""

    content: Path
    """The publication folder (book.yaml and chapters)."""
    out: Path
    """The output folder."""
    targets: tuple[str, ...] = TARGETS
    """Any of 'pdf' (both PDF editions), 'print', 'screen', 'epub'."""
    version: str | None = None
    """Release version shown in the book and its metadata."""
    templates: Path = TEMPLATES
    """Jinja templates."""
    styles: Path = STYLES
    """CSS, fonts and ICC profile."""
    strict: bool = False
    """Fail on any warning, ours or WeasyPrint's, before an output replaces the previous one."""
    overrides: tuple[Path, ...] = ()
    """The book's own folders, searched in order before the default templates and styles: the content folder,
    then the project folder when it is another (the command line finds them)."""

    @property
    def editions(self) -> tuple[str, ...]:
        """The PDF editions asked for, in build order."""
        return tuple(e for e in ("print", "screen") if "pdf" in self.targets or e in self.targets)


@dataclass(frozen=True)
class PrintSettings:
    """The print edition's page geometry and target printer (book.yaml `print:`)."""

    trim_width: float
    """Trim width in points (6 in = 432 pt)."""
    trim_height: float
    """Trim height in points."""
    bleed: float
    """Bleed beyond the trim in points (0 for none)."""
    printer: str
    """Target printer profile: generic, kdp, ingramspark or lulu."""
    crop_marks: bool
    """Draw crop marks in the bleed (proofs on the generic profile only)."""
    chapter_start: str
    """Where chapters open: 'right' (recto), 'page' (any new page) or 'auto'."""


@dataclass(frozen=True)
class BookMeta:
    """Validated content/book.yaml."""

    title: str
    """The book's title."""
    authors: tuple[str, ...]
    """Authors in display order."""
    language: str
    """BCP 47 language tag, for hyphenation and reading systems."""
    identifier: str
    """ISBN (`isbn:` / 978...) or URN; derived from title and authors when not given."""
    slug: str
    """File-name stem of the outputs, e.g. `un-peacekeeping-diplomacy`."""
    print: PrintSettings
    """Print edition geometry and printer."""
    chapters: tuple[Path, ...]
    """Chapter files in reading order, absolute."""
    short_title: str = ""
    """Title for running heads (book.yaml `short_title`, else the title)."""
    subtitle: str | None = None
    """Optional subtitle."""
    publisher: str | None = None
    """Publisher's name."""
    date: str | None = None
    """Publication date, ISO 8601 (YYYY, YYYY-MM or YYYY-MM-DD)."""
    edition: str | None = None
    """Edition statement, e.g. 'First edition'."""
    version: str | None = None
    """Release version (from --version or a tag), shown in the colophon."""
    rights: str | None = None
    """Rights statement for the copyright page."""
    description: str | None = None
    """A paragraph describing the book (PDF subject, EPUB description)."""
    keywords: tuple[str, ...] = ()
    """Subject keywords."""
    notice: str | None = None
    """A notice printed on the copyright page (e.g. that the text was AI-generated)."""
    cover: Path | None = None
    """Cover image, absolute; None when the EPUB cover is generated."""
    print_source: str | None = None
    """Identifier of the print edition (ISBN) for the EPUB's page list source."""
    allow_remote: bool = False
    """Whether content may load http(s) resources."""

    def edition_id(self, edition: str) -> str:
        """A stable URN for one edition ('print', 'screen'): the print PDF carries it as its XMP DocumentID."""
        return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, self.identifier + '#' + edition)}"

    @property
    def page_source(self) -> str:
        """The print edition the EPUB's page numbers come from: `print_source` (its ISBN) when given,
        else the print edition's own id, never the EPUB's (that would claim the EPUB is paginated)."""
        return self.print_source or self.edition_id("print")


@dataclass(frozen=True)
class Heading:
    """A section heading inside a chapter, for the contents and the navigation."""

    level: int
    """2 for a section, 3 for a subsection (1 is the chapter title)."""
    text: str
    """Plain text of the heading."""
    html: str
    """Inline HTML of the heading (emphasis kept)."""
    id: str
    """Anchor id, unique in the whole book."""


@dataclass(frozen=True)
class Footnote:
    """A Markdown footnote, numbered per chapter."""

    number: int
    """Its number within the chapter, from 1."""
    id: str
    """Anchor id of the note, unique in the whole book."""
    ref_id: str
    """Anchor id of the (first) call."""
    html: str
    """The note's body as block HTML."""


@dataclass(frozen=True)
class Chapter:
    """One Markdown file, parsed."""

    source: Path
    """The Markdown file, absolute."""
    name: str
    """The file name relative to the content folder, for messages."""
    kind: str
    """preface, introduction, chapter, appendix, afterword, ..."""
    title: str
    """Plain-text title."""
    title_html: str
    """Inline HTML of the title."""
    id: str
    """Anchor id of the chapter opening, unique in the book."""
    number: int | None
    """Chapter number for kind 'chapter', else None."""
    running: str
    """Short title for running heads (front matter `short_title`, else the title)."""
    html: str
    """Body HTML (the title heading removed); notes are `a.noteref` calls."""
    headings: tuple[Heading, ...]
    """Section headings in order."""
    footnotes: tuple[Footnote, ...]
    """Footnotes in call order."""
    images: tuple[str, ...] = ()
    """Image paths relative to the content folder, in order of appearance."""
    remote: tuple[str, ...] = ()
    """Remote URLs the chapter loads; only ever set when book.yaml has `allow_remote: true`."""

    @property
    def division(self) -> str:
        """frontmatter, bodymatter or backmatter."""
        return DIVISIONS.get(self.kind, "bodymatter")


#: Which part of the book each chapter kind belongs to.
DIVISIONS = {
    "foreword": "frontmatter",
    "preface": "frontmatter",
    "acknowledgments": "frontmatter",
    "introduction": "bodymatter",
    "prologue": "bodymatter",
    "chapter": "bodymatter",
    "conclusion": "bodymatter",
    "epilogue": "bodymatter",
    "afterword": "backmatter",
    "appendix": "backmatter",
    "glossary": "backmatter",
    "bibliography": "backmatter",
}

CHAPTER_KINDS = tuple(DIVISIONS)


@dataclass(frozen=True)
class Book:
    """The whole publication, ready to render."""

    meta: BookMeta
    """Its metadata."""
    chapters: tuple[Chapter, ...]
    """Chapters in reading order."""
    root: Path
    """The content folder, absolute."""
    images: tuple[str, ...] = field(default=())
    """Every image path used (relative to root), sorted, without duplicates."""
