"""Stage 3a: what a printer's preflight and a reader see in the two PDF editions."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pikepdf
import pydyf
import pytest

from octavo.check import preflight_pdf
from octavo.config import load_config
from octavo.content.markdown import read_book
from octavo.errors import FontError
from octavo.pdf.editions import deflate_streams, finish_passes, folios, render_pdf, write_edition
from octavo.pdf.internals import CachedPageReferences
from octavo.pdf.layout import lay_out as layout
from octavo.pdf.layout import pdf_options
from octavo.pipeline import source_date_epoch
from octavo.render import make_environment, render_print_html
from octavo.resources import TEMPLATES, Resources

from .conftest import CONTENT, FIXTURE_BOOK, Built, build_into
from .pdftext import margin_texts, page_texts

BLEED = 9.0  # 0.125 in


def boxes(path: Path) -> list[dict[str, list[float]]]:
    with pikepdf.open(path) as pdf:
        return [{name: [round(float(v), 2) for v in page.obj[f"/{name}"]] for name in ("MediaBox", "TrimBox",
                                                                                        "BleedBox")}
                for page in pdf.pages]


def fixture_with(tmp_path: Path, **print_keys: str) -> Path:
    """A copy of the fixture book with other print settings."""
    book = tmp_path / "book"
    shutil.copytree(FIXTURE_BOOK, book)
    text = (book / "book.yaml").read_text().split("print:")[0] + "print:\n"
    text += "".join(f"  {key}: {value}\n" for key, value in print_keys.items())
    (book / "book.yaml").write_text(text)
    return book


def test_generic_print_pages_have_bleed_on_every_side(seed_book: Built) -> None:
    for page in boxes(seed_book.path("print")):
        assert page["TrimBox"] == [0, 0, 432, 648]
        assert page["MediaBox"] == page["BleedBox"] == [-BLEED, -BLEED, 432 + BLEED, 648 + BLEED]


def test_kdp_print_pages_have_no_bleed_on_the_spine_side(fixture_book: Built) -> None:
    pages = boxes(fixture_book.path("print"))
    for number, page in enumerate(pages, start=1):
        assert page["TrimBox"] == [0, 0, 419.53, 595.28]
        width = page["MediaBox"][2] - page["MediaBox"][0]
        assert round(width, 2) == 419.53 + BLEED and page["MediaBox"][3] - page["MediaBox"][1] == 595.28 + 18
        # Recto (odd) pages bind on their left edge, versos on their right.
        assert page["MediaBox"][0] == (0 if number % 2 else -BLEED)


@pytest.mark.parametrize("printer", ["ingramspark", "lulu"])
def test_ingramspark_and_lulu_get_bleed_on_all_sides_at_us_letter(tmp_path: Path, printer: str) -> None:
    built = build_into(fixture_with(tmp_path, trim="letter", printer=printer), tmp_path / "out", ("pdf",))
    for page in boxes(built.path("print")):
        assert page["TrimBox"] == [0, 0, 612, 792]
        assert page["MediaBox"] == [-BLEED, -BLEED, 612 + BLEED, 792 + BLEED]
    assert preflight_pdf(built.path("print"), "print", load_config(built.content)) == []


def test_screen_edition_is_trim_size_without_bleed(seed_book: Built) -> None:
    for page in boxes(seed_book.path("screen")):
        assert page["MediaBox"] == page["TrimBox"] == [0, 0, 432, 648]


def test_every_font_is_embedded_in_both_editions(seed_book: Built) -> None:
    for kind in ("print", "screen"):
        with pikepdf.open(seed_book.path(kind)) as pdf:
            fonts = {}
            for page in pdf.pages:
                fonts.update({str(f.BaseFont): f for f in page.Resources.Font.values()})
            assert fonts, "no fonts at all"
            for name, font in fonts.items():
                descriptor = font.DescendantFonts[0].FontDescriptor
                assert "/FontFile2" in descriptor, f"{kind}: {name} not embedded"
                assert "Vollkorn" in name


def test_print_edition_is_pdfx4_with_a_cmyk_output_intent(seed_book: Built) -> None:
    with pikepdf.open(seed_book.path("print")) as pdf:
        assert pdf.pdf_version == "1.6"
        xmp = pdf.Root.Metadata.read_bytes()
        assert b"<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>" in xmp
        intent = pdf.Root.OutputIntents[0]
        assert intent.S == "/GTS_PDFX" and intent.DestOutputProfile.N == 4
        assert pdf.docinfo.Trapped == "/False" and len(pdf.trailer.ID) == 2


def content_streams(pdf: pikepdf.Pdf) -> bytes:
    """Every page's content and the form XObjects it paints, decoded."""
    out = []

    def forms(resources: pikepdf.Object) -> None:
        for xobject in resources.get("/XObject", {}).values():
            if xobject.Subtype == "/Form":
                out.append(xobject.read_bytes())
                forms(xobject.get("/Resources", {}))

    for page in pdf.pages:
        out.append(page.obj.Contents.read_bytes() if isinstance(page.obj.Contents, pikepdf.Stream)
                   else b"".join(s.read_bytes() for s in page.obj.Contents))
        forms(page.Resources)
    return b"\n".join(out)


def test_print_text_is_single_ink_black(seed_book: Built) -> None:
    with pikepdf.open(seed_book.path("print")) as pdf:
        streams = content_streams(pdf)
    assert re.search(rb"\brg\b|\bRG\b", streams) is None, "RGB colour in the print file"
    assert set(re.findall(rb"([\d.]+ [\d.]+ [\d.]+ [\d.]+) scn", streams)) == {b"0 0 0 1"}


def test_screen_edition_is_tagged_pdfua_with_bookmarks(seed_book: Built) -> None:
    with pikepdf.open(seed_book.path("screen")) as pdf:
        assert "/StructTreeRoot" in pdf.Root and pdf.Root.MarkInfo.Marked is True
        assert b'pdfuaid:part="1"' in pdf.Root.Metadata.read_bytes()
        assert str(pdf.Root.Lang) == "en"
        with pdf.open_outline() as outline:
            titles = [item.title for item in outline.root]
        assert titles[:3] == ["Contents", "Introduction", "The Evolution of UN Peacekeeping and Its Role in "
                                                          "International Diplomacy"]
        assert len(titles) == 12 and titles[-1] == "Index"  # the index of its marked terms ends the book


def test_kdp_print_edition_has_no_bookmarks_and_no_annotations(fixture_book: Built) -> None:
    with pikepdf.open(fixture_book.path("print")) as pdf:
        assert "/Outlines" not in pdf.Root
        assert not any("/Annots" in page.obj for page in pdf.pages)
    assert preflight_pdf(fixture_book.path("print"), "print", load_config(fixture_book.content)) == []


def test_screen_contents_entries_are_links(seed_book: Built) -> None:
    with pikepdf.open(seed_book.path("screen")) as pdf:
        contents = next(i for i, text in enumerate(page_texts(seed_book.path("screen")))
                        if text.lower().startswith("contents"))
        links = [a for a in pdf.pages[contents].obj.get("/Annots", []) if a.Subtype == "/Link"]
    assert len(links) >= 15


def contents_entries(pages: list[str]) -> dict[str, str]:
    """Title -> page number as printed on the contents page."""
    contents = next(text for text in pages if text.lower().startswith("contents")).split(" ", 1)[1]
    entries = re.findall(r"([A-Z][^.]*?[^. ])\s*(?:\. ?)+\s*([0-9]+|[ivxlc]+)\b", contents)
    return {re.sub(r"^\d+ ", "", title).strip(): number for title, number in entries}


def printed_folios(path: Path) -> list[str]:
    return [foot for _, foot in margin_texts(path)]


@pytest.mark.parametrize("book", ["seed_book", "fixture_book"])
def test_contents_page_numbers_are_the_pages_the_headings_are_printed_on(book: str,
                                                                          request: pytest.FixtureRequest) -> None:
    built: Built = request.getfixturevalue(book)
    for kind in ("print", "screen"):
        path = built.path(kind)
        pages = page_texts(path)
        folios = printed_folios(path)
        entries = contents_entries(pages)
        assert len(entries) >= 3
        first_body = next(i for i, t in enumerate(pages) if i > 4 and re.match(r"^(1 )?(Introduction|The First)", t))
        for title, number in entries.items():
            start = next(i for i, t in enumerate(pages) if i >= 4 and not t.lower().startswith("contents")
                         and title in t)
            expected = str(start - first_body + 1) if number.isdigit() else None
            if expected is not None:
                assert number == expected, f"{kind}: '{title}' listed on {number}, printed on {expected}"
            # Where the page shows a folio, it is that same number.
            assert folios[start] in ("", number), f"{kind}: page {start + 1} shows folio {folios[start]}"


def test_body_folios_count_from_one_and_front_matter_is_roman(seed_book: Built) -> None:
    folios = printed_folios(seed_book.path("print"))
    pages = page_texts(seed_book.path("print"))
    contents = next(i for i, t in enumerate(pages) if t.lower().startswith("contents"))
    assert folios[contents] == "v"
    assert folios[:4] == ["", "", "", ""]  # half-title, blank, title page, copyright: blind folios
    numbered = [(i, f) for i, f in enumerate(folios) if f.isdigit()]
    assert numbered and all(int(f) - i == numbered[0][0] * -1 + int(numbered[0][1]) for i, f in numbered)


def test_running_heads_book_title_on_verso_chapter_on_recto_none_on_openings(seed_book: Built) -> None:
    path = seed_book.path("print")
    pages = page_texts(path)
    heads = [head.lower() for head, _ in margin_texts(path)]
    chapter_titles = {"the role of member states", "challenges", "innovations and future trends",
                      "peacekeeping and diplomatic frameworks", "key strategies", "assessing success",
                      "the evolution of un peacekeeping", "conflict resolution and state building",
                      "navigating the diplomatic landscape", "introduction", "index"}
    seen_recto = seen_verso = 0
    for index, (head, text) in enumerate(zip(heads, pages, strict=True)):
        opening = re.match(r"^(\d+ )?[A-Z]", text) and any(
            text[len(m.group(0)) if (m := re.match(r"^\d+ ", text)) else 0:].startswith(t) for t in (
                "Introduction", "The Evolution", "Key Strategies", "The Role of Member", "Challenges Facing",
                "The Impact", "Recent Innovations", "The Interplay", "Assessing", "Navigating", "Index "))
        if not text or opening or index < 6:
            assert head == "", f"page {index + 1} should have no running head, has '{head}'"
        elif (index + 1) % 2 == 0:
            assert head == "un peacekeeping and diplomacy", f"verso {index + 1}: '{head}'"
            seen_verso += 1
        else:
            assert head in chapter_titles, f"recto {index + 1}: '{head}'"
            seen_recto += 1
    assert seen_recto >= 2 and seen_verso >= 2


def test_blank_pages_are_truly_blank(fixture_book: Built) -> None:
    pages = page_texts(fixture_book.path("print"))
    blanks = [i for i, t in enumerate(pages) if not t]
    assert blanks, "the fixture book has recto openings, so it must have blank versos"
    for index in blanks:
        assert margin_texts(fixture_book.path("print"))[index] == ("", "")


def test_footnotes_sit_on_the_page_of_their_call_and_restart_per_chapter(fixture_book: Built) -> None:
    for kind in ("print", "screen"):
        pages = page_texts(fixture_book.path(kind))
        page_of = {needle: next(i for i, t in enumerate(pages) if needle in t) for needle in (
            "Opening paragraph with a note", "1. The first note, with emphasis.",
            "Text with a second note", "2. The second note. It has a second paragraph.",
            "A chapter with its own note numbering", "1. Numbered 1 again.")}
        assert page_of["Opening paragraph with a note"] == page_of["1. The first note, with emphasis."]
        assert page_of["Text with a second note"] == page_of["2. The second note. It has a second paragraph."]
        assert page_of["A chapter with its own note numbering"] == page_of["1. Numbered 1 again."]


def test_a_character_no_font_can_draw_fails_the_build(tmp_path: Path) -> None:
    book = fixture_with(tmp_path, printer="generic")
    chapter = book / "03-second.md"
    chapter.write_text(chapter.read_text() + "\n猫 A note with a Chinese word (no font draws it; emoji are drawn).\n")
    with pytest.raises(FontError) as error:
        build_into(book, tmp_path / "out", ("pdf",))
    assert str(error.value) == (
        f"{book}/03-second.md:10: character '猫' (U+732B CJK UNIFIED IDEOGRAPH-732B) cannot be drawn by any font "
        "tried for text (Vollkorn, Noto Serif, Noto Serif Hebrew, Noto Naskh Arabic, Noto Serif Devanagari, "
        "Noto Emoji); add a font that has it to book.yaml (fonts: fallbacks: [fonts/YourFont.otf]), or remove it")
    assert not (tmp_path / "out" / "a-small-test-book-print.pdf").exists()


def test_pdf_metadata_carries_title_author_subject_keywords_and_language(seed_book: Built) -> None:
    for kind in ("print", "screen"):
        with pikepdf.open(seed_book.path(kind)) as pdf:
            info = pdf.docinfo
            assert str(info.Title) == "The Role of UN Peacekeeping in Shaping International Diplomacy"
            assert str(info.Author) == "Anonymous"
            assert str(info.Subject).startswith("How United Nations peace operations grew")
            assert str(info.Keywords) == ("United Nations, peacekeeping, international diplomacy, "
                                          "conflict resolution, multilateralism")
            assert str(pdf.Root.Lang) == "en"


def test_crop_marks_are_drawn_in_the_bleed_of_a_generic_proof(tmp_path: Path) -> None:
    plain = build_into(fixture_with(tmp_path / "a", printer="generic"), tmp_path / "a" / "out", ("pdf",))
    marked = build_into(fixture_with(tmp_path / "b", printer="generic", crop_marks="true"), tmp_path / "b" / "out",
                        ("pdf",))
    paths = re.compile(rb"\bm\n")  # WeasyPrint draws marks as paths (moveto) in the bleed
    with pikepdf.open(plain.path("print")) as a, pikepdf.open(marked.path("print")) as b:
        assert len(paths.findall(content_streams(b))) > len(paths.findall(content_streams(a))) + 8 * len(b.pages)
    assert boxes(plain.path("print")) == boxes(marked.path("print"))
    with pikepdf.open(marked.path("screen")) as screen, pikepdf.open(plain.path("screen")) as reference:
        assert len(paths.findall(content_streams(screen))) == len(paths.findall(content_streams(reference)))


def test_small_caps_text_extracts_in_one_case(seed_book: Built) -> None:
    """Small-cap glyphs are shared by upper and lower case; the ToUnicode map keeps one of them, so
    small caps are always set from capitals and read back consistently (screen readers, search)."""
    for kind in ("print", "screen"):
        pages = page_texts(seed_book.path(kind))
        assert pages[0] == "THE ROLE OF UN PEACEKEEPING IN SHAPING INTERNATIONAL DIPLOMACY"
        assert re.search(r"\b[a-z]+[A-Z]{2,}", " ".join(pages)) is None


def text_extents(path: Path) -> list[tuple[float, float, float, float] | None]:
    """Per page, the extent of all its text relative to the trim: (left, bottom, right, top) gaps in points."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(path)
    try:
        out: list[tuple[float, float, float, float] | None] = []
        for page in pdf:
            trim = page.get_trimbox()
            textpage = page.get_textpage()
            boxes = [textpage.get_charbox(i) for i in range(textpage.count_chars())
                     if not textpage.get_text_range(i, 1).isspace()]
            if not boxes:
                out.append(None)
                continue
            out.append((min(b[0] for b in boxes) - trim[0], min(b[1] for b in boxes) - trim[1],
                        trim[2] - max(b[2] for b in boxes), trim[3] - max(b[3] for b in boxes)))
        return out
    finally:
        pdf.close()


@pytest.mark.parametrize("book", ["seed_book", "fixture_book"])
def test_all_text_keeps_half_an_inch_from_the_trim_and_the_gutter_is_on_the_spine_side(
        book: str, request: pytest.FixtureRequest) -> None:
    built: Built = request.getfixturevalue(book)
    extents = text_extents(built.path("print"))
    for number, extent in enumerate(extents, start=1):
        if extent is None:
            continue
        assert min(extent) >= 36.0, f"page {number}: text {min(extent):.1f} pt from the trim (IngramSpark, Lulu: 36)"
    # Full text pages show the mirrored margins: a recto's spine is on its left, a verso's on its right. Justified
    # text reaches the outer margin; a ragged page (the index's two columns, set left) may reach neither.
    full = [(n, e) for n, e in enumerate(extents, start=1)
            if e is not None and max(e[0], e[2]) < 60 and min(e[0], e[2]) < 50]
    rectos = [e for n, e in full if n % 2 == 1]
    versos = [e for n, e in full if n % 2 == 0]
    assert rectos and (versos or book == "fixture_book")  # the fixture's versos are blank or hold a picture
    assert all(e[0] > e[2] + 5 for e in rectos) and all(e[2] > e[0] + 5 for e in versos)


def _editions_both_ways(content: Path, tmp_path: Path) -> dict[str, tuple[bytes, bytes]]:
    """Each edition written from the shared layout, and from a layout of its own (as before one layout)."""
    book = read_book(load_config(content), content)
    env = make_environment(TEMPLATES)
    when = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    out = {}
    with source_date_epoch(when):
        shared = layout(render_print_html(book, env, "screen", when, "test"), book, "print", Resources.search())
        for edition in ("print", "screen"):
            write_edition(shared, book, edition, tmp_path / f"shared-{edition}.pdf")
            render_pdf(render_print_html(book, env, edition, when, "test"), book, edition, Resources.search(),
                       tmp_path / f"own-{edition}.pdf")
            out[edition] = ((tmp_path / f"shared-{edition}.pdf").read_bytes(),
                            (tmp_path / f"own-{edition}.pdf").read_bytes())
    return out


@pytest.mark.parametrize("content", [pytest.param(CONTENT, marks=pytest.mark.slow), FIXTURE_BOOK],  # the seed: 9 s
                         ids=["seed-generic", "fixture-kdp"])
def test_one_layout_writes_both_editions_byte_for_byte_as_their_own_layouts_do(content: Path,
                                                                                 tmp_path: Path) -> None:
    # What differs between the editions (bleed, links, output intent, K or RGB black, KDP bookmarks) must all
    # be decided at write time; any of it left in the shared layout shows up here as a difference.
    for edition, (shared, own) in _editions_both_ways(content, tmp_path).items():
        assert shared == own, f"{edition}: the shared layout writes other bytes than the edition's own layout"


def test_compressing_the_streams_in_the_finisher_changes_no_byte() -> None:
    book = read_book(load_config(FIXTURE_BOOK), FIXTURE_BOOK)
    when = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    with source_date_epoch(when):
        document = layout(render_print_html(book, make_environment(TEMPLATES), "screen", when, "test"), book,
                          "screen", Resources.search())
        passes = finish_passes(book, "screen")
        assert passes[-1] is deflate_streams
        ours = document.copy().write_pdf(finisher=lambda _, pdf: [fix(pdf) for fix in passes],
                                         **pdf_options(book, "screen"))
        pydyfs = document.copy().write_pdf(finisher=lambda _, pdf: [fix(pdf) for fix in passes[:-1]],
                                           **pdf_options(book, "screen"))
    assert ours == pydyfs


def test_caching_pydyfs_page_references_changes_no_byte(tmp_path: Path) -> None:
    book = read_book(load_config(FIXTURE_BOOK), FIXTURE_BOOK)
    when = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    with source_date_epoch(when):
        document = layout(render_print_html(book, make_environment(TEMPLATES), "screen", when, "test"), book,
                          "screen", Resources.search())
        write_edition(document, book, "screen", tmp_path / "cached.pdf")  # tagged: reads page_references a lot
        cached = pydyf.PDF.__dict__["page_references"]
        assert isinstance(cached, CachedPageReferences)
        try:
            pydyf.PDF.page_references = property(cached.build)  # pydyf's own, for this one write
            passes = finish_passes(book, "screen", folios(document.pages))
            document.copy().write_pdf(tmp_path / "pydyf.pdf", finisher=lambda _, pdf: [fix(pdf) for fix in passes],
                                      **pdf_options(book, "screen"))
        finally:
            pydyf.PDF.page_references = cached
    assert (tmp_path / "cached.pdf").read_bytes() == (tmp_path / "pydyf.pdf").read_bytes()


@pytest.mark.slow
def test_a_note_that_does_not_fit_takes_its_calling_line_along(tmp_path: Path) -> None:
    """print.css `footnote-policy: line`: the generated long book's chapter 50 ends with a call whose note does not
    fit below it; the note goes to the next page with the line that calls it, never alone to the next chapter's
    opening page (nor, in a book laid out in parts, to a page of its own: the parts would differ from one layout)."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    from longbook import write_long_book

    content = write_long_book(tmp_path / "book", 51)
    for chapter in sorted(content.glob("*-chapter.md"))[:49]:
        chapter.unlink()
    built = build_into(content, tmp_path / "dist", ("print",))
    texts = page_texts(built.path("print"))
    opening = next(n for n, text in enumerate(texts) if "Chapter 51: Transition" in text[:40])
    note = next(n for n, text in enumerate(texts) if "9. Representative new are but reform" in text)
    assert note == opening - 1  # the last page of chapter 50
    assert "intervention.9" in texts[note]  # with the line that calls it


def test_justified_lines_end_at_the_measure(seed_book: Built) -> None:
    """Each full line of the seed's print pages ends where the others do, within 0.5 pt; before Octavo drew
    justified text as wide as WeasyPrint measured it (pdf/internals.py kerned_justification), 56 of its 290 full
    lines ended more than 0.5 pt off, up to 1.9 pt short, and "rules of engagement , and" had a gap after its
    index mark. The right end of each line's last glyph is its advance (PDFium's loose box); a line's last "f"
    keeps the kern against the space the line dropped, which PDFium does not read, so such lines are left out."""
    import collections

    import pypdfium2

    pdf = pypdfium2.PdfDocument(seed_book.path("print"))
    off = []
    for number, page in enumerate(pdf, 1):
        text_page = page.get_textpage()
        text = text_page.get_text_range()
        lines = collections.defaultdict(list)
        for index, char in enumerate(text):
            if not char.isspace():
                box = text_page.get_charbox(index, loose=True)
                lines[round(box[1], 1)].append((box[2], char))
        ends = [line[-1] for line in lines.values() if len(line) > 40 and line[-1][1] != "f"]  # full lines
        if ends:
            edge = collections.Counter(round(end, 1) for end, _ in ends).most_common(1)[0][0]
            off += [(number, round(end - edge, 2)) for end, _ in ends if 0.5 < abs(end - edge) < 3]
    pdf.close()
    assert off == []
    assert "rules of engagement, and" in " ".join(page_texts(seed_book.path("print")))
