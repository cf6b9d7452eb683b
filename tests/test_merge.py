"""The parts of a book laid out apart and merged (pdf/merge.py) read, render and preflight as the whole book laid
out at once: pages, page labels, outline, links, structure tree, fonts; and a single layout's page labels."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pikepdf
import pytest

from octavo.check import preflight_pdf
from octavo.config import load_config
from octavo.errors import ContentError
from octavo.pdf.merge import merge_parts
from octavo.pdf.pagelabels import label_ranges

from . import pdfcompare
from .conftest import png, write_book
from .partsplit import EDITIONS, Layouts, lay_out_in_parts

BOOK = {
    "book.yaml": "title: Three Parts\nauthors: [Ada Tester]\nlanguage: en-GB\ndate: 2026-01-15\n"
                 "print:\n  trim: A5\n  chapter_start: right\n",  # a blank verso between the parts
    "01-one.md": "# First chapter {#one}\n\nSome text of the first chapter with a note.[^a] See [the third](#three) "
                 "and [a section](#deep).\n\n[^a]: The note, see [two](#two).\n\n## A section in one\n\nMore "
                 "text *here* and **there**.\n",
    "02-two.md": "# Second chapter {#two}\n\nText of the second chapter, back to [the first](#one).\n\n"
                 "| a | b |\n|---|---|\n| 1 | 2 |\n\nAnd on: \u00e9t\u00e9, na\u00efve, \u0152uvre, "
                 "(\u0ca5\u76ca\u0ca5\uff09).\n",  # no font has U+FF09: drawn as .notdef, in two parts
    "03-three.md": "# Third chapter {#three}\n\nThird text.\n\n## Deep section {#deep}\n\n![An image](img.png)\n\n"
                   "The end, see [two](#two) and [the start](#one). Zebras quack \uff09.\n",
    "img.png": png((40, 30)),
}


@pytest.fixture(scope="module")
def laid(tmp_path_factory: pytest.TempPathFactory) -> tuple[Layouts, dict[str, Path]]:
    """The book laid out whole and in three parts (front matter and chapter one, two, three), merged."""
    root = tmp_path_factory.mktemp("merge")
    layouts = lay_out_in_parts(write_book(root / "book", BOOK), root / "out", ["two", "three"])
    merged = {edition: root / f"merged-{edition}.pdf" for edition in EDITIONS}
    for edition in EDITIONS:
        assert merge_parts(layouts.parts[edition], merged[edition], layouts.book, edition,
                           layouts.labels) == len(layouts.labels)
    return layouts, merged


@pytest.mark.parametrize("edition", EDITIONS)
def test_merged_parts_read_as_the_whole_layout(laid: tuple[Layouts, dict[str, Path]], edition: str) -> None:
    layouts, merged = laid
    whole, parts = layouts.whole[edition], merged[edition]
    assert [len(pikepdf.open(p).pages) for p in layouts.parts[edition]] == [7, 1, 1]  # three parts indeed
    assert pdfcompare.page_texts(parts) == pdfcompare.page_texts(whole)
    assert pdfcompare.page_labels(parts) == pdfcompare.page_labels(whole) == layouts.labels
    assert pdfcompare.outline(parts) == pdfcompare.outline(whole)
    assert pdfcompare.links(parts) == pdfcompare.links(whole)
    assert pdfcompare.page_bitmaps(parts) == pdfcompare.page_bitmaps(whole)
    assert pdfcompare.font_files(parts) == pdfcompare.font_files(whole)  # one font file a face, as in one layout
    assert [_own_encodings(part) for part in layouts.parts[edition]] == [0, 1, 1]  # the missing characters
    assert parts.stat().st_size < 1.10 * whole.stat().st_size  # the bound (a few kB of overhead here)
    assert preflight_pdf(parts, edition, load_config(layouts.book.root)) == []
    check = subprocess.run(["qpdf", "--check", str(parts)], capture_output=True, text=True)
    assert check.returncode == 0 and "No syntax or stream encoding errors" in check.stdout


def _own_encodings(path: Path) -> int:
    """How many fonts of a PDF have WeasyPrint's own encoding (for characters the font does not have)."""
    with pikepdf.open(path) as pdf:
        return sum(1 for obj in pdf.objects if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/Font"
                   and obj.get("/Subtype") == "/Type0" and obj.Encoding != "/Identity-H")


def test_the_single_layout_labels_its_pages_with_its_folios(laid: tuple[Layouts, dict[str, Path]]) -> None:
    layouts, _ = laid
    for edition in EDITIONS:
        assert pdfcompare.page_labels(layouts.whole[edition]) == ["i", "ii", "iii", "iv", "v", "vi", *"12345"]


def test_the_outline_links_and_structure_cross_parts(laid: tuple[Layouts, dict[str, Path]]) -> None:
    layouts, merged = laid
    screen = merged["screen"]
    assert [level for level, *_ in pdfcompare.outline(screen)].count(1) == 2  # the sections keep their level
    assert pdfcompare.outline_count(screen) == pdfcompare.outline_count(layouts.whole["screen"])
    targets = {name for *_, name, page, _ in pdfcompare.links(screen) if page >= 0}
    assert {"one", "two", "three", "deep"} <= targets
    assert not [link for link in pdfcompare.links(screen) if link[3] < 0]  # no octavo-part: URI left
    tree = pdfcompare.structure(screen)
    assert tree == pdfcompare.structure(layouts.whole["screen"])
    assert [depth for depth, kind, _ in tree if kind == "/Document"] == [0]  # one Document element
    assert "Zebras quack \uff09." in "".join(text for *_, text in tree)  # the text, read through the fonts
    pdfcompare.parent_tree_resolves(screen)
    with pikepdf.open(screen) as pdf:
        assert pdf.Root.Lang == "en-GB" and pdf.Root.MarkInfo.Marked
        assert b'pdfuaid:part="1"' in pdf.Root.Metadata.read_bytes()
        with pikepdf.open(layouts.whole["screen"]) as whole:
            assert bytes(pdf.trailer.ID[0]) == bytes(whole.trailer.ID[0])  # the edition's identifier
            assert pdf.Root.Metadata.read_bytes() == whole.Root.Metadata.read_bytes()  # its stable DocumentID
    with pikepdf.open(merged["print"]) as pdf:
        assert len(pdf.Root.OutputIntents) == 1
        assert "/StructTreeRoot" not in pdf.Root and not any("/Annots" in page.obj for page in pdf.pages)


def test_the_same_parts_merge_to_the_same_bytes(laid: tuple[Layouts, dict[str, Path]], tmp_path: Path) -> None:
    layouts, merged = laid
    merge_parts(layouts.parts["screen"], tmp_path / "again.pdf", layouts.book, "screen", layouts.labels)
    assert (tmp_path / "again.pdf").read_bytes() == merged["screen"].read_bytes()
    merge_parts(layouts.parts["screen"], tmp_path / "own.pdf", layouts.book, "screen")  # the parts' own labels
    assert pdfcompare.page_labels(tmp_path / "own.pdf") == [*layouts.labels[:7], "3", "5"]  # no blank versos


def test_a_link_to_an_anchor_in_no_part_names_it(laid: tuple[Layouts, dict[str, Path]], tmp_path: Path) -> None:
    layouts, _ = laid
    parts = layouts.parts["screen"]
    broken = tmp_path / "broken.pdf"
    with pikepdf.open(parts[1]) as pdf:
        for annot in pdf.pages[0].obj.Annots:
            annot.A.URI = pikepdf.String("octavo-part:#nowhere")
        pdf.save(broken)
    with pytest.raises(ContentError, match="'#nowhere' leads to no part of the book") as raised:
        merge_parts([parts[0], broken, parts[2]], tmp_path / "out.pdf", layouts.book, "screen")
    assert raised.value.path == broken


def test_page_label_ranges_follow_the_folios() -> None:
    assert label_ranges(["i", "ii", "iii", "1", "2", "3"]) == [(0, "lower-roman", 1), (3, "decimal", 1)]
    assert label_ranges(["1", "2", "7", "8", "IV"]) == [(0, "decimal", 1), (2, "decimal", 7), (4, "upper-roman", 4)]
    assert label_ranges(["x", "xi", "xii"]) == [(0, "lower-roman", 10)]


def test_role_maps_and_id_trees_of_the_parts_are_merged(laid: tuple[Layouts, dict[str, Path]],
                                                        tmp_path: Path) -> None:
    layouts, _ = laid
    parts = []
    for k, path in enumerate(layouts.parts["screen"]):  # WeasyPrint writes neither: give two parts their own
        parts.append(tmp_path / f"part{k}.pdf")
        with pikepdf.open(path) as pdf:
            tree = pdf.Root.StructTreeRoot
            if k:
                tree.RoleMap = pikepdf.Dictionary({f"/Part{k}": pikepdf.Name.Sect})
                element = tree.K[0].K[0]
                tree.IDTree = pikepdf.Dictionary(Names=pikepdf.Array([pikepdf.String(f"id{3 - k}"), element]))
            pdf.save(parts[-1])
    merge_parts(parts, tmp_path / "merged.pdf", layouts.book, "screen", layouts.labels)
    with pikepdf.open(tmp_path / "merged.pdf") as pdf:
        tree = pdf.Root.StructTreeRoot
        assert dict(tree.RoleMap) == {"/Part1": "/Sect", "/Part2": "/Sect"}
        names = list(tree.IDTree.Names)
        assert [str(names[0]), str(names[2])] == ["id1", "id2"]  # sorted, as a name tree must be
        assert names[1].P.objgen == tree.K[0].objgen  # the elements are the Document's children


@pytest.mark.slow
def test_octavo_check_passes_on_merged_pdfs(laid: tuple[Layouts, dict[str, Path]], tmp_path: Path) -> None:
    """`octavo check` on an output folder that holds the merged editions (it lays the book out again for its page
    check, hence slow)."""
    import shutil

    from octavo.check import check_outputs
    from octavo.output import output_names

    layouts, merged = laid
    names = output_names(load_config(layouts.book.root).slug)
    for edition in EDITIONS:
        shutil.copy(merged[edition], tmp_path / names[edition])
    assert [f for f in check_outputs(layouts.book.root, tmp_path) if f.blocking] == []
