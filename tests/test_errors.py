"""Bad input: one case per mistake, through the real command line: the exact message, the exit code, and the
output folder left exactly as it was (previous outputs byte for byte, no stray temporary file)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from octavo.cli import main

from .conftest import EPOCH, ROOT, png, write_book

OLD_OUTPUTS = {"t.pdf": b"old screen", "t-print.pdf": b"old print", "t.epub": b"old epub",
               "SHA256SUMS": b"old sums\n"}


@dataclass(frozen=True)
class Case:
    """A small book with one mistake, and what the command line must say about it."""

    files: dict[str, str | bytes]
    """Files to write over the base book (book/...); None-valued keys are not supported, use `remove`."""
    stderr: list[str]
    """Every line printed, word for word."""
    code: int = 1
    """The exit code."""
    args: tuple[str, ...] = ()
    """Extra command-line arguments."""
    symlinks: dict[str, str] = field(default_factory=dict)
    """Links to create in the book: name -> target ('{tmp}' is the test's temporary folder)."""


BASE_YAML = "title: T\nauthors: [A]\nlanguage: en\n"
ONE = "# One\n\nText.\n"

CASES: dict[str, Case] = {
    # book.yaml
    "yaml-syntax": Case({"book.yaml": "title: T\nauthors: [A\nlanguage: en\n"}, [
        "error: book/book.yaml:3: not valid YAML, column 9: expected ',' or ']', but got ':'"]),
    "yaml-not-a-mapping": Case({"book.yaml": "- title\n"}, [
        "error: book/book.yaml:1: must be a mapping of keys to values (title: ..., authors: ...)"]),
    "yaml-missing-key": Case({"book.yaml": "title: T\nauthors: [A]\n"}, [
        "error: book/book.yaml: 'language' is required (for example language: \"en\")"]),
    "yaml-wrong-type": Case({"book.yaml": "title: T\nauthors: A\nlanguage: en\n"}, [
        "error: book/book.yaml:2: 'authors' must be a list of names (or of {name: ..., affiliation: ...}), "
        "not 'A'"]),
    "yaml-unknown-key": Case({"book.yaml": BASE_YAML + "autor: B\n"}, [
        "error: book/book.yaml:4: unknown key 'autor' (did you mean 'authors'?)"]),
    "yaml-unknown-print-key": Case({"book.yaml": BASE_YAML + "print:\n  trimm: A5\n"}, [
        "error: book/book.yaml:5: unknown key 'print.trimm' (did you mean 'print.trim'?)"]),
    "yaml-language": Case({"book.yaml": "title: T\nauthors: [A]\nlanguage: English\n"}, [
        "error: book/book.yaml:3: 'language' is not a BCP 47 language tag: 'English' "
        "(for example en, en-GB, fr, pt-BR)"]),
    "yaml-trim": Case({"book.yaml": BASE_YAML + "print:\n  trim: 6 by 9\n"}, [
        "error: book/book.yaml:5: 'print.trim' cannot be read: '6 by 9' (use a name such as A5 or letter, "
        "or a size such as 6in 9in or 148mm 210mm)"]),
    "yaml-every-problem-at-once": Case({"book.yaml": "title: T\nautor: A\nlanguage: English\nprint:\n"
                                                     "  printer: kpd\n"}, [
        "error: book/book.yaml:2: unknown key 'autor' (did you mean 'authors'?)",
        "error: book/book.yaml: 'authors' is required (for example authors: [\"Ada Lovelace\"])",
        "error: book/book.yaml:3: 'language' is not a BCP 47 language tag: 'English' (for example en, en-GB, fr, "
        "pt-BR)",
        "error: book/book.yaml:5: 'print.printer' must be one of generic, kdp, ingramspark, lulu, not 'kpd' "
        "(did you mean 'kdp'?)"]),
    "yaml-chapter-listed-missing": Case({"book.yaml": BASE_YAML + "chapters: [01-one.md, 02-two.md]\n"}, [
        "error: book/book.yaml:4: chapter '02-two.md' is listed in 'chapters' but does not exist"]),
    "yaml-chapter-outside": Case({"book.yaml": BASE_YAML + "chapters: [01-one.md, ../secret.md]\n",
                                  "../secret.md": ONE}, [
        "error: book/book.yaml:4: '../secret.md' is outside the publication folder; keep every file of the book "
        "inside it"]),
    "yaml-not-utf8": Case({"book.yaml": b"title: Caf\xe9\nauthors: [A]\nlanguage: en\n"}, [
        "error: book/book.yaml:1: not UTF-8: byte 0xe9 at offset 10 cannot be decoded; save the file as UTF-8"]),
    "yaml-slug-leaves-the-output-folder": Case({"book.yaml": BASE_YAML + "slug: ../../t\n"}, [
        "error: book/book.yaml:4: 'slug' names the output files, so it may hold only letters, digits and "
        ". _ + -, not '../../t'"]),
    "yaml-unlisted-chapter-is-a-warning-failing-with-strict": Case(
        {"book.yaml": BASE_YAML + "chapters: [01-one.md]\n", "02-two.md": ONE}, [
            "warning: book/book.yaml:4: chapter file '02-two.md' is not listed in 'chapters', so it is left out "
            "of the book",
            "error: 1 warning(s) and --strict is on: fix them, or build without --strict; the previous outputs "
            "are kept"], args=("epub", "--strict")),
    # Markdown
    "md-front-matter": Case({"01-one.md": "---\ntitle: [One\n---\n# One\n\nText.\n"}, [
        "error: book/01-one.md:3: front matter is not valid YAML: expected ',' or ']', but got '<stream end>'"]),
    "md-not-utf8": Case({"01-one.md": b"# One\n\nCaf\xe9 au lait.\n"}, [
        "error: book/01-one.md:3: not UTF-8: byte 0xe9 at offset 10 cannot be decoded; save the file as UTF-8"]),
    "md-control-character": Case({"01-one.md": "# One\n\nA form\x0cfeed.\n"}, [
        "error: book/01-one.md:3: invisible control character U+000C at column 7 is not allowed in a book; "
        "delete it"]),
    "md-image-missing": Case({"01-one.md": "# One\n\n![A map](images/map.png)\n"}, [
        "error: book/01-one.md:3: image 'images/map.png' not found (paths are relative to the publication "
        "folder)"]),
    "md-image-without-alt": Case({"01-one.md": "# One\n\n![](images/pic.png)\n"}, [
        "error: book/01-one.md:3: image 'images/pic.png' has no alt text: describe it, "
        "![A map of the region](images/pic.png), so readers who cannot see it are not left out"]),
    "md-image-unreadable": Case({"01-one.md": "# One\n\n![A map](images/broken.png)\n",
                                 "images/broken.png": b"\x89PNG\r\n\x1a\nnot really"}, [
        "error: book/01-one.md:3: image 'images/broken.png' cannot be read as an image (Truncated File "
        "Read); export it again"]),
    "md-image-format": Case({"01-one.md": "# One\n\n![A map](images/map.tiff)\n", "images/map.tiff": b"II*\x00"}, [
        "error: book/01-one.md:3: image 'images/map.tiff': use PNG, JPEG, GIF, WebP or SVG, the formats every "
        "EPUB reader shows; convert the file"]),
    "md-image-svg-not-svg": Case({"01-one.md": "# One\n\n![A map](images/map.svg)\n",
                                  "images/map.svg": "<html><body>not a drawing</body></html>"}, [
        "error: book/01-one.md:3: image 'images/map.svg' is not an SVG file (its root element is <html>)"]),
    "md-empty-chapter": Case({"01-one.md": "---\nkind: chapter\n---\n\n"}, [
        "error: book/01-one.md:4: the chapter is empty: write some text, or remove the file from 'chapters'"]),
    "md-heading-skips-a-level-is-a-warning-failing-with-strict": Case(
        {"01-one.md": "# One\n\nText.\n\n#### Deep\n\nMore.\n"}, [
            "warning: book/01-one.md:5: heading level skips from 1 to 4; use ##",
            "error: 1 warning(s) and --strict is on: fix them, or build without --strict; the previous outputs "
            "are kept"], args=("epub", "--strict")),
    "md-duplicate-explicit-id": Case(
        {"01-one.md": "# One\n\n## A {#same}\n\n## B {#same}\n\nText.\n"}, [
            "error: book/01-one.md:5: id 'same' is already used at book/01-one.md:3; ids must be unique in the whole "
            "book, so that a link to one goes there: choose another"], args=("epub",)),
    "md-footnote-undefined": Case({"01-one.md": "# One\n\nA claim.[^source]\n"}, [
        "error: book/01-one.md:3: footnote [^source] has no definition; add a line "
        "'[^source]: text of the note'"]),
    "md-index-mark-unknown-attribute": Case({"01-one.md": "# One\n\nText.\n\nThe [UN]{index-se=\"UN\"}.\n"}, [
        "error: book/01-one.md:5: index mark {index-se=\"UN\"}: unknown attribute 'index-se' (did you mean "
        "'index-see'?)"]),
    "md-anchor-missing": Case({"01-one.md": "# One\n\nSee [below](#nowhere).\n"}, [
        "error: book/01-one.md:3: link to '#nowhere', but no heading or anchor has that id"]),
    "md-link-to-a-file": Case({"01-one.md": "# One\n\nSee [two](02-two.md).\n"}, [
        "error: book/01-one.md:3: link to '02-two.md', which is no chapter or section file of the book: link to "
        "one of its .md files, or to a heading or an anchor, [text](#its-id)"]),
    "md-every-broken-link-at-once": Case({"01-one.md": "# One\n\nSee [two](02-two.md).\n\n## Here\n\n"
                                                       "And [there](#nowhere), [a file](notes.txt).\n",
                                          "02-other.md": "# Other\n\nBack [home](01-one.md#no-such-part).\n"}, [
        "error: book/01-one.md:3: link to '02-two.md', which is no chapter or section file of the book: link to "
        "one of its .md files, or to a heading or an anchor, [text](#its-id)",
        "error: book/01-one.md:7: link to '#nowhere', but no heading or anchor has that id",
        "error: book/01-one.md:7: link to 'notes.txt', which is no chapter or section file of the book: link to "
        "one of its .md files, or to a heading or an anchor, [text](#its-id)",
        "error: book/02-other.md:3: link to '01-one.md#no-such-part', but 01-one.md has no heading or anchor with "
        "that id"]),
    "md-front-matter-unknown-keys": Case({"01-one.md": "---\ntitel: One\nabstract: A paper.\nfoo: 1\n---\n\n"
                                                       "# One\n\nText.\n"}, [
        "error: book/01-one.md:2: unknown front matter key 'titel' (did you mean 'title'?)",
        "error: book/01-one.md:3: unknown front matter key 'abstract' (it is about the whole book: set it in "
        "book.yaml)",
        "error: book/01-one.md:4: unknown front matter key 'foo'; known keys: title, short_title, kind, epigraph"]),
    # Paths that leave the folder, remote resources
    "leak-relative-path": Case({"01-one.md": "# One\n\n![Secrets](../../etc/passwd)\n"}, [
        "error: book/01-one.md:3: image '../../etc/passwd' is outside the publication folder; copy the file into "
        "the folder (images/) and refer to it from there"]),
    "leak-absolute-path": Case({"01-one.md": "# One\n\nText.\n\n<img src=\"/etc/passwd\" alt=\"Secrets\">\n"}, [
        "error: book/01-one.md:5: image '/etc/passwd' is outside the publication folder; copy the file into "
        "the folder (images/) and refer to it from there"]),
    "leak-file-url": Case({"01-one.md": "# One\n\nText.\n\n<img src=\"file:///etc/passwd\" alt=\"Secrets\">\n"}, [
        "error: book/01-one.md:5: image 'file:///etc/passwd' refused: 'file:' URLs are not allowed; refer to a "
        "file inside the publication folder by its relative path"]),
    "leak-symlinked-image": Case({"01-one.md": "# One\n\n![Secrets](images/link.png)\n"}, [
        "error: book/01-one.md:3: image 'images/link.png' is a symbolic link that leads outside the publication "
        "folder; copy the file into the folder (images/) and refer to it from there"],
        symlinks={"images/link.png": "{tmp}/outside.png"}),
    "leak-symlinked-chapter": Case({}, [
        "error: book/02-two.md: is a symbolic link that leads outside the publication folder; keep every file of "
        "the book inside it"], symlinks={"02-two.md": "{tmp}/outside.md"}),
    "leak-remote-image": Case({"01-one.md": "# One\n\n![A map](https://example.com/map.png)\n"}, [
        "error: book/01-one.md:3: remote image 'https://example.com/map.png' refused: the build does not use the "
        "network; copy the file into the publication folder, or set allow_remote: true in book.yaml"]),
    "leak-remote-image-in-the-epub": Case({"book.yaml": BASE_YAML + "allow_remote: true\n",
                                           "01-one.md": "# One\n\n![A map](https://example.com/map.png)\n"}, [
        "error: book/01-one.md:3: remote image 'https://example.com/map.png' cannot go into the EPUB, which must "
        "carry its images inside it: download the file into the publication folder"], args=("epub",)),
    "leak-attachment-link": Case({"01-one.md": "# One\n\nText.\n\n<a rel=\"attachment\" href=\"book.yaml\">x</a>\n"},
                                 ["error: book/01-one.md:5: <a rel=\"attachment\"> is refused: WeasyPrint would "
                                  "embed the file it names in the PDF; remove it"]),
    "leak-attachment-link-element": Case(
        {"01-one.md": "# One\n\nText.\n\n<link rel=\"attachment\" href=\"book.yaml\">\n"},
        ["error: book/01-one.md:5: <link rel=\"attachment\"> is refused: WeasyPrint would embed the file it names "
         "in the PDF; remove it"]),
    "raw-html-script-is-removed-with-a-warning-failing-with-strict": Case(
        {"01-one.md": "# One\n\nText.\n\n<script>alert(1)</script>\n"}, [
            "warning: book/01-one.md:5: removed raw HTML <script>: books carry no scripts",
            "error: 1 warning(s) and --strict is on: fix them, or build without --strict; the previous outputs "
            "are kept"], args=("epub", "--strict")),
    # Fonts, usage
    "font-missing-glyph": Case({"01-one.md": "# One\n\nA cat 猫 sleeps.\n"}, [
        "error: book/01-one.md:3: character '猫' (U+732B CJK UNIFIED IDEOGRAPH-732B) cannot be drawn by any font "
        "tried for text (Vollkorn, Noto Serif, Noto Serif Hebrew, Noto Naskh Arabic, Noto Serif Devanagari, "
        "Noto Emoji); add a font that has it to book.yaml (fonts: fallbacks: [fonts/YourFont.otf]), or remove it"],
        args=("pdf",)),
    "font-missing-glyph-in-code": Case({"01-one.md": "# One\n\nText.\n\n```\nprint('한')\n```\n"}, [
        "error: book/01-one.md:6: character '한' (U+D55C HANGUL SYLLABLE HAN) cannot be drawn by any font tried "
        "for code (DejaVu Sans Mono, Noto Serif, Noto Serif Hebrew, Noto Naskh Arabic, Noto Serif Devanagari, "
        "Noto Emoji); add a font that has it to book.yaml (fonts: fallbacks: [fonts/YourFont.otf]), or remove it"],
        args=("pdf",)),
    "font-missing-glyph-in-a-section-file": Case({  # found on Too Many Lists: named the chapter file, no line
        "book.yaml": BASE_YAML + "chapters:\n  - file: 01-one.md\n    sections: [01-one-a.md]\n",
        "01-one.md": "# One\n\nText.\n", "01-one-a.md": "## A\n\nMore text.\n\nA table flip ╯ here.\n"}, [
        "error: book/01-one-a.md:5: character '╯' (U+256F BOX DRAWINGS LIGHT ARC UP AND LEFT) cannot be drawn by "
        "any font tried for text (Vollkorn, Noto Serif, Noto Serif Hebrew, Noto Naskh Arabic, Noto Serif "
        "Devanagari, Noto Emoji); add a font that has it to book.yaml (fonts: fallbacks: [fonts/YourFont.otf]), "
        "or remove it"], args=("pdf",)),
    "font-missing-glyphs-all-at-once": Case({"01-one.md": "# One\n\nA cat 猫 sleeps.\n\n```\nprint('한')\n```\n"}, [
        "error: book/01-one.md:3: character '猫' (U+732B CJK UNIFIED IDEOGRAPH-732B) cannot be drawn by any font "
        "tried for text (Vollkorn, Noto Serif, Noto Serif Hebrew, Noto Naskh Arabic, Noto Serif Devanagari, "
        "Noto Emoji); add a font that has it to book.yaml (fonts: fallbacks: [fonts/YourFont.otf]), or remove it",
        "error: book/01-one.md:6: character '한' (U+D55C HANGUL SYLLABLE HAN) cannot be drawn by any font tried "
        "for code (DejaVu Sans Mono, Noto Serif, Noto Serif Hebrew, Noto Naskh Arabic, Noto Serif Devanagari, "
        "Noto Emoji); add a font that has it to book.yaml (fonts: fallbacks: [fonts/YourFont.otf]), or remove it"],
        args=("pdf",)),
    "font-missing-glyph-book-fonts-named": Case({
        "book.yaml": BASE_YAML + "fonts:\n  body: fonts/Body.ttf\n",
        "fonts/Body.ttf": (ROOT / "styles/fonts/DejaVuSansMono.ttf").read_bytes(),
        "01-one.md": "# One\n\nA cat 猫 sleeps.\n"}, [
        "error: book/01-one.md:3: character '猫' (U+732B CJK UNIFIED IDEOGRAPH-732B) cannot be drawn by any font "
        "tried for text (DejaVu Sans Mono, Noto Serif, Noto Serif Hebrew, Noto Naskh Arabic, Noto Serif "
        "Devanagari, Noto Emoji); add a font that has it to book.yaml (fonts: fallbacks: [fonts/YourFont.otf]), "
        "or remove it"], args=("pdf",)),
    "yaml-fonts-every-problem-at-once": Case({
        "book.yaml": BASE_YAML + "fonts:\n  body: {regular: fonts/missing.ttf, bolt: fonts/b.ttf}\n"
                                 "  code: ../outside.ttf\n  fallbacks:\n    - fonts/notes.txt\n"
                                 "    - {italic: fonts/notes.txt}\n  emoji: x\n",
        "fonts/notes.txt": "not a font\n", "../outside.ttf": "x"}, [
        "error: book/book.yaml:10: unknown key 'fonts.emoji'; known keys: body, headings, code, fallbacks",
        "error: book/book.yaml:5: unknown key 'fonts.body.bolt'; a face has regular, italic, bold, bold_italic",
        "error: book/book.yaml:5: 'fonts.body.regular' file 'fonts/missing.ttf' does not exist",
        "error: book/book.yaml:6: 'fonts.code' file '../outside.ttf' is outside the publication folder; keep every "
        "file of the book inside it",
        "error: book/book.yaml:8: 'fonts.fallbacks[0]' file 'fonts/notes.txt' is not a TrueType or OpenType font "
        "(.ttf, .otf, .woff, .woff2 with one font; a collection .ttc must be split first)",
        "error: book/book.yaml:9: 'fonts.fallbacks[1]' has no 'regular' font: give one (regular: "
        "fonts/X-Regular.ttf)",
        "error: book/book.yaml:9: 'fonts.fallbacks[1].italic' file 'fonts/notes.txt' is not a TrueType or "
        "OpenType font (.ttf, .otf, .woff, .woff2 with one font; a collection .ttc must be split first)"]),
    # Numbered figures, tables, listings, equations and cross-references (octavo/scholarly): all at once
    "crossref-every-problem-at-once": Case({
        "book.yaml": BASE_YAML + "chapters: [01-one.md, 02-two.md]\n",
        "01-one.md": "# One\n\n![A map](images/pic.png){#fig:map}\n\nSee @fig:mpa and [@tbl:nothing; @fig:map]."
                     "\n\n$$ \\frac{a $$ {#eq:bad}\n",
        "02-two.md": "# Two\n\n![Another map](images/pic.png){#fig:map}\n\nAnd @eq:nowhere, $\\foo{x}$.\n"}, [
        "error: book/02-two.md:3: label 'fig:map' is already used at book/01-one.md:3; a label names one figure, "
        "table, listing or equation: choose another",
        "error: book/01-one.md:7: the formula $\\frac{a$ cannot be typeset: its braces { } do not pair up",
        "error: book/01-one.md:5: reference to '@fig:mpa', but no figure has that label (did you mean '@fig:map'?)",
        "error: book/01-one.md:5: reference to '@tbl:nothing', but no table has that label",
        "error: book/02-two.md:5: the formula $\\foo{x}$ cannot be typeset: the command \\foo is unknown",
        "error: book/02-two.md:5: reference to '@eq:nowhere', but no equation has that label"]),
    "crossref-numbering": Case({"book.yaml": BASE_YAML + "crossref:\n  numbering: chapters\n"
                                             "  list_of_figure: true\n"}, [
        "error: book/book.yaml:6: unknown key 'crossref.list_of_figure' (did you mean 'crossref.list_of_figures'?)",
        "error: book/book.yaml:5: 'crossref.numbering' must be one of chapter, book, not 'chapters' "
        "(did you mean 'chapter'?)"]),
    "usage-version": Case({}, [
        "error: --version names the output files, so it may hold only letters, digits and . _ + -, not '../v1'"],
        code=2, args=("--version", "../v1")),
    "usage-target": Case({}, [
        "error: unknown target 'pfd'; choose one of all, pdf, print, screen, epub, check, release, new, watch "
        "(python build.py --help shows examples)"], code=2, args=("pfd",)),
}


#: Cases whose message quotes another library's words, which the documentation does not repeat.
QUOTES_A_LIBRARY = {"md-image-unreadable"}

#: "When things go wrong": the page that lists every message.
ERRORS_PAGE = ROOT / "docs" / "errors.md"


def test_the_errors_page_lists_every_message() -> None:
    """docs/errors.md: each message as the tests assert it (its example lines may differ), in a table row."""
    documented = [line for line in ERRORS_PAGE.read_text(encoding="utf-8").splitlines() if line.startswith("|")]
    for name, case in CASES.items():
        for line in case.stderr if name not in QUOTES_A_LIBRARY else ():
            message = re.sub(r"^(error|warning): (book/[^:]*:(\d+:)? )?", "", line)
            assert any(message in row for row in documented), f"{name}: {message}"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture()
def book(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A valid one-chapter book in tmp/book, the working folder set to tmp, and old outputs in tmp/dist."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    (tmp_path / "dist").mkdir()
    for name, data in OLD_OUTPUTS.items():
        (tmp_path / "dist" / name).write_bytes(data)
    (tmp_path / "outside.png").write_bytes((tmp_path / "dist" / "t.pdf").read_bytes())
    (tmp_path / "outside.md").write_text(ONE)
    return write_book(tmp_path / "book", {"book.yaml": BASE_YAML, "01-one.md": ONE, "images/pic.png": png()})


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input(name: str, book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = CASES[name]
    write_book(book, case.files)
    for link, target in case.symlinks.items():
        (book / link).symlink_to(target.format(tmp=book.parent))
    code = main([*case.args, "--content", "book", "--out", "dist", "-q"])
    captured = capsys.readouterr()
    assert captured.err.splitlines() == case.stderr
    assert code == case.code
    assert snapshot(book.parent / "dist") == OLD_OUTPUTS


def test_characters_no_font_draws_are_listed_ten_at_once_and_the_rest_counted(
        book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_book(book, {"01-one.md": "# One\n\n猫犬鳥魚馬牛羊豚鹿熊虎龍.\n"})
    assert main(["pdf", "--content", "book", "--out", "dist", "-q"]) == 1
    tried = ("cannot be drawn by any font tried for text (Vollkorn, Noto Serif, Noto Serif Hebrew, Noto Naskh Arabic, "
             "Noto Serif Devanagari, Noto Emoji); add a font that has it to book.yaml (fonts: fallbacks: "
             "[fonts/YourFont.otf]), or remove it")
    assert capsys.readouterr().err.splitlines() == [
        *(f"error: book/01-one.md:3: character '{c}' (U+{ord(c):04X} CJK UNIFIED IDEOGRAPH-{ord(c):04X}) {tried}"
          for c in "猫犬鳥魚馬牛羊豚鹿熊"),
        "error: and 2 more character(s) that no font tried can draw; add a font that has it to book.yaml (fonts: "
        "fallbacks: [fonts/YourFont.otf]), or remove it"]
    assert snapshot(book.parent / "dist") == OLD_OUTPUTS


def test_a_good_book_builds_where_the_bad_ones_failed(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The base book of the table is valid: each case fails because of its one mistake."""
    assert main(["epub", "--strict", "--content", "book", "--out", "dist", "-q"]) == 0
    assert capsys.readouterr().err == ""
    assert snapshot(book.parent / "dist")["t.epub"] != OLD_OUTPUTS["t.epub"]


def test_warnings_alone_do_not_fail_without_strict(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_book(book, {"01-one.md": "# One\n\nText.\n\n#### Deep\n\n<script>x()</script>\n"})
    assert main(["epub", "--content", "book", "--out", "dist", "-q"]) == 0
    assert capsys.readouterr().err.splitlines() == [
        "warning: book/01-one.md:5: heading level skips from 1 to 4; use ##",
        "warning: book/01-one.md:7: removed raw HTML <script>: books carry no scripts"]


def test_weasyprint_warnings_fail_with_strict(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """WeasyPrint logs and carries on over a CSS mistake; --strict listens to its logger."""
    write_book(book, {"01-one.md": "# One\n\n<p style=\"colour: red\">Text.</p>\n"})
    assert main(["pdf", "--strict", "--content", "book", "--out", "dist", "-q"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "warning: weasyprint: Ignored `colour: red` at 1:1, unknown property.",
        "error: 1 warning(s) and --strict is on: fix them, or build without --strict; the previous outputs are "
        "kept"]
    assert snapshot(book.parent / "dist") == OLD_OUTPUTS


def test_weasyprint_errors_fail_even_without_strict(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An image WeasyPrint cannot decode would be left out of the PDF: the build fails instead."""
    write_book(book, {"01-one.md": "# One\n\n<img src=\"data:image/png;base64,AAAA\" alt=\"Broken\">\n"})
    assert main(["pdf", "--content", "book", "--out", "dist", "-q"]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith("error: weasyprint: Failed to load image at 'data:image/png;base64,AAAA'")
    assert lines[1:] == ["error: 1 error(s) reported above while rendering; the previous outputs are kept"]
    assert snapshot(book.parent / "dist") == OLD_OUTPUTS


@pytest.mark.parametrize("epoch", ["yesterday", "²", "١٢٣", "-1", "253402300800"])
def test_bad_source_date_epoch_is_a_usage_error(book: Path, capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch, epoch: str) -> None:
    """Only ASCII digits: '²' and Arabic-Indic digits pass str.isdigit() but are not a time; past 9999 neither."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    assert main(["epub", "--content", "book", "--out", "dist", "-q"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"error: SOURCE_DATE_EPOCH must be a number of seconds since 1970-01-01 UTC, not '{epoch}'"]


def test_bad_source_date_epoch_is_a_usage_error_for_release_too(book: Path, capsys: pytest.CaptureFixture[str],
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "²")
    assert main(["release", "--version", "v1.0.0", "--content", "book", "--out", "rel", "-q"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "error: SOURCE_DATE_EPOCH must be a number of seconds since 1970-01-01 UTC, not '²'"]
    assert not (book.parent / "rel").exists()


def test_an_unwritable_output_folder_is_an_output_error(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (book.parent / "taken").write_text("a file, not a folder")
    assert main(["epub", "--content", "book", "--out", "taken", "-q"]) == 3
    assert capsys.readouterr().err.splitlines() == [
        "error: taken/t.epub: cannot write into taken/: File exists"]
