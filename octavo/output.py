"""Writers: outputs appear whole or not at all (temporary files in the output folder, renamed at the end)."""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import logging
import os
import re
import signal
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from octavo.errors import OutputError
from octavo.model import Edition

log = logging.getLogger("octavo")

#: Signals held back while the finished outputs are renamed into place, so none is left half-replaced.
_HELD = {signal.SIGINT, signal.SIGTERM}
#: The commit record: written (and synced) before the renames that put a build in place, removed after them.
#: If it is still there, a build was killed between them: the next run completes them (`recover`).
JOURNAL = ".octavo-commit.json"
#: The hidden temporary files `Staging.path` makes: .NAME.XXXXXXXX.part (tempfile's 8 random characters).
_PART = re.compile(r"^\..+\.[A-Za-z0-9_]{8}\.part$")
#: Test hook: 'kill' (SIGKILL itself) or 'pause' (sleep 5 s, signals held) after the first rename of a commit.
COMMIT_HOOK = "OCTAVO_TEST_COMMIT"
#: Errors that mean the output folder cannot take the files: full, over quota, too large, read-only.
_UNWRITABLE = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS}


class Commits:
    """How many multi-file commits this process completed: after an interrupt, whether new outputs are in
    place (the message must say so) or the previous ones are untouched."""

    done = 0


def unwritable(exc: OSError, out: Path) -> bool:
    """Whether `exc` is the output folder refusing a write (full disk, read-only), not an input problem."""
    if exc.errno in _UNWRITABLE:
        return True
    if exc.errno in (errno.EACCES, errno.EPERM) and exc.filename:
        return Path(str(exc.filename)).resolve().is_relative_to(out.resolve())
    return False


def _lock(folder: Path, exclusive: bool) -> int | None:
    """An open descriptor of `folder` holding a shared lock (every build that writes there), or an exclusive one
    taken without waiting (only when no other build is running); None when it cannot be had."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB if exclusive else fcntl.LOCK_SH)
    except OSError:
        os.close(fd)
        return None
    return fd


def _sync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def recover(out: Path) -> None:
    """Before a command uses the output folder: complete a commit that a killed build left half done (its
    journal lists the staged files and their destinations), and remove the temporary files killed builds left.

    Only when no other build is using the folder (an exclusive lock, see `Staging`); otherwise nothing here.
    """
    if not out.is_dir():
        return
    fd = _lock(out, exclusive=True)
    if fd is None:
        return
    try:
        journal = out / JOURNAL
        if journal.is_file():
            _complete(out, journal)
        for path in out.iterdir():
            if _PART.match(path.name) and path.is_file() and not path.is_symlink():
                path.unlink(missing_ok=True)
                log.info("%s: removed a temporary file left by an interrupted build", path)
    except OSError:
        pass  # a read-only folder: the command says so when it writes
    finally:
        os.close(fd)


def _complete(out: Path, journal: Path) -> None:
    """Finish the renames a journal lists (each staged file was complete before it was written), then drop it."""
    try:
        renames = json.loads(journal.read_text(encoding="utf-8"))["renames"]
        pairs = [(out / str(temporary), out / str(dest)) for temporary, dest in renames]
    except (ValueError, KeyError, TypeError):
        pairs = []  # not ours, or cut short before it was synced: no rename had started
    for temporary, dest in pairs:
        if "/" not in temporary.name and _PART.match(temporary.name) and temporary.is_file():
            os.replace(temporary, dest)
    _sync(out)
    journal.unlink()
    if pairs:
        log.warning("%s: a build was stopped while putting its outputs in place; completed it", out)


class Staging:
    """Temporary files beside their destinations; `commit` renames them all onto the destinations."""

    def __init__(self) -> None:
        self.files: dict[Path, Path] = {}  # destination -> temporary file
        self.folders: list[Path] = []  # output folders this staging created, outermost first
        self._locks: dict[Path, int] = {}  # folder -> descriptor holding its shared lock (see `recover`)

    def path(self, dest: Path) -> Path:
        """A new, empty temporary file that will become `dest` (a hidden `.name.XXXX.part` in its folder)."""
        try:
            missing = [p for p in (dest.parent, *dest.parent.parents) if not p.exists()]
            dest.parent.mkdir(parents=True, exist_ok=True)
            self.folders += [p for p in reversed(missing) if p not in self.folders]
            if dest.parent not in self._locks and (fd := _lock(dest.parent, exclusive=False)) is not None:
                self._locks[dest.parent] = fd
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
        """Rename every staged file onto its destination, with Ctrl-C held back until all are in place.

        Several files in one folder are switched as a whole: the staged files are synced, then a journal of
        the renames, then the renames are made and the journal removed. A build killed in between leaves the
        journal, and the next run completes the renames (`recover`): never old files beside new ones.
        """
        held = hasattr(signal, "pthread_sigmask")
        if held:
            signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
        folders = {dest.parent for dest in self.files}
        journal = next(iter(folders)) / JOURNAL if len(self.files) > 1 and len(folders) == 1 else None
        dest = next(iter(self.files), Path("."))
        try:
            for temporary in self.files.values():
                os.chmod(temporary, 0o644)
                if journal is not None:
                    _sync(temporary)
            if journal is not None:
                renames = [[t.name, d.name] for d, t in self.files.items()]
                dest = journal
                with open(journal, "w", encoding="utf-8") as handle:
                    handle.write(json.dumps({"renames": renames}) + "\n")
                    handle.flush()
                    os.fsync(handle.fileno())
                _sync(journal.parent)
            for number, (dest, temporary) in enumerate(self.files.items()):
                os.replace(temporary, dest)
                if number == 0 and journal is not None:
                    _test_hook()
            if journal is not None:
                _sync(journal.parent)
                journal.unlink()
                Commits.done += 1
            self.folders.clear()  # they hold the outputs now
            self.files.clear()  # in place: what is staged next is committed by the next call
        except OSError as exc:
            if journal is not None and not any(t.exists() for t in self.files.values()):
                journal.unlink(missing_ok=True)  # every rename was made
            elif journal is not None and dest == journal:
                journal.unlink(missing_ok=True)  # no rename was made: the previous outputs stand
            raise OutputError(f"cannot replace the previous file: {exc.strerror}", dest) from None
        finally:
            if held:
                signal.pthread_sigmask(signal.SIG_UNBLOCK, _HELD)

    def discard(self) -> None:
        """Remove the staged files that were not committed, and the folders made for them if still empty."""
        for temporary in self.files.values():
            try:
                temporary.unlink(missing_ok=True)
            except OSError:
                pass  # a folder that turned read-only: the next build's `recover` removes it
        for folder in reversed(self.folders):
            try:
                folder.rmdir()
            except OSError:
                break  # something else was put there: it stays
        for fd in self._locks.values():
            os.close(fd)
        self._locks.clear()


def _test_hook() -> None:
    """For the tests of an interrupted commit (tests/test_faults.py): stop here, between two renames."""
    hook = os.environ.get(COMMIT_HOOK)
    if hook == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    elif hook == "pause":
        import time

        print("commit paused", file=sys.stderr, flush=True)
        time.sleep(3)


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
