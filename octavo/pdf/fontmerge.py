"""A merged PDF whose parts each embed their own subsets of the same fonts -> one subset a font (not yet)."""

from __future__ import annotations

from typing import Any


def merge_fonts(out: Any) -> None:
    """Nothing yet: every part keeps its own subset."""
