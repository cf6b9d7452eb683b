"""Property-based: whatever an author writes, the build ends with an EPUB that passes EPUBCheck or with clear
`error:` lines, never a traceback, and never leaves a temporary file behind."""

from __future__ import annotations

import contextlib
import io
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from octavo.cli import main
from octavo.manifest import MANIFEST

from .conftest import png, write_book
from .epubcheck_loop import EpubCheckLoop

BOOK_YAML = "title: Fuzz\nauthors: [A]\nlanguage: en\n"
#: Bounded: each example builds an EPUB (~0.1 s) and, in the first test, runs EPUBCheck in a warm JVM.
FEW = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

WORDS = st.sampled_from(["peace", "Diplomacy", "UN", "1948", "café", "naïve", "Ελλάδα", "東京", "שלום", "œuvre",
                         "x", "co-operation", "U.S.", "e.g.", "“quoted”", "it's", "«guillemets»", "½", "→", "🙂"])
MARKS = st.sampled_from(["*", "**", "_", "`", "[", "]", "(", ")", "<", ">", "&", "&amp;", "&#169;", "&bogus;",
                         "#", "\\", "|", "~~", "'", '"', "--", "---", "...", "!", "{", "}", "^", ":", "&nbsp;",
                         "\u00a0", "\t", "<br>", "</p>", "<", "www.example.com", "https://example.com/x", "[^",
                         "](", "![", "{#x}", "$", "%"])
ODD_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=6)
INLINE = st.lists(st.one_of(WORDS, WORDS, MARKS, ODD_TEXT, st.just(" ")), min_size=1, max_size=14).map(" ".join)
RAW_HTML = st.sampled_from([
    '<span class="smcp">small caps</span>', "<div>a block</div>", "<script>alert(1)</script>",
    '<iframe src="https://example.com/"></iframe>', '<p onclick="steal()">handler</p>',
    '<a href="javascript:alert(1)">js</a>', '<a href="java&#115;cript:alert(1)">js</a>', "<!-- a comment -->",
    "<br>", "<sup>2</sup>", "<b>unclosed", "</div>", "<table><tr><td>1</td></tr></table>",
    '<img src="images/pic.png" alt="A grey square">', '<svg width="4" height="4"><rect width="2" height="2"/></svg>',
    '<span style="color: red">red</span>', "<aside>aside</aside>", "<details><summary>s</summary>d</details>",
    "<ruby>漢<rt>kan</rt></ruby>", "<HTML><BODY onload=x()>body</BODY></HTML>", '<p title="a &amp; b">t</p>',
    "<!DOCTYPE html>", "<?php echo 1 ?>", "<![CDATA[x]]>", "<form><input name=q></form>", "<u>u</u>",
    '<a id="raw-anchor">anchor</a>', "<video src=x.mp4></video>", "<math><mi>x</mi></math>", "<p>para</p>",
])


@st.composite
def block(draw: st.DrawFn, index: int) -> str:
    """One Markdown block; `index` keeps the ids and note labels of one chapter apart."""
    kind = draw(st.sampled_from(["para", "para", "heading", "list", "quote", "code", "table", "callout", "image",
                                 "html", "note", "anchor", "rule", "deflist"]))
    text = draw(INLINE)
    if kind == "heading":
        return "#" * draw(st.integers(2, 6)) + " " + text
    if kind == "list":
        marker = draw(st.sampled_from(["-", "*", "1."]))
        return "\n".join(f"{marker} {draw(INLINE)}" for _ in range(draw(st.integers(1, 3))))
    if kind == "quote":
        return "> " + text
    if kind == "code":
        return "```\n" + draw(st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=40)) + "\n```"
    if kind == "table":
        return f"| a | b |\n|---|--:|\n| {text} | {draw(INLINE)} |"
    if kind == "callout":
        return f"::: {draw(st.sampled_from(['note', 'tip', 'warning']))}\n{text}\n:::"
    if kind == "image":
        return f"![{draw(WORDS)} {text}](images/pic.png)"
    if kind == "html":
        return draw(RAW_HTML) + draw(st.sampled_from(["", " " + text]))
    if kind == "note":
        return f"{draw(WORDS)}[^n{index}] {text}\n\n[^n{index}]: {draw(INLINE)}"
    if kind == "anchor":
        return f"## {draw(WORDS)} {{#a{index}}}\n\nSee [{draw(WORDS)}](#a{index})."
    if kind == "deflist":
        return f"{draw(WORDS)}\n: {text}"
    return "---" if kind == "rule" else text


@st.composite
def chapter(draw: st.DrawFn) -> str:
    blocks = [draw(block(index)) for index in range(draw(st.integers(0, 8)))]
    return "\n\n".join([f"# {draw(WORDS)} {draw(INLINE)}", *blocks]) + "\n"


@contextlib.contextmanager
def book_with(chapters: list[str], yaml_text: str = BOOK_YAML) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as folder:
        files: dict[str, str | bytes] = {"book.yaml": yaml_text, "images/pic.png": png()}
        files.update({f"{n:02d}-chapter.md": text for n, text in enumerate(chapters, start=1)})
        yield write_book(Path(folder) / "book", files)


def run_epub(book: Path) -> tuple[int, list[str]]:
    """The real command line, in this process: an exception other than a BuildError would fail the test."""
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        code = main(["epub", "--content", str(book), "--out", str(book.parent / "out"), "-q"])
    return code, stderr.getvalue().splitlines()


def assert_clean_ending(code: int, lines: list[str], out: Path) -> None:
    assert code in (0, 1), lines
    assert all(line.startswith(("error: ", "warning: ")) for line in lines), lines
    if code == 1:
        assert any(line.startswith("error: ") for line in lines)
    leftovers = [p.name for p in out.iterdir() if p.name.startswith(".") and p.name != MANIFEST] if out.exists() \
        else []
    assert leftovers == []


@pytest.fixture(scope="module")
def checker() -> Iterator[EpubCheckLoop]:
    loop = EpubCheckLoop()
    yield loop
    loop.close()


@pytest.mark.slow
@FEW
@given(chapters=st.lists(chapter(), min_size=1, max_size=3))
def test_random_markdown_builds_an_epub_that_passes_epubcheck_or_fails_clearly(
        checker: EpubCheckLoop, chapters: list[str]) -> None:
    with book_with(chapters) as book:
        code, lines = run_epub(book)
        assert_clean_ending(code, lines, book.parent / "out")
        event("built" if code == 0 else "refused with a message")
        if code == 0:
            assert checker.problems(book.parent / "out" / "fuzz.epub") == ""


@pytest.mark.slow
@settings(max_examples=50, deadline=None)
@given(body=st.text(max_size=300))
def test_any_text_at_all_never_crashes_the_build(body: str) -> None:
    with book_with(["# Any text\n\n" + body]) as book:
        code, lines = run_epub(book)
        assert_clean_ending(code, lines, book.parent / "out")


@pytest.mark.slow
@FEW
@given(extra=st.text(max_size=120))
def test_any_book_yaml_never_crashes_the_build(extra: str) -> None:
    with book_with(["# One\n\nText.\n"], BOOK_YAML + extra) as book:
        code, lines = run_epub(book)
        assert_clean_ending(code, lines, book.parent / "out")
