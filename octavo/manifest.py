"""The no-op build: every input of a build -> one key; dist/.octavo-build.json -> whether the outputs are current.

Only the standard library is imported here, so that `python build.py` decides that nothing changed before
WeasyPrint, ebooklib, markdown-it or Jinja is loaded.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import stat
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from octavo import __version__
from octavo.dates import read_source_date_epoch
from octavo.errors import ContentError
from octavo.model import BuildOptions
from octavo.output import atomic_write

log = logging.getLogger("octavo")

MANIFEST = ".octavo-build.json"
#: Python distributions whose version can change what a build writes: layout and PDF writing, hyphenation,
#: font subsetting, images, Markdown, templates, the EPUB writer.
ENGINES = ("weasyprint", "pydyf", "tinycss2", "cssselect2", "tinyhtml5", "pyphen", "fonttools", "pillow",
           "markdown-it-py", "mdit-py-plugins", "jinja2", "pyyaml", "ebooklib", "lxml",
           "pypandoc-binary")  # pandoc: the citation processor
PACKAGE = Path(__file__).resolve().parent
#: An installed distribution's metadata folder: name-1.2.3.dist-info (PEP 427), name-1.2.3-py3.11.egg-info.
_DIST_INFO = re.compile(r"^(?P<name>[^-]+)-(?P<version>[^-]+?)(?:-py[\d.]+)?\.(?:dist|egg)-info$")


@dataclass(frozen=True)
class Manifest:
    """What the last successful build wrote, and from what."""

    key: str
    """SHA-256 of every input (see `input_key`)."""
    outputs: dict[str, str]
    """Output file name (in the output folder) -> SHA-256 of its bytes."""
    warnings: int
    """Warnings the build logged: a --strict run does not accept the outputs of a build that warned."""


def input_key(options: BuildOptions) -> str:
    """SHA-256 over everything a build reads: the publication, the book's template and style overrides and the
    defaults (fonts and ICC profile included) byte for byte, the build date, the options, and the versions of
    Octavo and its engines."""
    return key_of(inputs_of(options))


def key_of(inputs: dict[str, object]) -> str:
    """The key of what `inputs_of` read."""
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()


def unchanged_since(options: BuildOptions, inputs: dict[str, object]) -> None:
    """Raise ContentError naming a file of the book (or a template, a style) that is not what it was when
    `inputs` were read: the outputs were built while it changed, so some may hold the old bytes and some the
    new ones, and the manifest would record the wrong inputs."""
    now = inputs_of(options, say=False)
    if now == inputs:
        return
    before, after = _files(options, inputs), _files(options, now)
    changed = sorted(path for path in {*before, *after} if before.get(path) != after.get(path))
    mixed = "so the outputs could mix the old and the new version; the previous outputs are kept: build again"
    if changed:
        raise ContentError(f"changed while the book was being built, {mixed}", changed[0])
    engines = cast(dict[str, str | None], inputs["engine"])
    moved = [name for name, value in cast(dict[str, str | None], now["engine"]).items() if engines.get(name) != value]
    if moved:
        # Octavo's own files (an upgrade, or an edit of a checkout) or an engine: no file of the book to name.
        what = "Octavo's own code" if moved == ["octavo"] else ", ".join(moved)
        raise ContentError(f"{what} changed while the book was being built, {mixed}", PACKAGE)
    # Only a time: a file of the book touched (same bytes), which moves the build date of the outputs.
    raise ContentError(f"a file's time changed while the book was being built (its bytes did not), and the "
                       f"outputs are dated from the newest file, {mixed}", options.content)


def _files(options: BuildOptions, inputs: dict[str, object]) -> dict[Path, str | None]:
    """Each file `inputs_of` hashed, by its path as messages show it -> its SHA-256."""
    content = cast(dict[str, str | None], inputs["content"])
    files = {options.content / name: digest for name, digest in content.items()}
    for part in ("templates", "styles"):
        for folder, digests in cast(list[tuple[str, dict[str, str | None]]], inputs[part]):
            files.update({Path(folder) / name: digest for name, digest in digests.items()})
    return files


def inputs_of(options: BuildOptions, say: bool = True) -> dict[str, object]:
    """Everything `input_key` hashes, as read now (`say`: log each file skipped, and why)."""
    out = options.out.resolve()
    resources = options.resources
    content, newest = _scan(options.content, skip=out, say=say)
    inputs: dict[str, object] = {
        "options": {"content": str(options.content.resolve()), "targets": sorted(options.targets),
                    "version": options.version},
        "content": content,
        # The search paths, in order: each override folder that exists, then the defaults (resources.py).
        "templates": [[str(folder), _scan(folder, skip=out, say=say)[0]] for folder in resources.templates],
        "styles": [[str(folder), _scan(folder, skip=out, say=say)[0]] for folder in resources.styles],
        "build date": _build_date(newest),
        "engine": engine(),
    }
    return inputs


def is_current(out: Path, key: str, strict: bool = False) -> bool:
    """Whether `out` holds what a build with this key writes: same key, every output present and unchanged."""
    manifest = read_manifest(out)
    if manifest is None or manifest.key != key or (strict and manifest.warnings):
        return False
    return all(_sha256(out / name) == digest for name, digest in manifest.outputs.items())


def record(out: Path, key: str, outputs: list[Path], warnings: int) -> Path:
    """Write the manifest of a successful build."""
    document = {"octavo": __version__, "key": key, "warnings": warnings,
                "outputs": {path.name: _sha256(path) for path in outputs}}
    path = out / MANIFEST
    atomic_write(path, (json.dumps(document, indent=2, sort_keys=True) + "\n").encode())
    return path


def forget(out: Path) -> None:
    """Remove the manifest before building: a build that fails half way leaves nothing to trust."""
    try:
        (out / MANIFEST).unlink(missing_ok=True)
    except NotADirectoryError:
        pass  # `out` is not a folder: the build itself says so, with its own message


def read_manifest(out: Path) -> Manifest | None:
    """The manifest in `out`, or None if there is none or it cannot be read."""
    try:
        document = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        return Manifest(key=str(document["key"]), outputs=dict(document["outputs"]),
                        warnings=int(document["warnings"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _scan(folder: Path, skip: Path, say: bool = True) -> tuple[dict[str, str | None], int]:
    """Relative path -> SHA-256 of every regular file under `folder`, and the newest file time in whole seconds.

    Hidden files and folders (editor swap files, .DS_Store) and the output folder are left out, and so is what
    is not a regular file inside the folder (`say`: with a line saying so): a symbolic link that leads out of it
    (warning: the build refuses such a file anyway) and a FIFO, socket or device (it could block or never end).
    """
    digests: dict[str, str | None] = {}
    newest = 0
    root = folder.resolve()
    shown = folder
    for directory, folders, files in os.walk(root):
        here = Path(directory)
        folders[:] = sorted(name for name in folders if not name.startswith(".") and here / name != skip
                            and _is_folder(here / name, root, shown, say))
        for name in sorted(files):
            if not name.startswith("."):
                path = _followed(here / name, root, shown, say)
                if path is None:
                    continue
                read = _read_regular(path)
                if read is None:
                    _skipped(shown / (here / name).relative_to(root), "is not a regular file (a FIFO, socket or "
                             "device)", say)
                    continue
                data = read[0]
                digests[(here / name).relative_to(root).as_posix()] = (None if data is None else
                                                                        hashlib.sha256(data).hexdigest())
                newest = max(newest, read[1])
    return digests, newest


def _is_folder(path: Path, root: Path, shown: Path, say: bool) -> bool:
    """Whether the walk goes into `path`: a folder, not a link to one (whose files count where they are; one
    that leads out of the folder is said, never read)."""
    if path.is_symlink():
        _followed(path, root, shown, say)
        return False
    return True


def _followed(path: Path, root: Path, shown: Path, say: bool) -> Path | None:
    """Where `path` leads: itself, or a symbolic link's target when that is inside `root`; None (said) for a
    link that leads out of the folder, which is never read, and for a folder reached through a link (its files
    count where they are)."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return None  # gone since the listing
    if stat.S_ISDIR(mode):
        return path
    if not stat.S_ISLNK(mode):
        return path
    target = path.resolve()
    if not target.is_relative_to(root):
        _skipped(shown / path.relative_to(root), "is a symbolic link that leads outside the publication folder",
                 say)
        return None
    return None if target.is_dir() else target


def _skipped(path: Path, why: str, say: bool) -> None:
    """One line for a file left out of the key. Info, not a warning: nothing of the book is lost (a chapter or
    image that uses such a file is refused by the build itself, with its own error), and --strict must not fail
    over a stray link or a socket."""
    if say:
        log.info("%s: %s; skipped: it is not read and not part of the book", path, why)


def _read_regular(path: Path) -> tuple[bytes | None, int] | None:
    """A regular file's bytes (None if it cannot be read) and modification time in whole seconds; None for
    anything else, which is never read (opened without blocking, so that a FIFO cannot hang the build)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    except OSError:
        try:
            info = os.lstat(path)
        except OSError:
            return None
        return (None, int(info.st_mtime)) if stat.S_ISREG(info.st_mode) else None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return None
        with os.fdopen(os.dup(fd), "rb") as handle:
            return handle.read(), int(info.st_mtime)
    finally:
        os.close(fd)


def _build_date(newest: int) -> str:
    """What the build dates its outputs from: SOURCE_DATE_EPOCH, else the newest file of the publication (its
    files are a superset of those pipeline.source_date reads, so a change there always changes the key).
    A SOURCE_DATE_EPOCH that is not a number is the build's usage error, raised here already."""
    epoch = read_source_date_epoch()
    return f"SOURCE_DATE_EPOCH={epoch}" if epoch is not None else f"newest file={newest}"


def engine() -> dict[str, str | None]:
    """Octavo's own code (hashed, so that an edit counts before a version bump), its engines, Python and zlib."""
    code = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*.py")):
        code.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    installed = installed_versions()
    return {"octavo": f"{__version__} {code.hexdigest()}", "python": sys.version, "zlib": zlib.ZLIB_RUNTIME_VERSION,
            **{name: installed.get(name) for name in ENGINES}}


def installed_versions() -> dict[str, str]:
    """Normalised distribution name -> version, from the names of the .dist-info (and .egg-info) folders on
    sys.path, the first found winning as it does for imports: what importlib.metadata.version() finds first.

    Not importlib.metadata itself, because this runs on every `octavo build`, before it can say "up to date":
    measured (Python 3.11, 5 sys.path entries), importing it costs 12 ms and `version()` for the 14 ENGINES
    30 ms more, against under 1 ms for this scan of folder names. The two agree (tests/test_manifest.py).
    """
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = sorted(os.listdir(entry or "."))
        except OSError:
            continue
        for name in names:
            if match := _DIST_INFO.match(name):
                found.setdefault(re.sub(r"[-_.]+", "-", match["name"]).lower(), match["version"])
    return found



def _sha256(path: Path) -> str | None:
    """The file's SHA-256, or None when it cannot be read (a missing output)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None
