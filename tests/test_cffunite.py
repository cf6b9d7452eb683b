"""OpenType/CFF fonts in a book laid out in parts: each part's subset united into one font file (pdf/cffunite.py,
pdf/fontmerge.py), every glyph drawn as the font draws it, and the merged PDFs read as the whole layout."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fontTools import subset
from fontTools.pens.recordingPen import DecomposingRecordingPen
from fontTools.ttLib import TTFont

from octavo.pdf.cffunite import unite_cff_files
from octavo.pdf.merge import merge_parts

from . import pdfcompare
from .conftest import write_book
from .partsplit import EDITIONS, lay_out_in_parts

FONTS = Path(__file__).parent / "fixtures" / "fonts"
SERIF = FONTS / "SourceSerifPro-Regular.otf"  # a name-keyed CFF with subroutines (SIL OFL, beside it)
CJK = FONTS / "NotoSansCJK-Sample.otf"  # CID-keyed


def _subset(path: Path, text: str) -> bytes:
    """`path` cut down to what `text` needs, glyph ids kept (as WeasyPrint subsets), subroutines kept."""
    font = TTFont(path)
    options = subset.Options()
    options.retain_gids, options.layout_features, options.desubroutinize = True, ["*"], False
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _drawing(font: TTFont, gid: int) -> tuple[object, int]:
    """How a glyph is drawn (its outline's operations) and its advance."""
    name = font.getGlyphOrder()[gid]
    pen = DecomposingRecordingPen(font.getGlyphSet())
    font.getGlyphSet()[name].draw(pen)
    return pen.value, font["hmtx"][name][0]


@pytest.mark.parametrize(("path", "texts"), [(SERIF, ["Hamburg fonts", "peacekeeping, 1948\u20131999"]),
                                             (CJK, ["你好世界 こんにちは", "안녕하세요 漢字 中文"])])
def test_united_subsets_draw_every_glyph_as_the_font(path: Path, texts: list[str]) -> None:
    original = TTFont(path)
    united = unite_cff_files([_subset(path, text) for text in texts])
    assert united is not None
    font = TTFont(io.BytesIO(united))
    cmap = original.getBestCmap()
    gids = {original.getGlyphID(cmap[ord(c)]) for c in "".join(texts) if ord(c) in cmap}
    assert len(gids) > 5
    for gid in gids:  # each glyph either subset drew, as the whole font draws it
        assert _drawing(font, gid) == _drawing(original, gid), original.getGlyphOrder()[gid]
    assert {ord(c) for c in "".join(texts) if ord(c) in cmap} <= set(font.getBestCmap())


def test_subsets_whose_private_dictionaries_differ_stay_apart() -> None:
    first, second = (TTFont(io.BytesIO(_subset(SERIF, text))) for text in ("one", "two"))
    second["CFF "].cff.topDictIndex[0].Private.nominalWidthX += 10  # widths would be read against another base
    files = []
    for font in (first, second):
        out = io.BytesIO()
        font.save(out)
        files.append(out.getvalue())
    assert unite_cff_files(files) is None


BOOK = {
    "book.yaml": "title: Source Parts\nauthors: [Ada Tester]\nlanguage: en-GB\ndate: 2026-01-15\n"
                 "print:\n  trim: A5\n  chapter_start: right\nfonts:\n  body: fonts/SourceSerifPro-Regular.otf\n",
    "01-one.md": "# First chapter {#one}\n\nA well-known text of the first chapter, set in an OpenType font with "
                 "CFF outlines.\n",
    "02-two.md": "# Second chapter {#two}\n\nThe second chapter\u2010its hyphen a U+2010, drawn with the glyph of "
                 "the first chapter's hyphen-minus, so it extracts as the whole layout has it.\n",
    "03-three.md": "# Third chapter {#three}\n\nQuixotic zebras jump, 1234567890.\n",
}


@pytest.mark.slow
def test_a_cff_font_merges_to_one_file_a_face(tmp_path: Path) -> None:
    book = write_book(tmp_path / "book", {**BOOK, "fonts/SourceSerifPro-Regular.otf": SERIF.read_bytes()})
    layouts = lay_out_in_parts(book, tmp_path / "out", ["two", "three"])
    for edition in EDITIONS:
        whole, merged = layouts.whole[edition], tmp_path / f"merged-{edition}.pdf"
        merge_parts(layouts.parts[edition], merged, layouts.book, edition, layouts.labels)
        assert pdfcompare.font_files(merged) == pdfcompare.font_files(whole)  # one CFF file a face
        assert any("Source-Serif" in name for name in pdfcompare.font_files(merged))
        assert pdfcompare.page_texts(merged) == pdfcompare.page_texts(whole)
        assert pdfcompare.page_bitmaps(merged) == pdfcompare.page_bitmaps(whole)
        assert merged.stat().st_size < 1.10 * whole.stat().st_size
