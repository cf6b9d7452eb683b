"""Markdown tokens -> figures, table captions, listings and equations, with their labels (pandoc's syntax).

- an image alone in its paragraph is a figure (pandoc's implicit figures): `<figure>` with the image, its alt
  text kept, and a `<figcaption>` of its title, else its alt text; `{#fig:id}` after the image labels it;
- a paragraph `Table: caption` directly above or below a table, or `: caption` below it, becomes the table's
  `<caption>`; `{#tbl:id}` at its end labels the table (pandoc-crossref);
- (a fenced code block with `{#lst:id caption="..."}` is a `<figure class="listing">`, made by
  content/fences.py with its highlighting; numbering.py numbers it;)
- `$...$` and `$$...$$` (mdit_py_plugins' dollarmath) become `<span class="math inline|display">TeX</span>`
  (octavo/scholarly/math.py typesets them); `$$...$$ {#eq:id}` is a labelled equation, and a paragraph that
  holds only display math is an equation block.

Numbers are given later, for the whole book (numbering.py).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin

from octavo.markup import escape

_LABEL = r"\{#((?:fig|tbl|lst|eq)[:-][\w:.-]*\w)\}"  # pandoc-crossref's fig:map, Quarto's fig-map
_TRAILING_LABEL = re.compile(r"\s*" + _LABEL + r"\s*$")
_LEADING_LABEL = re.compile(r"^\s*" + _LABEL)
_TABLE_CAPTION = re.compile(r"^\s*(?:Table:|table:)\s*")
_COLON_CAPTION = re.compile(r"^\s*:\s+")


def captions_plugin(md: MarkdownIt) -> None:
    """Math, figures, table captions, listings and equation labels, as the module docstring says."""
    dollarmath_plugin(md, allow_labels=False, allow_space=False, allow_digits=False, allow_blank_lines=False,
                      double_inline=True)
    md.core.ruler.push("octavo_captions", _captions)
    md.add_render_rule("math_inline", _render_math)
    md.add_render_rule("math_inline_double", _render_math)
    md.add_render_rule("math_block", _render_math_block)


def _render_math(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    display = token.type == "math_inline_double"
    span = f'<span class="math {"display" if display else "inline"}">{escape(token.content.strip())}</span>'
    label = token.meta.get("label")
    if display:  # an equation: its number (numbering.py) goes beside the formula, the sentence's stop after it
        span += escape(token.meta.get("after", ""))
        return f'<span class="equation"{f" id={chr(34)}{escape(label)}{chr(34)}" if label else ""}>{span}</span>'
    return span


def _render_math_block(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    label = tokens[idx].meta.get("label")
    anchor = f' id="{escape(label)}"' if label else ""
    return (f'<div class="equation-block"><span class="equation"{anchor}><span class="math display">'
            f'{escape(tokens[idx].content.strip())}</span></span></div>\n')


def _captions(state: StateCore) -> None:
    tokens = state.tokens
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type == "table_open":
            index = _table_caption(state, index)
        elif token.type == "paragraph_open" and not token.hidden and index + 2 < len(tokens):
            index = _paragraph(tokens, index)
        elif token.type == "math_block":
            _block_label(tokens, index)
        index += 1


def _block_label(tokens: list[Token], index: int) -> None:
    """A `$$...$$` block (its own lines) with `{#eq:id}` as the paragraph under it: the label is the formula's."""
    if index + 3 < len(tokens) and tokens[index + 1].type == "paragraph_open":
        match = re.fullmatch(r"\s*" + _LABEL + r"\s*", tokens[index + 2].content)
        if match and match.group(1).startswith(("eq:", "eq-")):
            tokens[index].meta["label"] = match.group(1)
            del tokens[index + 1:index + 4]


def _paragraph(tokens: list[Token], index: int) -> int:
    """A paragraph of one image -> a figure; display formulas -> equation blocks, the paragraph's text around
    them in paragraphs of their own (as TeX sets them: the text after one goes on, unindented); labels taken off.
    Returns the index of the last token of what the paragraph became."""
    inline = tokens[index + 1]
    children = inline.children or []
    _equation_labels(children)
    kept = [c for c in children if not (c.type == "text" and not c.content.strip()) and c.type != "softbreak"]
    if len(kept) == 1 and kept[0].type == "image":
        _figure(tokens, index, kept[0])
        return index + 5 if tokens[index].type == "figure_open" else index + 2
    if not any(c.type == "math_inline_double" for c in children):
        return index + 2
    made: list[Token] = []
    run: list[Token] = []
    level = tokens[index].level
    for child in [*children, None]:
        if child is not None and child.type != "math_inline_double":
            run.append(child)
            continue
        if "".join(c.content for c in run if c.type != "softbreak").strip():
            made += _wrapped("p", _trimmed(run), level)
            if made[0] is not made[-3]:  # a paragraph after an equation goes on from the text before it
                made[-3].attrSet("class", "continued")
        run = []
        if child is not None:
            made += _wrapped("div", [child], level)
            made[-3].attrSet("class", "equation-block")
    if made[0].tag == "p" and tokens[index].attrs:
        made[0].attrs = {**tokens[index].attrs, **made[0].attrs}
    tokens[index:index + 3] = made
    return index + len(made) - 1


def _trimmed(run: list[Token]) -> list[Token]:
    """A paragraph's inline tokens without the line breaks and spaces at its two ends."""
    while run and (run[0].type == "softbreak" or (run[0].type == "text" and not run[0].content.strip())):
        run = run[1:]
    while run and (run[-1].type == "softbreak" or (run[-1].type == "text" and not run[-1].content.strip())):
        run = run[:-1]
    if run and run[0].type == "text":
        run[0].content = run[0].content.lstrip()
    if run and run[-1].type == "text":
        run[-1].content = run[-1].content.rstrip()
    return run


def _equation_labels(children: list[Token]) -> None:
    """`$$...$$ {#eq:id}` (or the label on the next line): the label goes on the formula's token, out of the
    text."""
    for position, child in enumerate(children):
        if child.type != "math_inline_double":
            continue
        following = children[position + 1:position + 3]
        if following and following[0].type == "softbreak":
            following = following[1:]
        after = following[0] if following else None
        if after is not None and after.type == "text":
            match = _LEADING_LABEL.match(after.content)
            if match and match.group(1).startswith(("eq:", "eq-")):
                child.meta["label"] = match.group(1)
                after.content = after.content[match.end():]
            # "$$x = 1$$." or "$$x = 1,$$ where": the stop belongs to the formula, not to a paragraph of its own
            if stop := re.match(r"\s*([.,;:!?]+)(?=\s|$)", after.content):
                child.meta["after"] = stop.group(1)
                after.content = after.content[stop.end():]


def _figure(tokens: list[Token], index: int, image: Token) -> None:
    """paragraph_open, inline [image], paragraph_close -> figure_open, inline, figcaption, figure_close."""
    title = str(image.attrGet("title") or "")
    caption = [_text(title)] if title else list(image.children or [])
    if not "".join(c.content for c in caption).strip():
        return  # nothing to say under it: an image, no figure
    opening, closing = tokens[index], tokens[index + 2]
    opening.type, opening.tag, closing.type, closing.tag = "figure_open", "figure", "figure_close", "figure"
    classes = ["figure"]
    if (anchor := image.attrGet("id")) is not None:
        opening.attrSet("id", str(anchor))
        del image.attrs["id"]
    opening.attrSet("class", " ".join(classes))
    tokens[index + 2:index + 2] = _wrapped("figcaption", caption, opening.level + 1)


def _wrapped(tag: str, children: list[Token], level: int) -> list[Token]:
    """<tag> inline </tag> as three tokens."""
    opening = Token(f"{tag}_open", tag, 1)
    inline = Token("inline", "", 0)
    inline.children = children
    inline.content = "".join(c.content for c in children)
    closing = Token(f"{tag}_close", tag, -1)
    opening.level, inline.level, closing.level = level, level + 1, level
    opening.block = closing.block = True
    return [opening, inline, closing]


def _text(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def _table_caption(state: StateCore, index: int) -> int:
    """`Table: caption {#tbl:id}` above or below the table, or `: caption` below it -> <caption>, the id on
    the table. Returns where the table now opens."""
    tokens = state.tokens
    close = next(i for i in range(index, len(tokens)) if tokens[i].type == "table_close")
    below = close + 1
    found: int | None = None
    if below + 2 < len(tokens) + 0 and _is_caption(tokens, below, _COLON_CAPTION):
        found = below
    elif index >= 3 and _is_caption(tokens, index - 3, None):
        found = index - 3
    if found is None:
        return index
    children = list(tokens[found + 1].children or [])
    pattern = _TABLE_CAPTION if _TABLE_CAPTION.match(children[0].content) else _COLON_CAPTION
    children[0].content = pattern.sub("", children[0].content, count=1)
    if children[-1].type == "text" and (label := _TRAILING_LABEL.search(children[-1].content)):
        if label.group(1).startswith(("tbl:", "tbl-")):
            tokens[index].attrSet("id", label.group(1))
            children[-1].content = children[-1].content[:label.start()]
    del tokens[found:found + 3]
    opening = index - 3 if found < index else index
    tokens[opening + 1:opening + 1] = _wrapped("caption", children, tokens[opening].level + 1)
    return opening


def _is_caption(tokens: list[Token], at: int, other: re.Pattern[str] | None) -> bool:
    """Whether tokens[at] opens a paragraph that is a table caption."""
    if at + 2 >= len(tokens) or tokens[at].type != "paragraph_open":
        return False
    children = tokens[at + 1].children or []
    if not children or children[0].type != "text":
        return False
    return bool(_TABLE_CAPTION.match(children[0].content) or (other and other.match(children[0].content)))


