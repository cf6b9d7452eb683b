"""Reading produced PDFs the way a reader does: the text of each page (pypdfium2)."""

from __future__ import annotations

import re
from pathlib import Path

import pypdfium2 as pdfium


def page_texts(path: Path) -> list[str]:
    """The text of every page, whitespace folded to single spaces."""
    pdf = pdfium.PdfDocument(path)
    try:
        texts = []
        for page in pdf:
            text = page.get_textpage().get_text_range()
            texts.append(fold(text))
        return texts
    finally:
        pdf.close()


def fold(text: str) -> str:
    """Fold whitespace and join words hyphenated at line ends."""
    text = re.sub(r"[\u2010\u00ad-]\s*[\r\n]+\s*", "", text)
    return re.sub(r"\s+", " ", text.replace("\ufffe", "")).strip()


def margin_texts(path: Path, band: float = 50.0) -> list[tuple[str, str]]:
    """(running head, folio) of every page: the text in the top and bottom `band` points of the trim."""
    pdf = pdfium.PdfDocument(path)
    try:
        out = []
        for page in pdf:
            left, bottom, right, top = page.get_trimbox()
            media = page.get_mediabox()
            textpage = page.get_textpage()
            head = textpage.get_text_bounded(media[0], top - band, media[2], media[3])
            foot = textpage.get_text_bounded(media[0], media[1], media[2], bottom + band)
            out.append((fold(head), fold(foot)))
        return out
    finally:
        pdf.close()
