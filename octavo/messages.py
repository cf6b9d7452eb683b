"""A warning or error (a log record, a BuildError, a check finding) -> a Message with a short stable code,
the file and the line it points at: what --json reports and GitHub shows as an annotation.

The codes live here, in one registry, rather than at each call site: a message is matched by its text, with
`{}` standing for the parts that vary. tests/test_messages.py reads every message in the package's source and
fails when one has no code, so a new message cannot ship without one. Codes are part of the interface:
never rename one; add a new one instead.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import cache
from typing import Protocol, cast

from octavo.errors import BuildError


@dataclass(frozen=True)
class Message:
    """One warning or error a command reported, as --json and GitHub annotations show it."""

    level: str
    """'warning' or 'error'."""
    code: str
    """A short stable name for the kind of message, e.g. 'heading-level-skip' (the registry below)."""
    message: str
    """What it says, without the file and line in front."""
    file: str | None = None
    """The file it points at, as the console shows it; None when it is about no file."""
    line: int | None = None
    """The line in that file, from 1; None when not known."""

    def __str__(self) -> str:
        """As the console says it: 'content/01-x.md:14: heading level skips ...'."""
        where = f"{self.file}:" + (f"{self.line}:" if self.line is not None else "") + " " if self.file else ""
        return where + self.message


#: Our log messages (the text after any "file:line: " in front), most specific first.
LOG_CODES: tuple[tuple[str, str], ...] = (
    ("heading level skips from {} to {}; use {}", "heading-level-skip"),
    ("a second '#' heading inside a chapter; sections use '##'", "second-chapter-title"),
    ("id '{}' is already used earlier in the book; this heading gets '{}' instead{}", "duplicate-id"),
    ("chapter file '{}' is not listed in 'chapters', so it is left out of the book", "chapter-not-listed"),
    ("a line ends too early on page {} (it {}){}", "line-ends-too-early"),
    ("pandoc: {}", "pandoc-warning"),
    ("citation key '{}' is defined twice (first in {}){}", "citation-key-twice"),
    ("a code line does not fit the measure on page {} and wraps without a mark{}", "code-wrapped-unmarked"),
    ("a code line of {} characters does not fit the print measure of {}{}", "code-line-too-long"),
    # layout (issue 16): the layout check of every page (octavo/pdf/layoutcheck.py)
    ("the heading '{}' ends {} with no text after it{}", "layout-heading-at-foot"),
    ("an orphan at the foot of {}: the first line of a paragraph alone{}", "layout-orphan"),
    ("a widow at the top of {}: the last line of a paragraph alone{}", "layout-widow"),
    ("{} is {} full, before the chapter ends{}", "layout-short-page"),
    ("the chapter ends on {} with {} line(s) on it{}", "layout-chapter-end"),
    ("a line is {} pt wider than the text block on {}{}", "layout-overflow"),
    ("{} hyphenated lines in a row on {}{}", "layout-hyphen-ladder"),
    ("the last line of {}, a recto, ends with a broken word{}", "layout-recto-hyphen"),
    ("figure '{}' is on {}, {} pages {} its first reference on {}{}", "layout-figure-far"),
    ("removed <{}> from the SVG image: {}", "svg-element-removed"),
    ("removed attribute {} from <{}> in the SVG image: {}", "svg-attribute-removed"),
    ("removed raw HTML <{}>: {}", "raw-html-removed"),
    ("raw HTML <{}> is not an HTML element: it became a <{}{}", "unknown-element"),
    ("raw HTML <{} {}=...>: <{}> has no attribute {} in HTML, so it became data-{}", "unknown-attribute"),
    ("epubcheck: {} message(s), the first {} above; all of them, by message id:", "epubcheck-summary"),
    ("removed attribute {} from <{}>: {}", "attribute-removed"),
    ("{}the EPUB makes no accessibility conformance claim", "no-accessibility-claim"),
    ("page {}: its first words '{}' are not in the EPUB text{}", "page-break-not-found"),
    ("release: SOURCE_DATE_EPOCH is not set{}", "source-date-epoch-unset"),
    ("interrupted; the previous outputs are untouched", "interrupted"),
    ("interrupted after the new outputs were put in place in {}/; they are complete", "interrupted-after-commit"),
    ("{}a build was stopped while putting its outputs in place; completed it", "commit-completed"),
    # The index (octavo/scholarly/)
    ("index mark {}: '{}' is no entry of the index{}", "index-see-unknown"),
    ("the index's page numbers still changed after {} layouts{}", "index-pages-unstable"),
    # parts (issue 18): the PDFs laid out in parts (octavo/pdf/parallel.py)
    ("the page numbers printed across the book's parts still changed after {} rounds{}", "parts-pages-unstable"),
    # code: octavo import (mdBook, Quarto, pandoc)
    ("unknown mdBook expression {{#{}}}: left as written", "import-unknown-expression"),
    ("{{#{} {}}} names a file outside the book's folder and its repository: left as written", "import-include-outside"),
    ("{{#{} {}}}: {} has no anchor '{}' (ANCHOR: {} ... ANCHOR_END: {})", "import-include-no-anchor"),
    ("{{#{} {}}}: cannot read {} ({}): left as written", "import-include-unreadable"),
    ("includes nested more than {} deep (a file including itself?); the rest is left as written",
     "import-include-too-deep"),
    ("link to '{}' {}: its text is kept, unlinked (--site-url URL makes such links absolute)", "import-link-unlinked"),
    ("link to '{}' {}: it now goes to {}", "import-link-absolute"),
    ("no authors in [book]: book.yaml names 'Unknown'; set them there", "import-no-authors"),
    ("no author: book.yaml names 'Unknown'; set the authors there", "import-no-authors"),
    ("this heading would be deeper than '######' as a section of its chapter: kept at level 6",
     "import-heading-too-deep"),
    ("image '{}' not found in {}/", "import-image-not-found"),
    ("'{}' is inside a chapter left out, so it is left out too", "import-page-left-out"),
    ("draft chapter '{}' (no file) is left out", "import-draft-chapter"),
    ("page '{}' does not exist: left out", "import-page-missing"),
    ("chapter '{}' does not exist: left out", "import-page-missing"),
    ("this line of SUMMARY.md is no chapter, part title or separator: left out", "import-summary-line"),
    ("executable {} cell shown as code: Octavo does not run code (render its output with Quarto first)",
     "import-executable-cell"),
    ("executable {} cell with echo: false left out: Octavo does not run code (render its output with Quarto first)",
     "import-executable-cell"),
    ("{} '{}' is not in the project: {}", "import-link-unlinked"),
    ("front matter {} left out (Octavo's chapters take title and kind)", "import-front-matter"),
    ("Quarto shortcode {{< {} >}} is not carried over: left out", "import-shortcode"),
    ("{{< include {} >}}: no such file; left out", "import-include-unreadable"),
    ("fenced div {} is not carried over: its contents are kept", "import-fenced-div"),
    ("date '{}' is not YYYY[-MM[-DD]]: left out of book.yaml", "import-date"),
    ("'{}: {}' is kept as a comment in book.yaml: this version of Octavo cannot cite yet", "import-citations-aside"),
    ("{} file '{}' not found", "import-bibliography-missing"),
    ("part '{}' is a file: its title is kept, its text is left out", "import-part-file"),
    ("{} code line(s) are longer than the {} characters the widest trim ({}) holds: the print edition wraps them, "
     "with a warning each; shorten them in the source", "import-code-too-wide"),
)

#: Our BuildErrors: (the class or a base class, the message), most specific first.
ERROR_CODES: tuple[tuple[str, str, str], ...] = (
    # The command line
    ("UsageError", "unknown target '{}'{}", "unknown-target"),
    ("UsageError", "release needs the version it publishes{}", "release-version-missing"),
    ("UsageError", "release version '{}' is not 'v' followed by a semantic version{}", "release-version-invalid"),
    ("UsageError", "release got two versions{}", "release-version-twice"),
    ("UsageError", "{}/ holds files that are not part of release {}", "release-folder-not-empty"),
    ("BuildError", "{} names the output files, so it may hold only letters, digits and . _ + -{}",
     "not-a-file-name"),
    ("UsageError", "new needs a folder to create{}", "new-needs-path"),
    ("UsageError", "{} is a file; give a new folder name{}", "new-path-is-a-file"),
    ("UsageError", "{}/ is not empty; give a new folder name{}", "new-path-not-empty"),
    ("UsageError", "no {} in {}/ or {}/ ({} new PATH starts a book)", "no-book"),
    ("UsageError", "give either PATH or --content, not both{}", "path-and-content"),
    ("UsageError", "SOURCE_DATE_EPOCH must be a number of seconds{}", "source-date-epoch-invalid"),
    ("UsageError", "no folder {}/ to watch{}", "watch-no-folder"),
    # code: octavo import
    ("UsageError", "no {} to import", "import-no-source"),
    ("UsageError", "no SUMMARY.md in {}/: is {} an mdBook project?", "import-not-mdbook"),
    ("UsageError", "no book.toml in {}/: give the folder of an mdBook project", "import-not-mdbook"),
    ("UsageError", "no _quarto.yml in {}/: give a Quarto book's folder, or a pandoc manuscript (.md)",
     "import-not-quarto"),
    ("UsageError", "{} is a file; give a folder to import into with --to DIR", "import-target-is-a-file"),
    ("UsageError", "{}/ is not empty and holds no earlier import ({}); give a new or empty folder with --to DIR",
     "import-target-not-empty"),
    ("ContentError", "book.toml is not valid TOML: {}", "import-toml-syntax"),
    ("ContentError", "_quarto.yml has no 'book: chapters:' list: is this a Quarto book?", "import-not-quarto"),
    ("ContentError", "not valid YAML: {}", "yaml-syntax"),
    ("UsageError", "cannot listen on {}; choose another port with --port {}", "port-unavailable"),
    # The installation
    ("InstallationError", "style file '{}' not found in {}", "style-file-missing"),
    ("InstallationError", "{} installed, but Octavo {} reaches into {}", "engine-version"),
    # book.yaml
    ("BuildError", "no {} in {}/: create one{}", "no-book"),
    ("BuildError", "'date' {} is not a date in the calendar{}", "date-not-calendar"),
    ("BuildError", "chapter '{}' is listed twice in 'chapters'{}", "chapter-listed-twice"),
    ("BuildError", "a part needs a title and its chapters{}", "part-malformed"),
    ("BuildError", "a chapter in several files is {file: {}", "chapter-entry-malformed"),
    ("BuildError", "'chapters' lists files (or parts and chapters with sections), not {}", "chapter-entry-malformed"),
    ("BuildError", "'{}' has no 'regular' font{}", "font-regular-missing"),
    ("BuildError", "'{}' file '{}' is not a TrueType or OpenType font{}", "not-a-font"),
    ("BuildError", "'embed_fonts' is true, but font file '{}' may not be embedded{}", "font-embedding-forbidden"),
    ("BuildError", "not valid YAML{}", "yaml-syntax"),
    ("BuildError", "must be a mapping of keys to values{}", "config-not-a-mapping"),
    ("BuildError", "unknown key '{}'{}", "unknown-key"),
    ("BuildError", "'{}' is required (for example {})", "required-key"),
    ("BuildError", "'date' must be YYYY, YYYY-MM or YYYY-MM-DD{}", "invalid-date"),
    ("BuildError", "'{}' must be an ISBN-13 or a URN{}", "invalid-identifier"),
    ("BuildError", "'{}' {} is not a valid ISBN-13 (its check digit is wrong)", "isbn-check-digit"),
    ("BuildError", "'language' is not a BCP 47 language tag{}", "invalid-language"),
    ("BuildError", "'print.trim' cannot be read{}", "invalid-trim"),
    ("BuildError", "'print.bleed' must be a length{}", "invalid-bleed"),
    ("BuildError", "'print.crop_marks' is for generic proofs{}", "crop-marks-refused"),
    ("BuildError", "'print.{}' must be one of {}", "invalid-choice"),
    ("BuildError", "'crossref.numbering' must be one of {}", "invalid-choice"),
    ("BuildError", "'{}' must be {}, not {}", "wrong-type"),
    # layout (issue 16): book.yaml checks: (octavo/pagechecks.py)
    ("BuildError", "unknown check '{}'{}", "unknown-check"),
    ("BuildError", "'checks' must be a mapping of check names to {skip: reason}{}", "checks-malformed"),
    ("BuildError", "'{}' must be {skip: reason}{}", "checks-malformed"),
    ("BuildError", "'paragraphs' must be one of {}", "invalid-paragraphs"),
    ("BuildError", "'hyphenation' must be a mapping with one key{}", "hyphenation-malformed"),
    ("BuildError", "'hyphenation.exceptions' must be a list of words{}", "hyphenation-malformed"),
    ("BuildError", "no chapters: {}", "no-chapters"),
    ("BuildError", "chapter '{}' is listed in 'chapters' but does not exist", "chapter-not-found"),
    ("BuildError", "'{}' file '{}' does not exist", "file-not-found"),
    ("BuildError", "{}keep every file of the book inside it", "file-outside-book"),
    # Citations and the bibliography (octavo/citeconfig.py, octavo/scholarly/)
    ("BuildError", "'bibliography' file '{}' is not BibTeX (.bib), CSL-JSON (.json) or CSL-YAML (.yaml)",
     "bibliography-format"),
    ("BuildError", "'csl' style '{}' is not one Octavo ships{}", "csl-style-unknown"),
    ("BuildError", "'csl' style '{}' is a note style{}", "csl-note-style"),
    ("BuildError", "'nocite' key '{}' is not in the bibliography{}", "nocite-key-unknown"),
    ("ContentError", "citation '@{}' is not in the bibliography{}", "citation-key-unknown"),
    ("ContentError", "citation {} but book.yaml has no 'bibliography'{}", "citation-without-bibliography"),
    ("ContentError", "the abstract cites @{}: citations are formatted in the chapters only{}", "citation-in-abstract"),
    ("ContentError", "the bibliography does not parse: {}", "bibliography-syntax"),
    ("ContentError", "the bibliography is not valid CSL-JSON: {}", "bibliography-syntax"),
    ("ContentError", "the bibliography is not valid CSL-YAML: {}", "bibliography-syntax"),
    ("ContentError", "the bibliography must be {}", "bibliography-not-a-list"),
    ("ContentError", "the citations could not be formatted: {}", "citations-not-formatted"),
    ("InstallationError", "pandoc, the citation processor, is not installed{}", "pandoc-missing"),
    ("InstallationError", "pandoc did not finish in {} s", "pandoc-timeout"),
    # Chapters and what they refer to
    # Numbered figures, tables, listings, equations and cross-references (octavo/scholarly)
    ("ContentError", "reference to '@{}', but no {} has that label{}", "crossref-unknown-label"),
    ("ContentError", "label '{}' is already used at {}; a label names one figure, table, listing or equation{}",
     "crossref-duplicate-label"),
    ("ContentError", "the formula {} cannot be typeset: {}", "formula-not-typeset"),
    ("ContentError", "front matter must be a mapping{}", "front-matter-not-a-mapping"),
    ("ContentError", "the front matter is {} characters long, more than the {} it may take{}", "front-matter-size"),
    ("ContentError", "front matter: {}", "front-matter-refused"),
    ("ContentError", "id '{}' is already used{}; ids must be unique in the whole book{}", "id-duplicate"),
    ("ContentError", "a data: URL of {} characters: an image belongs in a file of its own{}", "data-url-too-large"),
    ("ContentError", "the chapter is {} characters long, more than the {} a chapter may be{}", "chapter-too-large"),
    ("ContentError", "{} '{}' refused: a data: URL may hold only a PNG, JPEG, GIF or WebP image{}",
     "data-url-not-raster"),
    ("ContentError", "{} '{}' is too large: {} megapixels, more than the {} a book's image may have{}",
     "image-too-large"),
    ("ContentError", "a table of {} rows and {} cells is larger than a book's table may be{}", "table-too-large"),
    ("ContentError", "elements are nested more than {} deep{}", "nesting-too-deep"),
    ("ContentError", "raw HTML has an element name longer than {} characters{}", "name-too-long"),
    ("ContentError", "raw HTML has an attribute name longer than {} characters{}", "name-too-long"),
    ("ContentError", "the {} attribute of <{}> is {} characters long, more than the {} an attribute may hold{}",
     "attribute-too-large"),
    ("ContentError", "{} '{}' refused: {}; export the SVG with its images and styles embedded",
     "svg-reference-refused"),
    ("ContentError", "declares entities (<!ENTITY ...>){}", "svg-entities"),
    ("ContentError", "uses the entity &{};{}", "svg-entities"),
    ("ContentError", "front matter is not valid YAML{}", "front-matter-yaml"),
    ("ContentError", "unknown kind '{}' in front matter{}", "unknown-chapter-kind"),
    ("ContentError", "the chapter is empty{}", "empty-chapter"),
    ("ContentError", "no title: {}", "no-chapter-title"),
    ("ContentError", "{} has no text: write its words{}", "empty-heading"),
    ("ContentError", "image '{}' has no alt text{}", "missing-alt-text"),
    ("ContentError", "link to '#{}', but no heading or anchor has that id", "broken-link"),
    ("ContentError", "link to '{}', but no heading or anchor has that id", "broken-link"),
    ("ContentError", "link to '{}', but {} has no heading or anchor with that id", "link-anchor-missing-in-file"),
    ("ContentError", "link to '{}', which is no chapter or section file of the book{}", "link-not-a-book-file"),
    ("ContentError", "unknown front matter key '{}'{}", "front-matter-unknown-key"),
    ("ContentError", "front matter '{}' must be {}", "front-matter-wrong-type"),
    ("ContentError", "a section file has no front matter of its own{}", "section-file-front-matter"),
    ("ContentError", "a section file starts with a '##' heading{}", "section-file-heading"),
    ("ContentError", "link to '{}' cannot work in a book{}", "unsupported-link"),
    ("ContentError", "footnote [^{}] has no definition{}", "undefined-footnote"),
    ("ContentError", "index mark {}: {}", "index-mark-malformed"),  # the index (octavo/scholarly/indexterms.py)
    ("ContentError", "remote image '{}' cannot go into the EPUB{}", "remote-image-in-epub"),
    ("ContentError", "remote {} '{}' refused{}", "remote-refused"),
    ("ContentError", "{} '{}' refused: '{}:' URLs are not allowed{}", "url-scheme-refused"),
    ("ContentError", "{} has no file name{}", "no-file-name"),
    ("ContentError", "{} '{}' not found (paths are relative to the publication folder)", "image-not-found"),
    ("ContentError", "{}; copy the file into the folder (images/) and refer to it from there", "file-outside-book"),
    ("ContentError", "{} '{}': use PNG, JPEG, GIF, WebP or SVG{}", "unsupported-image-format"),
    ("ContentError", "{} '{}' is a {} file with a {} name{}", "image-type-mismatch"),
    ("ContentError", "{} '{}' is not {}SVG file{}", "invalid-svg"),
    ("ContentError", "{} '{}' cannot be read as an image{}", "unreadable-image"),
    ("ContentError", "<{} rel=\"attachment\"> is refused{}", "attachment-refused"),
    ("ContentError", "invisible control character U+{}", "control-character"),
    ("ContentError", "not UTF-8: {}", "not-utf8"),
    ("ContentError", "cannot be read: {}", "unreadable-file"),
    ("ContentError", "could not fetch {}: {}", "fetch-failed"),
    ("ContentError", "{} error(s) reported above while rendering{}", "render-errors"),
    # pdf.layout: a RefusedResource's reason (pdf/fetch.py) and its URL
    ("ContentError", "remote resource refused (set allow_remote: true in book.yaml to allow it): {}",
     "resource-refused"),
    ("ContentError", "file outside the publication folder refused: {}", "resource-refused"),
    ("ContentError", "file not found: {}", "resource-refused"),
    ("ContentError", "'{}:' URLs are not allowed: {}", "resource-refused"),
    ("ContentError", "changed while the book was being built{}", "input-changed-during-build"),
    ("ContentError", "a file's time changed while the book was being built{}", "input-changed-during-build"),
    ("ContentError", "{} changed while the book was being built{}", "engine-changed-during-build"),
    ("ContentError", "the book changed while it was being built{}", "input-changed-during-build"),
    ("BuildError", "{} warning(s) and --strict is on{}", "strict-warnings"),
    # merge (issue 18): the parts' PDFs into one (octavo/pdf/merge.py)
    ("ContentError", "a link to '#{}' leads to no part of the book", "part-link-unresolved"),
    # Templates, fonts
    ("TemplateError", "template syntax error: {}", "template-syntax"),
    ("TemplateError", "template '{}' not found in {}", "template-not-found"),
    ("TemplateError", "undefined variable: {}", "template-undefined"),
    ("TemplateError", "template error: {}", "template-error"),
    ("FontError", "and {} more character(s) that no font tried can draw; {}", "font-missing-character"),
    ("FontError", "{}", "font-missing-character"),  # one kind; its message is built in pdf.fonts
    # Outputs
    ("OutputError", "nothing to check in {}", "nothing-to-check"),
    ("OutputError", "{} problem(s) found in {}", "check-failed"),
    ("OutputError", "epubcheck could not run{}", "epubcheck-not-run"),
    ("OutputError", "epubcheck could not check {}: {}", "epubcheck-not-run"),
    ("OutputError", "the EPUB would be invalid: {}; no EPUB was written{}", "epub-content-model"),
    ("OutputError", "could not make well-formed XHTML: {}", "xhtml-not-well-formed"),
    ("OutputError", "cannot write the outputs into {}/: {}", "output-folder-unwritable"),
    ("OutputError", "cannot write into {}", "output-not-writable"),
    ("OutputError", "cannot be written: {}", "output-not-writable"),
    ("OutputError", "cannot replace the previous file: {}", "output-not-replaced"),
    # layout (issue 16): octavo diff
    ("UsageError", "diff: {} does not exist{}", "diff-no-such-file"),
    ("OutputError", "diff: {} cannot be read as a PDF{}", "diff-not-a-pdf"),
    # layout (issue 16): octavo check --against OLD.pdf
    ("OutputError", "--against: {} does not exist: build the print edition first ({} build print)",
     "against-not-built"),
)

#: What `check` finds in a PDF (check.preflight_pdf, check.page_count); epubcheck's own get its message id.
FINDING_CODES: tuple[tuple[str, str], ...] = (
    ("page {}: TrimBox {}", "pdf-trim-box"),
    ("page {}: MediaBox {}", "pdf-media-box"),
    ("font {} is not embedded", "pdf-font-not-embedded"),
    ("not identified as PDF/X-4{}", "pdf-not-pdf-x"),
    ("no PDF/X output intent{}", "pdf-no-output-intent"),
    ("bookmarks present{}", "pdf-bookmarks"),
    ("annotations (links) present in a print file", "pdf-print-links"),
    ("colour other than K (single-ink black) drawn on page(s) {}", "pdf-print-colour"),  # code: highlighting
    ("not identified as PDF/UA-1{}", "pdf-not-pdf-ua"),
    ("not tagged{}", "pdf-not-tagged"),
    ("no pages", "pdf-no-pages"),
    ("cannot be read as a PDF{}", "pdf-unreadable"),
    ("{} pages; {} accepts {} to {} pages{}", "page-count-limit"),
    ("{} pages, an odd number{}", "page-count-odd"),
    ("the last page is not blank{}", "last-page-not-blank"),
    # the Kindle check (octavo/epub/kindle.py), area epub
    ("Kindle: no cover image{}", "kindle-no-cover"),
    ("Kindle: the cover is {} pixels; Kindle takes {}", "kindle-cover-size"),
    ("Kindle: the cover is {} pixels; Kindle's ideal is {}", "kindle-cover-ideal"),
    ("Kindle: no contents{}", "kindle-no-contents"),
    ("Kindle: the contents entry '{}' links to {}, which is not in the EPUB", "kindle-contents-link"),
    ("Kindle: no NCX{}", "kindle-no-ncx"),
    ("Kindle: the NCX nests {} levels deep{}", "kindle-ncx-depth"),
    ("Kindle: {}: the link '{}' cites a page number{}", "kindle-page-number"),
    ("Kindle: {}: hidden text '{}': a Kindle book shows all its text", "kindle-hidden-text"),
    ("Kindle: {}: color: {} fixes the text's colour{}", "kindle-text-colour"),
    ("Kindle: {}: position: {} is not supported{}", "kindle-position"),
)

#: "content/01-x.md:14: ..." in front of a log message: a file name (it holds a dot or a slash), maybe a line.
_WHERE = re.compile(r"^(?P<file>[^\s:]*[./][^\s:]*?)(?::(?P<line>\d+))?: ")
#: epubcheck's findings start with its message id (check.epubcheck): "RSC-005 OEBPS/x.xhtml(3,4): ...".
_EPUBCHECK_ID = re.compile(r"^([A-Z]{3}-\d{3}[a-z]?) ")


@cache
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile("(?:.*?)".join(re.escape(part) for part in pattern.split("{}")), re.DOTALL)


def _find(text: str, table: tuple[tuple[str, str], ...]) -> str | None:
    return next((code for pattern, code in table if _regex(pattern).fullmatch(text)), None)


def log_code(text: str) -> str | None:
    """The code of one of our log messages (without its file and line in front), or None."""
    return _find(text, LOG_CODES)


def registered_code(error: BuildError) -> str | None:
    """The code ERROR_CODES gives a BuildError, or None."""
    classes = {cls.__name__ for cls in type(error).__mro__}
    return _find(error.message, tuple((pattern, code) for cls, pattern, code in ERROR_CODES if cls in classes))


def error_code(error: BuildError) -> str:
    """The code of a BuildError; an unknown one gets its class's name ('content-error')."""
    return registered_code(error) or _kebab(type(error).__name__)


def split_where(text: str) -> tuple[str | None, int | None, str]:
    """'content/01-x.md:14: words' -> ('content/01-x.md', 14, 'words'); text without a file is kept whole."""
    match = _WHERE.match(text)
    if not match:
        return None, None, text
    line = match.group("line")
    return match.group("file"), int(line) if line else None, text[match.end():]


def message_from_error(error: BuildError, level: str = "error") -> Message:
    """A BuildError as a Message: its own path and line."""
    path = None if error.path is None else str(error.path)
    return Message(level, error_code(error), error.message, path, error.line)


def message_from_record(record: logging.LogRecord) -> Message:
    """A log record as a Message: a BuildError or check finding logged as '%s' keeps its code and place."""
    level = "error" if record.levelno >= logging.ERROR else "warning"
    subject = record.args[0] if isinstance(record.args, tuple) and len(record.args) == 1 else None
    if record.msg == "%s" and isinstance(subject, BuildError):
        return message_from_error(subject, level)
    if record.msg == "%s" and type(subject).__name__ == "Finding":
        return _from_finding(cast(_Finding, subject), level)
    if record.name.startswith("weasyprint"):
        return Message(level, "weasyprint", record.getMessage())
    file, line, text = split_where(record.getMessage())
    return Message(level, log_code(text) or _kebab(record.name.replace(".", "-")), text, file, line)


class _Finding(Protocol):
    """check.Finding, which this module does not import (check imports the engines' readers)."""

    file: str
    severity: str
    message: str


def _from_finding(finding: _Finding, level: str) -> Message:
    """check.Finding: epubcheck's message id, or the preflight's kind; its file is the output's name."""
    text, file = finding.message, finding.file
    if finding.severity != "FAIL" and (match := _EPUBCHECK_ID.match(text)):
        return Message(level, "epubcheck-" + match.group(1).lower(), text, file)
    default = "epub-structure" if file.endswith(".epub") else "pdf-preflight"
    return Message(level, _find(text, FINDING_CODES) or default, text, file)


def _kebab(name: str) -> str:
    """'ContentError' -> 'content-error'."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", name).lower()
