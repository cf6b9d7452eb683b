"""The text of the CMaps WeasyPrint writes for a font (ToUnicode: bfchar entries; a font missing characters:
an encoding of cidchar entries) -> their mappings, and back."""

from __future__ import annotations

import re

#: A ToUnicode map's single-glyph entry as WeasyPrint writes it: `<0041> <0041>`.
_BFCHAR = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>")


def cidchars(cmap: bytes) -> dict[int, int]:
    """The code -> CID entries of an encoding CMap (WeasyPrint writes cidchar entries only)."""
    out: dict[int, int] = {}
    for block in re.findall(rb"begincidchar(.*?)endcidchar", cmap, re.S):
        for code, cid in re.findall(rb"<([0-9a-fA-F]+)>\s*(\d+)", block):
            out[int(code, 16)] = int(cid)
    return out


def encoding_cmap(codes: dict[int, int]) -> bytes:
    """An encoding CMap of code -> CID entries, as WeasyPrint writes one for a font missing characters."""
    header = [b"3 dict dup begin", b"/Registry (Adobe) def", b"/Ordering (Identity) def", b"/Supplement 0 def",
              b"end def", b"/CMapName /WP-Encod-0 def", b"/CMapType 1 def"]
    return _cmap(header, "cidchar", [b"<%04x> %d" % (code, cid) for code, cid in sorted(codes.items())])


def bfchars(cmap: bytes) -> dict[int, bytes]:
    """The single-glyph mappings of a ToUnicode CMap (WeasyPrint writes bfchar entries only)."""
    out: dict[int, bytes] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
        for cid, text in _BFCHAR.findall(block):
            out[int(cid, 16)] = text
    return out


def to_unicode_cmap(unicode: dict[int, bytes]) -> bytes:
    """A ToUnicode CMap of single-glyph mappings, as WeasyPrint writes one."""
    header = [b"<< /Registry (Adobe)", b"/Ordering (UCS)", b"/Supplement 0", b">> def",
              b"/CMapName /Adobe-Identity-UCS def", b"/CMapType 2 def"]
    return _cmap(header, "bfchar", [b"<%04x> <%s>" % (cid, text) for cid, text in sorted(unicode.items())])


def _cmap(header: list[bytes], kind: str, entries: list[bytes]) -> bytes:
    """A CMap's text: its system info and name (`header`), then its entries in blocks of 100 of `kind`."""
    lines = [b"/CIDInit /ProcSet findresource begin", b"12 dict begin", b"begincmap", b"/CIDSystemInfo", *header,
             b"1 begincodespacerange", b"<0000> <ffff>", b"endcodespacerange"]
    for start in range(0, len(entries), 100):
        batch = entries[start:start + 100]
        lines += [f"{len(batch)} begin{kind}".encode(), *batch, f"end{kind}".encode()]
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return b"\n".join(lines)
