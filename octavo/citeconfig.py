"""book.yaml `bibliography:`, `csl:`, `nocite:` and the other citation keys -> the book's validated Citations."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from octavo.paths import inside
from octavo.resources import STYLES

Report = Callable[[str, str], None]

#: The styles Octavo ships (styles/csl/, CC BY-SA 3.0); the first is the default.
SHIPPED_STYLES = ("chicago-author-date", "apa", "ieee")
#: The bibliography formats by file ending (pandoc's readers: octavo/scholarly/sources.py).
BIBLIOGRAPHY_ENDINGS = (".bib", ".bibtex", ".json", ".yaml", ".yml")
_NOCITE_KEY = re.compile(r"@?(\*|[^\s,;@]+)")


@dataclass(frozen=True)
class Citations:
    """How the book cites its sources (empty `bibliography`: the book cites nothing)."""

    bibliography: tuple[Path, ...] = ()
    """The bibliography files, absolute, in the order book.yaml lists them."""
    csl: Path = STYLES / "csl" / f"{SHIPPED_STYLES[0]}.csl"
    """The CSL style file: the book's own, or one Octavo ships."""
    nocite: tuple[str, ...] = ()
    """Keys listed in the bibliography though never cited; '*' for every entry."""
    title: str | None = None
    """The bibliography's heading (`reference-section-title`); the book's language's word when None."""
    links: bool = True
    """Whether citations link to their entries (`link-citations`, true unless set to false)."""


def citation_settings(data: dict[str, Any], root: Path, report: Report) -> Citations:
    """Validate the citation keys of book.yaml; each problem goes to `report` (key, message)."""
    files = tuple(f for f in (_bibliography_file(name, root, report) for name in _names(data.get("bibliography")))
                  if f is not None)
    csl = _style(data.get("csl"), root, report)
    if csl is not None and 'class="note"' in csl.read_text(encoding="utf-8", errors="replace")[:4000]:
        report("csl", f"'csl' style '{csl.name}' is a note style, whose citations are footnotes: Octavo sets "
                      "in-text styles only (author-date or numeric)")
        csl = None
    nocite = tuple(dict.fromkeys(k for given in _names(data.get("nocite")) for k in _NOCITE_KEY.findall(given)))
    title = data.get("reference-section-title")
    return Citations(bibliography=files, csl=csl or Citations.csl, nocite=nocite,
                     title=str(title).strip() if isinstance(title, (str, int)) and str(title).strip() else None,
                     links=data.get("link-citations") is not False)


def _names(value: Any) -> list[str]:
    """'refs.bib' or [a.bib, b.json] -> the names (anything else was reported by the schema check)."""
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    return [str(v).strip() for v in value if isinstance(v, str) and v.strip()] if isinstance(value, list) else []


def _bibliography_file(name: str, root: Path, report: Report) -> Path | None:
    if not name.lower().endswith(BIBLIOGRAPHY_ENDINGS):
        report("bibliography", f"'bibliography' file '{name}' is not BibTeX (.bib), CSL-JSON (.json) or "
                               "CSL-YAML (.yaml)")
        return None
    return _book_file("bibliography", name, root, report)


def _book_file(key: str, name: str, root: Path, report: Report) -> Path | None:
    path = inside(root, name)
    if path is None:
        report(key, f"'{key}' file '{name}' is outside the publication folder; keep every file of the book "
                    "inside it")
        return None
    if not path.is_file():
        report(key, f"'{key}' file '{name}' does not exist")
        return None
    return path


def _style(value: Any, root: Path, report: Report) -> Path | None:
    """`csl: styles/my.csl` (a file of the book) or `csl: apa` (a shipped style, '.csl' optional)."""
    if not isinstance(value, str) or not value.strip():
        return None
    name = value.strip()
    if name.lower().endswith(".csl") and (root / name).exists():
        return _book_file("csl", name, root, report)
    shipped = name.removesuffix(".csl").lower()
    if shipped in SHIPPED_STYLES:
        return STYLES / "csl" / f"{shipped}.csl"
    if name.lower().endswith(".csl"):
        return _book_file("csl", name, root, report)
    close = difflib.get_close_matches(shipped, SHIPPED_STYLES, n=1, cutoff=0.6)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    report("csl", f"'csl' style '{name}' is not one Octavo ships{hint}: use {', '.join(SHIPPED_STYLES)}, or a "
                  ".csl file of the book")
    return None
