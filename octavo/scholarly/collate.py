"""A term + the book's language -> its sort key (the Unicode Collation Algorithm, tailored) and its letter group."""

from __future__ import annotations

import unicodedata
from functools import cache
from typing import Any

#: U+FFFF has the highest primary weight of the UCA table (DUCET): a letter written as 'z' + it sorts after
#: every word in z, and 'n' + it between every word in n and the first in o. That is how a language's own
#: letters are put where its alphabet has them, without a tailoring engine.
_LAST = "\uffff"

#: The letters a language orders apart from the DUCET (CLDR's tailorings, the letters only): each -> what it
#: sorts as. Languages not listed sort as the DUCET does: an accented letter with its base letter (German,
#: French, English, Italian...).
TAILORINGS: dict[str, dict[str, str]] = {
    # Swedish and Finnish: å, ä, ö are letters of their own after z (æ with ä, ø with ö).
    "sv": {"å": "z" + _LAST, "ä": "z" + _LAST * 2, "æ": "z" + _LAST * 2, "ö": "z" + _LAST * 3,
           "ø": "z" + _LAST * 3},
    "fi": {"å": "z" + _LAST, "ä": "z" + _LAST * 2, "æ": "z" + _LAST * 2, "ö": "z" + _LAST * 3,
           "ø": "z" + _LAST * 3},
    # Danish and Norwegian: æ, ø, å after z.
    "da": {"æ": "z" + _LAST, "ä": "z" + _LAST, "ø": "z" + _LAST * 2, "ö": "z" + _LAST * 2, "å": "z" + _LAST * 3},
    "nb": {"æ": "z" + _LAST, "ø": "z" + _LAST * 2, "å": "z" + _LAST * 3},
    "nn": {"æ": "z" + _LAST, "ø": "z" + _LAST * 2, "å": "z" + _LAST * 3},
    "no": {"æ": "z" + _LAST, "ø": "z" + _LAST * 2, "å": "z" + _LAST * 3},
    # Spanish: ñ is a letter between n and o.
    "es": {"ñ": "n" + _LAST},
}


@cache
def _collator() -> Any:
    """pyuca's collator on the DUCET it ships (loaded once, a fifth of a second)."""
    import pyuca

    return pyuca.Collator()


def _primary(language: str) -> str:
    return language.split("-")[0].lower()


def _tailor(text: str, language: str) -> str:
    """`text` with a language's own letters written as what they sort as (upper case kept upper)."""
    table = TAILORINGS.get(_primary(language))
    if not table:
        return text
    out = []
    for char in unicodedata.normalize("NFC", text):
        lower = char.lower()
        if lower in table:
            written = table[lower]
            out.append(written.upper() if char != lower else written)
        else:
            out.append(char)
    return "".join(out)


def sort_key(text: str, language: str) -> tuple[tuple[int, ...], str]:
    """How `text` sorts in `language`: the UCA key (letters first as an alphabet orders them, then accents,
    then case), and the text itself to break ties."""
    tailored = _tailor(text, language)
    return tuple(_collator().sort_key(tailored)), text


def letter_group(text: str, language: str) -> str | None:
    """The letter `text` is listed under ('É' -> 'E'; Swedish 'Ö' -> 'Ö'), or None when it does not start
    with a letter (a number, a symbol)."""
    stripped = text.lstrip(" \"'“‘«([¿¡")
    if not stripped or not stripped[0].isalpha():
        return None
    first = unicodedata.normalize("NFC", stripped[0]).lower()
    if first in TAILORINGS.get(_primary(language), {}):
        return first.upper()
    base = unicodedata.normalize("NFD", first)[0]
    return base.upper()
