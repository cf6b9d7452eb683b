"""Writers: outputs appear whole or not at all (temporary files in the output folder, renamed at the end)."""

from __future__ import annotations

import hashlib
import os
import signal
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from octavo.errors import OutputError
from octavo.model import Edition

#: Signals held back while the finished outputs are renamed into place, so none is left half-replaced.
_HELD = {signal.SIGINT, signal.SIGTERM}


class Staging:
    """Temporary files beside their destinations; `commit` renames them all onto the destinations."""

    def __init__(self) -> None:
        self.files: dict[Path, Path] = {}  # destination -> temporary file
        self.folders: list[Path] = []  # output folders this staging created, outermost first

    def path(self, dest: Path) -> Path:
        """A new, empty temporary file that will become `dest` (a hidden `.name.XXXX.part` in its folder)."""
        try:
            missing = [p for p in (dest.parent, *dest.parent.parents) if not p.exists()]
            dest.parent.mkdir(parents=True, exist_ok=True)
            self.folders += [p for p in reversed(missing) if p not in self.folders]
            handle, name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
        except OSError as exc:
            raise OutputError(f"cannot write into {dest.parent}/: {exc.strerror}", dest) from None
        os.close(handle)
        self.files[dest] = Path(name)
        return Path(name)

    def write(self, dest: Path, data: bytes) -> None:
        """Stage `data` as the new content of `dest`."""
        temporary = self.path(dest)
        try:
            temporary.write_bytes(data)
        except OSError as exc:
            raise OutputError(f"cannot be written: {exc.strerror}", dest) from None

    def current(self, dest: Path) -> Path | None:
        """Where `dest`'s content is now: its staged file, else the existing file, else None."""
        if dest in self.files:
            return self.files[dest]
        return dest if dest.is_file() else None

    def commit(self) -> None:
        """Rename every staged file onto its destination, with Ctrl-C held back until all are in place."""
        held = hasattr(signal, "pthread_sigmask")
        if held:
            signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
        try:
            for dest, temporary in self.files.items():
                os.chmod(temporary, 0o644)
                os.replace(temporary, dest)
            self.folders.clear()  # they hold the outputs now
        except OSError as exc:
            raise OutputError(f"cannot replace the previous file: {exc.strerror}", dest) from None
        finally:
            if held:
                signal.pthread_sigmask(signal.SIG_UNBLOCK, _HELD)

    def discard(self) -> None:
        """Remove the staged files that were not committed, and the folders made for them if still empty."""
        for temporary in self.files.values():
            temporary.unlink(missing_ok=True)
        for folder in reversed(self.folders):
            try:
                folder.rmdir()
            except OSError:
                break  # something else was put there: it stays


@contextmanager
def staged() -> Iterator[Staging]:
    """Stage outputs; if the block finishes they replace the old ones together, otherwise none does."""
    staging = Staging()
    try:
        yield staging
        staging.commit()
    finally:
        staging.discard()


def sha256sums(staging: Staging, outputs: list[Path]) -> bytes:
    """`sha256sum -c` lines for every output that will exist once the staged files are committed."""
    lines = []
    for dest in outputs:
        current = staging.current(dest)
        if current is not None:
            lines.append(f"{hashlib.sha256(current.read_bytes()).hexdigest()}  {dest.name}\n")
    return "".join(lines).encode()


def atomic_write(dest: Path, data: bytes) -> None:
    """Write bytes to `dest` atomically."""
    with staged() as staging:
        staging.write(dest, data)


CHECKSUMS = "SHA256SUMS"


def output_names(slug: str, version: str | None = None) -> dict[Edition, str]:
    """File names of the outputs, in the order SHA256SUMS lists them: slug-print.pdf, slug.pdf, slug.epub
    (with -vX.Y.Z after the slug)."""
    stem = f"{slug}-{version}" if version else slug
    return {Edition.PRINT: f"{stem}-print.pdf", Edition.SCREEN: f"{stem}.pdf", Edition.EPUB: f"{stem}.epub"}
