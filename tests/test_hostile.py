"""Hostile input (issue 13), through the real command line (`python build.py --content DIR --out DIR`): SVG files
with scripts and remote references, every URL-bearing attribute and style, over-large and over-deep markup,
decompression bombs, YAML aliases and repeated keys, ids used twice, file names with control characters,
tables too large to lay out. Each case: the exact message, the exit code, and the output folder untouched."""

from __future__ import annotations

import os
import re
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
import pytest

from .conftest import EPOCH, ROOT, png, write_book
from .pdftext import page_texts

BASE_YAML = "title: T\nauthors: [A]\nlanguage: en\n"
ONE = "# One\n\nText.\n"
OLD_OUTPUTS = {"t.pdf": b"old screen", "t-print.pdf": b"old print", "t.epub": b"old epub", "SHA256SUMS": b"old\n"}
ERRORS_PAGE = ROOT / "docs" / "errors.md"


def bomb_png(width: int = 30_000, height: int = 30_000) -> bytes:
    """A PNG of a few hundred bytes whose header says 900 megapixels (a decompression bomb)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


SVG = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="60" height="20">'
EVIL_SVG = f"""<?xml version="1.0"?>
{SVG[:-1]} onload="alert(1)">
<script>alert(2)</script>
<defs><linearGradient id="g"><stop offset="0" stop-color="red"/></linearGradient></defs>
<rect width="60" height="20" fill="url(#g)" onclick="steal()"/>
<a xlink:href="javascript:alert(3)"><text x="2" y="15">VISIBLE</text></a>
<foreignObject width="10" height="10"><p xmlns="http://www.w3.org/1999/xhtml">FOREIGN</p></foreignObject>
</svg>
"""
IMAGE = "# One\n\n![A drawing](images/x.svg)\n"


def run(tmp: Path, files: dict[str, str | bytes], *args: str, timeout: float = 300) -> tuple[int, list[str]]:
    """Write a small book into tmp/book (the base book, then `files`) with old outputs in tmp/dist; build it
    with python build.py; return the exit code and the lines printed on stderr, the folder shown as book/."""
    write_book(tmp / "book", {"book.yaml": BASE_YAML, "01-one.md": ONE, "images/pic.png": png(), **files})
    (tmp / "dist").mkdir(exist_ok=True)
    for name, data in OLD_OUTPUTS.items():
        (tmp / "dist" / name).write_bytes(data)
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), *args, "--content", "book", "--out", "dist",
                             "-q"], cwd=tmp, capture_output=True, text=True, timeout=timeout,
                            env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH})
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, result.stderr.splitlines()


def untouched(tmp: Path) -> bool:
    return {p.name: p.read_bytes() for p in (tmp / "dist").iterdir()} == OLD_OUTPUTS


@dataclass(frozen=True)
class Case:
    """A book with one hostile file, and the one line the command line must print about it."""

    files: dict[str, str | bytes]
    stderr: list[str]
    code: int = 1
    args: tuple[str, ...] = field(default=())


NOT_HELD = "an image in a book must hold everything it shows; export the SVG with its images and styles embedded"
CASES: dict[str, Case] = {
    # 1. SVG files: references out of the image refused, naming the SVG file and its line.
    "svg-use-remote": Case({"01-one.md": IMAGE, "images/x.svg": f'{SVG}\n<use href="http://example.com/a.svg#b"/></svg>'},
                           ["error: book/images/x.svg:2: <use href> 'http://example.com/a.svg#b' refused: the build "
                            f"does not use the network, and {NOT_HELD}"]),
    "svg-stylesheet-remote": Case({"01-one.md": IMAGE, "images/x.svg": '<?xml-stylesheet href="http://example.com/s.css"?>'
                                   f"\n{SVG}</svg>"},
                                  ["error: book/images/x.svg:1: <?xml-stylesheet href?> 'http://example.com/s.css' "
                                   f"refused: the build does not use the network, and {NOT_HELD}"]),
    "svg-image-file-url": Case({"01-one.md": IMAGE, "images/x.svg": f'{SVG}\n<image xlink:href="file:///etc/passwd"/></svg>'},
                               ["error: book/images/x.svg:2: <image xlink:href> 'file:///etc/passwd' refused: 'file:' "
                                f"URLs are not allowed, and {NOT_HELD}"]),
    "svg-style-remote": Case({"01-one.md": IMAGE, "images/x.svg": f"{SVG}\n<style>rect "
                                                                  f"{{ fill: u\\72l(http://e.example/x) }}"
                              "</style></svg>"},
                             ["error: book/images/x.svg:2: <style> url() 'http://e.example/x' refused: the build does "
                              "not "
                              f"use the network, and {NOT_HELD}"]),
    "svg-entities": Case({"01-one.md": IMAGE, "images/x.svg": '<!DOCTYPE svg [<!ENTITY a "aaaa">]>\n'
                          f"{SVG}<text>&a;</text></svg>"},
                         ["error: book/images/x.svg:1: declares entities (<!ENTITY ...>), which an image in a book "
                          "has no "
                          "use for and a reader could expand without end; export it again without them"]),
    "svg-cover-remote": Case({"book.yaml": BASE_YAML + "cover: images/x.svg\n",
                              "images/x.svg": f'{SVG}\n<image href="https://example.com/a.png"/></svg>'},
                             ["error: book/images/x.svg:2: <image href> 'https://example.com/a.png' refused: the build "
                              f"does not use the network, and {NOT_HELD}"]),
    # 2. One URL rule for every attribute.
    "url-table-background": Case({"01-one.md": '# One\n\n<table background="http://example.com/x.png"><tr><td>a</td></tr>'
                                  "</table>\n"},
                                 ["error: book/01-one.md:3: remote image 'http://example.com/x.png' refused: the "
                                  "build does "
                                  "not use the network; copy the file into the publication folder, or set "
                                  "allow_remote: "
                                  "true in book.yaml"]),
    "url-srcset": Case({"01-one.md": '# One\n\n<img alt="A" src="images/pic.png" srcset="images/pic.png 1x, '
                        'https://example.com/big.png 2x">\n'},
                       ["error: book/01-one.md:3: remote image 'https://example.com/big.png' refused: the build does "
                        "not "
                        "use the network; copy the file into the publication folder, or set allow_remote: true in "
                        "book.yaml"]),
    "url-data-svg-image": Case({"01-one.md": '# One\n\n<img alt="A" src="data:image/svg+xml,<svg onload=alert(1)>">\n'},
                               ["error: book/01-one.md:3: image 'data:image/svg+xml,<svg onload=alert(1)>' refused: a "
                                "data: "
                                "URL may hold only a PNG, JPEG, GIF or WebP image, not image/svg+xml; save it as a "
                                "file "
                                "in images/ and refer to it by its path"]),
    "url-cite-file": Case({"01-one.md": '# One\n\n<blockquote cite="file:///etc/passwd">Quoted.</blockquote>\n'},
                          ["error: book/01-one.md:3: link 'file:///etc/passwd' refused: 'file:' URLs are not allowed; "
                           "link to a web address (https://...) or to a heading, [text](#its-id)"]),
    # 3. Size is never a way around the policy.
    "size-attribute": Case(
        {"01-one.md": f'# One\n\nSee <a title="{"x" * 300_000}" href="javascript:alert(1)">this</a>.\n'},
                           ["error: book/01-one.md:3: the title attribute of <a> is 300,000 characters long, more "
                            "than the "
                            "64,000 an attribute may hold: shorten it"]),
    "size-attribute-past-libxml2": Case(
        {"01-one.md": f'# One\n\nA <span title="{"x" * 11_000_000}">b</span> c.\n\nLast.\n'},
                                        ["error: book/01-one.md: the chapter is 11,000,043 characters long, more than "
                                         "the "
                                         "2,000,000 a chapter may be (some 1,000 pages): split it into several "
                                         "chapters"]),
    "size-element-name": Case({"01-one.md": f'# One\n\nA <a{"x" * 60_000} href="javascript:alert(1)">b</a> c.\n'},
                              ["error: book/01-one.md:3: raw HTML has an element name longer than 64 characters "
                               "(<axxxxxxxxxxxxxxxxxxx...>): fix the markup"]),
    "size-data-image-1mb": Case(
        {"01-one.md": f'# One\n\n<img alt="A map" src="data:image/png;base64,{"A" * 1_000_000}">\n'},
                                ["error: book/01-one.md:3: the src attribute of <img> is 1,000,022 characters long, "
                                 "more "
                                 "than the 64,000 an attribute may hold: save the image as a file in images/ and refer "
                                 "to it by its path"]),
    "size-data-image-20mb": Case(
        {"01-one.md": f'# One\n\nText.\n\n![A map](data:image/png;base64,{"A" * 20_000_000})\n'},
                                 ["error: book/01-one.md:5: a data: URL of 20,000,022 characters: an image belongs in "
                                  "a "
                                  "file of its own; save it in images/ and refer to it by its path"]),
    "size-chapter": Case({"01-one.md": "# One\n\n" + "Words and more words. " * 100_000},
                         ["error: book/01-one.md: the chapter is 2,200,007 characters long, more than the 2,000,000 a "
                          "chapter may be (some 1,000 pages): split it into several chapters"]),
    # 4. Tracebacks -> messages.
    "image-bomb": Case({"01-one.md": "# One\n\n![A bomb](images/bomb.png)\n", "images/bomb.png": bomb_png()},
                       ["error: book/01-one.md:3: image 'images/bomb.png' is too large: 900 megapixels, more than the "
                        "50 "
                        "a book's image may have; scale it down (300 pixels per inch of the printed size is plenty)"]),
    "image-60-megapixels": Case(
        {"01-one.md": "# One\n\n![Big](images/big.png)\n", "images/big.png": bomb_png(10_000, 6_000)},
                                ["error: book/01-one.md:3: image 'images/big.png' is too large: 10,000 x 6,000 "
                                 "pixels, 60 "
                                 "megapixels, more than the 50 a book's image may have; scale it down (300 pixels per "
                                 "inch of the printed size is plenty)"]),
    "cover-bomb": Case({"book.yaml": BASE_YAML + "cover: images/bomb.png\n", "images/bomb.png": bomb_png()},
                       ["error: book/book.yaml:4: cover 'images/bomb.png' is too large: 900 megapixels, more than the "
                        "50 "
                        "a book's image may have; scale it down (300 pixels per inch of the printed size is plenty)"]),
    "cover-not-an-image": Case({"book.yaml": BASE_YAML + "cover: notes.txt\n", "notes.txt": "not a picture"},
                               ["error: book/book.yaml:4: cover 'notes.txt': use PNG, JPEG, GIF, WebP or SVG, the "
                                "formats "
                                "every EPUB reader shows; convert the file"]),
    "cover-png-that-is-not": Case({"book.yaml": BASE_YAML + "cover: images/c.png\n", "images/c.png": "not a picture"},
                                  ["error: book/book.yaml:4: cover 'images/c.png' cannot be read as an image (cannot "
                                   "identify image file '{tmp}/book/images/c.png'); export it again"]),
    "nested-html": Case({"01-one.md": "# One\n\n" + "<div>" * 3000 + "x" + "</div>" * 3000 + "\n"},
                        ["error: book/01-one.md:3: elements are nested more than 100 deep (at <div>): no page can show "
                         "that; flatten the markup"]),
    "nested-spans": Case({"01-one.md": "# One\n\nText " + "<span>" * 3000 + "x" + "</span>" * 3000 + "\n"},
                         ["error: book/01-one.md:3: elements are nested more than 100 deep (at <span>): no page can "
                          "show "
                          "that; flatten the markup"]),
    "nested-emphasis": Case({"01-one.md": "# One\n\n" + "*a " * 3000 + "x" + " a*" * 3000 + "\n"},
                            ["error: book/01-one.md: elements are nested more than 100 deep (at <em>): no page can "
                             "show "
                             "that; flatten the markup"]),
    "yaml-recursive-alias": Case({"book.yaml": "title: &a [*a]\nauthors: [A]\nlanguage: en\n"},
                                 ["error: book/book.yaml:1: YAML anchors and aliases (&a) are not allowed in a book's "
                                  "metadata; write the value out in full"]),
    "yaml-alias-bomb": Case({"book.yaml": BASE_YAML + 'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
                             + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},"
                                       f"*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)}]\n"
                                       for i in range(8))},
                            ["error: book/book.yaml:4: YAML anchors and aliases (&a) are not allowed in a book's "
                             "metadata; write the value out in full"]),
    "yaml-front-matter-alias": Case({"01-one.md": "---\ntitle: &t One\nshort_title: *t\n---\n\nText.\n"},
                                    ["error: book/01-one.md:2: front matter: YAML anchors and aliases (&t) are not "
                                     "allowed "
                                     "in a book's metadata; write the value out in full"]),
    "yaml-too-deep": Case({"book.yaml": BASE_YAML + "x: " + "[" * 5000 + "]" * 5000 + "\n"},
                          ["error: book/book.yaml:4: nested more than 20 levels deep; a book's metadata needs only a "
                           "few"]),
    "yaml-too-large": Case({"book.yaml": BASE_YAML + "description: " + "x" * 1_000_000 + "\n"},
                           ["error: book/book.yaml:1: is 1,000,049 characters long, more than the 1,000,000 metadata "
                            "may "
                            "take; keep only the book's metadata here"]),
    "front-matter-too-large": Case({"01-one.md": "---\ntitle: " + "x" * 70_000 + "\n---\n\nText.\n"},
                                   ["error: book/01-one.md:1: the front matter is 70,008 characters long, more than "
                                    "the "
                                    "64,000 it may take; keep only the chapter's title and kind there"]),
    # 5. Quietly accepted.
    "yaml-duplicate-key": Case({"book.yaml": "title: T\nauthors: [A]\nlanguage: en\ntitle: U\n"},
                               ["error: book/book.yaml:4: 'title' is given twice, on lines 1 and 4: keep one"]),
    "yaml-duplicate-nested-key": Case({"book.yaml": BASE_YAML + "print:\n  trim: A5\n  trim: A4\n"},
                                      ["error: book/book.yaml:6: 'trim' is given twice, on lines 5 and 6: keep one"]),
    "front-matter-duplicate-key": Case({"01-one.md": "---\ntitle: One\ntitle: Two\n---\n\nText.\n"},
                                       ["error: book/01-one.md:3: front matter: 'title' is given twice, on lines 2 "
                                        "and 3: "
                                        "keep one"]),
    "chapter-listed-twice": Case({"book.yaml": BASE_YAML + "chapters:\n  - 01-one.md\n  - 01-one.md\n"},
                                 ["error: book/book.yaml:6: chapter '01-one.md' is listed twice in 'chapters' (first "
                                  "on "
                                  "line 5): keep one"]),
    "date-not-in-the-calendar": Case({"book.yaml": BASE_YAML + "date: 2024-13-45\n"},
                                     ["error: book/book.yaml:4: 'date' 2024-13-45 is not a date in the calendar: "
                                      "check the "
                                      "month (01 to 12) and the day"]),
    "date-february-30": Case({"book.yaml": BASE_YAML + "date: 2023-02-29\n"},
                             ["error: book/book.yaml:4: 'date' 2023-02-29 is not a date in the calendar: check the "
                              "month "
                              "(01 to 12) and the day"]),
    "id-explicit-twice": Case({"01-one.md": "# One\n\n## A {#dup}\n\nText.\n\n## B {#dup}\n\nMore.\n"},
                              ["error: book/01-one.md:7: id 'dup' is already used at book/01-one.md:3; ids must be "
                               "unique "
                               "in the whole book, so that a link to one goes there: choose another"]),
    "id-explicit-in-two-chapters": Case(
        {"01-one.md": "# One {#dup}\n\nText.\n", "02-two.md": "# Two {#dup}\n\nText.\n"},
                                        ["error: book/02-two.md:1: id 'dup' is already used at book/01-one.md:1; ids "
                                         "must "
                                         "be unique in the whole book, so that a link to one goes there: choose "
                                         "another"]),
    "id-raw-twice": Case({"01-one.md": '# One\n\n<p id="x">A.</p>\n\n<p id="x">B.</p>\n'},
                         ["error: book/01-one.md:5: id 'x' is already used at book/01-one.md:3; ids must be unique in "
                          "the whole book, so that a link to one goes there: choose another"]),
    "id-raw-and-heading": Case({"01-one.md": '# One\n\n## Same\n\nText <span id="same">here</span>.\n'},
                               ["error: book/01-one.md:5: id 'same' is already used at book/01-one.md:3; ids must be "
                                "unique in the whole book, so that a link to one goes there: choose another"]),
    "name-with-escape-and-newline": Case({"02-\x1b[31mred\n.md": "no title here\n"},
                                         ["error: book/02-\\x1b[31mred\\n.md:1: no title: start the chapter with '# "
                                          "Title' "
                                          "or set 'title:' in the front matter"]),
    # 6. Bounded memory and time.
    "table-100000-rows": Case({"01-one.md": "# One\n\n| a | b |\n|---|---|\n" + "".join(f"| r{i} | c{i} |\n"
                                                                                      for i in range(100_000))},
                              ["error: book/01-one.md:3: a table of 100,001 rows and 200,002 cells is larger than a "
                               "book's "
                               "table may be (at most 2,000 rows and 20,000 cells, some 60 pages): split it into "
                               "smaller "
                               "tables, or publish the data as a file beside the book"]),
    "table-raw-html": Case({"01-one.md": "# One\n\n<table>" + "<tr><td>r</td><td>c</td></tr>" * 2500 + "</table>\n"},
                           ["error: book/01-one.md:3: a table of 2,500 rows and 5,000 cells is larger than a book's "
                            "table "
                            "may be (at most 2,000 rows and 20,000 cells, some 60 pages): split it into smaller "
                            "tables, or "
                            "publish the data as a file beside the book"]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_hostile_input_is_refused_with_one_line(name: str, tmp_path: Path) -> None:
    case = CASES[name]
    started = time.monotonic()
    code, lines = run(tmp_path, case.files, *case.args)
    assert lines == [line.replace("{tmp}", str(tmp_path)) for line in case.stderr]
    assert code == case.code
    assert untouched(tmp_path)
    assert time.monotonic() - started < 60  # refused early: no layout, no expansion


def test_the_errors_page_lists_every_hostile_input_message() -> None:
    documented = [line for line in ERRORS_PAGE.read_text(encoding="utf-8").splitlines() if line.startswith("|")]
    for name, case in CASES.items():
        for line in case.stderr:
            message = re.sub(r"^(error|warning): (book/[^:]*:(\d+:)? )?", "", line)
            message = re.sub(r"\(cannot identify image file .*\)", "(...)", message)
            assert any(message in row for row in documented), f"{name}: {message}"


def epub_files(tmp: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(tmp / "dist" / "t.epub") as epub:
        return {name: epub.read(name) for name in epub.namelist()}


def link_uris(pdf: Path) -> list[str]:
    with pikepdf.open(pdf) as document:
        return [str(annot.A.URI) for page in document.pages for annot in page.get("/Annots", [])
                if "/A" in annot and "/URI" in annot.A]


def test_svg_images_and_an_svg_cover_are_cleaned_in_the_epub_and_the_pdfs(tmp_path: Path) -> None:
    """Scripts, handlers, foreignObject and javascript: links are removed with a warning each (the SVG file and
    its line named), and what the EPUB carries is the cleaned file, for an image and for the cover."""
    code, lines = run(tmp_path, {"book.yaml": BASE_YAML + "cover: images/cover.svg\n", "01-one.md": IMAGE,
                                 "images/x.svg": EVIL_SVG, "images/cover.svg": EVIL_SVG})
    assert code == 0
    for name in ("cover.svg", "x.svg"):
        assert [line for line in lines if f"/{name}:" in line] == [
            f"warning: book/images/{name}:2: removed attribute onload from <svg> in the SVG image: books carry no "
            f"scripts",
            f"warning: book/images/{name}:3: removed <script> from the SVG image: books carry no scripts",
            f"warning: book/images/{name}:5: removed attribute onclick from <rect> in the SVG image: books carry no "
            "scripts",
            f"warning: book/images/{name}:6: removed attribute xlink:href from <a> in the SVG image: books carry no "
            "scripts (javascript URL)",
            f"warning: book/images/{name}:7: removed <foreignobject> from the SVG image: it holds HTML inside the "
            f"image, "
            "which is not checked; draw it in SVG"]
    files = epub_files(tmp_path)
    for name in ("EPUB/images/x.svg", "EPUB/images/cover.svg"):
        svg = files[name]
        for word in (b"script", b"onload", b"onclick", b"javascript", b"FOREIGN", b"foreignObject"):
            assert word not in svg, (name, word)
        assert b'fill="url(#g)"' in svg and b"VISIBLE" in svg  # what is not dangerous stays
    # The PDFs draw the cleaned file (served from memory by the fetcher): its text is on the chapter's page.
    # (pdfium may split SVG text into spaced glyphs, "VISIB L E", depending on the font that draws it)
    assert any("VISIBLE" in text.replace(" ", "") for text in page_texts(tmp_path / "dist" / "t.pdf"))
    assert not any(uri.startswith("javascript") for uri in link_uris(tmp_path / "dist" / "t.pdf"))


def test_urls_in_any_attribute_and_style_follow_one_rule(tmp_path: Path) -> None:
    """data: documents in links, image-set() in a style, ping, a javascript: longdesc: removed with a warning,
    and nothing of them in the EPUB or the screen PDF's links."""
    chapter = ("# One\n\n"
               'See <a href="data:application/xhtml+xml;base64,PHNjcmlwdD4=">this</a>.\n\n'
               'See <a href="data:image/svg+xml,<svg onload=alert(1)>">that</a>.\n\n'
               '<p style="background: image-set(url(http://example.com/x.png) 1x)">Styled.</p>\n\n'
               '<p style="background: -webkit-image-set(\'http://example.com/y.png\' 1x)">Styled again.</p>\n\n'
               '<a href="https://example.org/" ping="http://track.example.com/">Web</a>\n\n'
               '<img alt="A" src="images/pic.png" longdesc="javascript:alert(1)">\n')
    code, lines = run(tmp_path, {"01-one.md": chapter})
    assert code == 0
    assert lines == [
        "warning: book/01-one.md:3: removed attribute href from <a>: a link may not carry a document in a data: URL "
        "(application/xhtml+xml)",
        "warning: book/01-one.md:5: removed attribute href from <a>: a link may not carry a document in a data: URL "
        "(image/svg+xml)",
        "warning: book/01-one.md:7: removed attribute style from <p>: a style attribute may not use image-set(), which "
        "can load files or run code (use an image, which is checked)",
        "warning: book/01-one.md:9: removed attribute style from <p>: a style attribute may not use "
        "-webkit-image-set(), "
        "which can load files or run code (use an image, which is checked)",
        "warning: book/01-one.md:11: removed attribute ping from <a>: books send no requests when a link is followed",
        "warning: book/01-one.md:13: removed attribute longdesc from <img>: books carry no scripts (javascript URL)"]
    text = epub_files(tmp_path)["EPUB/text/one.xhtml"]
    for word in (b"data:application", b"data:image/svg", b"example.com", b"ping=", b"javascript"):
        assert word not in text, word
    assert link_uris(tmp_path / "dist" / "t.pdf") == ["https://example.org/"]


def test_ninety_levels_of_nesting_still_build(tmp_path: Path) -> None:
    """The depth limit leaves room for any real book: 98 nested elements lay out."""
    code, lines = run(tmp_path, {"01-one.md": "# One\n\n" + "<div>" * 90 + "<span>" * 8 + "Deep." + "</span>" * 8
                                 + "</div>" * 90 + "\n"}, "epub")
    assert (code, lines) == (0, [])


@pytest.mark.slow  # a whole book built: about 10-15 s (the default suite's budget)
def test_a_table_at_the_limit_builds(tmp_path: Path) -> None:
    rows = "".join(f"| r{i} | c{i} |\n" for i in range(1_999))
    code, lines = run(tmp_path, {"01-one.md": "# One\n\n| a | b |\n|---|---|\n" + rows}, "epub")
    assert (code, lines) == (0, [])


def test_an_unlisted_chapter_with_an_escape_in_its_name_is_shown_escaped(tmp_path: Path) -> None:
    code, lines = run(tmp_path, {"book.yaml": BASE_YAML + "chapters: [01-one.md]\n", "02-\x1b]0;x\x07\n.md": ONE},
                      "epub")
    assert code == 0
    assert lines == ["warning: book/book.yaml:4: chapter file '02-\\x1b]0;x\\x07\\n.md' is not listed in 'chapters', "
                     "so "
                     "it is left out of the book"]


def test_real_dates_and_years_still_pass(tmp_path: Path) -> None:
    for date in ("2024-02-29", "2024-12"):
        code, lines = run(tmp_path, {"book.yaml": BASE_YAML + f"date: {date}\n"}, "epub")
        assert (code, lines) == (0, []), date
        opf = next(v for k, v in epub_files(tmp_path).items() if k.endswith(".opf"))
        assert f"<dc:date>{date}</dc:date>".encode() in opf


def test_small_data_images_still_build(tmp_path: Path) -> None:
    import base64

    data = base64.b64encode(png()).decode()
    code, lines = run(tmp_path, {"01-one.md": f'# One\n\n<img alt="A dot" src="data:image/png;base64,{data}">\n'},
                      "epub")
    assert (code, lines) == (0, [])
