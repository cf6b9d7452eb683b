"""A pikepdf file assembled from parts -> the same file with each set of identical streams (the colour profile,
images, the fonts fontmerge.py made one) written once, every reference pointed at the one kept."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

ObjGen = tuple[int, int]


def share_identical_streams(out: Any) -> int:
    """Point every reference to a stream at the first stream with the same dictionary and data; return how many
    copies were dropped."""
    import pikepdf

    first: dict[bytes, Any] = {}
    replace: dict[ObjGen, Any] = {}
    for obj in out.objects:
        if not isinstance(obj, pikepdf.Stream):
            continue
        key = _stream_key(obj)
        kept = first.setdefault(key, obj)
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
    """Every reference anywhere in `out` (its trailer, catalogue, objects) to an object of `replace` made to
    its replacement."""
    import pikepdf

    for obj in [out.trailer, *out.objects]:
        if isinstance(obj, pikepdf.Stream):
            _replace_in(obj.stream_dict, replace)
        elif isinstance(obj, (pikepdf.Dictionary, pikepdf.Array)):
            _replace_in(obj, replace)


def _replace_in(container: Any, replace: Mapping[ObjGen, Any]) -> None:
    """Replace the references of one object's direct values, and of the direct containers inside it."""
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
