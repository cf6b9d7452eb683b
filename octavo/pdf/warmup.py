"""A book's language and CMYK profile, named in the environment -> the caches a part worker fills on its first part,
filled once, when this module is imported in the fork server the workers of `watch` start from (chain.py).

Each build starts its part workers afresh, forked from that server. Without this, each worker of each save loaded its
hyphenation patterns again (0.15 s), compressed the print edition's CMYK profile again (0.3 s) and had cffi parse its
types again (0.06 s), on the critical path of the save (issue 18: the PDFs within 3 s). Only pure computations are
made here, never a layout: the server forks every worker, and no font library has been used in it. The caches are
keyed by what they hold (patterns by language, compressed bytes by their data), so a warm worker writes the bytes a
cold one writes.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

#: The environment variable the fork server reads: {"language": ..., "profile": a path or null}, as JSON.
VARIABLE = "OCTAVO_WARM"
#: The types cffi parses on a worker's first drawing (WeasyPrint's fonts, streams and text), parsed ahead.
CFFI_TYPES = ("hb_tag_t[100]", "unsigned int *", "char[4]", "PangoRectangle *", "FcChar8 **", "FcResult *", "char[]")


def settings(language: str, profile: Path | None) -> str:
    """The value of VARIABLE for a book in `language` whose print edition embeds `profile`."""
    return json.dumps({"language": language, "profile": None if profile is None else str(profile)})


def warm(language: str, profile: Path | None) -> None:
    """Fill this process's caches: the language's hyphenation patterns, the profile's compressed bytes, cffi's types."""
    from octavo.pdf.hyphenation import Hyphenator

    Hyphenator(language).word_points("hyphenation")  # loads the patterns (cached by language)
    if profile is not None and profile.is_file():
        _deflate_once(profile.read_bytes())
    _parse_types()


def _deflate_once(data: bytes) -> None:
    """Compress `data` as the print edition compresses its profile stream (editions.deflate_streams keeps it)."""
    import pydyf

    from octavo.pdf.editions import deflate_streams

    class _Pdf:
        objects = [pydyf.Stream([data], compress=True)]

    deflate_streams(_Pdf())  # its threads are joined when it returns: the server forks with none


def _parse_types() -> None:
    try:
        from weasyprint.text.ffi import ffi
    except ImportError:  # pragma: no cover - WeasyPrint is a dependency
        return
    for name in CFFI_TYPES:
        try:
            ffi.typeof(name)
        except Exception:  # a type another WeasyPrint version does not declare: nothing to warm
            continue


def _from_environment() -> Any:
    value = os.environ.get(VARIABLE)
    if not value:
        return None
    try:
        data = json.loads(value)
        return str(data["language"]), None if data.get("profile") is None else Path(data["profile"])
    except (ValueError, KeyError, TypeError):
        return None


if (_given := _from_environment()) is not None:
    warm(*_given)
