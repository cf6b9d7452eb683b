"""Arguments + input text -> pandoc's output: the pandoc that pypandoc-binary installs, run as the CSL processor."""

from __future__ import annotations

import importlib.util
import os
import subprocess
from pathlib import Path

from octavo.errors import InstallationError

#: The longest a pandoc run may take (seconds): a book's citations take well under one.
TIMEOUT = 120


def pandoc_binary() -> Path:
    """The pandoc binary bundled in the pypandoc-binary wheel (never another on PATH: its citeproc is the
    one Octavo's output was measured against, docs/citations.md)."""
    spec = importlib.util.find_spec("pypandoc")
    if spec is not None and spec.origin:
        found = Path(spec.origin).parent / "files" / ("pandoc.exe" if os.name == "nt" else "pandoc")
        if found.is_file():
            return found
    raise InstallationError("pandoc, the citation processor, is not installed: pip install pypandoc-binary "
                            "(Octavo's pyproject.toml lists it)")


def run_pandoc(args: list[str], text: str = "") -> tuple[int, str, str]:
    """Run pandoc with `args`, `text` on its standard input; return its exit code, output and messages."""
    try:
        done = subprocess.run([str(pandoc_binary()), *args], input=text, capture_output=True, text=True,
                              encoding="utf-8", timeout=TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise InstallationError(f"pandoc did not finish in {TIMEOUT} s") from None
    return done.returncode, done.stdout, done.stderr
