"""A book's language and book.yaml `hyphenation:` exceptions -> where its words may break: the patterns of its
language (pyphen's; a bare `en` is American English, as in browsers), and the book's own exceptions first."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

#: hyphenate-limit-chars in styles/print.css: words of at least 6 letters, 3 before a break and 3 after.
MIN_WORD, LEFT, RIGHT = 6, 3, 3
_LETTERS = re.compile(r"[^\W\d_]+")


def patterns_for(language: str) -> str | None:
    """The pyphen dictionary for a BCP 47 tag ('en' -> 'en_US', 'en-GB' -> 'en_GB'), None when there is none."""
    import pyphen

    tag = language.replace("-", "_")
    if tag.lower() == "en":
        return "en_US"
    found = pyphen.language_fallback(tag)
    return str(found) if found else None


class Hyphenator:
    """Where each word may break: its exception if the book lists one, else its language's patterns."""

    def __init__(self, language: str, exceptions: tuple[str, ...] = ()):
        self.patterns = patterns_for(language)
        self.exceptions = {word.replace("-", "").lower(): _points_of(word) for word in exceptions}
        self.seen: dict[str, list[int]] = {}

    def points(self, text: str) -> list[int]:
        """Offsets in `text` after which a hyphen may break it (in each run of letters long enough)."""
        if text not in self.seen:
            self.seen[text] = self._points(text)
        return self.seen[text]

    def _points(self, text: str) -> list[int]:
        found = []
        for match in _LETTERS.finditer(text):
            word = match.group()
            if len(word) < MIN_WORD and word.lower() not in self.exceptions:
                continue
            found += [match.start() + point for point in self.word_points(word)]
        return found

    def word_points(self, word: str) -> list[int]:
        return self.split(word, LEFT, RIGHT)

    def split(self, word: str, left: int, right: int) -> list[int]:
        """Where WeasyPrint may break `word` with `hyphens: auto` (pdf/internals.book_hyphenation): the book's
        exception for it, else its language's patterns with hyphenate-limit-chars' `left` and `right`."""
        if word.lower() in self.exceptions:
            return list(self.exceptions[word.lower()])
        if self.patterns is None or word.isupper():
            return []
        return [p for p in _dictionary(self.patterns).positions(word) if left <= p <= len(word) - right]


def _points_of(written: str) -> tuple[int, ...]:
    """'peace-keep-ing' -> (5, 9); a word written whole has none."""
    points, offset = [], 0
    for part in written.split("-")[:-1]:
        offset += len(part)
        points.append(offset)
    return tuple(points)


@cache
def _dictionary(patterns: str) -> Any:
    import pyphen

    return pyphen.Pyphen(lang=patterns, left=1, right=1)
