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
