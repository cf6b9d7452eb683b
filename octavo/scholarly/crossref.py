"""References as pandoc-crossref writes them (`@fig:id`, `[@fig:a; @fig:b]`, `[Figure @fig:id]`, `[-@eq:id]`)
-> placeholders while parsing, then links with the words and numbers of their targets once the book is numbered.

While parsing, each reference becomes `<span class="crossref-pending" data-refs="fig:a fig:b">` holding the text
as written (to find its line for a message); `resolve` turns it into "Figures <a>1.1</a> and <a>1.2</a>". In
the PDFs each link can also say where its target is printed ("Figure 3.2 on page 47": print.css, from
`target-counter`); the EPUB never prints a page number in running text.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lxml import etree
from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from octavo.markup import escape

KINDS = ("fig", "tbl", "lst", "eq", "sec")
#: pandoc-crossref's `fig:map` and Quarto's `fig-map`: the same label, kept as written (it is the element's id).
_KEY = r"([Ff]ig|[Tt]bl|[Ll]st|[Ee]q|[Ss]ec)([:-])([\w:.-]*\w)"
_KIND = re.compile(r"(fig|tbl|lst|eq|sec)[:-]")


def kind_of(key: str) -> str | None:
    """'fig' for `fig:map` (pandoc-crossref) and `fig-map` (Quarto); None for an id that is no label."""
    match = _KIND.match(key)
    return match.group(1) if match else None
_BARE = re.compile(r"()@" + _KEY)
_ITEM = re.compile(r"\s*([^@;\[\]]*?)\s*(-?)@" + _KEY + r"\s*$")
_BRACKET = re.compile(r"\[([^\[\]\n]*@" + _KEY + r"[^\[\]\n]*)\]")


def crossref_plugin(md: MarkdownIt) -> None:
    """`@fig:id` and `[...@fig:id...]` -> crossref tokens; before links, so `[@fig:a]` is never tried as one."""
    md.inline.add_terminator_char("@")
    md.inline.ruler.before("link", "octavo_crossref_bracket", _bracket)
    md.inline.ruler.before("link", "octavo_crossref", _bare)
    md.add_render_rule("crossref", _render)


@dataclass(frozen=True)
class Ref:
    """One reference inside a placeholder."""

    key: str
    """The label referred to, its prefix in lower case ('fig:map')."""
    prefix: str | None
    """A prefix written in the brackets ('Fig.' in `[Fig. @fig:map]`), or None for the book's word."""
    bare: bool
    """`-@fig:map`: the number alone."""


def _bare(state: StateInline, silent: bool) -> bool:
    pos = state.pos
    if state.src[pos] != "@" or (pos > 0 and (state.src[pos - 1].isalnum() or state.src[pos - 1] == "@")):
        return False
    match = _BARE.match(state.src, pos)
    if match is None:
        return False
    if not silent:
        _token(state, [Ref(f"{match.group(2).lower()}{match.group(3)}{match.group(4)}", None, bool(match.group(1)))],
               match.group(0))
    state.pos = match.end()
    return True


def _bracket(state: StateInline, silent: bool) -> bool:
    if state.src[state.pos] != "[":
        return False
    match = _BRACKET.match(state.src, state.pos)
    if match is None or state.src[match.end():match.end() + 1] in ("(", "["):
        return False
    refs = []
    for part in match.group(1).split(";"):
        item = _ITEM.match(part)
        if item is None:
            return False  # a citation, or something else: not ours (the citations' rule runs after this one)
        refs.append(Ref(f"{item.group(3).lower()}{item.group(4)}{item.group(5)}", item.group(1) or None,
                        bool(item.group(2))))
    if not silent:
        _token(state, refs, match.group(0))
    state.pos = match.end()
    return True


def _token(state: StateInline, refs: list[Ref], written: str) -> None:
    token = state.push("crossref", "", 0)
    token.content = written
    token.meta["refs"] = refs


def _render(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    refs: list[Ref] = token.meta["refs"]
    attributes = f' data-refs="{escape(" ".join(r.key for r in refs))}"'
    attributes += f' data-prefixes="{escape(";".join(r.prefix or "" for r in refs))}"'
    attributes += f' data-bare="{escape(" ".join("1" if r.bare else "0" for r in refs))}"'
    return f'<span class="crossref-pending"{attributes}>{escape(token.content)}</span>'


def pending(root: etree._Element) -> list[etree._Element]:
    """The unresolved references of a chapter's tree, in order."""
    return list(root.iterfind(".//span[@class='crossref-pending']"))


def refs_of(span: etree._Element) -> list[Ref]:
    """The references a placeholder holds."""
    keys = (span.get("data-refs") or "").split()
    prefixes = (span.get("data-prefixes") or "").split(";")
    bare = (span.get("data-bare") or "").split()
    return [Ref(key, prefixes[i] or None if i < len(prefixes) else None, i < len(bare) and bare[i] == "1")
            for i, key in enumerate(keys)]


@dataclass(frozen=True)
class Target:
    """What a reference names: its kind, its number (or title) as printed, and whether its page is roman."""

    kind: str
    number: str
    front: bool = False
    title: bool = False
    """`number` is a section's title (an unnumbered section is named, in quotes)."""


def did_you_mean(key: str, known: Sequence[str]) -> str:
    """' (did you mean 'fig:maps'?)' for the closest known label, else ''."""
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    return f" (did you mean '@{close[0]}'?)" if close else ""


def resolve(span: etree._Element, targets: dict[str, Target], words: dict[str, str], pages: bool,
            quotes: str) -> None:
    """Replace one placeholder by the text and links of its references (every key is in `targets`)."""
    refs = refs_of(span)
    pieces: list[str | etree._Element] = []
    groups: list[list[Ref]] = []
    for ref in refs:  # consecutive references of one kind share its word: "Figures 1.1 and 1.2"
        if groups and kind_of(ref.key) == kind_of(groups[-1][0].key) and ref.prefix is None \
                and not ref.bare:
            groups[-1].append(ref)
        else:
            groups.append([ref])
    for position, group in enumerate(groups):
        if position:
            pieces.append(f" {words['and']} " if position == len(groups) - 1 else ", ")
        pieces += _group(group, targets, words, pages, quotes)
    _put(span, pieces)


def _group(group: list[Ref], targets: dict[str, Target], words: dict[str, str], pages: bool,
           quotes: str) -> list[str | etree._Element]:
    first = targets[group[0].key]
    word = group[0].prefix if group[0].prefix is not None else \
        words[first.kind + ("s" if len(group) > 1 else "")]
    runs = _runs(group, targets)
    out: list[str | etree._Element] = []
    for index, run in enumerate(runs):
        if index:
            out.append(f" {words['and']} " if index == len(runs) - 1 else ", ")
        for step, ref in enumerate(run):
            target = targets[ref.key]
            text = f"{quotes[0]}{target.number}{quotes[1]}" if target.title else \
                f"({target.number})" if target.kind == "eq" else target.number
            if step:
                out.append("\u2013")  # a run of three or more: "Figures 1.1–1.3"
            label = text if ref.bare or target.title or index or step else f"{word}\u00a0{text}" if word else text
            out.append(_link(ref.key, label, target, words, pages and len(run) == 1))
    return out


def _runs(group: list[Ref], targets: dict[str, Target]) -> list[list[Ref]]:
    """References of one kind -> runs of consecutive numbers (3.1, 3.2, 3.3), each given as its first and last
    when it has three or more; others alone."""
    def parts(ref: Ref) -> tuple[str, int] | None:
        head, _, tail = targets[ref.key].number.rpartition(".")
        return (head, int(tail)) if tail.isdigit() and not targets[ref.key].title else None

    runs: list[list[Ref]] = []
    for ref in group:
        here, last = parts(ref), parts(runs[-1][-1]) if runs else None
        if here and last and here[0] == last[0] and here[1] == last[1] + 1:
            runs[-1].append(ref)
        else:
            runs.append([ref])
    return [run if len(run) < 3 else [run[0], run[-1]] for run in runs for run in
            ([run] if len(run) >= 3 else [[ref] for ref in run])]


def _link(key: str, text: str, target: Target, words: dict[str, str], pages: bool) -> etree._Element:
    link = etree.Element("a")
    link.set("href", f"#{key}")
    classes = ["crossref", *(["crossref-page"] if pages else []), *(["crossref-front"] if target.front else [])]
    link.set("class", " ".join(classes))
    if pages:
        link.set("data-on-page", words["on_page"])
    link.text = text
    return link


def _put(span: etree._Element, pieces: list[str | etree._Element]) -> None:
    """Put the pieces where the placeholder is, keeping its tail."""
    parent = span.getparent()
    assert parent is not None
    at = parent.index(span)
    previous = parent[at - 1] if at else None
    tail = span.tail or ""
    parent.remove(span)
    for piece in pieces:
        if isinstance(piece, str):
            if previous is None:
                parent.text = (parent.text or "") + piece
            else:
                previous.tail = (previous.tail or "") + piece
        else:
            parent.insert(at, piece)
            at += 1
            previous = piece
    if previous is None:
        parent.text = (parent.text or "") + tail
    else:
        previous.tail = (previous.tail or "") + tail


def print_pages(root: etree._Element) -> None:
    """In the PDFs, after each reference that carries its page, a mark that prints " on page 47" (print.css:
    `.crossref-pageno::after`, the number from the layout: target-counter), its words joined by no-break spaces
    so that "page" never ends a line without its number. The EPUB never gets it (its pages are not print pages)."""
    for link in list(root.iterfind(".//a[@data-on-page]")):
        mark = etree.Element("span")
        classes = ["crossref-pageno", *(["crossref-front"] if "crossref-front" in (link.get("class") or "") else [])]
        mark.set("class", " ".join(classes))
        mark.set("data-ref", str(link.get("href") or link.get("data-href")))
        mark.set("data-words", str(link.get("data-on-page")).replace(" ", "\u00a0"))
        mark.tail = link.tail
        link.tail = None
        link.addnext(mark)
