"""Every reach into WeasyPrint's or pydyf's internals, in one place, with the versions they were written for.

Whatever here reads or patches something that is not public API: a new WeasyPrint or pydyf may change it, so
the versions are pinned in pyproject.toml and checked before they are used.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class CachedPageReferences(property):
    """pydyf's `PDF.page_references`, built once per page list instead of once per read."""

    def __init__(self, build: Callable[[Any], tuple[bytes, ...]]):
        self.build = build
        """pydyf's own getter, which builds the tuple of page references from the page list."""
        super().__init__(self.read)

    def read(self, pdf: Any) -> tuple[bytes, ...]:
        kids = pdf.pages["Kids"]  # [number, 0, 'R', ...]: pydyf only ever appends to it
        key = (len(kids), kids[-3] if kids else None)
        cached = pdf.__dict__.get("_octavo_page_references")
        if cached is None or cached[0] != key:
            cached = pdf.__dict__["_octavo_page_references"] = (key, self.build(pdf))
        return cached[1]  # type: ignore[no-any-return]


def cache_page_references() -> None:
    """Install CachedPageReferences on pydyf.PDF, once per process.

    WeasyPrint's PDF/UA tagging (weasyprint/pdf/tags.py) reads `pdf.page_references[page]` for every structure
    element, and pydyf builds the whole tuple again on every read: pages x elements string formats, 0.6 to
    1.0 s of CPU in the screen edition of a 273-page book. The cached tuple is the same tuple, so the bytes
    written are the same (tests/test_pdf.py); drop this when WeasyPrint reads it once per page.
    """
    import pydyf

    current = pydyf.PDF.__dict__["page_references"]
    if not isinstance(current, CachedPageReferences):
        pydyf.PDF.page_references = CachedPageReferences(current.fget)
