"""A PDF assembled from parts, each embedding its own subset of the same fonts -> one font a face: the subsets'
glyphs united in one font file (WeasyPrint subsets with retained glyph ids, so a glyph has the same id in every
subset), their widths and ToUnicode maps united, every page pointed at the one font."""

from __future__ import annotations

import io
import re
from collections import defaultdict
from typing import Any

from octavo.pdf.pdfshare import ObjGen, replace_references, resource_objects

#: A ToUnicode map's single-glyph entry as WeasyPrint writes it: `<0041> <0041>`.
_BFCHAR = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>")


def merge_fonts(out: Any) -> int:
    """Make each face's subsets one font object; return how many font objects were dropped."""
    import pikepdf

    replace: dict[ObjGen, Any] = {}
    for fonts in _faces(out).values():
        fonts, codes = _compatible(fonts)
        if len(fonts) > 1:
            kept = _unite(out, fonts)
            if any(font.Encoding != "/Identity-H" for font in fonts):
                kept.Encoding = out.make_stream(encoding_cmap(codes), Type=pikepdf.Name.CMap,
                                                CMapName=pikepdf.Name("/WP-Encod-0"),
                                                CIDSystemInfo=fonts[0].DescendantFonts[0].CIDSystemInfo)
            replace.update((font.objgen, kept) for font in fonts if font.objgen != kept.objgen)
    if replace:
        replace_references(out, replace)
    return len(replace)


def _faces(out: Any) -> dict[bytes, list[Any]]:
    """The Type0 TrueType fonts of `out` by BaseFont (WeasyPrint's subset tag names the font file, not the
    glyphs)."""
    import pikepdf

    faces: dict[bytes, list[Any]] = defaultdict(list)
    for obj in resource_objects(out):
        if (isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/Font" and obj.get("/Subtype") == "/Type0"
                and "/FontFile2" in obj.DescendantFonts[0].FontDescriptor):
            faces[bytes(str(obj.BaseFont), "utf-8")].append(obj)
    return faces


def _compatible(fonts: list[Any]) -> tuple[list[Any], dict[int, int]]:
    """The fonts of one face that can be one font, and the codes they show mapped to glyphs.

    A font missing a character (WeasyPrint's own encoding, not Identity-H) shows it with a code that is a glyph id
    unused in that part, mapped to .notdef: a part that draws that glyph for real cannot share the font with it.
    """
    import pikepdf

    codes: dict[int, int] = {}
    kept = []
    for font in fonts:
        if font.Encoding == "/Identity-H":
            mine = {cid: cid for cid in _widths(font.DescendantFonts[0].get("/W", pikepdf.Array()))}
        elif isinstance(font.Encoding, pikepdf.Stream):
            mine = _cidchars(font.Encoding.read_bytes())
        else:
            continue
        if all(codes.get(code, glyph) == glyph for code, glyph in mine.items()):
            codes.update(mine)
            kept.append(font)
    return kept, codes


def _unite(out: Any, fonts: list[Any]) -> Any:
    """The first font of `fonts`, made to hold every glyph, width and Unicode mapping of all of them."""
    import pikepdf

    kept = fonts[0]
    descendant = kept.DescendantFonts[0]
    descriptor = descendant.FontDescriptor
    data = unite_font_files([font.DescendantFonts[0].FontDescriptor.FontFile2.read_bytes() for font in fonts])
    descriptor.FontFile2 = out.make_stream(data, Length1=len(data))
    widths: dict[int, Any] = {}
    for font in fonts:
        for cid, width in _widths(font.DescendantFonts[0].get("/W", pikepdf.Array())).items():
            widths.setdefault(cid, width)
    descendant.W = _w_array(widths)
    if widths:
        box = descriptor.FontBBox
        descriptor.FontBBox = pikepdf.Array([box[0], box[1], max(float(w) for w in widths.values()), box[3]])
    if "/CIDSet" in descriptor:
        descriptor.CIDSet = out.make_stream(_cid_set(widths))
    unicode: dict[int, bytes] = {}
    for font in fonts:
        if "/ToUnicode" in font:
            for cid, text in _bfchars(font.ToUnicode.read_bytes()).items():
                unicode.setdefault(cid, text)
    kept.ToUnicode = out.make_stream(to_unicode_cmap(unicode))
    return kept


def unite_font_files(files: list[bytes]) -> bytes:
    """TrueType subsets of one font with retained glyph ids -> one font with every glyph any of them has."""
    from fontTools.ttLib import TTFont

    fonts = []
    for data in files:
        font = TTFont(io.BytesIO(data), recalcTimestamp=False)  # or the file would hold the clock
        font.setGlyphOrder([f"g{gid}" for gid in range(font["maxp"].numGlyphs)])  # by id, not by post names
        fonts.append(font)
    base = max(fonts, key=lambda font: font["maxp"].numGlyphs)
    glyf, hmtx = base["glyf"], base["hmtx"]
    for font in fonts:
        if font is base:
            continue
        for name in font.getGlyphOrder():
            glyph = font["glyf"][name]
            if glyph.numberOfContours != 0 and glyf[name].numberOfContours == 0:
                glyf[name] = glyph
                hmtx[name] = font["hmtx"][name]
        if "cmap" in base and "cmap" in font:
            for table in base["cmap"].tables:
                other = font["cmap"].getcmap(table.platformID, table.platEncID)
                if other is not None:
                    table.cmap.update({code: name for code, name in other.cmap.items() if code not in table.cmap})
    if "post" in base:
        base["post"].formatType = 3.0  # no glyph names: the names above are ours
    out = io.BytesIO()
    base.save(out)
    return out.getvalue()


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


def _cidchars(cmap: bytes) -> dict[int, int]:
    """The code -> CID entries of an encoding CMap (WeasyPrint writes cidchar entries only)."""
    out: dict[int, int] = {}
    for block in re.findall(rb"begincidchar(.*?)endcidchar", cmap, re.S):
        for code, cid in re.findall(rb"<([0-9a-fA-F]+)>\s*(\d+)", block):
            out[int(code, 16)] = int(cid)
    return out


def encoding_cmap(codes: dict[int, int]) -> bytes:
    """An encoding CMap of code -> CID entries, as WeasyPrint writes one for a font missing characters."""
    lines = [b"/CIDInit /ProcSet findresource begin", b"12 dict begin", b"begincmap", b"/CIDSystemInfo",
             b"3 dict dup begin", b"/Registry (Adobe) def", b"/Ordering (Identity) def", b"/Supplement 0 def",
             b"end def", b"/CMapName /WP-Encod-0 def", b"/CMapType 1 def", b"1 begincodespacerange",
             b"<0000> <ffff>", b"endcodespacerange"]
    items = sorted(codes.items())
    for start in range(0, len(items), 100):
        batch = items[start:start + 100]
        lines.append(f"{len(batch)} begincidchar".encode())
        lines += [b"<%04x> %d" % (code, cid) for code, cid in batch]
        lines.append(b"endcidchar")
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return b"\n".join(lines)


def _bfchars(cmap: bytes) -> dict[int, bytes]:
    """The single-glyph mappings of a ToUnicode CMap (WeasyPrint writes bfchar entries only)."""
    out: dict[int, bytes] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
        for cid, text in _BFCHAR.findall(block):
            out[int(cid, 16)] = text
    return out


def to_unicode_cmap(unicode: dict[int, bytes]) -> bytes:
    """A ToUnicode CMap of single-glyph mappings, as WeasyPrint writes one."""
    lines = [b"/CIDInit /ProcSet findresource begin", b"12 dict begin", b"begincmap", b"/CIDSystemInfo",
             b"<< /Registry (Adobe)", b"/Ordering (UCS)", b"/Supplement 0", b">> def",
             b"/CMapName /Adobe-Identity-UCS def", b"/CMapType 2 def", b"1 begincodespacerange", b"<0000> <ffff>",
             b"endcodespacerange"]
    items = sorted(unicode.items())
    for start in range(0, len(items), 100):
        batch = items[start:start + 100]
        lines.append(f"{len(batch)} beginbfchar".encode())
        lines += [b"<%04x> <%s>" % (cid, text) for cid, text in batch]
        lines.append(b"endbfchar")
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return b"\n".join(lines)
