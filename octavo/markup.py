"""Small helpers on HTML shared by every stage: element names, plain text, escaping."""

from __future__ import annotations

import html
import re
from typing import Any


def plain_text(fragment: str) -> str:
    """Text content of an HTML fragment (for font coverage and search)."""
    return html.unescape(re.sub(r"<[^>]+>", " ", fragment))


def local_name(tag: Any) -> str:
    """'{http://www.w3.org/1999/xhtml}p' or 'p' -> 'p'; '' for comments and processing instructions."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""
