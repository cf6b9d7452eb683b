"""DAISY Ace on the built EPUBs, through tools/run_ace.py. It needs node, npm and Chromium: CI installs
them (.ci/run); elsewhere the tests are skipped, saying what is missing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .conftest import ROOT, Built

RUN_ACE = ROOT / "tools" / "run_ace.py"


def _missing() -> str | None:
    if not (shutil.which("node") and shutil.which("npm")):
        return "DAISY Ace needs node and npm (apt-get install nodejs npm)"
    if not any(shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome")):
        return "DAISY Ace needs Chromium (apt-get install chromium)"
    return None


pytestmark = pytest.mark.skipif(_missing() is not None, reason=_missing() or "")


def run_ace(*epubs: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(RUN_ACE), *map(str, epubs)], capture_output=True, text=True,
                          check=False, timeout=900)


@pytest.mark.slow
def test_both_books_pass_ace_with_no_violation_of_any_impact(seed_book: Built, fixture_book: Built) -> None:
    result = run_ace(seed_book.path("epub"), fixture_book.path("epub"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == ["un-peacekeeping-diplomacy.epub: pass, 0 violation(s)",
                                          "a-small-test-book.epub: pass, 0 violation(s)"]


@pytest.mark.slow
def test_ace_run_fails_on_a_package_without_a_language(fixture_book: Built, tmp_path: Path) -> None:
    broken = tmp_path / "no-lang.epub"
    with zipfile.ZipFile(fixture_book.path("epub")) as source, zipfile.ZipFile(broken, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            target.writestr(info, data.replace(b'<package xml:lang="en-GB" ', b"<package ")
                            if info.filename.endswith(".opf") else data)
    result = run_ace(broken)
    assert result.returncode == 1
    assert result.stdout.splitlines()[0] == "no-lang.epub: fail, 1 violation(s)"
    assert ": serious: epub-lang: " in result.stdout


@pytest.mark.slow
def test_ace_that_cannot_start_chromium_says_why(fixture_book: Built) -> None:
    # Ace's launch timeout (ACE_TIMEOUT_INITIAL, ms) of 1 ms: Chromium never starts in time, as it did not in
    # Ace's default 5 s on a loaded CI machine, where the message said nothing but "Re-run Ace using --verbose".
    result = subprocess.run([sys.executable, str(RUN_ACE), str(fixture_book.path("epub"))], capture_output=True,
                            text=True, check=False, timeout=900, env={**os.environ, "ACE_TIMEOUT_INITIAL": "1"})
    assert result.returncode == 2
    assert "Ace wrote no report" in result.stderr
    assert "Timed out after 1 ms while waiting for the WS endpoint" in result.stderr
