"""A fenced code block's info string and text -> highlighted HTML: Pygments classes, line numbers, highlighted
lines, a title line above it, and a listing figure when it has an id or a caption.

The info string is read as mdBook, pandoc, Quarto and MkDocs write it (docs/code.md): `rust,ignore`,
`{.python .numberLines}`, `{python}`, `python title="src/main.rs" hl_lines="2 4-5"`, `{#lst:id caption="..."}`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.token import STANDARD_TYPES, _TokenType
from pygments.token import Token as PygmentsToken
from pygments.util import ClassNotFound

from octavo.codestyle import SCOPE
from octavo.markup import escape

#: Languages that are set plain, as written, without a lexer (and without the advice an unknown one gets).
PLAIN = frozenset({"", "text", "txt", "plain", "plaintext", "none", "output"})
#: Attribute items: #id, .class, key="value", key='value', key=value, a bare word.
_ITEM = re.compile(r'[\s,]*(?:#([A-Za-z][\w:.-]*)|\.([A-Za-z_][\w+#-]*)|([A-Za-z_][\w-]*)\s*=\s*("[^"]*"|\'[^\']*\'|'
                   r'[^\s"\'}]+)|([^\s{}=,]+))')
#: Words that turn line numbers on.
_NUMBERED = frozenset({"numberLines", "number-lines", "numberlines", "linenos", "line-numbers"})
#: The most lines a block may name as highlighted (a range like 1-99999 stays cheap).
_MAX_LINE = 100_000


@dataclass(frozen=True)
class Fence:
    """What a fence's info string asks for."""

    language: str = ""
    """The language word, lower case ('' when none)."""
    anchor: str = ""
    """`#lst:id`: the listing's id."""
    caption: str = ""
    """`caption="..."`: the listing's caption."""
    title: str = ""
    """`title="src/main.rs"` (Quarto: `filename=`): the line set above the block."""
    numbered: bool = False
    """Line numbers on (`.numberLines`, `linenos`)."""
    start: int = 1
    """The first line's number (`startFrom=`, `linenostart=`)."""
    highlighted: frozenset[int] = field(default_factory=frozenset)
    """The lines to highlight, counted from 1 (`hl_lines="2 4-5"`, `highlight=`)."""


def parse_info(info: str) -> Fence:
    """A fence's info string -> Fence. Words it does not know (mdBook's `ignore`, `editable`) are dropped."""
    text = info.strip()
    language, rest = "", text
    if not text.startswith("{"):
        head_match = re.match(r"[^\s{]*", text)
        head = head_match.group(0) if head_match else ""
        rest = text[len(head):]
        language, *flags = head.split(",")
        rest = " ".join(flags) + " " + rest
    rest = rest.strip()
    if rest.startswith("{") and rest.endswith("}"):
        rest = rest[1:-1]
    values: dict[str, Any] = {"language": language.lower(), "numbered": False}
    for anchor, name, key, value, word in _items(rest):
        if anchor:
            values["anchor"] = anchor
        elif name or word:
            token = name or word
            if token in _NUMBERED:
                values["numbered"] = True
            elif not values["language"] and (name or text.startswith("{")):
                values["language"] = token.lower().strip("{}")
        elif key:
            _attribute(values, key, value.strip("\"'"))
    return Fence(**values)


def _items(text: str) -> list[tuple[str, str, str, str, str]]:
    items, rest = [], text
    while rest.strip():
        match = _ITEM.match(rest)
        if match is None or not match.group(0).strip():
            break
        items.append(tuple(g or "" for g in match.groups()))
        rest = rest[match.end():]
    return items  # type: ignore[return-value]


def _attribute(values: dict[str, Any], key: str, value: str) -> None:
    name = key.lower().replace("-", "_")
    if name in ("title", "filename", "file"):
        values["title"] = value
    elif name == "caption":
        values["caption"] = value
    elif name in ("hl_lines", "highlight", "hl", "emphasize_lines", "code_line_numbers", "data_line"):
        values["highlighted"] = line_set(value)
    elif name in ("startfrom", "linenostart", "start_from", "start_line"):
        values["start"] = int(value) if value.isdigit() else 1
        values["numbered"] = True
    elif name in ("linenos", "line_numbers", "numberlines") and value.lower() not in ("false", "0", "no"):
        values["numbered"] = True
    elif name in ("lang", "language") and not values["language"]:
        values["language"] = value.lower()


def line_set(text: str) -> frozenset[int]:
    """`"2 4-5"`, `"2,4-5"`, `"{2,4-5}"` -> {2, 4, 5}; anything else in it is left out."""
    lines: set[int] = set()
    for first, last in re.findall(r"(\d+)(?:\s*-\s*(\d+))?", text):
        low, high = int(first), int(last or first)
        lines.update(range(low, min(high, low + _MAX_LINE) + 1))
    return frozenset(lines)


def lexer_for(language: str) -> Lexer | None:
    """Pygments' lexer for a language word, or None (plain text)."""
    if language in PLAIN:
        return None
    try:
        return get_lexer_by_name(language, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None


def code_lines(code: str, lexer: Lexer | None) -> list[list[tuple[str, str]]]:
    """The block's text as lines of (Pygments short class, text) runs; '' is plain text."""
    runs: list[tuple[_TokenType, str]] = list(lexer.get_tokens(code)) if lexer else [(PygmentsToken.Text, code)]
    lines: list[list[tuple[str, str]]] = [[]]
    for kind, value in runs:
        short = _short(kind)
        for index, piece in enumerate(value.split("\n")):
            if index:
                lines.append([])
            if piece:
                line = lines[-1]
                if line and line[-1][0] == short:
                    line[-1] = (short, line[-1][1] + piece)
                else:
                    line.append((short, piece))
    return lines


def _short(kind: _TokenType) -> str:
    while kind is not None and kind not in STANDARD_TYPES:
        kind = kind.parent
    return "" if kind in (None, PygmentsToken.Text, PygmentsToken.Text.Whitespace) else STANDARD_TYPES.get(kind, "")


def render_code(fence: Fence, code: str) -> str:
    """The HTML of one block: <pre class="code"><code> with spans, in its title and listing wrappers."""
    text = code[:-1] if code.endswith("\n") else code
    lexer = lexer_for(fence.language)
    lines = code_lines(text, lexer)
    width = len(str(fence.start + len(lines) - 1))
    out = []
    for number, runs in enumerate(lines, start=1):
        html = "".join(f'<span class="{short}">{escape(piece)}</span>' if short else escape(piece)
                       for short, piece in runs)
        if fence.numbered:
            html = f'<span class="ln" aria-hidden="true">{str(fence.start + number - 1).rjust(width)} </span>' + html
        if number in fence.highlighted:
            html = f'<span class="hll">{html}</span>'
        out.append(html)
    language = escape(fence.language)
    code_class = f' class="language-{language}"' if fence.language else ""
    pre_class = SCOPE + (" numbered" if fence.numbered else "")
    data = f' data-language="{language}"' if fence.language else ""
    block = f'<pre class="{pre_class}"{data}><code{code_class}>' + "\n".join(out) + "</code></pre>\n"
    if fence.title:
        block = f'<div class="code-title">{escape(fence.title)}</div>\n' + block
    if fence.anchor or fence.caption:
        anchor = f' id="{escape(fence.anchor)}"' if fence.anchor else ""
        caption = f"<figcaption>{_inline(fence.caption)}</figcaption>\n" if fence.caption else ""
        return f'<figure class="listing"{anchor}>\n{caption}{block}</figure>\n'
    if fence.title:
        return f'<div class="code-block">\n{block}</div>\n'
    return block


def _inline(text: str) -> str:
    """A caption's Markdown (`code`, *emphasis*), without raw HTML: the chapter's HTML is cleaned after."""
    return str(_CAPTIONS.renderInline(text)).strip()


_CAPTIONS = MarkdownIt("commonmark", {"html": False})


def render_fence(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: dict[str, Any]) -> str:
    """markdown-it's `fence` rule: every fenced block through render_code."""
    token = tokens[idx]
    return render_code(parse_info(token.info), token.content)
