"""octavo import mdbook|quarto: small projects made for these tests (tests/fixtures/mdbook, quarto, pandoc) imported
through the real command line, and the mdBook one built with --strict: its highlighted code checked in each output."""

from __future__ import annotations

import hashlib
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pytest

from octavo.check import colour_problems, preflight_pdf
from octavo.codestyle import COMMENT, KEYWORD
from octavo.commands.importer.includes import expand, include_root, line_range
from octavo.commands.importer.markdown_text import (
    drop_heading_anchors,
    drop_hidden_lines,
    listings,
    rewrite_links,
    shift_headings,
)
from octavo.commands.importer.summary import read_summary
from octavo.config import load_config
from octavo.model import Edition

from .conftest import EPOCH, ROOT
from .pdftext import page_texts
from .test_cli import run_module
from .test_pdf import content_streams

FIXTURES = ROOT / "tests" / "fixtures"
MDBOOK = FIXTURES / "mdbook"
QUARTO = FIXTURES / "quarto"
PANDOC = FIXTURES / "pandoc" / "paper.md"


def _tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


# Includes, SUMMARY.md and hidden lines, as mdBook reads them


@pytest.mark.parametrize(("selector", "expected"), [
    ("", (0, None)), ("2:10", (1, 10)), ("2:", (1, None)), (":10", (0, 10)), ("2", (1, 2)), ("body", None),
])
def test_include_ranges_count_from_one_and_include_both_ends(selector: str, expected: object) -> None:
    assert line_range(selector) == expected


def test_includes_take_anchors_and_ranges_and_rustdoc_hides_the_rest() -> None:
    def include(expression: str) -> str:
        return expand(expression, MDBOOK / "src", "src/x.md", MDBOOK)

    assert include("{{#include ../listings/hello.rs:inner}}") == '    let greeting = "hello-world";'
    assert include("{{#include ../listings/hello.rs:body}}").splitlines() == [
        "fn main() {", '    let greeting = "hello-world";', '    println!("{greeting}");', "}"]
    assert include("{{#include ../listings/hello.rs:1:2}}") == "use std::io;\n// ANCHOR: body"
    assert include("{{#include ../listings/hello.rs::1}}") == "use std::io;"
    rustdoc = include("{{#rustdoc_include ../listings/hello.rs:inner}}").splitlines()
    assert rustdoc[0] == "# use std::io;" and '    let greeting = "hello-world";' in rustdoc
    assert drop_hidden_lines("```rust\n" + "\n".join(rustdoc) + "\n```\n") == \
        '```rust\n    let greeting = "hello-world";\n```\n'
    # mdBook repeats the whole text before the expression on every line it includes
    assert include("  - {{#include ../listings/hello.rs::2}}") == "  - use std::io;\n  - // ANCHOR: body"
    assert include(r"\{{#include x.rs}}") == "{{#include x.rs}}"


def test_playground_is_a_rust_block_of_the_file() -> None:
    block = expand("{{#playground ../listings/hello.rs editable}}", MDBOOK / "src", "src/x.md", MDBOOK)
    assert block.startswith("```rust,editable\nuse std::io;\n") and block.endswith("// ANCHOR_END: body\n```")


def test_a_missing_include_is_a_warning_with_its_file_and_line(caplog: pytest.LogCaptureFixture) -> None:
    assert expand("one\n{{#include nothing.rs}}\n", MDBOOK / "src", "src/x.md", MDBOOK) == \
        "one\n{{#include nothing.rs}}\n"
    assert caplog.messages[0].startswith("src/x.md:2: {{#include nothing.rs}}: cannot read nothing.rs")


def test_an_include_may_reach_into_the_repository_but_no_further(tmp_path: Path,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    # mdBook's own guide (rust-lang/mdBook 641d06ab, guide/src/for_developers/preprocessors.md) includes
    # ../../../examples/nop-preprocessor.rs, outside the book's folder and inside its repository.
    repository, outside = tmp_path / "repo", tmp_path / "elsewhere"
    (repository / ".git").mkdir(parents=True)
    (repository / "examples").mkdir()
    (repository / "examples" / "nop.rs").write_text("fn main() {}\n", encoding="utf-8")
    outside.mkdir()
    (outside / "secret.rs").write_text("secret\n", encoding="utf-8")
    book = repository / "guide"
    (book / "src" / "dev").mkdir(parents=True)
    inside = include_root(book)
    assert inside == repository.resolve() and include_root(outside) == outside
    text = "{{#include ../../../examples/nop.rs}}\n{{#include ../../../../elsewhere/secret.rs}}\n"
    assert expand(text, book / "src" / "dev", "src/dev/x.md", inside) == \
        "fn main() {}\n{{#include ../../../../elsewhere/secret.rs}}\n"
    assert caplog.messages == ["src/dev/x.md:2: {{#include ../../../../elsewhere/secret.rs}} names a file outside "
                               "the book's folder and its repository: left as written"]


def test_hidden_rust_lines_follow_mdbook() -> None:
    text = "```rust\n# hidden\n#\n##[attr]\n#[derive(Debug)]\nshown\n```\n\n# Heading\n"
    assert drop_hidden_lines(text) == "```rust\n#[attr]\n#[derive(Debug)]\nshown\n```\n\n# Heading\n"
    assert drop_hidden_lines("```python\n# a comment\n```\n") == "```python\n# a comment\n```\n"


def test_headings_shift_outside_code_only() -> None:
    text, deep = shift_headings("# A\n\n```sh\n# not a heading\n```\n\n###### F\n", 2)
    assert text == "### A\n\n```sh\n# not a heading\n```\n\n###### F\n" and deep == [7]


def test_the_rust_books_listings_become_fence_attributes() -> None:
    text = ('<Listing number="1-1" file-name="src/main.rs" caption="Prints `Hello, world!`">\n\n'
            "```rust\nfn main() {}\n```\n\n</Listing>\n")
    assert listings(text) == '\n~~~rust {#lst:1-1 title="src/main.rs" caption="Prints `Hello, world!`"}\n' \
        "fn main() {}\n~~~\n\n"  # a backtick fence cannot have a backtick in its info string
    plain = text.replace("caption=\"Prints `Hello, world!`\"", 'caption="Prints"')
    assert listings(plain).startswith('\n```rust {#lst:1-1 title="src/main.rs" caption="Prints"}\n')


def test_a_note_definition_is_no_link_definition() -> None:
    seen: list[str] = []
    text = "[^note]: [https://example.org](https://example.org)\n[ref]: ../x.md\n[`code` ref]: y.md\n"
    assert rewrite_links(text, lambda target, line, image: seen.append(target) or target) == text
    assert seen == ["https://example.org", "../x.md", "y.md"]


def test_an_html_image_over_several_lines_is_found_outside_code_only() -> None:
    text = 'An <img alt="a\nfigure" src="img/x.svg"\nclass="center" />\n\n```html\n<img src="no.png">\n```\n'
    changed = rewrite_links(text, lambda target, line, image: f"{target}?{line}{image}")
    assert 'src="img/x.svg?1True"' in changed and '<img src="no.png">' in changed


def test_an_anchor_that_repeats_a_headings_id_is_dropped() -> None:
    from octavo.content.markdown import github_slug

    text = '## From One to Two\n\n<a id="from-one-to-two"></a>\n<a id="old-name"></a>\n\n```html\n<a id="x"></a>\n```\n'
    assert drop_heading_anchors(text, github_slug) == \
        '## From One to Two\n\n<a id="old-name"></a>\n\n```html\n<a id="x"></a>\n```\n'


def test_a_link_whose_text_runs_over_two_lines() -> None:
    text = "See [the standard\ndocumentation](../std/x.html) and `[not](a.md)`, then [b](b.md).\n"
    assert rewrite_links(text, lambda target, line, image: None if target.startswith("..") else f"{target}#{line}") \
        == "See the standard\ndocumentation and `[not](a.md)`, then [b](b.md#2).\n"


def test_summary_entries() -> None:
    entries = read_summary((MDBOOK / "src" / "SUMMARY.md").read_text(), "SUMMARY.md")
    assert [(e.kind, e.title, e.path, e.depth) for e in entries] == [
        ("prefix", "Preface", "preface.md", 0), ("part", "Part One: Starting", None, 0),
        ("numbered", "Getting started", "start.md", 0), ("numbered", "Installing", "start/install.md", 1),
        ("numbered", "On Linux", "start/linux.md", 2), ("numbered", "A chapter still to write", None, 0),
        ("numbered", "Code", "code.md", 0), ("part", "Part Two: Going on", None, 0),
        ("numbered", "Links", "links.md", 0), ("suffix", "Glossary", "glossary.md", 0),
        ("suffix", "Afterword", "afterword.md", 0)]


# The mdBook project through the command line


@dataclass(frozen=True)
class Imported:
    folder: Path
    stderr: str
    out: Path


def _import(kind: str, source: Path, tmp_path_factory: pytest.TempPathFactory) -> Imported:
    folder = tmp_path_factory.mktemp(kind) / "book"
    imported = run_module("import", kind, str(source), "--to", str(folder))
    assert imported.returncode == 0, imported.stderr
    return Imported(folder, imported.stderr, folder / "dist")


@pytest.fixture(scope="module")
def mdbook(tmp_path_factory: pytest.TempPathFactory) -> Imported:
    return _import("mdbook", MDBOOK, tmp_path_factory)


@pytest.fixture(scope="module")
def mdbook_built(mdbook: Imported) -> Imported:
    built = run_module("build", "--content", str(mdbook.folder), "--out", str(mdbook.out), "--strict",
                       env={"SOURCE_DATE_EPOCH": EPOCH})
    assert built.returncode == 0, built.stderr
    checked = run_module("check", "--content", str(mdbook.folder), "--out", str(mdbook.out))
    assert checked.returncode == 0 and "0 failure(s), 0 warning(s)" in checked.stderr, checked.stderr
    return mdbook


def test_mdbook_import_warns_of_what_it_leaves_out(mdbook: Imported) -> None:
    summary = MDBOOK / "src" / "SUMMARY.md"
    assert f"warning: {summary}:10: draft chapter 'A chapter still to write' (no file) is left out" in mdbook.stderr
    assert (f"warning: {MDBOOK / 'src' / 'links.md'}:6: link to '../std/index.html' leads out of the book's src/ "
            "folder: its text is kept, unlinked") in mdbook.stderr
    assert mdbook.stderr.count("warning:") == 2


def test_mdbook_chapters_parts_and_sections(mdbook: Imported) -> None:
    meta = load_config(mdbook.folder, mdbook.folder)
    assert meta.title == "Small Crab Book" and meta.authors == ("Ferris Crab", "Corro Unsafe")
    assert [p.title for p in meta.parts] == ["Part One: Starting", "Part Two: Going on"]
    names = [p.relative_to(mdbook.folder).as_posix() for p in meta.chapters]
    assert names == ["preface.md", "start.md", "code.md", "links.md", "glossary.md", "afterword.md"]
    assert (mdbook.folder / "start" / "install.md").read_text().startswith("## Installing\n")
    assert "### The package" in (mdbook.folder / "start" / "linux.md").read_text()
    assert (mdbook.folder / "glossary.md").read_text().startswith("---\nkind: glossary\n---\n")
    assert "[the standard library][std]" not in (mdbook.folder / "links.md").read_text()
    assert (mdbook.folder / "images" / "diagram.png").read_bytes() == (MDBOOK / "src/images/diagram.png").read_bytes()


def test_mdbook_import_is_repeatable(mdbook: Imported, tmp_path: Path) -> None:
    again = tmp_path / "again"
    for _ in range(2):  # into a new folder, then over its own earlier import
        assert run_module("import", "mdbook", str(MDBOOK), "--to", str(again)).returncode == 0
        assert _tree(again) == {k: v for k, v in _tree(mdbook.folder).items() if not k.startswith("dist/")}


def test_import_refuses_a_folder_it_did_not_make(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    result = run_module("import", "mdbook", str(MDBOOK), "--to", str(tmp_path))
    assert result.returncode == 2
    assert f"error: {tmp_path}/ is not empty and holds no earlier import (.octavo-import)" in result.stderr


def _rgb(colour: str) -> bytes:
    return " ".join(f"{int(colour[i:i + 2], 16) / 255:f}".rstrip("0") for i in (1, 3, 5)).encode() + b" rg"


@pytest.mark.slow  # the imported mdBook built whole: 12-17 s for the four
def test_screen_pdf_code_is_in_colour(mdbook_built: Imported) -> None:
    with pikepdf.open(next(mdbook_built.out.glob("*[!t].pdf"))) as pdf:
        streams = content_streams(pdf)
    assert _rgb(KEYWORD.colour) in streams and _rgb(COMMENT.colour) in streams


@pytest.mark.slow  # the imported mdBook built whole: 12-17 s for the four
def test_print_pdf_code_and_svg_images_are_greys_of_k_only(mdbook_built: Imported) -> None:
    path = next(mdbook_built.out.glob("*-print.pdf"))
    meta = load_config(mdbook_built.folder, mdbook_built.folder)
    assert preflight_pdf(path, Edition.PRINT, meta) == []
    with pikepdf.open(path) as pdf:
        streams = content_streams(pdf)
        assert colour_problems(pdf) == []
    assert re.search(rb"\brg\b|\bRG\b", streams) is None
    greys = set(re.findall(rb"0 0 0 ([\d.]+) scn", streams))
    assert {b"1", f"{COMMENT.grey:g}".encode()} <= greys
    assert b"0.498" in greys  # the SVG image's grey square (#808080), as its luminance


@pytest.mark.slow  # the imported mdBook built whole: 12-17 s for the four
def test_code_in_the_pdf_is_whole_unhyphenated_and_its_title_on_its_page(mdbook_built: Imported) -> None:
    pages = page_texts(next(mdbook_built.out.glob("*-print.pdf")))
    text = " ".join(pages)
    assert 'let greeting = "hello-world";' in text and "# a comment-with-hyphens" in text
    assert "hidden_helper" not in text and "#[derive(Debug)] struct Shown;" in text
    assert "A chapter still to write" not in text and "ANCHOR: inner" in text  # the whole file, as mdBook shows it
    page = next(p for p in pages if "src/main.rs" in p)
    assert "src/main.rs 1 fn main() {" in page
    assert "{{#include nothing.rs}}" in text


@pytest.mark.slow  # the imported mdBook built whole: 12-17 s for the four
def test_epub_code_is_classes_and_css(mdbook_built: Imported) -> None:
    with zipfile.ZipFile(next(mdbook_built.out.glob("*.epub"))) as epub:
        names = epub.namelist()
        code = next(epub.read(n).decode() for n in names if n.endswith(".xhtml") and "<pre" in
                    epub.read(n).decode())
        css = epub.read(next(n for n in names if n.endswith("css/code.css"))).decode()
        links = "".join(epub.read(n).decode() for n in names if n.endswith(".xhtml"))
        assert any(n.endswith("images/diagram.png") for n in names)
    assert '<span class="k">fn</span>' in code and '<pre class="code numbered" data-language="rust">' in code
    caption = '<figcaption><span class="caption-label">Listing\u00a02.1:</span> A loop in Python</figcaption>'
    assert '<figure class="listing" id="lst:loop">' in code and caption in code  # numbered (scholarly/numbering.py)
    assert '<div class="code-title">src/main.rs</div>' in code
    assert f"pre.code .k {{ color: {KEYWORD.colour}; font-weight: bold; }}" in css
    assert not re.search(r'href="[^"#]*\.md', links)


# Quarto and pandoc


@pytest.fixture(scope="module")
def quarto(tmp_path_factory: pytest.TempPathFactory) -> Imported:
    return _import("quarto", QUARTO, tmp_path_factory)


def test_quarto_book_metadata_chapters_and_parts(quarto: Imported) -> None:
    meta = load_config(quarto.folder, quarto.folder)
    assert meta.title == "A Small Quarto Book" and meta.language == "en-GB" and meta.date == "2026-11-30"
    assert meta.authors == ("Ada Lovelace", "Charles Babbage")
    assert [p.title for p in meta.parts] == ["Methods and results"]
    names = [p.name for p in meta.chapters]
    assert names == ["index.md", "intro.md", "methods.md", "extra.md"]
    assert (quarto.folder / "index.md").read_text().startswith('---\nkind: "preface"\n---\n# Preface\n')
    assert (quarto.folder / "extra.md").read_text().startswith('---\nkind: "appendix"\n---\n')


def test_quarto_callouts_labels_cells_and_links(quarto: Imported) -> None:
    intro = (quarto.folder / "intro.md").read_text()
    assert "::: note Remember\n" in intro and "::: warning Heads up\n" in intro and "## Heads up" not in intro
    assert "# Introduction {#sec-intro}" in intro and "@sec-methods" in intro and "(methods.md)" in intro
    assert "total = sum(range(10))" in intro and "#| label" not in intro and "secret" not in intro
    methods = (quarto.folder / "methods.md").read_text()
    assert "This paragraph is included from a shared file." in methods and ":::" not in methods
    assert "(intro.md#sec-intro)" in methods


def test_quarto_import_warns_with_file_and_line(quarto: Imported) -> None:
    for line in (f"{QUARTO / 'intro.qmd'}:26: executable python cell shown as code",
                 f"{QUARTO / 'intro.qmd'}:32: executable python cell with echo: false left out",
                 f"{QUARTO / 'methods.qmd'}:9: Quarto shortcode {{{{< pagebreak >}}}} is not carried over",
                 f"{QUARTO / 'methods.qmd'}:6: fenced div {{.column-margin}} is not carried over"):
        assert f"warning: {line}" in quarto.stderr


def test_quarto_bibliography_is_kept(quarto: Imported) -> None:
    text = (quarto.folder / "book.yaml").read_text()
    assert "bibliography" in text and (quarto.folder / "references.bib").is_file()


@pytest.mark.slow
def test_quarto_book_builds_strict(quarto: Imported) -> None:
    built = run_module("build", "--content", str(quarto.folder), "--out", str(quarto.out), "--strict",
                       env={"SOURCE_DATE_EPOCH": EPOCH})
    assert built.returncode == 0, built.stderr
    texts = " ".join(page_texts(next(quarto.out.glob("*[!t].pdf"))))
    assert "REMEMBER A CALLOUT WITH A TITLE ATTRIBUTE." in texts.upper()
    assert "for number in range(3):" in texts


def test_pandoc_manuscript(tmp_path: Path) -> None:
    result = run_module("import", "quarto", str(PANDOC), "--to", str(tmp_path / "paper"))
    assert result.returncode == 0, result.stderr
    meta = load_config(tmp_path / "paper", tmp_path / "paper")
    assert meta.title == "A Pandoc Manuscript" and meta.authors == ("Grace Hopper",) and meta.date == "2026"
    assert [p.name for p in meta.chapters] == ["01-background.md", "02-results.md"]
    assert "::: tip\n" in (tmp_path / "paper" / "01-background.md").read_text()
    assert "# Results {#sec-results}" in (tmp_path / "paper" / "02-results.md").read_text()
    assert (tmp_path / "paper" / "refs.bib").is_file() and (tmp_path / "paper" / "style.csl").is_file()


@pytest.mark.parametrize(("written", "carried"), [
    ('::: {.callout-tip title="Hi"}\nText.\n:::\n', "::: tip Hi\nText.\n:::\n"),
    # the bare class, as R for Data Science (hadley/r4ds 9bf6c39) writes its callouts: it was a fenced div
    # unwrapped, and the callout's "## magrittr" became a section of the chapter
    ("::: callout-note\n## magrittr\n\nIf you have used it.\n:::\n",
     "::: note magrittr\n\nIf you have used it.\n:::\n"),
])
def test_quarto_callouts_are_notes_in_either_spelling(written: str, carried: str) -> None:
    from octavo.commands.importer.quarto_text import divs

    assert divs(written, "x.qmd") == carried
