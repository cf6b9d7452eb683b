"""The command line: help, errors and exit codes, and a real build through build.py."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from .conftest import FIXTURE_BOOK, ROOT


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300)


def test_help_explains_every_option_with_examples() -> None:
    result = run("--help")
    assert result.returncode == 0
    for word in ("--content", "--out", "--strict", "-q", "-v", "examples:", "python build.py pdf", "exit codes"):
        assert word in result.stdout


def test_unknown_target_is_a_usage_error() -> None:
    result = run("bogus")
    assert result.returncode == 2
    assert result.stderr.strip() == ("error: unknown target 'bogus'; choose one of all, pdf, print, screen, epub, "
                                     "check, release, new, watch (python build.py --help shows examples)")


def test_epub_target_builds_only_the_epub_with_progress_lines(tmp_path: Path) -> None:
    result = run("epub", "--content", str(FIXTURE_BOOK), "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [".octavo-build.json", "SHA256SUMS", "a-small-test-book.epub"]
    lines = result.stderr.splitlines()
    assert lines[0] == f"[1/3] {FIXTURE_BOOK}/book.yaml: 3 chapters"
    assert re.fullmatch(r"\[2/3\] .*a-small-test-book\.epub \(7 documents, \d+ print pages listed\)", lines[1])
    assert lines[-1].startswith("Built in ") and lines[-1].endswith(" s")


def test_quiet_prints_nothing_on_success(tmp_path: Path) -> None:
    result = run("epub", "-q", "--content", str(FIXTURE_BOOK), "--out", str(tmp_path))
    assert result.returncode == 0 and result.stderr == "" and result.stdout == ""


def test_missing_book_yaml_is_a_content_error(tmp_path: Path) -> None:
    result = run("--content", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out"))
    assert result.returncode == 1
    assert result.stderr.strip() == (f"error: {tmp_path}/nowhere/book.yaml: no book.yaml in {tmp_path}/nowhere/: "
                                     "create one (python build.py new PATH writes a documented example)")


def test_print_and_screen_targets_build_one_edition_each(tmp_path: Path) -> None:
    for target, name in (("print", "a-small-test-book-print.pdf"), ("screen", "a-small-test-book.pdf")):
        result = run(target, "-q", "--content", str(FIXTURE_BOOK), "--out", str(tmp_path / target))
        assert result.returncode == 0, result.stderr
        assert sorted(p.name for p in (tmp_path / target).iterdir()) == [".octavo-build.json", "SHA256SUMS", name]
