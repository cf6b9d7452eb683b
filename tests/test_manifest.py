"""The no-op build: with nothing changed a second build writes nothing; any changed input builds again."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from octavo.errors import ContentError
from octavo.manifest import ENGINES, MANIFEST, PACKAGE, input_key, inputs_of, installed_versions, unchanged_since
from octavo.model import BuildOptions
from octavo.resources import STYLES, TEMPLATES

from .conftest import FIXTURE_BOOK, ROOT

UP_TO_DATE = "up to date: nothing changed since the last build\n"
EPUB = "a-small-test-book.epub"


def run(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, env={**os.environ, **(env or {})}, check=False)


def times(out: Path) -> dict[str, int]:
    """Every file in `out` (the manifest included) -> its modification time in nanoseconds."""
    return {path.name: path.stat().st_mtime_ns for path in sorted(out.iterdir())}


@pytest.fixture()
def book(tmp_path: Path) -> Path:
    """A copy of the fixture book that a test may change."""
    return Path(shutil.copytree(FIXTURE_BOOK, tmp_path / "book"))


def test_a_second_build_with_nothing_changed_rewrites_nothing_and_loads_no_engine(book: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = run("--content", book, "--out", out)
    assert first.returncode == 0, first.stderr
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST, "SHA256SUMS", "a-small-test-book-print.pdf",
                                                      EPUB, "a-small-test-book.pdf"]
    before = times(out)
    second = run("--content", book, "--out", out)
    assert (second.returncode, second.stderr, second.stdout) == (0, UP_TO_DATE, "")
    assert times(out) == before
    # The decision is taken before any engine is imported: that is what makes it fast.
    probe = ("import sys; from octavo.cli import main; code = main(['--content', sys.argv[1], '--out', sys.argv[2]]); "
             "print(code, sorted(m for m in ('weasyprint', 'ebooklib', 'markdown_it', 'jinja2', 'yaml', 'lxml') "
             "if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", probe, str(book), str(out)], cwd=ROOT, capture_output=True,
                            text=True, timeout=60, check=False)
    assert (result.stdout, result.stderr) == ("0 []\n", UP_TO_DATE)


def test_force_builds_anyway(book: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run("epub", "--content", book, "--out", out).returncode == 0
    before = times(out)
    forced = run("epub", "--force", "--content", book, "--out", out)
    assert forced.returncode == 0 and forced.stderr.startswith("[1/3] ") and UP_TO_DATE not in forced.stderr
    assert all(times(out)[name] != mtime for name, mtime in before.items())


def _append(path: str, text: str) -> Callable[[Path], None]:
    def change(book: Path) -> None:
        with (book / path).open("a", encoding="utf-8") as handle:
            handle.write(text)

    return change


def _touch_image(book: Path) -> None:
    image = book / "images" / "chart.png"
    image.write_bytes(image.read_bytes() + b"\0")


CHANGES = {
    "a chapter": (_append("03-second.md", "\nOne more sentence.\n"), (), {}),
    "book.yaml": (_append("book.yaml", "notice: Changed.\n"), (), {}),  # a new key: a key given twice is an error
    "an image": (_touch_image, (), {}),
    "the version option": (lambda book: None, ("--version", "v1.2.3"), {}),
    "the build date": (lambda book: None, (), {"SOURCE_DATE_EPOCH": "1234567890"}),
}


@pytest.mark.slow
@pytest.mark.parametrize("change", CHANGES, ids=list(CHANGES))
def test_a_changed_input_builds_again(change: str, book: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run("epub", "--content", book, "--out", out).returncode == 0
    assert run("epub", "--content", book, "--out", out).stderr == UP_TO_DATE
    edit, options, env = CHANGES[change]
    edit(book)
    again = run("epub", "--content", book, "--out", out, *options, env=env)
    assert again.returncode == 0 and again.stderr.startswith("[1/3] "), again.stderr
    assert run("epub", "--content", book, "--out", out, *options, env=env).stderr == UP_TO_DATE


@pytest.mark.slow
def test_a_deleted_or_changed_output_builds_again(book: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run("epub", "--content", book, "--out", out).returncode == 0
    (out / EPUB).unlink()
    assert run("epub", "--content", book, "--out", out).stderr.startswith("[1/3] ")
    assert (out / EPUB).is_file()
    (out / EPUB).write_bytes((out / EPUB).read_bytes() + b"\0")
    assert run("epub", "--content", book, "--out", out).stderr.startswith("[1/3] ")
    assert run("epub", "--content", book, "--out", out).stderr == UP_TO_DATE


@pytest.mark.slow
def test_another_target_builds_again(book: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run("epub", "--content", book, "--out", out).returncode == 0
    assert run("screen", "--content", book, "--out", out).stderr.startswith("[1/3] ")


@pytest.mark.slow
def test_strict_does_not_accept_the_outputs_of_a_build_that_warned(book: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _append("03-second.md", "\n<script>alert(1)</script>\n")(book)
    warned = run("epub", "--content", book, "--out", out)
    assert warned.returncode == 0 and warned.stderr.startswith("warning: ")
    assert run("epub", "--content", book, "--out", out).stderr == UP_TO_DATE
    strict = run("epub", "--strict", "--content", book, "--out", out)
    assert strict.returncode == 1 and strict.stderr.startswith("warning: ")
    assert strict.stderr.splitlines()[-1].startswith("error: 1 warning(s) and --strict is on")


@pytest.mark.slow
def test_a_build_that_fails_leaves_no_manifest(book: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run("epub", "--content", book, "--out", out).returncode == 0
    (book / "book.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    assert run("epub", "--content", book, "--out", out).returncode == 1
    assert not (out / MANIFEST).exists()


def _copy(folder: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(folder, tmp_path / folder.name, ignore=shutil.ignore_patterns("__pycache__")))


def test_templates_styles_and_fonts_are_inputs_and_file_times_only_date_the_book(book: Path, tmp_path: Path) -> None:
    options = BuildOptions(content=book, out=tmp_path / "out", templates=_copy(TEMPLATES, tmp_path),
                           styles=_copy(STYLES, tmp_path))
    key = input_key(options)
    assert input_key(options) == key
    template = options.templates / "partials" / "copyright.html.j2"
    os.utime(template, (1, 1))
    assert input_key(options) == key, "a template's file time is not an input, only its bytes"
    edits = (template, options.styles / "print.css", options.styles / "fonts" / "Vollkorn-Regular.ttf",
             options.styles / "icc" / "OctavoGenericCMYK.icc")
    for path in edits:
        original = path.read_bytes()
        path.write_bytes(original + b"\n")
        assert input_key(options) != key, f"{path.name} changed and the key did not"
        path.write_bytes(original)
        assert input_key(options) == key
    os.utime(book / "02-first.md")  # the newest file of the publication dates the book
    assert input_key(options) != key


@pytest.mark.parametrize("name", ENGINES)
def test_the_scanned_versions_are_what_importlib_metadata_finds(name: str) -> None:
    """The no-op key reads versions from folder names (fast); they must be the versions Python imports."""
    import importlib.metadata

    assert installed_versions()[name] == importlib.metadata.version(name)


def _said(options: BuildOptions, inputs: dict[str, object]) -> str:
    with pytest.raises(ContentError) as raised:
        unchanged_since(options, inputs)
    return str(raised.value)


def test_what_changed_during_a_build_is_named_and_never_a_file_that_did_not(book: Path, tmp_path: Path) -> None:
    options = BuildOptions(content=book, out=tmp_path / "out")
    unchanged_since(options, inputs_of(options))  # nothing changed: nothing raised
    mixed = ("so the outputs could mix the old and the new version; the previous outputs are kept: build again")
    # Octavo's own files as they were before an edit of the checkout (or an upgrade), then an engine.
    before = inputs_of(options)
    before["engine"] = {**before["engine"], "octavo": "0.0 of an older checkout"}  # type: ignore[dict-item]
    assert _said(options, before) == f"{PACKAGE}: Octavo's own code changed while the book was being built, {mixed}"
    before = inputs_of(options)
    before["engine"] = {**before["engine"], "weasyprint": "60.0"}  # type: ignore[dict-item]
    assert _said(options, before) == f"{PACKAGE}: weasyprint changed while the book was being built, {mixed}"
    # A chapter touched (same bytes, a newer time): the outputs are dated from it, but no file's bytes moved.
    before = inputs_of(options)
    chapter = book / "02-first.md"
    os.utime(chapter, (chapter.stat().st_mtime + 100,) * 2)
    assert _said(options, before) == (f"{book}: a file's time changed while the book was being built (its bytes did "
                                      f"not), and the outputs are dated from the newest file, {mixed}")
    before = inputs_of(options)
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
    assert _said(options, before) == f"{chapter}: changed while the book was being built, {mixed}"
