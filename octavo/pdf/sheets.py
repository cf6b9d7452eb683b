"""A book, an edition and the styles -> WeasyPrint's stylesheets for its layout (the code colours, fonts.css,
common.css, print.css, the page rules) with the font configuration and colour profiles they fill; parsed once
per process when kept: a part worker lays out many parts of one book with the same sheets (a tenth of a part's
layout, measured)."""

from __future__ import annotations

import io
from typing import Any

from octavo.model import Book, Edition
from octavo.resources import Resources

#: Sheets kept for the next layout in this process, by (book, edition, styles): (the book and styles, kept so
#: that their ids stay theirs, the font configuration, the sheets, each colour profile with its bytes as read).
_KEPT: dict[tuple[int, str, int], tuple[Book, Resources, Any, list[Any], dict[str, tuple[Any, bytes]]]] = {}


def stylesheets(book: Book, edition: Edition, styles: Resources, fetcher: Any,
                keep: bool = False) -> tuple[dict[str, Any], list[Any]]:
    """(what a render shares with its sheets: `font_config` and `color_profiles`, the sheets in cascade order);
    with `keep`, the sheets parsed by an earlier call for the same book, edition and styles when there was one.

    A kept sheet's colour profile is given to each layout afresh, from the bytes first read: WeasyPrint reads the
    profile's name when it writes the output intent, and LittleCMS then writes the profile's tags in another
    encoding (52 bytes more), so a profile written twice would not be the same bytes."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    from octavo.codestyle import code_css
    from octavo.pdf.layout import STYLESHEETS, page_css

    key = (id(book), Edition(edition).value, id(styles))
    if keep and (kept := _KEPT.get(key)) is not None:
        _, _, font_config, sheets, profiles = kept
        fresh = {name: type(profile)(io.BytesIO(data), profile.src, profile.rendering_intent, profile.components)
                 for name, (profile, data) in profiles.items()}
        return {"font_config": font_config, "color_profiles": fresh}, sheets
    # Stylesheets and layout share one font configuration and one colour-profile table, or the
    # @font-face and @color-profile rules of our stylesheets would not reach the document.
    shared: dict[str, Any] = {"font_config": FontConfiguration(), "color_profiles": {}}
    # filename= makes url() inside each sheet resolve relative to the file chosen, not to the defaults.
    sheets = [CSS(filename=str(styles.find_style(name)), url_fetcher=fetcher, **shared) for name in STYLESHEETS]
    sheets.insert(0, CSS(string=code_css(), **shared))  # the code colours (codestyle.py); a book's sheets win
    sheets.append(CSS(string=page_css(book, edition, styles), base_url=str(styles.styles[-1]) + "/",
                      url_fetcher=fetcher, **shared))
    if keep:
        profiles = {name: (profile, profile.content) for name, profile in shared["color_profiles"].items()}
        _KEPT[key] = (book, styles, shared["font_config"], sheets, profiles)
    return shared, sheets
