"""Pygments token types -> the code colour scheme: the CSS of the screen PDF and the EPUB, and the greys of K
the print edition draws the same colours with.

One layout serves both PDF editions (pdf/editions.py), so weight and italics are the same in both; the colours
are the screen edition's (derived from a11y-light, Eric W. Bailey, MIT: each meets WCAG AA, 4.5:1, on white and
on the highlighted-line background), and the print edition redraws each of them as a grey of the K plate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pygments.token import STANDARD_TYPES, Comment, Keyword, Name, Number, Operator, String, _TokenType

#: The class of a code block's <pre> that the scheme's rules are scoped to.
SCOPE = "code"
#: The background of a highlighted line (hl_lines): screen colour; print, a grey of K.
HIGHLIGHT = "#fdf1c4"
HIGHLIGHT_K = 0.12
#: Line numbers and the title line above a block.
LINE_NUMBER = "#6b6b6b"


@dataclass(frozen=True)
class Role:
    """How one group of tokens is set."""

    colour: str
    """Its colour on screen and in the EPUB (#rrggbb)."""
    grey: float
    """The K tint the print edition draws that colour with (1 = solid black)."""
    bold: bool = False
    italic: bool = False


COMMENT = Role("#696969", 0.7, italic=True)
KEYWORD = Role("#7928a1", 1.0, bold=True)
STRING = Role("#0b7a0b", 0.8)
NUMBER = Role("#a65b00", 0.8)
FUNCTION = Role("#00749c", 1.0)
TAG = Role("#c41a16", 0.9)

#: Token types and their roles; a subtype takes its nearest listed ancestor's (Pygments' own inheritance).
ROLES: dict[_TokenType, Role] = {
    Comment: COMMENT, Comment.Preproc: TAG, Comment.PreprocFile: STRING,
    Keyword: KEYWORD, Keyword.Constant: NUMBER, Keyword.Type: Role(NUMBER.colour, NUMBER.grey, bold=True),
    Operator.Word: KEYWORD,
    String: STRING, String.Escape: NUMBER, String.Interpol: NUMBER, String.Regex: TAG,
    Number: NUMBER,
    Name.Function: FUNCTION, Name.Class: FUNCTION, Name.Namespace: FUNCTION, Name.Decorator: FUNCTION,
    Name.Builtin: NUMBER, Name.Attribute: NUMBER, Name.Tag: TAG, Name.Label: TAG, Name.Variable: TAG,
    Name.Exception: FUNCTION, Name.Entity: TAG, Name.Constant: NUMBER,
}

#: Every screen colour the scheme uses -> the K tint the print edition prints it with.
PRINT_GREYS: dict[str, float] = {
    **{role.colour: role.grey for role in ROLES.values()}, HIGHLIGHT: HIGHLIGHT_K, LINE_NUMBER: 0.6,
}


def role_of(token: _TokenType) -> Role | None:
    """The role of a token type: its own, else its nearest ancestor's; None for plain text."""
    while token is not None:
        if token in ROLES:
            return ROLES[token]
        token = token.parent
    return None


def code_css() -> str:
    """The rules of the scheme: one per Pygments short class name that has a role (HtmlFormatter's classes)."""
    rules = [
        f"pre.{SCOPE} .hll {{ background-color: {HIGHLIGHT}; }}",
        f"pre.{SCOPE} .ln {{ color: {LINE_NUMBER}; }}",
    ]
    for token, short in sorted(STANDARD_TYPES.items(), key=lambda item: item[1]):
        role = role_of(token)
        if not short or role is None:
            continue
        style = f"color: {role.colour};"
        style += " font-weight: bold;" if role.bold else ""
        style += " font-style: italic;" if role.italic else ""
        rules.append(f"pre.{SCOPE} .{short} {{ {style} }}")
    return "\n".join(rules) + "\n"


def light_only(css: str) -> str:
    """The scheme for the EPUB: for a light page only. Its colours meet WCAG AA on white, and a reading system's
    dark or sepia theme (or Kindle, which reads no such query) gets the code in the text's own colour, with the
    scheme's weights and italics kept outside the query."""
    faces = []
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        kept = [d.strip() for d in body.split(";") if d.strip() and "color" not in d]
        if kept:
            faces.append(f"{selector.strip()} {{ {'; '.join(kept)}; }}")
    marked = f"pre.{SCOPE} .hll {{ background-color: rgba(250, 200, 40, 0.25); }}"  # readable on any page
    return "\n".join([*faces, marked]) + "\n@media (prefers-color-scheme: light) {\n" + css + "}\n"


def luminance(colour: str) -> float:
    """WCAG relative luminance of #rrggbb."""
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str) -> float:
    """WCAG contrast ratio of two #rrggbb colours (1 to 21)."""
    a, b = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (a + 0.05) / (b + 0.05)
