"""The parts' PDF/UA structure trees, their pages already in one pikepdf file -> one StructTreeRoot: one Document
element holding the parts' children in order, the ParentTree and every StructParents renumbered, the RoleMap,
ClassMap and IDTree merged. (No library merges structure trees: qpdf #490, pikepdf #461.)"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from octavo.pdf.pdftrees import bring, name_tree, number_tree


def merge_structure(out: Any, sources: Sequence[Any], starts: Sequence[int]) -> None:
    """Give `out` (whose pages are the parts' pages, part k from page `starts[k]`) one structure tree."""
    import pikepdf

    roots = [src.Root.get("/StructTreeRoot") for src in sources]
    if all(root is None for root in roots):
        return
    if any(root is None for root in roots):
        raise ValueError("some parts are tagged and some are not")
    tree = out.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructTreeRoot))
    merged = _Merged()
    ends = [*starts[1:], len(out.pages)]
    for src, root, start, end in zip(sources, roots, starts, ends, strict=True):
        copied = bring(out, src, root)
        _renumber(out.pages[start:end], merged.next_key)
        merged.add(copied)
    merged.document.P = tree
    tree.K = pikepdf.Array([merged.document])
    tree.ParentTree = out.make_indirect(pikepdf.Dictionary(Nums=pikepdf.Array(merged.nums)))
    tree.ParentTreeNextKey = merged.next_key
    for key, names in merged.maps.items():
        if names:
            tree[key] = pikepdf.Dictionary(names)
    if merged.ids:
        flat: list[Any] = []
        for name in sorted(merged.ids):
            flat += [pikepdf.String(name), merged.ids[name]]
        tree.IDTree = pikepdf.Dictionary(Names=pikepdf.Array(flat))
    out.Root.StructTreeRoot = tree


class _Merged:
    """The parts' trees merged so far: the Document element, the ParentTree's entries, the maps and IDs."""

    def __init__(self) -> None:
        self.document: Any = None
        self.nums: list[Any] = []
        self.next_key = 0
        self.maps: dict[str, dict[str, Any]] = {"/RoleMap": {}, "/ClassMap": {}}
        self.ids: dict[bytes, Any] = {}

    def add(self, root: Any) -> None:
        """Add one part's tree (copied into the merged file), its keys moved up by `next_key`."""
        import pikepdf

        offset, last = self.next_key, -1
        for number, value in number_tree(root.ParentTree):
            self.nums += [number + offset, value]
            last = max(last, number)
        self.next_key = max(offset + last + 1, offset + int(root.get("/ParentTreeNextKey", 0)))
        document, children = _document_children(root)
        if self.document is None:
            self.document = document
        else:
            for child in children:
                if isinstance(child, pikepdf.Dictionary):
                    child.P = self.document
                self.document.K.append(child)
        for key, names in self.maps.items():
            for name, value in root.get(key, {}).items():
                names.setdefault(name, value)
        for name, value in name_tree(root.get("/IDTree", {})):
            self.ids.setdefault(name, value)


def _renumber(pages: Sequence[Any], offset: int) -> None:
    """Move the pages' and their annotations' keys into the merged ParentTree by `offset`."""
    if not offset:
        return
    for page in pages:
        if "/StructParents" in page.obj:
            page.obj.StructParents = int(page.obj.StructParents) + offset
        for annot in page.obj.get("/Annots", ()):
            if "/StructParent" in annot:
                annot.StructParent = int(annot.StructParent) + offset


def _document_children(root: Any) -> tuple[Any, Any]:
    """The single Document element of a part's tree and its children (an array)."""
    import pikepdf

    kids = root.K
    elements = list(kids) if isinstance(kids, pikepdf.Array) else [kids]
    if len(elements) != 1 or elements[0].get("/S") != "/Document":
        raise ValueError("a part's structure tree does not hold one Document element")
    document = elements[0]
    children = document.get("/K", pikepdf.Array())
    if not isinstance(children, pikepdf.Array):
        children = pikepdf.Array([children])
        document.K = children
    return document, children
