"""A numbered release: content folder + version (a git tag such as v1.2.0) -> one folder holding the
versioned print PDF, screen PDF and EPUB, checked, with their SHA256SUMS."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from octavo.check import check_outputs
from octavo.config import load_config
from octavo.dates import read_source_date_epoch
from octavo.errors import UsageError
from octavo.model import BuildOptions, Edition
from octavo.output import CHECKSUMS, output_names
from octavo.pipeline import build

log = logging.getLogger("octavo")

#: 'v' and a Semantic Versioning 2.0.0 version without build metadata: v1.2.0, v2.0.0-rc.1.
#: (semver.org's expression; '+build' is left out because it does not survive as a release file name.)
VERSION = re.compile(
    r"^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(-(0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(\.(0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*)?$"
)
#: The order of the files in a release, and of its SHA256SUMS.
EDITIONS = tuple(Edition)


def check_version(version: str) -> str:
    """Return `version` if it is 'v' + semver (v1.2.0, v1.2.0-rc.1); raise UsageError otherwise."""
    if not VERSION.match(version):
        raise UsageError(f"release version '{version}' is not 'v' followed by a semantic version "
                         "(for example v1.2.0 or v1.2.0-rc.1); tag releases that way")
    return version


def default_folder(version: str) -> Path:
    """Where `octavo release V` writes when --out is not given, from the project folder: dist/V."""
    return Path("dist") / version


def release_names(slug: str, version: str) -> tuple[str, ...]:
    """The four file names of a release, in order: print PDF, screen PDF, EPUB, SHA256SUMS."""
    names = output_names(slug, version)
    return (*(names[edition] for edition in EDITIONS), CHECKSUMS)


def release(content: Path, out: Path, version: str, strict: bool = False,
            overrides: tuple[Path, ...] = ()) -> list[Path]:
    """Build every edition with versioned names into `out`, check them, write SHA256SUMS; return the four files.

    `out` ends up holding exactly these files (hidden files aside), so the folder can be uploaded whole.
    """
    check_version(version)
    meta = load_config(content.resolve(), content, version)
    names = release_names(meta.slug, version)
    _refuse_other_files(out, names, version)
    if read_source_date_epoch() is None:
        log.warning("release: SOURCE_DATE_EPOCH is not set, so the build date comes from file times; set it to "
                    "the tagged commit's time for a reproducible release: %s",
                    "SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)")
    build(BuildOptions(content=content, out=out, version=version, strict=strict, overrides=overrides))
    check_outputs(content, out, version)
    books = [out / name for name in names[:-1]]
    return [*books, out / CHECKSUMS]  # the build wrote it, listing exactly these books


def _refuse_other_files(out: Path, names: tuple[str, ...], version: str) -> None:
    """A release folder holds one release: anything else in it would be uploaded with it."""
    if not out.is_dir():
        return
    others = sorted(p.name for p in out.iterdir() if not p.name.startswith(".") and p.name not in names)
    if others:
        raise UsageError(f"{out}/ holds files that are not part of release {version} ({', '.join(others)}); "
                         "empty it or choose another folder with --out")
