"""Stage 1: the publication folder (front matter, Markdown, raw HTML, references) -> Book."""

from __future__ import annotations

from octavo.content.markdown import read_book

__all__ = ["read_book"]
