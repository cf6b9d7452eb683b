"""book.yaml `paragraphs:` and `hyphenation:` -> how the PDFs break their paragraphs into lines: WeasyPrint's
breaks, or each paragraph set as a whole, and the words the book hyphenates its own way."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

PARAGRAPHS = ("greedy", "even")
EXAMPLE = 'hyphenation: {exceptions: [Octavo, "peace-keep-ing"]}'
#: A word as an exception is written: letters, and hyphens where it may break.
_EXCEPTION = re.compile(r"^[^\W\d_]+(?:-[^\W\d_]+)*$")
#: A problem: the key it is about, and what to say.
Report = Callable[[str, str], None]


def paragraphs(value: Any, report: Report) -> str:
    """`paragraphs:` -> 'greedy' (the default: WeasyPrint's breaks) or 'even'."""
    if value is None:
        return "greedy"
    if value not in PARAGRAPHS:
        report("paragraphs", f"'paragraphs' must be one of {', '.join(PARAGRAPHS)}, not {value!r} (even sets "
               "each paragraph as a whole)")
        return "greedy"
    return str(value)


def exceptions(value: Any, report: Report) -> tuple[str, ...]:
    """`hyphenation:` -> its exceptions: words never broken ('Octavo'), or broken only where written."""
    if value is None:
        return ()
    if not isinstance(value, dict) or set(value) - {"exceptions"}:
        report("hyphenation", f"'hyphenation' must be a mapping with one key, exceptions, for example {EXAMPLE}")
        return ()
    words = value.get("exceptions") or []
    if not isinstance(words, list) or not all(isinstance(w, str) and _EXCEPTION.match(w) for w in words):
        report("hyphenation.exceptions", "'hyphenation.exceptions' must be a list of words, each written whole "
               f"or with hyphens where it may break, for example {EXAMPLE}")
        return ()
    return tuple(words)
