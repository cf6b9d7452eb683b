"""OpenType/CFF subsets of one font with retained glyph ids (a PDF's FontFile3 streams, one a part) -> one font file
with every glyph any of them draws, or None when the subsets cannot share one (their private dictionaries differ)."""

from __future__ import annotations

import io
from typing import Any

#: The operators of a charstring that draws nothing: a glyph the subsetter dropped keeps its place as one.
_EMPTY = ("endchar",)


def unite_cff_files(files: list[bytes]) -> bytes | None:
    """The subsets' glyphs in one font: the subset with the most glyphs, given each glyph another one draws.

    Charstrings are copied by glyph id, without their subroutines (the subsets are desubroutinized first, so a
    glyph reads the same outside its own font); widths are relative to the private dictionary's nominal width,
    so fonts whose private dictionaries differ are not united. A CID-keyed font's glyph keeps its font dictionary:
    the subsetter drops the ones a subset does not use, so a copied glyph is given the base's dictionary with the
    same private values, and the fonts are not united when the base has none.
    """
    import fontTools.subset  # noqa: F401  (gives CFFFontSet its desubroutinize method)
    from fontTools.ttLib import TTFont

    fonts = [TTFont(io.BytesIO(data), recalcTimestamp=False, recalcBBoxes=False) for data in files]
    if any("CFF " not in font for font in fonts):
        return None
    for font in fonts:
        font["CFF "].cff.desubroutinize()
    base = max(fonts, key=lambda font: len(font.getGlyphOrder()))
    top = _top(base)
    ours = _privates(top)
    order = base.getGlyphOrder()
    for font in fonts:
        if font is base:
            continue
        theirs, their_order = _top(font), font.getGlyphOrder()
        dictionaries = [ours.index(private) if private in ours else None for private in _privates(theirs)]
        for gid, name in enumerate(their_order):
            glyph = theirs.CharStrings[name]
            if not _drawn(glyph) or _drawn(top.CharStrings[order[gid]]):
                continue
            index = dictionaries[theirs.FDSelect[gid] if hasattr(theirs, "FDSelect") else 0]
            if index is None:
                return None
            top.CharStrings[order[gid]] = glyph
            base["hmtx"][order[gid]] = font["hmtx"][name]
            if hasattr(top, "FDSelect"):
                top.FDSelect[gid] = index
        widen(base, font)
    out = io.BytesIO()
    base.save(out)
    return out.getvalue()


def _top(font: Any) -> Any:
    return font["CFF "].cff.topDictIndex[0]


def _privates(top: Any) -> list[dict[str, Any]]:
    """The private dictionaries' values (one, or one per font dictionary of a CID-keyed font), subroutines left out."""
    privates = [fd.Private for fd in top.FDArray] if hasattr(top, "FDArray") else [top.Private]
    return [{key: value for key, value in private.rawDict.items() if key != "Subrs"} for private in privates]


def _drawn(glyph: Any) -> bool:
    glyph.decompile()
    return tuple(item for item in glyph.program if isinstance(item, str)) != _EMPTY


def widen(base: Any, font: Any) -> None:
    """`base`'s head box and cmap made to cover `font`'s too."""
    head, other = base["head"], font["head"]
    head.xMin, head.yMin = min(head.xMin, other.xMin), min(head.yMin, other.yMin)
    head.xMax, head.yMax = max(head.xMax, other.xMax), max(head.yMax, other.yMax)
    if "cmap" in base and "cmap" in font:
        for table in base["cmap"].tables:
            theirs = font["cmap"].getcmap(table.platformID, table.platEncID)
            if theirs is not None:
                table.cmap.update({code: name for code, name in theirs.cmap.items() if code not in table.cmap})
