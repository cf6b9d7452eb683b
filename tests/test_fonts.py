"""Fonts: a chapter about UTF-8 prints every script it quotes (Octavo's fallbacks, and a CJK font the book
brings), right-to-left text is set from the right and marked in the EPUB, and a book's own body font is used."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pikepdf
import pypdfium2 as pdfium
import pytest
from fontTools.ttLib import TTFont
from lxml import etree

from octavo.check import epubcheck

from .conftest import EPOCH, FIXTURES, ROOT, write_book
from .pdftext import page_texts

XHTML = "{http://www.w3.org/1999/xhtml}"
HEBREW = "שלום עולם, זה משפט בעברית."
ARABIC = "مرحبا بالعالم، هذه جملة عربية."
#: Each sample, and the font Octavo (or the book, for CJK) draws it with: its name in the PDF.
SAMPLES = {
    "Καλημέρα κόσμε": "Vollkorn",  # monotonic Greek and modern Cyrillic are Vollkorn's own
    "Привет, мир": "Vollkorn",
    "ἐν ἀρχῇ ἦν ὁ λόγος": "Noto-Serif",  # polytonic Greek: the Greek and Cyrillic fallback
    "Ѿ Ѡ": "Noto-Serif",  # historic Cyrillic
    # (not दुनिया: its vowel sign ि, drawn before the consonant, gets an empty ToUnicode entry from WeasyPrint,
    # Kozea/WeasyPrint#2841, so the text layer shows something else; the page is right)
    "नमस्ते": "Noto-Serif-Devanagari",
    "🐈": "Noto-Emoji",
    "😀": "Noto-Emoji",
    "你好世界": "Noto-Sans-CJK-JP",
    "こんにちは カタカナ": "Noto-Sans-CJK-JP",
    "안녕하세요": "Noto-Sans-CJK-JP",
}
CHAPTER = f"""# About UTF-8

UTF-8 encodes every script. Greek: Καλημέρα κόσμε; polytonic: ἐν ἀρχῇ ἦν ὁ λόγος. Cyrillic: Привет, мир;
and the old letters Ѿ Ѡ.

{HEBREW}

{ARABIC}

Devanagari: नमस्ते दुनिया. Emoji: 🐈 😀.

Chinese: 你好世界. Kana: こんにちは カタカナ. Hangul: 안녕하세요.

In a sentence of English the Hebrew word שלום stays in its paragraph's direction.

Code has them too: `print("Ελληνικά", "שלום")`.
"""
BOOK_YAML = "title: About UTF-8\nauthors: [A. Writer]\nlanguage: en\n"


def run_build(content: Path, out: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    return subprocess.run([sys.executable, str(ROOT / "build.py"), "--content", str(content), "--out", str(out),
                           "--strict"], capture_output=True, text=True, timeout=600, env=env, check=False)


def fonts_on_pages(path: Path) -> list[set[str]]:
    """The fonts each page uses, by name without the subset tag (ABCDEF+Noto-Emoji -> Noto-Emoji)."""
    with pikepdf.open(path) as pdf:
        return [{str(font.BaseFont).lstrip("/").split("+", 1)[-1]
                 for font in page.Resources.get("/Font", {}).values()} for page in pdf.pages]


def sentence_boxes(path: Path, sentence: str) -> list[tuple[str, float]]:
    """(character, left edge) of each character of `sentence`, found in the PDF's text (in reading order)."""
    pdf = pdfium.PdfDocument(path)
    try:
        for page in pdf:
            textpage = page.get_textpage()
            chars = [(textpage.get_text_range(i, 1), textpage.get_charbox(i)[0]) for i in range(textpage.count_chars())]
            chars = [(c, x) for c, x in chars if c]
            text = "".join(c for c, _ in chars)
            if sentence in text:
                start = text.index(sentence)
                return chars[start:start + len(sentence)]
        raise AssertionError(f"no page holds {sentence!r}")
    finally:
        pdf.close()


def glyphs_per_character(path: Path, font_name: str) -> dict[str, set[int]]:
    """Character -> the glyph ids of `font_name` that the PDF maps to it (its ToUnicode table)."""
    found: dict[str, set[int]] = {}
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            for font in page.Resources.get("/Font", {}).values():
                if not str(font.BaseFont).endswith(font_name) or "/ToUnicode" not in font:
                    continue
                cmap = font.ToUnicode.read_bytes().decode("latin-1")
                for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
                    for glyph, code in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                        char = bytes.fromhex(code).decode("utf-16-be")
                        found.setdefault(char, set()).add(int(glyph, 16))
    return found


@pytest.fixture(scope="module")
def utf8_book(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """The chapter about UTF-8, with a CJK font of the book's own as its one fallback, built with --strict."""
    root = tmp_path_factory.mktemp("utf8")
    book = write_book(root / "book", {
        "book.yaml": BOOK_YAML + "fonts:\n  fallbacks: [fonts/NotoSansCJK-Sample.otf]\n",
        "01-utf8.md": CHAPTER,
        # A subset of Noto Sans CJK (OFL) holding just the chapter's Chinese, kana and Hangul: tools/subset_fonts.py.
        "fonts/NotoSansCJK-Sample.otf": (FIXTURES / "fonts" / "NotoSansCJK-Sample.otf").read_bytes(),
    })
    return root / "out", run_build(book, root / "out")


def test_the_chapter_about_utf8_builds_strict_and_prints_every_script(utf8_book: tuple[Path, Any]) -> None:
    out, run = utf8_book
    assert run.returncode == 0, run.stderr
    assert "warning" not in run.stderr
    for pdf in (out / "about-utf-8.pdf", out / "about-utf-8-print.pdf"):
        text = " ".join(page_texts(pdf))
        for sample in [*SAMPLES, "Ελληνικά"]:
            assert sample in text, (pdf.name, sample)
        for sentence in (HEBREW, ARABIC):  # the text layer holds the words, in reading order
            assert all(word.strip(".،,") in text for word in sentence.split()), sentence
        fonts = set().union(*fonts_on_pages(pdf))
        assert set(SAMPLES.values()) | {"Noto-Serif-Hebrew", "Noto-Naskh-Arabic", "DejaVu-Sans-Mono"} <= fonts


def test_right_to_left_paragraphs_are_set_from_the_right_and_arabic_is_joined(utf8_book: tuple[Path, Any]) -> None:
    out, _ = utf8_book
    pdf = out / "about-utf-8.pdf"
    for sentence in (HEBREW, ARABIC):
        boxes = sentence_boxes(pdf, sentence)
        letters = [x for c, x in boxes if c.isalpha()]
        # Read from the right: the first letter is the rightmost, the full stop is left of the last word.
        assert letters[0] == max(letters) and boxes[-1][0] == "." and boxes[-1][1] < min(letters), boxes
    # Arabic letters take their joined forms: one letter, several glyphs (initial, medial, final).
    forms = glyphs_per_character(pdf, "Noto-Naskh-Arabic")
    assert len(forms["ل"]) >= 2 and len(forms["م"]) >= 2, forms


@pytest.mark.slow
def test_the_epub_marks_right_to_left_paragraphs_and_passes_epubcheck(utf8_book: tuple[Path, Any]) -> None:
    out, _ = utf8_book
    epub = out / "about-utf-8.epub"
    with zipfile.ZipFile(epub) as archive:
        chapter = etree.fromstring(archive.read("EPUB/text/about-utf-8.xhtml"))
        opf = archive.read("EPUB/content.opf").decode()
    paragraphs = {"".join(p.itertext()): p.get("dir") for p in chapter.iter(f"{XHTML}p")}
    assert paragraphs[HEBREW] == "rtl" and paragraphs[ARABIC] == "rtl"
    assert {d for text, d in paragraphs.items() if text not in (HEBREW, ARABIC)} == {None}
    assert chapter.get("dir") is None and "page-progression-direction" not in opf
    assert epubcheck(epub) == []


@pytest.mark.slow
def test_a_book_in_hebrew_is_right_to_left_in_the_epub(tmp_path: Path) -> None:
    book = write_book(tmp_path / "book", {
        "book.yaml": "title: ספר\nauthors: [כותב]\nlanguage: he\n",
        "01-one.md": f"# פרק ראשון\n\n{HEBREW}\n\nAn English paragraph in a Hebrew book.\n"})
    run = run_build(book, tmp_path / "out")
    assert run.returncode == 0, run.stderr
    epub = next((tmp_path / "out").glob("*.epub"))
    with zipfile.ZipFile(epub) as archive:
        opf = etree.fromstring(archive.read("EPUB/content.opf"))
        documents = {name: etree.fromstring(archive.read(name)) for name in archive.namelist()
                     if name.endswith(".xhtml")}
    assert opf.find("{http://www.idpf.org/2007/opf}spine").get("page-progression-direction") == "rtl"
    assert {doc.get("dir") for doc in documents.values()} == {"rtl"}
    chapter = next(doc for doc in documents.values()
                   if HEBREW in ["".join(p.itertext()) for p in doc.iter(f"{XHTML}p")])
    paragraphs = {"".join(p.itertext()): p.get("dir") for p in chapter.iter(f"{XHTML}p")}
    assert paragraphs[HEBREW] is None and paragraphs["An English paragraph in a Hebrew book."] == "ltr"
    assert epubcheck(epub) == []


def renamed_font(source: Path, target: Path, family: str) -> Path:
    """A copy of `source` that calls itself `family` (its name table), so the PDF shows which font drew what."""
    font = TTFont(source)
    for record in font["name"].names:
        if record.nameID in (1, 4, 16):
            record.string = family
        elif record.nameID == 6:
            record.string = family.replace(" ", "")
    target.parent.mkdir(parents=True, exist_ok=True)
    font.save(target)
    return target


def test_a_book_that_names_its_own_body_font_is_set_in_it(tmp_path: Path) -> None:
    files = {"book.yaml": BOOK_YAML, "01-one.md": "# One\n\nText in the book's own face, *italic too*.\n"}
    plain = write_book(tmp_path / "plain", files)
    own = write_book(tmp_path / "own", {**files, "book.yaml": BOOK_YAML + "fonts:\n  body:\n"
                                        "    regular: fonts/Own-Regular.ttf\n    italic: fonts/Own-Italic.ttf\n"})
    renamed_font(ROOT / "styles/fonts/Vollkorn-Regular.ttf", own / "fonts/Own-Regular.ttf", "Own Body")
    renamed_font(ROOT / "styles/fonts/Vollkorn-Bold.ttf", own / "fonts/Own-Italic.ttf", "Own Body")
    for folder in (plain, own):
        run = run_build(folder, tmp_path / f"out-{folder.name}")
        assert run.returncode == 0, run.stderr
    opening = {name: fonts_on_pages(tmp_path / f"out-{name}" / "about-utf-8.pdf")[-1] for name in ("plain", "own")}
    assert opening["plain"] == {"Vollkorn", "Vollkorn-Italic"}
    # Body, italic and the chapter's title (headings default to the body face): all the book's own.
    assert opening["own"] == {"Own-Body", "Own-Body-Italic"}
    texts = page_texts(tmp_path / "out-own" / "about-utf-8.pdf")
    assert "Text in the book" in texts[-1]
    assert any("Typeset in Own Body with Octavo" in text for text in texts)  # the colophon says so too


def test_octavos_fallback_fonts_ship_with_their_licence() -> None:
    fonts = ROOT / "styles" / "fonts"
    licence = (fonts / "LICENSE-Noto.md").read_text(encoding="utf-8")
    for path in fonts.glob("Noto*.ttf"):
        assert f"`{path.name}`" in licence
        assert "Open Font License" in (TTFont(path)["name"].getDebugName(13) or "")
    assert "SIL OPEN FONT LICENSE Version 1.1" in (fonts / "OFL-Noto.txt").read_text(encoding="utf-8")
