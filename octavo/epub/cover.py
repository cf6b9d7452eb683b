"""Book (+ templates/epub/cover.html.j2) -> the EPUB's cover image: the book's own, or one generated."""

from __future__ import annotations

import io
from dataclasses import dataclass

import jinja2

from octavo.language import labels_for
from octavo.media import media_type
from octavo.model import Book
from octavo.render import render_template
from octavo.resources import Resources

#: The generated cover's page, in points, and the factor to the raster: 1600 x 2560 px, 1:1.6,
#: the size online bookshops ask for.
COVER_PT = (400, 640)
SCALE = 4
#: Where the generated cover goes in the EPUB (content folder), beside the book's own images/.
GENERATED = "cover.png"


@dataclass(frozen=True)
class Cover:
    """The cover image of the EPUB."""

    file_name: str
    """Its path inside the EPUB content folder (as in the publication folder, for the book's own)."""
    media_type: str
    """image/png, image/jpeg, ..."""
    data: bytes
    """The image file."""
    alt: str
    """Text alternative: the title and authors, as the cover shows them."""
    generated: bool
    """Whether Octavo drew it from the template."""


def cover_alt(book: Book) -> str:
    """'Cover: Title: Subtitle. Author, Author.', with the word for cover in the book's language."""
    meta = book.meta
    title = f"{meta.title}: {meta.subtitle}" if meta.subtitle else meta.title
    return f"{labels_for(meta.language)['cover']}: {title.rstrip('.')}. {', '.join(meta.authors)}."


def make_cover(book: Book, env: jinja2.Environment, styles: Resources) -> Cover:
    """book.yaml's `cover` when given; otherwise a typographic cover with the title and authors."""
    if book.meta.cover is not None:
        name = book.meta.cover.relative_to(book.root).as_posix()
        return Cover(name, media_type(name), book.cleaned.get(name) or book.meta.cover.read_bytes(),
                     cover_alt(book), generated=False)
    return Cover(GENERATED, "image/png", generated_cover(book, env, styles), cover_alt(book), generated=True)


def generated_cover(book: Book, env: jinja2.Environment, styles: Resources) -> bytes:
    """The cover template laid out by WeasyPrint and rasterised by PDFium: the same bytes every time."""
    import pypdfium2 as pdfium
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from octavo.pdf.patches import patch_engines

    patch_engines()  # drawn as the books are, whatever this process laid out before
    length = len(book.meta.title)
    size = 34 if length <= 30 else 29 if length <= 60 else 25
    html = render_template(env, "epub/cover.html.j2", meta=book.meta, title_size=size, page_size=COVER_PT)
    fonts = FontConfiguration()
    fonts_css = styles.find_style("fonts.css")
    sheet = CSS(filename=str(fonts_css), font_config=fonts)
    pdf_bytes = HTML(string=html, base_url=str(fonts_css.parent) + "/").write_pdf(stylesheets=[sheet],
                                                                               font_config=fonts)
    pdf = pdfium.PdfDocument(pdf_bytes)
    try:
        image = pdf[0].render(scale=SCALE).to_pil().convert("RGB")
    finally:
        pdf.close()
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
