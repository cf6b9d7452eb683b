"""What a reader sees of a PDF, to compare two PDFs of one book: page texts and labels, outline, links,
structure tree (the types in order, each with the text its marked content shows)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pikepdf
import pypdfium2 as pdfium

from octavo.pdf.cmaps import bfchars


def page_labels(path: Path) -> list[str]:
    document = pdfium.PdfDocument(path)
    try:
        return [document.get_page_label(n) for n in range(len(document))]
    finally:
        document.close()


def page_texts(path: Path) -> list[str]:
    document = pdfium.PdfDocument(path)
    try:
        return [document[n].get_textpage().get_text_range() for n in range(len(document))]
    finally:
        document.close()


def _where(pdf: pikepdf.Pdf, dest: Any, pages: dict[tuple[int, int], int]) -> tuple[int, list[float]]:
    """(page index, [x, y]) of an explicit or named destination."""
    if isinstance(dest, (pikepdf.String, bytes, str)):
        names = dict(_names(pdf.Root.Names.Dests))
        dest = names[bytes(dest) if not isinstance(dest, str) else dest.encode()]
    if isinstance(dest, pikepdf.Dictionary):
        dest = dest.D
    return pages[dest[0].objgen], [round(float(v), 2) for v in list(dest)[2:4]]


def _names(node: Any) -> list[tuple[bytes, Any]]:
    out = []
    names = node.get("/Names")
    if names is not None:
        out += [(bytes(names[i]), names[i + 1]) for i in range(0, len(names), 2)]
    for kid in node.get("/Kids", ()):
        out += _names(kid)
    return out


def _page_index(pdf: pikepdf.Pdf) -> dict[tuple[int, int], int]:
    return {page.obj.objgen: n for n, page in enumerate(pdf.pages)}


def outline(path: Path) -> list[tuple[int, str, int, list[float]]]:
    """(level, title, page index, position) of every bookmark, in order."""
    with pikepdf.open(path) as pdf:
        pages = _page_index(pdf)
        out: list[tuple[int, str, int, list[float]]] = []

        def walk(item: Any, level: int) -> None:
            while item is not None:
                out.append((level, str(item.Title), *_where(pdf, item.Dest, pages)))
                if "/First" in item:
                    walk(item.First, level + 1)
                item = item.get("/Next")

        root = pdf.Root.get("/Outlines")
        if root is not None and "/First" in root:
            walk(root.First, 0)
        return out


def outline_count(path: Path) -> int:
    with pikepdf.open(path) as pdf:
        return int(pdf.Root.Outlines.Count)


def links(path: Path) -> list[tuple[int, list[float], str, int, list[float]]]:
    """(page, rect, what it names, target page, target position) of every link annotation."""
    with pikepdf.open(path) as pdf:
        pages = _page_index(pdf)
        out = []
        for n, page in enumerate(pdf.pages):
            for annot in page.obj.get("/Annots", ()):
                rect = [round(float(v), 2) for v in annot.Rect]
                if "/Dest" in annot:
                    out.append((n, rect, str(annot.Dest), *_where(pdf, annot.Dest, pages)))
                else:
                    out.append((n, rect, str(annot.A.get("/URI", annot.A.S)), -1, []))
        return out


def _unicode(page: pikepdf.Page) -> dict[str, dict[int, str]]:
    """Each font resource of a page: its codes (two bytes, Identity-H or WeasyPrint's own encoding) as text."""
    fonts: dict[str, dict[int, str]] = {}
    for name, font in page.obj.get("/Resources", {}).get("/Font", {}).items():
        texts = bfchars(font.ToUnicode.read_bytes()) if "/ToUnicode" in font else {}
        fonts[name] = {code: bytes.fromhex(text.decode()).decode("utf-16-be") for code, text in texts.items()}
    return fonts


def marked_content(page: pikepdf.Page) -> dict[int, str]:
    """The text each marked-content sequence (by MCID) of a page shows, read through its fonts' ToUnicode maps."""
    fonts = _unicode(page)
    font: dict[int, str] = {}
    shown: dict[int, str] = {}
    stack: list[int | None] = []
    for operands, operator in pikepdf.parse_content_stream(page):
        op = str(operator)
        if op == "Tf":
            font = fonts.get(str(operands[0]), {})
        elif op == "BDC":
            props = operands[1]
            mcid = props.get("/MCID") if isinstance(props, pikepdf.Dictionary) else None
            stack.append(int(mcid) if mcid is not None else (stack[-1] if stack else None))
            if mcid is not None:
                shown.setdefault(int(mcid), "")
        elif op == "BMC":
            stack.append(stack[-1] if stack else None)
        elif op == "EMC" and stack:
            stack.pop()
        elif op in ("Tj", "TJ", "'", '"') and stack and stack[-1] is not None:
            data = b"".join(bytes(o) for o in (operands[0] if op == "TJ" else operands[-1:])
                            if isinstance(o, pikepdf.String))
            text = "".join(font.get(int.from_bytes(data[i:i + 2], "big"), "\ufffd") for i in range(0, len(data), 2))
            shown[stack[-1]] = shown.get(stack[-1], "") + text
    return shown


def structure(path: Path) -> list[tuple[int, str, str]]:
    """(depth, structure type, the text its own marked content shows) of every structure element, in order.
    Every /Pg must be a page of the file and every MCID must be on its page (else KeyError)."""
    with pikepdf.open(path) as pdf:
        pages = _page_index(pdf)
        content: dict[int, dict[int, str]] = {}
        out: list[tuple[int, str, str]] = []

        def text(page: Any, mcid: int) -> str:
            index = pages[page.objgen]
            if index not in content:
                content[index] = marked_content(pdf.pages[index])
            return content[index][mcid]

        def walk(element: Any, depth: int, page: Any) -> None:
            page = element.get("/Pg", page)
            kids = element.get("/K", pikepdf.Array())
            kids = list(kids) if isinstance(kids, pikepdf.Array) else [kids]
            own = ""
            children = []
            for kid in kids:
                if isinstance(kid, int):
                    own += text(page, int(kid))
                elif kid.get("/Type") == "/MCR":
                    own += text(kid.get("/Pg", page), int(kid.MCID))
                elif kid.get("/Type") == "/OBJR":
                    assert kid.Obj.objgen in {a.objgen for a in pdf.pages[pages[kid.Pg.objgen]].obj.Annots}
                    own += "<annot>"
                else:
                    children.append(kid)
            out.append((depth, str(element.S), own))
            for child in children:
                walk(child, depth + 1, page)

        root = pdf.Root.StructTreeRoot
        for element in (root.K if isinstance(root.K, pikepdf.Array) else [root.K]):
            walk(element, 0, None)
        return out


def parent_tree_resolves(path: Path) -> None:
    """Every page's /StructParents and every annotation's /StructParent is a key of the ParentTree, whose
    values point back at elements marking that page (or that annotation)."""
    with pikepdf.open(path) as pdf:
        tree = pdf.Root.StructTreeRoot
        nums: dict[int, Any] = {}

        def collect(node: Any) -> None:
            values = node.get("/Nums", pikepdf.Array())
            for i in range(0, len(values), 2):
                assert int(values[i]) not in nums
                nums[int(values[i])] = values[i + 1]
            for kid in node.get("/Kids", ()):
                collect(kid)

        collect(tree.ParentTree)
        assert int(tree.get("/ParentTreeNextKey", max(nums) + 1)) > max(nums)
        for page in pdf.pages:
            if "/StructParents" not in page.obj:  # a page that marks nothing (a blank verso between parts)
                assert not page.obj.get("/Annots") and b"BDC" not in page.obj.Contents.read_bytes()
                continue
            for element in nums[int(page.obj.StructParents)]:
                assert element.Pg.objgen == page.obj.objgen
            for annot in page.obj.get("/Annots", ()):
                element = nums[int(annot.StructParent)]
                assert any(k.get("/Obj") is not None and k.Obj.objgen == annot.objgen
                           for k in (element.K if isinstance(element.K, pikepdf.Array) else [element.K])
                           if isinstance(k, pikepdf.Dictionary))


def page_bitmaps(path: Path, dpi: int = 50) -> list[bytes]:
    """Each page rendered by PDFium at `dpi`, as raw pixels."""
    document = pdfium.PdfDocument(path)
    try:
        return [document[n].render(scale=dpi / 72).to_pil().tobytes() for n in range(len(document))]
    finally:
        document.close()


def font_files(path: Path) -> list[str]:
    """The FontName of every embedded font file's descriptor (one each, when the fonts were merged)."""
    with pikepdf.open(path) as pdf:
        return sorted(str(obj.FontName) for obj in pdf.objects
                      if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor")
