"""A PDF assembled from parts, each embedding its own subset of the same fonts -> one font file a face: the
subsets' glyphs united in one font file, TrueType (FontFile2) or OpenType/CFF (FontFile3, cffunite.py), under one
FontDescriptor (WeasyPrint subsets with retained glyph ids, so a glyph has the same id in every subset), and the
parts' font dictionaries made one wherever their codes agree (their widths, ToUnicode and encoding maps united),
every page pointed at them."""

from __future__ import annotations

import hashlib
import io
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from octavo.pdf.cffunite import unite_cff_files, widen
from octavo.pdf.cmaps import bfchars, cidchars, encoding_cmap, to_unicode_cmap
from octavo.pdf.pdfshare import ObjGen, replace_references, resource_objects


def merge_fonts(out: Any) -> int:
    """Make each face's subsets one font file, and its font dictionaries as few as their codes allow; return how
    many font dictionaries were dropped."""
    replace: dict[ObjGen, Any] = {}
    for fonts in _faces(out).values():
        if len(fonts) < 2:
            continue
        descriptor = _unite_files(out, fonts)
        if descriptor is None:  # subsets that cannot share one file (cffunite.py): each part keeps its own
            continue
        for group in _groups(fonts):
            kept = _unite_dictionaries(out, group)
            kept.DescendantFonts[0].FontDescriptor = descriptor
            replace.update((font.objgen, kept) for font in group.fonts if font.objgen != kept.objgen)
    if replace:
        replace_references(out, replace)
    return len(replace)


def _faces(out: Any) -> dict[bytes, list[Any]]:
    """The Type0 fonts of `out` with a TrueType or OpenType font file, by BaseFont (WeasyPrint's subset tag names
    the font file, not the glyphs)."""
    import pikepdf

    faces: dict[bytes, list[Any]] = defaultdict(list)
    for obj in resource_objects(out):
        if (isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/Font" and obj.get("/Subtype") == "/Type0"
                and _font_file(obj.DescendantFonts[0].FontDescriptor) is not None):
            faces[bytes(str(obj.BaseFont), "utf-8")].append(obj)
    return faces


def _font_file(descriptor: Any) -> str | None:
    """Which key of a FontDescriptor holds a font file this module unites: TrueType, or OpenType (CFF inside)."""
    if "/FontFile2" in descriptor:
        return "/FontFile2"
    if "/FontFile3" in descriptor and descriptor.FontFile3.get("/Subtype") == "/OpenType":
        return "/FontFile3"
    return None


def _unite_files(out: Any, fonts: list[Any]) -> Any:
    """The first font's descriptor, made to hold the glyphs of every subset, with a box as wide as the widest; None
    when the subsets cannot be one file."""
    import pikepdf

    descriptor = fonts[0].DescendantFonts[0].FontDescriptor
    key = _font_file(descriptor)
    files = [font.DescendantFonts[0].FontDescriptor.get(key) for font in fonts]
    if key is None or any(file is None for file in files):
        return None
    if key == "/FontFile2":
        data = unite_font_files([file.read_bytes() for file in files])
        descriptor.FontFile2 = out.make_stream(data, Length1=len(data))
    elif (united := _remembered(b"CFF ", [file.read_bytes() for file in files], unite_cff_files)) is not None:
        descriptor.FontFile3 = out.make_stream(united, Subtype=pikepdf.Name.OpenType)
    else:
        return None
    widths: dict[int, Any] = {}
    for font in fonts:
        widths.update(_widths(font.DescendantFonts[0].get("/W", pikepdf.Array())))
    if widths:
        box = descriptor.FontBBox
        descriptor.FontBBox = pikepdf.Array([box[0], box[1], max(float(w) for w in widths.values()), box[3]])
    if "/CIDSet" in descriptor:
        descriptor.CIDSet = out.make_stream(_cid_set(widths))
    return descriptor


@dataclass
class _Group:
    """Font dictionaries of one face whose codes agree: each code shows one glyph in all of them, and a code drawn
    as .notdef (a character the font lacks) one text.

    A real glyph's text is the first part's that has it (in reading order), as a single layout's is the text of
    its first use in the book: a glyph drawn for two characters (a hyphen for U+002D and U+2010) extracts as one.
    """

    fonts: list[Any] = field(default_factory=list)
    codes: dict[int, int] = field(default_factory=dict)
    texts: dict[int, bytes] = field(default_factory=dict)
    widths: dict[int, Any] = field(default_factory=dict)

    def takes(self, codes: dict[int, int], texts: dict[int, bytes]) -> bool:
        return (all(self.codes.get(code, glyph) == glyph for code, glyph in codes.items())
                and all(self.texts.get(code, text) == text for code, text in texts.items() if codes.get(code) == 0))


def _groups(fonts: list[Any]) -> list[_Group]:
    """The fonts of one face in groups that can be one dictionary.

    A font missing a character (WeasyPrint's own encoding, not Identity-H) shows it with a code that is a glyph id
    unused in its part, mapped to .notdef: another part may draw that glyph for real, or use the same code for
    another missing character. Such fonts keep a dictionary of their own, on the one font file.
    """
    import pikepdf

    groups: list[_Group] = []
    for font in fonts:
        widths = _widths(font.DescendantFonts[0].get("/W", pikepdf.Array()))
        encoding = font.get("/Encoding")
        codes = cidchars(encoding.read_bytes()) if isinstance(encoding, pikepdf.Stream) else {c: c for c in widths}
        texts = bfchars(font.ToUnicode.read_bytes()) if "/ToUnicode" in font else {}
        group = next((group for group in groups if group.takes(codes, texts)), None)
        if group is None:
            groups.append(group := _Group())
        group.fonts.append(font)
        group.codes.update(codes)
        group.texts.update({code: text for code, text in texts.items() if code not in group.texts})
        group.widths.update(widths)
    return groups


def _unite_dictionaries(out: Any, group: _Group) -> Any:
    """The group's first font, made to hold every width, Unicode mapping and code of all of them."""
    import pikepdf

    kept = group.fonts[0]
    if len(group.fonts) == 1:
        return kept
    kept.DescendantFonts[0].W = _w_array(group.widths)
    kept.ToUnicode = out.make_stream(to_unicode_cmap(group.texts))
    if any(font.get("/Encoding") != "/Identity-H" for font in group.fonts):
        kept.Encoding = out.make_stream(encoding_cmap(group.codes), Type=pikepdf.Name.CMap,
                                        CMapName=pikepdf.Name("/WP-Encod-0"),
                                        CIDSystemInfo=kept.DescendantFonts[0].CIDSystemInfo)
    return kept


#: The maxp fields that bound what a glyph needs: the union's are the largest of the subsets'.
_MAXP = ("maxPoints", "maxContours", "maxCompositePoints", "maxCompositeContours", "maxZones", "maxTwilightPoints",
         "maxStorage", "maxFunctionDefs", "maxInstructionDefs", "maxStackElements", "maxSizeOfInstructions",
         "maxComponentElements", "maxComponentDepth")


#: Fonts united in this process, by the SHA-256 of their subsets: the print and screen editions of a book embed the
#: same subsets (one layout), and `watch` merges the same fonts again after an edit that drew no new glyph.
_UNITED: dict[bytes, bytes | None] = {}
#: How many united fonts are kept (a book has a face a role and style: a few).
KEEP_UNITED = 16
_UNITING = threading.Lock()


def unite_font_files(files: list[bytes]) -> bytes:
    """TrueType subsets of one font with retained glyph ids -> one font with every glyph any of them has.

    Glyphs are copied as the subsets hold them (compiled, never decoded: a part's glyph is the original's), so
    the head box and maxp bounds are the subsets' widest rather than recomputed.
    """
    united = _remembered(b"glyf", files, _unite)
    assert united is not None
    return united


def _remembered(kind: bytes, files: list[bytes], unite: Callable[[list[bytes]], bytes | None]) -> bytes | None:
    """`unite(files)`, made once for the same subsets in this process."""
    key = hashlib.sha256(kind + b"".join(hashlib.sha256(data).digest() for data in files)).digest()
    with _UNITING:  # the other edition's merge, in another thread, waits for this union rather than making its own
        if key not in _UNITED:
            if len(_UNITED) >= KEEP_UNITED:
                _UNITED.pop(next(iter(_UNITED)))
            _UNITED[key] = unite(files)
        return _UNITED[key]


def _unite(files: list[bytes]) -> bytes:
    from fontTools.ttLib import TTFont

    fonts = []
    for data in files:  # the clock kept out of the file; bounds from the subsets (below)
        font = TTFont(io.BytesIO(data), recalcTimestamp=False, recalcBBoxes=False)
        font.setGlyphOrder([f"g{gid}" for gid in range(font["maxp"].numGlyphs)])  # by id, not by post names
        fonts.append(font)
    base = max(fonts, key=lambda font: font["maxp"].numGlyphs)
    glyphs, hmtx = base["glyf"].glyphs, base["hmtx"]
    for font in fonts:
        if font is base:
            continue
        for name, glyph in font["glyf"].glyphs.items():
            if _drawn(glyph) and not _drawn(glyphs[name]):
                glyphs[name] = glyph
                hmtx[name] = font["hmtx"][name]
        _widen(base, font)
    if "post" in base:
        base["post"].formatType = 3.0  # no glyph names: the names above are ours
    out = io.BytesIO()
    base.save(out)
    return out.getvalue()


def _drawn(glyph: Any) -> bool:
    """Whether a glyph of a subset has an outline (a glyph the subsetter dropped is empty)."""
    return bool(getattr(glyph, "data", b"")) or getattr(glyph, "numberOfContours", 0) != 0


def _widen(base: Any, font: Any) -> None:
    """`base`'s head box, maxp bounds and cmap made to cover `font`'s too."""
    widen(base, font)
    for field_name in _MAXP:
        if hasattr(base["maxp"], field_name):
            setattr(base["maxp"], field_name, max(getattr(base["maxp"], field_name),
                                                  getattr(font["maxp"], field_name)))


def _widths(array: Any) -> dict[int, Any]:
    """A CID font's /W array (`c [w ...]` and `c_first c_last w` runs) as widths by CID."""
    import pikepdf

    items = list(array)
    widths: dict[int, Any] = {}
    index = 0
    while index < len(items):
        first = int(items[index])
        if isinstance(items[index + 1], pikepdf.Array):
            for offset, width in enumerate(items[index + 1]):
                widths[first + offset] = width
            index += 2
        else:
            for cid in range(first, int(items[index + 1]) + 1):
                widths[cid] = items[index + 2]
            index += 3
    return widths


def _w_array(widths: dict[int, Any]) -> Any:
    """Widths by CID as a /W array of runs of consecutive CIDs, as WeasyPrint writes it."""
    import pikepdf

    flat: list[Any] = []
    for cid in sorted(widths):
        if cid - 1 not in widths:
            flat += [cid, pikepdf.Array()]
        flat[-1].append(widths[cid])
    return pikepdf.Array(flat)


def _cid_set(widths: dict[int, Any]) -> bytes:
    bits = bytearray((max(widths, default=0) + 8) // 8)
    for cid in widths:
        bits[cid // 8] |= 0x80 >> (cid % 8)
    return bytes(bits)
