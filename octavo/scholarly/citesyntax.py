"""Markdown text -> citation tokens: pandoc's `[see @a, p. 33; -@b]` and narrative `@a [p. 33]`, as written."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.container import container_plugin

from octavo.markup import escape

#: Label prefixes of pandoc-crossref: `@fig:x` is a reference to a figure, never a citation (octavo/scholarly's
#: cross-references read those).
CROSSREF_PREFIXES = ("fig:", "tbl:", "lst:", "eq:", "sec:", "fig-", "tbl-", "lst-", "eq-", "sec-")  # Quarto's too
#: A citation key as pandoc reads it: a letter, digit or _ first, then letters, digits and _, with internal
#: punctuation (:.#$%&-+?<>~/) only between them; or anything but braces inside `@{...}`.
_KEY = re.compile(r"\{([^{}\s]+)\}|([\w](?:[\w]|[:.#$%&+?<>~/-](?=\w))*)")
#: What may stand before an '@' that is no citation: a word's characters, and a URL's (https://x.org/@name).
_INSIDE = "_@/.:=+#%&?~"
#: One item of a bracketed citation: prefix, an optional '-' (suppress the author), @key, suffix.
_ITEM = re.compile(r"(?P<prefix>(?:[^@]*[\s(])?)(?P<minus>-?)@")


@dataclass(frozen=True)
class Cite:
    """One source cited in a citation."""

    key: str
    """The citation key, as written after '@'."""
    suppress_author: bool = False
    """`-@key`: the year alone (the author is named in the sentence)."""


def citation_plugin(md: MarkdownIt) -> None:
    """Add the two inline rules (a bracket before links are read, narrative citations before plain text) and
    the renderer: a `span.citation` that carries the citation as written until the book's citations pass."""
    md.inline.ruler.before("link", "citation_bracket", _bracketed)
    md.inline.ruler.before("text", "citation_narrative", _narrative)
    md.add_render_rule("citation", _render_citation)
    md.use(container_plugin, name="refs", validate=_refs_div, render=_render_refs)


def is_crossref(key: str) -> bool:
    """Whether `@key` is a pandoc-crossref reference (`@fig:map`), left to the cross-references."""
    return key.lower().startswith(CROSSREF_PREFIXES)


def parse_bracket(inner: str) -> tuple[Cite, ...] | None:
    """The text between '[' and ']' -> its cited keys, or None when it is not a citation as pandoc reads one
    (every item split by ';' holds one @key, after a space, '(' or nothing; no cross-reference among them)."""
    cites = []
    for item in _split_items(inner):
        match = _ITEM.match(item)
        if match is None:
            return None
        key = _KEY.match(item, match.end())
        if key is None:
            return None
        name = key.group(1) or key.group(2)
        if is_crossref(name):
            return None
        cites.append(Cite(name, bool(match.group("minus"))))
    return tuple(cites) or None


def _split_items(inner: str) -> list[str]:
    """'see @a; @b, chap. 2' -> ['see @a', ' @b, chap. 2'] (';' inside braces or brackets does not split)."""
    items, depth, start = [], 0, 0
    for index, char in enumerate(inner):
        if char in "{[":
            depth += 1
        elif char in "}]":
            depth -= 1
        elif char == ";" and depth == 0:
            items.append(inner[start:index])
            start = index + 1
    items.append(inner[start:])
    return items


def _closing(src: str, start: int, end: int) -> int | None:
    """The index of the ']' that closes the '[' at `start`, nested brackets and backslash escapes counted."""
    depth, index = 0, start
    while index < end:
        char = src[index]
        if char == "\\":
            index += 2
            continue
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    return None


def _bracketed(state: Any, silent: bool) -> bool:
    """`[@a]`, `[see @a, p. 33; @b]`, `[-@a]`; not a link (`[@a](url)`, `[@a][ref]`) nor a note (`[^1]`)."""
    src, pos = state.src, state.pos
    if src[pos] != "[" or src.startswith("[^", pos):
        return False
    close = _closing(src, pos, state.posMax)
    if close is None or src[close + 1:close + 2] in ("(", "["):
        return False
    cites = parse_bracket(src[pos + 1:close])
    if cites is None:
        return False
    if not silent:
        _push(state, src[pos:close + 1], cites, narrative=False)
    state.pos = close + 1
    return True


def _narrative(state: Any, silent: bool) -> bool:
    """`@a` in the running text (after a space or punctuation, not a word: a@b.org is an address, nor inside
    a URL: medium.com/@name is a path), with an optional ` [p. 33]` straight after it, as pandoc reads it."""
    src, pos = state.src, state.pos
    if src[pos] != "@" or (pos > 0 and (src[pos - 1].isalnum() or src[pos - 1] in _INSIDE)):
        return False
    key = _KEY.match(src, pos + 1)
    if key is None or is_crossref(key.group(1) or key.group(2)):
        return False
    end = key.end()
    if src.startswith(" [", end) and not src.startswith(" [@", end) and not src.startswith(" [-@", end):
        close = _closing(src, end + 1, state.posMax)
        if close is not None and src[close + 1:close + 2] not in ("(", "[") and "@" not in src[end:close]:
            end = close + 1
    if not silent:
        _push(state, src[pos:end], (Cite(key.group(1) or key.group(2)),), narrative=True)
    state.pos = end
    return True


def _push(state: Any, raw: str, cites: tuple[Cite, ...], narrative: bool) -> None:
    token: Token = state.push("citation", "span", 0)
    token.content = raw
    token.meta = {"cites": cites, "narrative": narrative}


def _render_citation(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: dict[str, Any]) -> str:
    token = tokens[idx]
    keys = " ".join(cite.key for cite in token.meta["cites"])
    mode = "narrative" if token.meta["narrative"] else "bracket"
    return (f'<span class="citation" data-cites="{escape(keys)}" data-cite-mode="{mode}">'
            f"{escape(token.content)}</span>")


def _refs_div(params: str, *args: Any) -> bool:
    """`::: {#refs}`: where pandoc (and so Octavo) sets the bibliography."""
    return params.strip().replace(" ", "") == "{#refs}"


def _render_refs(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: dict[str, Any]) -> str:
    return '<div id="refs" class="references">\n' if tokens[idx].nesting == 1 else "</div>\n"
