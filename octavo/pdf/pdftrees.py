"""PDF name trees and number trees -> their leaves, in order; a part's objects brought into the merged file."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def name_tree(node: Any) -> Iterator[tuple[bytes, Any]]:
    """(name, value) of every leaf of a PDF name tree, in the tree's order."""
    for key, value in _leaves(node, "/Names"):
        yield bytes(key), value


def number_tree(node: Any) -> Iterator[tuple[int, Any]]:
    """(key, value) of every leaf of a PDF number tree, in the tree's order."""
    for key, value in _leaves(node, "/Nums"):
        yield int(key), value


def _leaves(node: Any, key: str) -> Iterator[tuple[Any, Any]]:
    pairs = node.get(key)
    if pairs is not None:
        for index in range(0, len(pairs) - 1, 2):
            yield pairs[index], pairs[index + 1]
    for kid in node.get("/Kids", ()):
        yield from _leaves(kid, key)


def bring(out: Any, src: Any, obj: Any) -> Any:
    """`obj` of the part `src` copied into `out` with what it refers to (a direct object through an indirect
    copy of it: pikepdf copies indirect objects only, each once for all the calls on one part)."""
    import pikepdf

    if not isinstance(obj, pikepdf.Object) or not isinstance(obj, (pikepdf.Dictionary, pikepdf.Array,
                                                                    pikepdf.Stream)):
        return obj
    return out.copy_foreign(obj if obj.is_indirect else src.make_indirect(obj))
