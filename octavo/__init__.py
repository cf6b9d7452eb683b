"""Octavo: Markdown in, print-ready PDF and EPUB 3 out."""

from __future__ import annotations

import re
from pathlib import Path


def _version() -> str:
    """The version in pyproject.toml, its one source: read from it beside a checkout (so that a checkout
    never reports the version of another copy installed in the same environment), else from the installed
    distribution's metadata, which the build wrote from it."""
    pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
    try:
        text = pyproject.read_text(encoding="utf-8")
    except OSError:
        text = ""
    if re.search(r'^name = "octavo"$', text, re.MULTILINE):
        found = re.search(r'^version = "([^"]+)"$', text, re.MULTILINE)
        if found:
            return found.group(1)
    from importlib import metadata  # only when installed: a checkout's no-op build skips its import

    try:
        return metadata.version("octavo")
    except metadata.PackageNotFoundError:
        return "0+unknown"


__version__ = _version()
