"""EPUB XHTML tree -> the same tree set for reading systems: display lines that are not paragraphs, paragraphs
that only hold an image, and images drawn on white, marked for a dark theme.

Readers restyle <p> (Foliate indents and justifies every one), so a chapter's number and the title page's lines
become <div>s that keep their class; epub.css styles them by class.
"""

from __future__ import annotations

import io
import posixpath
from functools import lru_cache
from pathlib import Path

from lxml import etree

XHTML = "{http://www.w3.org/1999/xhtml}"
#: Classes of the display lines that are paragraphs in the templates (partials/ are shared with the print HTML).
LINES = frozenset({"chapter-number", "subtitle", "authors", "thanks", "publisher"})
#: How close to white (0-255, each channel) the corners of an opaque image must be to count as drawn on white.
NEAR_WHITE = 235


def lines_as_divs(root: etree._Element) -> None:
    """<p class="chapter-number">, and the title page's subtitle, authors, thanks and publisher -> <div>s."""
    for paragraph in root.iter(f"{XHTML}p"):
        if LINES & set((paragraph.get("class") or "").split()):
            paragraph.tag = f"{XHTML}div"


def captions_at_an_edge(root: etree._Element) -> None:
    """A <figcaption> must be the first or last child of its <figure> (EPUBCheck RSC-005): one followed only by
    line breaks (raw HTML's `<figcaption>...</figcaption><br><br>`, as You Don't Know JS writes) goes last."""
    for caption in root.iter(f"{XHTML}figcaption"):
        figure = caption.getparent()
        if figure is None or figure.tag != f"{XHTML}figure" or caption in (figure[0], figure[-1]):
            continue
        after = list(caption.itersiblings())
        if all(sibling.tag == f"{XHTML}br" and not (sibling.tail or "").strip() for sibling in after):
            tail, caption.tail = caption.tail, after[-1].tail
            after[-1].tail = tail
            figure.append(caption)


def mark_image_paragraphs(root: etree._Element) -> None:
    """A paragraph holding only images is never indented (class image-only, as in the print HTML)."""
    for paragraph in root.iter(f"{XHTML}p"):
        if not "".join(paragraph.itertext()).strip() and paragraph.find(f".//{XHTML}img") is not None:
            _add_class(paragraph, "image-only")


def mark_images_on_white(root: etree._Element, document: str, book_root: Path) -> None:
    """An opaque raster image whose corners are white gets the class on-white: epub.css inverts it under a
    dark theme, where it would otherwise show as a white box. `document` is the file's path in the EPUB."""
    for image in root.iter(f"{XHTML}img"):
        src = image.get("src") or ""
        if ":" in src or image.get("role") == "doc-cover":
            continue
        path = posixpath.normpath(posixpath.join(posixpath.dirname(document), src))
        if not path.startswith("../") and drawn_on_white(book_root / path):
            _add_class(image, "on-white")


@lru_cache(maxsize=256)
def drawn_on_white(path: Path) -> bool:
    """Whether a raster image is opaque and its four corners near white (a chart or line art on paper)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(path.read_bytes())) as image:
            rgba = image.convert("RGBA")
    except (OSError, UnidentifiedImageError):
        return False  # SVG, or a file the build has already judged
    width, height = rgba.size
    corners = [rgba.getpixel((x, y)) for x in (0, width - 1) for y in (0, height - 1)]
    return all(isinstance(c, tuple) and c[3] == 255 and min(c[:3]) >= NEAR_WHITE for c in corners)


def _add_class(element: etree._Element, name: str) -> None:
    classes = (element.get("class") or "").split()
    if name not in classes:
        element.set("class", " ".join([*classes, name]))

