"""Octavo: Markdown in, print-ready PDF and EPUB 3 out."""

from __future__ import annotations

__version__ = "0.1.0"
