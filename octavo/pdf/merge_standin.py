"""Part PDFs -> one PDF by plain page concatenation (pikepdf): a development stand-in for pdf/merge.py, which keeps
the structure tree, outline, destinations and labels; used only while merge.py is missing. Delete with it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from octavo.model import Book, Edition


def merge_parts(parts: Sequence[Path], target: Path, book: Book, edition: Edition,
                labels: Sequence[str] | None = None) -> int:
    """The pages of `parts` in order, in one PDF at `target`; its page count."""
    import warnings

    import pikepdf

    with pikepdf.open(parts[0]) as merged, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pikepdf: named destinations are not kept (the real merge keeps them)
        for path in parts[1:]:
            with pikepdf.open(path) as part:
                merged.pages.extend(part.pages)
        merged.save(target, deterministic_id=True)
        return len(merged.pages)
