"""Frozen data passed between the stages: BookMeta -> Book (Chapters, Headings, Footnotes)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from octavo.bookfonts import BookFonts
from octavo.citeconfig import Citations
from octavo.errors import UsageError
from octavo.resources import STYLES, TEMPLATES, Resources

#: Points per inch; every length in the model is in PostScript points.
PT_PER_IN = 72.0


class Edition(str, Enum):
    """One of the three books a build writes (str-valued: `Edition.PRINT == "print"`, and it formats as 'print')."""

    PRINT = "print"
    """The printer's PDF/X-4: CMYK, bleed, no links."""
    SCREEN = "screen"
    """The reader's PDF/UA-1: tagged, RGB, live links."""
    EPUB = "epub"
    """The EPUB 3."""

    def __str__(self) -> str:
        return self.value


#: The PDF editions, in build order (and the order SHA256SUMS lists them).
PDF_EDITIONS = (Edition.PRINT, Edition.SCREEN)


class Target(str, Enum):
    """What a build is asked to make: 'pdf' is both PDF editions, 'print' or 'screen' one of them."""

    PDF = "pdf"
    PRINT = "print"
    SCREEN = "screen"
    EPUB = "epub"

    def __str__(self) -> str:
        return self.value

    @classmethod
    def parse(cls, name: str) -> tuple[Target, ...]:
        """A command-line target -> the targets it means: 'all' -> pdf and epub, 'epub' -> epub, ..."""
        if name == "all":
            return TARGETS
        try:
            return (cls(name),)
        except ValueError:
            choices = ", ".join(["all", *(t.value for t in cls)])
            raise UsageError(f"unknown target '{name}'; use one of {choices}") from None


#: What `build` makes by default.
TARGETS = (Target.PDF, Target.EPUB)


def targets_for(name: str) -> tuple[Target, ...]:
    """The same as `Target.parse(name)`: for the command line, which has target names as strings."""
    return Target.parse(name)


@dataclass(frozen=True)
class BuildOptions:
    """What to build, from where, to where (here rather than in pipeline.py so that the command line can
    decide that nothing needs building without importing a single engine)."""

    content: Path
    """The publication folder (book.yaml and chapters)."""
    out: Path
    """The output folder."""
    targets: tuple[Target, ...] = TARGETS
    """Any of Target.PDF (both PDF editions), PRINT, SCREEN, EPUB (the strings 'pdf', ... are converted)."""
    version: str | None = None
    """Release version shown in the book and its metadata."""
    templates: Path = TEMPLATES
    """The default Jinja templates (Octavo's own)."""
    styles: Path = STYLES
    """The default CSS, fonts and ICC profile (Octavo's own)."""
    overrides: tuple[Path, ...] = ()
    """Folders searched before the defaults, in order: a file in <folder>/templates/ or <folder>/styles/
    replaces the default of the same relative name (the command line passes the content folder, then the
    project folder)."""
    strict: bool = False
    """Fail on any warning, ours or WeasyPrint's, before an output replaces the previous one."""

    def __post_init__(self) -> None:
        # Callers may pass the strings the command line has ('pdf', 'epub'); the options hold Targets.
        object.__setattr__(self, "targets", tuple(Target(t) for t in self.targets))

    @property
    def resources(self) -> Resources:
        """The template and style search paths: the overrides that exist, then the defaults."""
        return Resources.search(self.overrides, self.templates, self.styles)

    @property
    def editions(self) -> tuple[Edition, ...]:
        """The PDF editions asked for, in build order."""
        return tuple(e for e in PDF_EDITIONS if Target.PDF in self.targets or Target(e.value) in self.targets)

    @property
    def epub(self) -> bool:
        """Whether the EPUB is asked for."""
        return Target.EPUB in self.targets


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
    layout: str = "auto"
    """'parts' (the PDFs laid out in parts, in parallel, pdf/parts.py), 'single' (one layout), or 'auto' (parts
    for a long book)."""


@dataclass(frozen=True)
class Part:
    """A part of the book (book.yaml `{part: "Part I: ...", chapters: [...]}`): consecutive chapters."""

    title: str
    """Its title as written ("Part I: Foundations")."""
    first: int
    """Index of its first chapter."""
    count: int
    """How many chapters it holds."""

    @property
    def id(self) -> str:
        """Anchor and EPUB file name of its title page."""
        return f"part-{self.first}"


@dataclass(frozen=True)
class CrossrefSettings:
    """book.yaml `crossref:`: how figures, tables, listings and equations are numbered and referred to."""

    per_chapter: bool = True
    """'Figure 3.2' (numbered within each chapter), else 'Figure 7' (numbered through the book)."""
    pages: bool = True
    """Whether a reference in the PDFs says on which page its target is ('Figure 3.2 on page 47')."""
    list_of_figures: bool = False
    """Whether the front matter lists the figures (after the contents)."""
    list_of_tables: bool = False
    """Whether the front matter lists the tables (after the contents)."""


@dataclass(frozen=True)
class Numbered:
    """A labelled figure, table, listing or equation, as references and the lists of figures name it."""

    kind: str
    """'fig', 'tbl', 'lst' or 'eq': the prefix of its label."""
    id: str
    """Its label, which is its anchor id ('fig:map')."""
    number: str
    """Its number as printed: '3.2' (per chapter) or '7' (through the book)."""
    caption_html: str
    """Its caption as inline HTML, without the number; '' when it has none."""
    chapter: str
    """The id of the chapter it is in."""
    front: bool = False
    """Whether it is in the front matter (whose pages are numbered i, ii, ...)."""


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
    fonts: BookFonts = field(default_factory=BookFonts)
    """The book's own fonts (book.yaml `fonts:`); empty when it brings none."""
    embed_fonts: bool = False
    """Whether the EPUB carries the book's fonts (book.yaml `embed_fonts:`); else the reader's font is used."""
    abstract: str | None = None
    """An abstract (Markdown), set after the title page."""
    dedication: str | None = None
    """A dedication, on a page of its own in the front matter."""
    thanks: str | None = None
    """Acknowledgement of support (pandoc's `thanks`), on the title page below the authors."""
    affiliations: tuple[str, ...] = ()
    """Each author's affiliation ('' for none), in the order of `authors`; empty when no author has one."""
    sections: tuple[tuple[Path, ...], ...] = ()
    """For each chapter, the files of its further sections (each starting with '##'); empty when none has any."""
    parts: tuple[Part, ...] = ()
    """The parts grouping the chapters, in order (none when book.yaml lists no part)."""
    crossref: CrossrefSettings = field(default_factory=CrossrefSettings)
    """How figures, tables, listings and equations are numbered and referred to (book.yaml `crossref:`)."""
    citations: Citations = field(default_factory=Citations)
    """The bibliography files, the CSL style and the keys listed though never cited (book.yaml)."""
    checks_off: tuple[tuple[str, str], ...] = ()
    """(check, reason) for each layout check book.yaml `checks:` switches off (octavo/pagechecks.py)."""
    paragraphs: str = "greedy"
    """book.yaml `paragraphs`: 'even' sets each paragraph's breaks as a whole (pdf/even.py); 'greedy', WeasyPrint's."""
    hyphenation_exceptions: tuple[str, ...] = ()
    """book.yaml `hyphenation: {exceptions: [...]}`: words never broken ('Octavo'), or only where written
    ('peace-keep-ing')."""

    def edition_id(self, edition: Edition) -> str:
        """A stable URN for one edition: the print PDF carries it as its XMP DocumentID."""
        return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{self.identifier}#{edition}')}"

    @property
    def page_source(self) -> str:
        """The print edition the EPUB's page numbers come from: `print_source` (its ISBN) when given,
        else the print edition's own id, never the EPUB's (that would claim the EPUB is paginated)."""
        return self.print_source or self.edition_id(Edition.PRINT)


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
    file_id: str = ""
    """Name of its EPUB document and manifest item: an XML name (a letter first, ASCII), unique; default `id`."""
    toc_html: str = ""
    """The title as the contents and navigation show it: no ids, no links (default: `title_html`)."""
    epigraph_html: str = ""
    """The epigraph under the title (front matter `epigraph:`), as block HTML; '' when none."""
    part: int | None = None
    """Index of the part (Book.parts) it belongs to, if any."""
    sources: tuple[Path, ...] = ()
    """Every file it is made of: the chapter file, then its section files."""

    def __post_init__(self) -> None:
        if not self.file_id:
            object.__setattr__(self, "file_id", self.id)
        if not self.toc_html:
            object.__setattr__(self, "toc_html", self.title_html)
        if not self.sources:
            object.__setattr__(self, "sources", (self.source,))

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
    "index": "backmatter",  # the book's index (octavo/scholarly/): where the book places it, else made at the end
}

CHAPTER_KINDS = tuple(DIVISIONS)


@dataclass(frozen=True)
class IndexMark:
    """One place in the text marked for the index: `[term]{.index}`, `[UN]{index="United Nations!Charter"}`."""

    anchor: str
    """The id of the marked span, unique in the book: where a locator of the index leads."""
    entry: tuple[str, ...]
    """The entry, then its sub-entries ('United Nations', 'Charter')."""
    see: tuple[str, ...] = ()
    """'see' another entry (index-see): the entry then lists no page of its own."""
    see_also: tuple[str, ...] = ()
    """'see also' another entry (index-seealso)."""
    sort: str = ""
    """How the entry's last level sorts when not as written (index-sort), '' when as written."""
    chapter: str = ""
    """The id of the chapter it is in."""


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
    cleaned: Mapping[str, bytes] = field(default_factory=dict)
    """Image files as the outputs carry them when that is not their bytes on disk (an SVG file, cleaned of
    scripts and checked: content/svg.py), by their path relative to root; the cover's too."""
    abstract_html: str = ""
    """book.yaml's abstract, rendered from Markdown; '' when none."""
    numbered: tuple[Numbered, ...] = ()
    """Every labelled figure, table, listing and equation, in reading order (the lists of figures and tables)."""
    index_marks: tuple[IndexMark, ...] = ()
    """The places marked for the index, in reading order; the book then has an index chapter (kind 'index')."""

    @property
    def parts(self) -> tuple[Part, ...]:
        """The parts grouping the chapters (book.yaml)."""
        return self.meta.parts

    def part_opens(self, index: int) -> Part | None:
        """The part whose first chapter is chapter `index`, if one opens there."""
        return next((p for p in self.meta.parts if p.first == index), None)
