"""A pikepdf file assembled from parts -> what its pages draw with (resources: fonts, images, colour profiles,
graphics states), reached once each; each set of identical streams among them written once."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from typing import Any

ObjGen = tuple[int, int]

#: Keys never followed from a resource: they lead back up to the pages and the document.
_UP = frozenset({"/Parent", "/P", "/StructParent", "/StructParents"})


def resource_objects(out: Any) -> Iterator[Any]:
    """Every indirect object reached from the pages' /Resources and the output intents, once each."""
    seen: set[ObjGen] = set()
    for root in _roots(out):
        yield from _reach(root, seen)


def _roots(out: Any) -> Iterator[Any]:
    for page in out.pages:
        if "/Resources" in page.obj:
            yield page.obj.Resources
    if "/OutputIntents" in out.Root:
        yield out.Root.OutputIntents


def _reach(obj: Any, seen: set[ObjGen]) -> Iterator[Any]:
    import pikepdf

    stack = [obj]
    while stack:
        current = stack.pop()
        if current.is_indirect:
            if current.objgen in seen:
                continue
            seen.add(current.objgen)
            yield current
        if isinstance(current, pikepdf.Stream):
            container: Any = current.stream_dict
        elif isinstance(current, (pikepdf.Dictionary, pikepdf.Array)):
            container = current
        else:
            continue
        values = (value for key, value in container.items() if key not in _UP) \
            if isinstance(container, pikepdf.Dictionary) else iter(container)
        stack.extend(value for value in values if isinstance(value, pikepdf.Object)
                     and isinstance(value, (pikepdf.Dictionary, pikepdf.Array, pikepdf.Stream)))


def share_identical_streams(out: Any) -> int:
    """Point every reference to a resource stream at the first stream with the same dictionary and data; return
    how many copies were dropped."""
    import pikepdf

    first: dict[bytes, Any] = {}
    replace: dict[ObjGen, Any] = {}
    for obj in resource_objects(out):
        if isinstance(obj, pikepdf.Stream):
            kept = first.setdefault(_stream_key(obj), obj)
            if kept.objgen != obj.objgen:
                replace[obj.objgen] = kept
    if replace:
        replace_references(out, replace)
    return len(replace)


def _stream_key(stream: Any) -> bytes:
    digest = hashlib.sha256(stream.read_raw_bytes())
    keys = {key: value for key, value in stream.stream_dict.items() if key != "/Length"}
    for key in sorted(keys):
        digest.update(key.encode() + b"\0" + _unparse(keys[key]) + b"\0")
    return digest.digest()


def _unparse(value: Any) -> bytes:
    import pikepdf

    if isinstance(value, pikepdf.Object) and value.is_indirect:
        return f"{value.objgen[0]} {value.objgen[1]} R".encode()
    if isinstance(value, pikepdf.Object):
        return bytes(value.unparse())
    return repr(value).encode()


def replace_references(out: Any, replace: Mapping[ObjGen, Any]) -> None:
    """Every reference from the pages' resources (and what they reach) and the output intents to an object of
    `replace` made to its replacement."""
    import pikepdf

    containers = [*_roots(out), *resource_objects(out)]
    for obj in containers:
        if isinstance(obj, pikepdf.Stream):
            _replace_in(obj.stream_dict, replace)
        elif isinstance(obj, (pikepdf.Dictionary, pikepdf.Array)):
            _replace_in(obj, replace)


def _replace_in(container: Any, replace: Mapping[ObjGen, Any]) -> None:
    """Replace the references among one object's values, and in the direct containers inside it."""
    import pikepdf

    keys = container.keys() if isinstance(container, pikepdf.Dictionary) else range(len(container))
    for key in list(keys):
        value = container[key]
        if not isinstance(value, pikepdf.Object):
            continue
        if value.is_indirect:
            if value.objgen in replace:
                container[key] = replace[value.objgen]
        elif isinstance(value, (pikepdf.Dictionary, pikepdf.Array)):
            _replace_in(value, replace)
