"""Book + Octavo's fonts -> the font files the EPUB embeds (book.yaml `embed_fonts: true`) and their @font-face
rules, put in front of epub.css; the stylesheet's font lists name the book's own faces first.

What is embedded is what the text uses: the body face (the book's, else Vollkorn, SIL Open Font License) in its
regular, italic, bold and bold italic, the headings' face when the book gives one, and the code face (the
book's, else DejaVu Sans Mono, whose licence allows embedding) when the book has code. Octavo's Noto fallbacks
are not embedded: the reading system draws what the faces lack.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from octavo.bookfonts import STYLES, Face
from octavo.media import media_type
from octavo.model import Book
from octavo.resources import Resources

FONT_DIR = "fonts"
#: Octavo's own faces, as fonts.css declares them (styles/fonts/).
VOLLKORN = Face("Vollkorn", (("regular", Path("Vollkorn-Regular.ttf")), ("italic", Path("Vollkorn-Italic.ttf")),
                             ("bold", Path("Vollkorn-Bold.ttf")), ("bold_italic", Path("Vollkorn-BoldItalic.ttf"))))
DEJAVU_MONO = Face("DejaVu Sans Mono", (("regular", Path("DejaVuSansMono.ttf")),))
#: The start of epub.css's rule for every heading.
HEADINGS = "h1, h2, h3, h4, h5, h6 { "


@dataclass(frozen=True)
class EmbeddedFont:
    """One font file inside the EPUB."""

    file_name: str
    """Its path in the EPUB's content folder (fonts/...)."""
    media_type: str
    """font/ttf, font/otf, font/woff or font/woff2."""
    data: bytes
    """The file itself."""


@dataclass(frozen=True)
class EpubFonts:
    """The fonts an EPUB carries, and the stylesheet that uses them."""

    files: tuple[EmbeddedFont, ...]
    """Every embedded file, in manifest order."""
    stylesheet: bytes
    """epub.css with the @font-face rules in front and the book's own faces first in its font lists."""


def embed_fonts(book: Book, styles: Resources, stylesheet: bytes, has_code: bool) -> EpubFonts:
    """The fonts to embed and the stylesheet to go with them; nothing to embed unless book.yaml asks."""
    if not book.meta.embed_fonts:
        return EpubFonts((), stylesheet)
    fonts = book.meta.fonts
    folder = styles.find_style("fonts.css").parent
    faces = [(fonts.body or VOLLKORN, folder / "fonts")]
    if fonts.headings is not None and fonts.headings != fonts.body:
        faces.append((fonts.headings, folder / "fonts"))
    if has_code:
        faces.append((fonts.code or DEJAVU_MONO, folder / "fonts"))
    files: list[EmbeddedFont] = []
    rules: list[str] = []
    for face, base in faces:
        for style, path in face.files:
            source = path if path.is_absolute() else base / path
            name = f"{FONT_DIR}/{source.name}"
            if any(f.file_name == name for f in files):
                continue
            files.append(EmbeddedFont(name, media_type(name), source.read_bytes()))
            font_style, weight = STYLES[style]
            rules.append(f'@font-face {{ font-family: "{face.family}"; font-style: {font_style}; '
                         f'font-weight: {weight}; src: url("../{name}"); }}')
    css = stylesheet.decode("utf-8")
    for own, default in ((fonts.body, VOLLKORN), (fonts.code, DEJAVU_MONO)):
        if own is not None:  # the book's face first, Octavo's after it for what it lacks
            css = css.replace(f'"{default.family}"', f'"{own.family}", "{default.family}"')
    if fonts.headings is not None:  # in the headings' own rule: a second rule for them is a duplicate selector
        css = css.replace(HEADINGS, f'{HEADINGS}font-family: "{fonts.headings.family}", serif; ', 1)
    header = "/* The embedded fonts (book.yaml embed_fonts: true) */\n" + "\n".join(rules) + "\n\n"
    return EpubFonts(tuple(files), (header + css).encode("utf-8"))
