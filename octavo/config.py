"""content/book.yaml -> a validated, frozen BookMeta; every problem is collected before failing."""

from __future__ import annotations

import datetime as dt
import difflib
import logging
import re
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from octavo.bookfonts import BookFonts, book_fonts, embedding_problems
from octavo.citeconfig import citation_settings
from octavo.errors import BuildError, ConfigError, ContentError, printable
from octavo.model import PT_PER_IN, BookMeta, CrossrefSettings, Part, PrintSettings
from octavo.pagechecks import checks_off
from octavo.paths import inside, is_file_name_part
from octavo.program import program
from octavo.source import read_source
from octavo.typeset import exceptions, paragraphs
from octavo.yamlsafe import YamlProblem, load_yaml

log = logging.getLogger("octavo")

CONFIG_NAME = "book.yaml"

PRINTERS = ("generic", "kdp", "ingramspark", "lulu")
CHAPTER_STARTS = ("auto", "right", "page")
LAYOUTS = ("auto", "parts", "single")

#: Named trim sizes in points (width, height).
TRIM_SIZES = {
    "a4": (595.28, 841.89),
    "a5": (419.53, 595.28),
    "b5": (498.9, 708.66),
    "letter": (612.0, 792.0),
    "us-letter": (612.0, 792.0),
    "us-trade": (432.0, 648.0),
    "royal": (442.2, 663.3),
}
UNITS = {"in": PT_PER_IN, "mm": PT_PER_IN / 25.4, "cm": PT_PER_IN / 2.54, "pt": 1.0}
_LENGTH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(in|mm|cm|pt)\s*$")
_TRIM = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(in|mm|cm|pt)?\s*(?:x|×|\s)\s*(\d+(?:\.\d+)?)\s*(in|mm|cm|pt)\s*$")
# BCP 47 (RFC 5646) language tag, without the rarely used extension and grandfathered forms.
_BCP47 = re.compile(
    r"^[a-zA-Z]{2,3}(-[a-zA-Z]{3}){0,3}(-[a-zA-Z]{4})?(-(?:[a-zA-Z]{2}|\d{3}))?"
    r"(-(?:[a-zA-Z\d]{5,8}|\d[a-zA-Z\d]{3}))*(-x(-[a-zA-Z\d]{1,8})+)?$"
)
_DATE = re.compile(r"^\d{4}(-\d\d(-\d\d)?)?$")


@dataclass(frozen=True)
class Key:
    """One key of the book.yaml schema."""

    kind: str
    """'str', 'list', 'bool', 'map' or 'date'."""
    required: bool = False
    """Whether the key must be present."""
    example: str = ""
    """Shown in the message when a required key is missing."""


SCHEMA: dict[str, Key] = {
    "title": Key("str", True, '"The Role of UN Peacekeeping"'),
    "short_title": Key("str"),
    "subtitle": Key("str"),
    "authors": Key("authors", True, '["Ada Lovelace"]'),
    "language": Key("str", True, '"en"'),
    "identifier": Key("str"),
    "slug": Key("str"),
    "publisher": Key("str"),
    "date": Key("date"),
    "edition": Key("str"),
    "version": Key("str"),
    "rights": Key("str"),
    "description": Key("str"),
    "keywords": Key("list"),
    "notice": Key("str"),
    "cover": Key("str"),
    "abstract": Key("str"),
    "dedication": Key("str"),
    "thanks": Key("str"),
    "chapters": Key("chapters"),
    "print": Key("map"),
    "print_source": Key("str"),
    "allow_remote": Key("bool"),
    "fonts": Key("map"),  # the book's own fonts: octavo/bookfonts.py validates the mapping
    "crossref": Key("map"),  # numbered figures, tables, listings, equations: CROSSREF_SCHEMA
    "embed_fonts": Key("bool"),  # the EPUB carries the fonts (octavo/epub/fonts.py)
    # Citations (octavo/scholarly/): pandoc's and Quarto's own key names, so a manuscript's keys carry over.
    "bibliography": Key("files"),
    "csl": Key("str"),
    "nocite": Key("files"),
    "reference-section-title": Key("str"),
    "link-citations": Key("bool"),
    # layout (issue 16): the page checks switched off (octavo/pagechecks.py validates the mapping)
    "checks": Key("map"),
    "paragraphs": Key("str"),  # greedy or even (octavo/typeset.py)
    "hyphenation": Key("map"),
}
PRINT_SCHEMA: dict[str, Key] = {
    "trim": Key("str"),
    "bleed": Key("str"),
    "printer": Key("str"),
    "crop_marks": Key("bool"),
    "chapter_start": Key("str"),
    "layout": Key("str"),  # parts (issue 18): auto, parts or single (octavo/pdf/parts.py)
}
#: Keys of a chapter's front matter (checked like book.yaml's: an unknown key is an error, with a suggestion).
#: book.yaml `crossref:` (octavo/scholarly): numbering and references of figures, tables, listings, equations.
CROSSREF_SCHEMA: dict[str, Key] = {
    "numbering": Key("str"),  # chapter ("Figure 3.2") or book ("Figure 7")
    "pages": Key("bool"),  # "Figure 3.2 on page 47" in the PDFs
    "list_of_figures": Key("bool"),
    "list_of_tables": Key("bool"),
}
CROSSREF_NUMBERING = ("chapter", "book")

FRONT_MATTER_SCHEMA: dict[str, Key] = {
    "title": Key("str"),
    "short_title": Key("str"),
    "kind": Key("str"),
    "epigraph": Key("epigraph"),
}
#: Keys that belong in book.yaml, not in a chapter (pandoc papers carry them in their front matter).
BOOK_ONLY_KEYS = ("abstract", "dedication", "thanks", "author", "authors", "date", "subtitle", "keywords",
                  "lang", "language", "rights", "description", "publisher", "bibliography", "csl", "nocite",
                  "reference-section-title", "link-citations")
TYPE_NAMES = {"authors": "a list of names (or of {name: ..., affiliation: ...})",
              "chapters": "a list of files",
              "files": "a string or a list of strings", "epigraph": "a string or a mapping with text and source",
              "str": "a string", "list": "a list", "bool": "true or false", "map": "a mapping", "date": "a date"}


class _Problems:
    """Collects configuration problems with their line numbers."""

    def __init__(self, path: Path, lines: dict[str, int]):
        self.path = path
        self.lines = lines
        self.items: list[BuildError] = []

    def add(self, key: str | None, message: str) -> None:
        self.items.append(BuildError(message, self.path, self.lines.get(key or "", None)))


def load_config(root: Path, display_root: Path | None = None, version: str | None = None) -> BookMeta:
    """Read and validate `root/book.yaml`; raise ConfigError listing every problem."""
    path = root / CONFIG_NAME
    shown = (display_root or root) / CONFIG_NAME
    if not path.is_file():
        raise ConfigError([BuildError(f"no {CONFIG_NAME} in {display_root or root}/: create one "
                                      f"({program()} new PATH writes a documented example)", shown)])
    try:
        text = read_source(path, str(shown))
    except ContentError as exc:
        raise ConfigError([exc]) from None
    data, lines = _parse_yaml(text, shown)
    problems = _Problems(shown, lines)
    _check_keys(data, SCHEMA, "", problems)
    meta = _build_meta(data, root, problems, version)
    if problems.items or meta is None:
        raise ConfigError(problems.items)
    return meta


def _parse_yaml(text: str, shown: Path) -> tuple[dict[str, Any], dict[str, int]]:
    """Parse YAML (octavo.yamlsafe), returning the mapping and the line of every key and list item."""
    try:
        data, lines = load_yaml(text)
    except YamlProblem as exc:
        if exc.syntax:
            column = f", column {exc.column}" if exc.column else ""
            raise ConfigError([BuildError(f"not valid YAML{column}: {exc.message}", shown, exc.line)]) from None
        raise ConfigError([BuildError(exc.message, shown, exc.line)]) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError([BuildError("must be a mapping of keys to values (title: ..., authors: ...)", shown, 1)])
    return data, lines


def _check_keys(data: dict[str, Any], schema: dict[str, Key], prefix: str, problems: _Problems) -> None:
    """Report unknown keys (with a suggestion), missing required keys and wrong types."""
    for key in data:
        if key not in schema:
            close = difflib.get_close_matches(str(key), schema, n=1, cutoff=0.6)
            hint = f" (did you mean '{prefix}{close[0]}'?)" if close else f"; known keys: {', '.join(schema)}"
            problems.add(f"{prefix}{key}", f"unknown key '{prefix}{key}'{hint}")
    for key, spec in schema.items():
        name = f"{prefix}{key}"
        if key not in data or data[key] is None:
            if spec.required:
                problems.add(None, f"'{name}' is required (for example {name}: {spec.example})")
            continue
        if not has_type(data[key], spec.kind):
            problems.add(name, f"'{name}' must be {TYPE_NAMES[spec.kind]}, not {_describe(data[key])}")


def has_type(value: Any, kind: str) -> bool:
    if kind == "str":
        return isinstance(value, (str, int, float)) and not isinstance(value, bool)
    if kind == "list":
        return isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "map":
        return isinstance(value, dict)
    if kind == "authors":  # names, or pandoc's {name: ..., affiliation: ...}
        return isinstance(value, list) and bool(value) and all(
            (isinstance(v, str) and v.strip()) or (isinstance(v, dict) and isinstance(v.get("name"), str)
                                                   and v["name"].strip() and set(v) <= {"name", "affiliation"}
                                                   and isinstance(v.get("affiliation", ""), str))
            for v in value)
    if kind == "chapters":
        return isinstance(value, list)  # each entry is checked by _chapters
    if kind == "files":
        return (isinstance(value, str) and bool(value.strip())) or has_type(value, "list")
    if kind == "epigraph":
        return (isinstance(value, str) and bool(value.strip())) or (
            isinstance(value, dict) and isinstance(value.get("text"), str) and set(value) <= {"text", "source"})
    return isinstance(value, (dt.date, str))  # date


def _describe(value: Any) -> str:
    if isinstance(value, list):
        return "a list containing something other than text" if value else "an empty list"
    return {bool: "true/false", dict: "a mapping", int: "a number", float: "a number"}.get(type(value), repr(value))


def _text(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None or not has_type(value, SCHEMA[key].kind if key in SCHEMA else "str"):
        return None
    return str(value).strip() or None


def _build_meta(data: dict[str, Any], root: Path, problems: _Problems, version: str | None) -> BookMeta | None:
    title = _text(data, "title") or ""
    given_authors: list[Any] = data["authors"] if has_type(data.get("authors"), "authors") else []
    authors = tuple((a if isinstance(a, str) else a["name"]).strip() for a in given_authors)
    affiliations = tuple((a.get("affiliation") or "").strip() if isinstance(a, dict) else "" for a in given_authors)
    language = _check_language(data, problems)
    given = data.get("print")
    print_settings = _print_settings(given if isinstance(given, dict) else {}, problems)
    chapters, sections, parts = _chapters(data, root, problems)
    cover = _content_file(data, "cover", root, problems)
    date = _check_date(data, problems)
    identifier = _identifier(data, title, authors, problems)
    source = _text(data, "print_source")
    print_source = _urn(source, "print_source", problems) if source else None
    slug = _file_name_part(data, "slug", problems) or slugify(title)
    book_version = version or _file_name_part(data, "version", problems)
    fonts = book_fonts(data["fonts"], root, problems.add) if isinstance(data.get("fonts"), dict) else BookFonts()
    if data.get("embed_fonts") is True:
        embedding_problems(fonts, root, problems.add)
    citations = citation_settings(data, root, problems.add)
    off = checks_off(data["checks"], problems.add) if isinstance(data.get("checks"), dict) else ()
    breaking = paragraphs(data.get("paragraphs"), problems.add)
    words = exceptions(data.get("hyphenation"), problems.add) if isinstance(data.get("hyphenation"), dict) else ()
    if problems.items or print_settings is None:
        return None
    return BookMeta(
        title=title, authors=authors, language=language, identifier=identifier,
        slug=slug, print=print_settings, chapters=chapters,
        short_title=_text(data, "short_title") or title, subtitle=_text(data, "subtitle"),
        publisher=_text(data, "publisher"), date=date,
        edition=_text(data, "edition"), version=book_version, rights=_text(data, "rights"),
        description=_text(data, "description"),
        keywords=tuple(data.get("keywords") or ()) if isinstance(data.get("keywords"), list) else (),
        notice=_text(data, "notice"), cover=cover, print_source=print_source,
        abstract=_text(data, "abstract"), dedication=_text(data, "dedication"), thanks=_text(data, "thanks"),
        sections=sections, parts=parts, affiliations=affiliations if any(affiliations) else (),
        allow_remote=bool(data.get("allow_remote", False)), fonts=fonts,
        crossref=_crossref(given_crossref if isinstance(given_crossref := data.get("crossref"), dict) else {},
                           problems),
        embed_fonts=bool(data.get("embed_fonts", False)), citations=citations,
        checks_off=off, paragraphs=breaking, hyphenation_exceptions=words,
    )


def _crossref(data: dict[str, Any], problems: _Problems) -> CrossrefSettings:
    """book.yaml `crossref:` -> CrossrefSettings (problems are added; the defaults stand in for what is wrong)."""
    _check_keys(data, CROSSREF_SCHEMA, "crossref.", problems)
    numbering = str(data.get("numbering", "chapter")).strip().lower()
    if numbering not in CROSSREF_NUMBERING:
        close = difflib.get_close_matches(numbering, CROSSREF_NUMBERING, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        problems.add("crossref.numbering", f"'crossref.numbering' must be one of {', '.join(CROSSREF_NUMBERING)}, "
                                           f"not '{numbering}'{hint}")
    return CrossrefSettings(per_chapter=numbering != "book", pages=data.get("pages", True) is not False,
                            list_of_figures=data.get("list_of_figures") is True,
                            list_of_tables=data.get("list_of_tables") is True)


def _file_name_part(data: dict[str, Any], key: str, problems: _Problems) -> str | None:
    """slug and version name the output files: they must not be able to point outside the output folder."""
    value = _text(data, key)
    if value is not None and not is_file_name_part(value):
        problems.add(key, f"'{key}' names the output files, so it may hold only letters, digits and . _ + -, "
                          f"not '{value}'")
        return None
    return value


def _check_language(data: dict[str, Any], problems: _Problems) -> str:
    language = _text(data, "language") or ""
    if language and not _BCP47.match(language):
        problems.add("language", f"'language' is not a BCP 47 language tag: '{language}' "
                                 "(for example en, en-GB, fr, pt-BR)")
    return language


def _check_date(data: dict[str, Any], problems: _Problems) -> str | None:
    value = data.get("date")
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and not _DATE.match(value.strip()):
        problems.add("date", f"'date' must be YYYY, YYYY-MM or YYYY-MM-DD, not '{value}'")
        return None
    if isinstance(value, str) and not _is_calendar_date(value.strip()):
        problems.add("date", f"'date' {value.strip()} is not a date in the calendar: check the month (01 to 12) "
                             "and the day")
        return None
    return value.strip() if isinstance(value, str) else None


def _is_calendar_date(text: str) -> bool:
    """'2024-02-29' yes, '2024-13-45' or '2023-02-29' no; a year alone, or a year and a month, checked as far
    as they go."""
    year, month, day = (text.split("-") + ["01", "01"])[:3]
    try:
        dt.date(int(year), int(month), int(day))
    except ValueError:
        return False
    return True


def _identifier(data: dict[str, Any], title: str, authors: tuple[str, ...], problems: _Problems) -> str:
    given = _text(data, "identifier")
    if given is None:
        # Deterministic: the same title and authors always give the same book id.
        return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, "octavo:" + title + "\x1f" + "\x1f".join(authors)))
    return _urn(given, "identifier", problems)


def _urn(given: str, key: str, problems: _Problems) -> str:
    """An ISBN-13 (check digit verified) as urn:isbn:..., or a URN as it is."""
    digits = re.sub(r"[\s-]", "", re.sub(r"^(urn:)?isbn:", "", given, flags=re.IGNORECASE))
    if re.fullmatch(r"97[89]\d{10}", digits):
        if not isbn13_valid(digits):
            problems.add(key, f"'{key}' {given} is not a valid ISBN-13 (its check digit is wrong)")
        return f"urn:isbn:{digits}"
    if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:\S+$", given):
        problems.add(key, f"'{key}' must be an ISBN-13 or a URN such as urn:uuid:..., not '{given}'")
    return given


def isbn13_valid(digits: str) -> bool:
    """Whether a 13-digit string has a correct ISBN check digit."""
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(digits[:12]))
    return (10 - total % 10) % 10 == int(digits[12])


def _print_settings(data: dict[str, Any], problems: _Problems) -> PrintSettings | None:
    _check_keys(data, PRINT_SCHEMA, "print.", problems)
    trim = parse_trim(str(data.get("trim", "6in 9in")))
    if trim is None:
        problems.add("print.trim", f"'print.trim' cannot be read: '{data.get('trim')}' "
                                   f"(use a name such as A5 or letter, or a size such as 6in 9in or 148mm 210mm)")
    bleed = parse_length(str(data.get("bleed", "0.125in")))
    if bleed is None or bleed > 36:
        problems.add("print.bleed", f"'print.bleed' must be a length up to 0.5in such as 0.125in or 3mm, "
                                    f"not '{data.get('bleed')}'")
    printer = _choice(data, "printer", PRINTERS, "generic", problems)
    start = _choice(data, "chapter_start", CHAPTER_STARTS, "auto", problems)
    layout = _choice(data, "layout", LAYOUTS, "auto", problems)
    crop = data.get("crop_marks", False) is True
    if crop and printer != "generic":
        problems.add("print.crop_marks", f"'print.crop_marks' is for generic proofs: {printer} refuses files "
                                         "with printer's marks")
    if trim is None or bleed is None:
        return None
    return PrintSettings(trim[0], trim[1], bleed, printer, crop, start, layout)


def _choice(data: dict[str, Any], key: str, allowed: tuple[str, ...], default: str, problems: _Problems) -> str:
    value = str(data.get(key, default)).strip().lower()
    if value not in allowed:
        close = difflib.get_close_matches(value, allowed, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        problems.add(f"print.{key}", f"'print.{key}' must be one of {', '.join(allowed)}, not '{value}'{hint}")
    return value


def parse_length(text: str) -> float | None:
    """'0.125in' -> 9.0 (points); None when it is not a length."""
    match = _LENGTH.match(text.lower())
    return float(match.group(1)) * UNITS[match.group(2)] if match else None


def parse_trim(text: str) -> tuple[float, float] | None:
    """'6in 9in', '6 x 9 in', 'A5' or 'letter' -> (width, height) in points."""
    name = text.strip().lower()
    if name in TRIM_SIZES:
        return TRIM_SIZES[name]
    match = _TRIM.match(name)
    if not match:
        return None
    first_unit = UNITS[match.group(2) or match.group(4)]
    width, height = float(match.group(1)) * first_unit, float(match.group(3)) * UNITS[match.group(4)]
    return (width, height) if 72 <= width <= 1296 and 72 <= height <= 1296 else None


def _chapters(data: dict[str, Any], root: Path,
              problems: _Problems) -> tuple[tuple[Path, ...], tuple[tuple[Path, ...], ...], tuple[Part, ...]]:
    """The chapter files (each with its section files), and the parts grouping them: as listed, else every
    *.md sorted by name; unlisted files are a warning."""
    present = []
    for found in sorted(p for p in root.glob("*.md") if p.is_file()):
        if inside(root, found.name) is None:
            problems.items.append(BuildError("is a symbolic link that leads outside the publication folder; "
                                             "keep every file of the book inside it",
                                             problems.path.parent / found.name))
        else:
            present.append(found)
    listed = data.get("chapters")
    if not isinstance(listed, list):
        if not present and listed is None:
            problems.add(None, "no chapters: add Markdown files (01-first.md, ...) beside book.yaml")
        return tuple(present), (), ()
    chapters: list[Path] = []
    sections: list[tuple[Path, ...]] = []
    parts: list[Part] = []
    seen: dict[Path, int | None] = {}  # each listed file -> the line it was first listed on
    for index, entry in enumerate(listed):
        if isinstance(entry, dict) and "part" in entry:
            _entry_keys(entry, ("part", "chapters"), problems)
            title = entry.get("part")
            inner = entry.get("chapters")
            if not isinstance(title, str) or not title.strip() or not isinstance(inner, list) or not inner:
                problems.add("chapters", "a part needs a title and its chapters: {part: \"Part I: ...\", "
                                         "chapters: [01-a.md, 02-b.md]}")
                continue
            first = len(chapters)
            for item in inner:
                _chapter_entry(item, root, problems, (chapters, sections), seen, f"chapters[{index}]")
            parts.append(Part(title.strip(), first, len(chapters) - first))
        else:
            _chapter_entry(entry, root, problems, (chapters, sections), seen, f"chapters[{index}]")
    used = {c.resolve() for c in chapters} | {s.resolve() for group in sections for s in group}
    for path in present:
        if path.resolve() not in used:
            line = problems.lines.get("chapters")
            log.warning("%s:%s: chapter file '%s' is not listed in 'chapters', so it is left out of the book",
                        printable(problems.path), line, printable(path.name))
    return tuple(chapters), tuple(sections) if any(sections) else (), tuple(parts)


def _entry_keys(entry: dict[Any, Any], known: tuple[str, ...], problems: _Problems) -> None:
    for key in entry:
        if key not in known:
            close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else f"; use {', '.join(known)}"
            problems.add("chapters", f"unknown key '{key}' in a 'chapters' entry{hint}")


def _chapter_entry(entry: Any, root: Path, problems: _Problems,
                   into: tuple[list[Path], list[tuple[Path, ...]]], seen: dict[Path, int | None], key: str) -> None:
    """One chapter: 'ch01.md', or {file: ch03.md, sections: [ch03-1.md, ch03-2.md]}, appended to `into` (the
    chapters, their section files); a file listed a second time is a problem naming the line of the first."""
    chapters, sections = into
    if isinstance(entry, dict):
        _entry_keys(entry, ("file", "sections"), problems)
        name, parts = entry.get("file"), entry.get("sections") or []
        if not isinstance(name, str) or not isinstance(parts, list) or not all(isinstance(p, str) for p in parts):
            problems.add("chapters", "a chapter in several files is {file: ch03.md, sections: [ch03-1.md, ...]}")
            return
    elif isinstance(entry, str) and entry.strip():
        name, parts = entry, []
    else:
        problems.add("chapters", f"'chapters' lists files (or parts and chapters with sections), not "
                                 f"{_describe(entry)}")
        return
    files = [_listed_file(str(n), root, problems) for n in [name, *parts]]
    for listed_name, path in zip([name, *parts], files, strict=True):
        if path is None:
            continue
        if path.resolve() in seen:
            first = seen[path.resolve()]
            problems.add(key, f"chapter '{listed_name}' is listed twice in 'chapters'"
                              f"{f' (first on line {first})' if first else ''}: keep one")
            return
        seen[path.resolve()] = problems.lines.get(key)
    if all(f is not None for f in files):
        chapters.append(files[0])  # type: ignore[arg-type]
        sections.append(tuple(f for f in files[1:] if f is not None))


def _listed_file(name: str, root: Path, problems: _Problems) -> Path | None:
    path = _resolve(name, root, "chapters", problems)
    if path is not None and not path.is_file():
        problems.add("chapters", f"chapter '{name}' is listed in 'chapters' but does not exist")
        return None
    return path


def _content_file(data: dict[str, Any], key: str, root: Path, problems: _Problems) -> Path | None:
    name = _text(data, key)
    if name is None:
        return None
    path = _resolve(name, root, key, problems)
    if path is not None and not path.is_file():
        problems.add(key, f"'{key}' file '{name}' does not exist")
        return None
    return path


def _resolve(name: str, root: Path, key: str, problems: _Problems) -> Path | None:
    path = inside(root, name)
    if path is None:
        leaves = name.startswith(("/", "\\")) or Path(name).is_absolute() or ".." in Path(name).parts
        how = "is outside the publication folder" if leaves else \
            "is a symbolic link that leads outside the publication folder"
        problems.add(key, f"'{name}' {how}; keep every file of the book inside it")
    return path


def slugify(text: str, max_words: int = 8, fallback: str = "book") -> str:
    """'The Role of UN Peacekeeping' -> 'the-role-of-un-peacekeeping'; `fallback` when no ASCII word is left."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    return "-".join(words[:max_words]) or fallback

