"""Path confinement: every file a publication uses must stay inside its folder."""

from __future__ import annotations

import re
from pathlib import Path

#: What may go into an output file name (slug, version): never a folder separator or '..'.
FILE_NAME_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]*$")


def is_file_name_part(text: str) -> bool:
    """Whether `text` can be part of an output file name without leaving the output folder."""
    return bool(FILE_NAME_PART.match(text)) and ".." not in text


def inside(root: Path, ref: str) -> Path | None:
    """Resolve `ref` against `root`; None if it is absolute or leaves root (through .. or a symlink)."""
    if not ref or ref.startswith(("/", "\\")) or re.match(r"^[a-zA-Z]:[\\/]", ref):
        return None
    base = root.resolve()
    path = (base / ref).resolve()
    if path != base and base not in path.parents:
        return None
    return path
