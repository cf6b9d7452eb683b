"""book.yaml `checks:` -> the layout checks a book switches off, each with its reason; every problem reported."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any

#: The layout checks of every page (octavo/pdf/layoutcheck.py), by the name book.yaml switches them off with.
CHECKS: dict[str, str] = {
    "heading_at_foot": "a heading at the foot of a page with no text after it",
    "widows": "a single line of a paragraph alone at the top (widow) or foot (orphan) of a page",
    "short_pages": "a page, other than a chapter's last, whose text block is less than two-thirds full",
    "chapter_ends": "a chapter whose last page holds fewer than three lines",
    "overflow": "a line, image or table wider than the text block",
    "hyphen_ladders": "three or more hyphenated lines in a row",
    "recto_hyphen": "a word broken at the foot of a recto, across the turn of the leaf",
    "figure_distance": "a figure more than a page away from its first reference",
}
EXAMPLE = 'checks: {widows: {skip: "the poems keep their stanzas whole"}}'
#: A problem: the key it is about ('checks.widows'), and what to say.
Report = Callable[[str, str], None]


def checks_off(value: Any, report: Report) -> tuple[tuple[str, str], ...]:
    """`checks:` -> (check, reason) for each check switched off, in the order of book.yaml."""
    if not isinstance(value, dict):
        report("checks", f"'checks' must be a mapping of check names to {{skip: reason}}, for example {EXAMPLE}")
        return ()
    off = []
    for name, setting in value.items():
        key = f"checks.{name}"
        if name not in CHECKS:
            close = difflib.get_close_matches(str(name), CHECKS, n=1, cutoff=0.6)
            hint = f" (did you mean 'checks.{close[0]}'?)" if close else f"; known checks: {', '.join(CHECKS)}"
            report(key, f"unknown check '{key}'{hint}")
            continue
        reason = setting.get("skip") if isinstance(setting, dict) and set(setting) == {"skip"} else None
        if not isinstance(reason, str) or not reason.strip():
            report(key, f"'{key}' must be {{skip: reason}}, the reason saying why the book does without the check, "
                   f"for example {EXAMPLE}")
            continue
        off.append((str(name), reason.strip()))
    return tuple(off)
