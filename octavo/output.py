"""Writers: outputs appear whole or not at all (temporary file in the same folder, then rename)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_path(dest: Path) -> Iterator[Path]:
    """A temporary path beside `dest`, renamed onto it if the block succeeds, removed if it fails."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        os.chmod(temporary, 0o644)
        os.replace(temporary, dest)
    finally:
        if temporary.exists():
            temporary.unlink()


def atomic_write(dest: Path, data: bytes) -> None:
    """Write bytes to `dest` atomically."""
    with atomic_path(dest) as temporary:
        temporary.write_bytes(data)
