"""book.yaml `fonts:` -> the book's own font files (body, headings, code, fallbacks), each checked: inside the
book, present, a real TrueType or OpenType font; every problem reported, not only the first."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from octavo.paths import inside

#: The styles a face may have, and the CSS (font-style, font-weight) each is declared with.
STYLES: dict[str, tuple[str, int]] = {"regular": ("normal", 400), "italic": ("italic", 400),
                                      "bold": ("normal", 700), "bold_italic": ("italic", 700)}
#: The roles a book may give a face, in the order the lists are written.
ROLES = ("body", "headings", "code")
KEYS = (*ROLES, "fallbacks")
EXAMPLE = "fonts: {body: {regular: fonts/X-Regular.ttf, italic: fonts/X-Italic.ttf}, fallbacks: [fonts/Y.otf]}"
#: A problem: the key it is about ('fonts.body.regular'), and what to say.
Report = Callable[[str, str], None]


@dataclass(frozen=True)
class Face:
    """One family the book brings: a font file for each style it has (regular always)."""

    family: str
    """The name the stylesheets use for it: the font's own family name (its name table)."""
    files: tuple[tuple[str, Path], ...]
    """(style, absolute path) for each style given: 'regular', 'italic', 'bold', 'bold_italic'."""


@dataclass(frozen=True)
class BookFonts:
    """book.yaml `fonts:`, validated; empty when the book brings no fonts of its own."""

    body: Face | None = None
    """The text face, in place of Vollkorn."""
    headings: Face | None = None
    """The headings' face; the body's when not given."""
    code: Face | None = None
    """The code face, in place of DejaVu Sans Mono."""
    fallbacks: tuple[Face, ...] = ()
    """Tried in order for a character the face of its role lacks, before Octavo's own fallbacks."""

    def role(self, name: str) -> Face | None:
        """The face the book gives a role ('body', 'headings', 'code'); headings fall back to the body."""
        if name == "headings":
            return self.headings or self.body
        return self.body if name == "body" else self.code

    @property
    def faces(self) -> tuple[Face, ...]:
        """Every face the book brings, once, in the order of book.yaml."""
        given = [self.body, self.headings, self.code, *self.fallbacks]
        return tuple(dict.fromkeys(face for face in given if face is not None))


def book_fonts(value: Any, root: Path, report: Report) -> BookFonts:
    """Validate book.yaml's `fonts:` mapping; each problem goes to `report` (key, message)."""
    if not isinstance(value, dict):
        report("fonts", f"'fonts' must be a mapping such as {EXAMPLE}, not {value!r}")
        return BookFonts()
    for key in value:
        if key not in KEYS:
            report(f"fonts.{key}", f"unknown key 'fonts.{key}'; known keys: {', '.join(KEYS)}")
    families: dict[str, tuple[tuple[str, Path], ...]] = {}
    faces = {role: _face(value[role], f"fonts.{role}", root, report, families)
             for role in ROLES if value.get(role) is not None}
    fallbacks: list[Face] = []
    given = value.get("fallbacks")
    if given is not None and not isinstance(given, list):
        report("fonts.fallbacks", "'fonts.fallbacks' must be a list of font files such as "
                                  f"[fonts/NotoSansJP-Regular.otf, fonts/NotoSansKR-Regular.otf], not {given!r}")
    for index, item in enumerate(given if isinstance(given, list) else []):
        face = _face(item, f"fonts.fallbacks[{index}]", root, report, families)
        if face is not None:
            fallbacks.append(face)
    return BookFonts(body=faces.get("body"), headings=faces.get("headings"), code=faces.get("code"),
                     fallbacks=tuple(fallbacks))


def _face(value: Any, key: str, root: Path, report: Report,
          families: dict[str, tuple[tuple[str, Path], ...]]) -> Face | None:
    """One face: a file (its regular style) or a mapping of styles to files."""
    given = {"regular": value} if isinstance(value, str) else value
    if not isinstance(given, dict) or not given:
        report(key, f"'{key}' must be a font file or a mapping of regular, italic, bold, bold_italic to font "
                    f"files, not {value!r}")
        return None
    for style in given:
        if style not in STYLES:
            report(f"{key}.{style}", f"unknown key '{key}.{style}'; a face has {', '.join(STYLES)}")
    if "regular" not in given:
        report(key, f"'{key}' has no 'regular' font: give one (regular: fonts/X-Regular.ttf)")
    files: list[tuple[str, Path]] = []
    family = None
    for style in (s for s in STYLES if s in given):
        where = key if isinstance(value, str) else f"{key}.{style}"
        path, name = _font_file(given[style], where, root, report)
        if path is not None:
            files.append((style, path))
            family = family or name
    if family is None or len(files) != len([s for s in given if s in STYLES]) or "regular" not in given:
        return None
    # Two roles naming the same family with different files would be one family in CSS: keep them apart.
    unique, number = family, 1
    while unique in families and families[unique] != tuple(files):
        number += 1
        unique = f"{family} {number}"
    families[unique] = tuple(files)
    return Face(unique, tuple(files))


def _font_file(name: Any, key: str, root: Path, report: Report) -> tuple[Path | None, str | None]:
    """A font file inside the book and its family name, or (None, None) after reporting why not."""
    if not isinstance(name, str) or not name.strip():
        report(key, f"'{key}' must be the path of a font file in the book's folder such as fonts/X-Regular.ttf, "
                    f"not {name!r}")
        return None, None
    path = inside(root, name.strip())
    if path is None:
        report(key, f"'{key}' file '{name}' is outside the publication folder; keep every file of the book "
                    "inside it")
        return None, None
    if not path.is_file():
        report(key, f"'{key}' file '{name}' does not exist")
        return None, None
    family = font_family(path)
    if family is None:
        report(key, f"'{key}' file '{name}' is not a TrueType or OpenType font (.ttf, .otf, .woff, .woff2 with "
                    "one font; a collection .ttc must be split first)")
        return None, None
    return path, family


def embedding_problems(fonts: BookFonts, root: Path, report: Report) -> None:
    """With `embed_fonts: true`, each of the book's font files whose licence bits (OpenType OS/2 fsType) refuse
    embedding: 'restricted license' (2) or 'bitmap embedding only' (0x200). Octavo's own fonts all allow it."""
    from fontTools.ttLib import TTFont

    for face in fonts.faces:
        for _, path in face.files:
            with TTFont(path, lazy=True) as font:
                fs_type = int(font["OS/2"].fsType) if "OS/2" in font else 0
            if fs_type & 0x000F == 0x0002 or fs_type & 0x0200:
                shown = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
                report("embed_fonts", f"'embed_fonts' is true, but font file '{shown}' may not be embedded: its "
                                      f"licence bits (OS/2 fsType {fs_type}) forbid it; set embed_fonts: false or "
                                      "use a font whose licence allows embedding")


def font_family(path: Path) -> str | None:
    """The family name a font file gives itself (typographic family first), or None if it is no usable font."""
    from fontTools.ttLib import TTFont  # only books with fonts of their own pay for fontTools

    try:
        with TTFont(path, lazy=True) as font:
            if "cmap" not in font or not font.getBestCmap():
                return None
            names = font["name"]
            family = names.getDebugName(16) or names.getDebugName(1)
            return family.strip() if family and family.strip() else path.stem
    except Exception:  # fontTools raises many kinds (TTLibError, struct.error, ...) for what is not a font
        return None
