"""Where Octavo's default templates and styles are: inside the installed package, or beside a checkout."""

from __future__ import annotations

from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
TEMPLATES = PROJECT / "templates"
STYLES = PROJECT / "styles"
