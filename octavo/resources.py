"""Where templates and styles come from: a book's own overrides first, then Octavo's defaults (inside the
installed package, or beside a checkout).

A book overrides any default by placing a file of the same relative name in <override>/templates/ or
<override>/styles/, the way MkDocs' `custom_dir` and Sphinx's `templates_path` work. Only the standard library
is imported here: the no-op build (manifest.py) reads the same search path before any engine is loaded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from octavo.errors import InstallationError

PACKAGE = Path(__file__).resolve().parent


def _defaults(name: str) -> Path:
    """octavo/<name> in an installed wheel (the packaging maps the repository's folders there), else the
    repository's top-level <name>/ beside a checkout's octavo/."""
    inside = PACKAGE / name
    return inside if inside.is_dir() else PACKAGE.parent / name


#: The default Jinja templates (print.html.j2, partials/, epub/, and new/: the scaffold of `octavo new`).
TEMPLATES = _defaults("templates")
#: The default stylesheets, fonts (with their licences) and the ICC profile.
STYLES = _defaults("styles")
#: Every stylesheet a build reads by name, each resolved on its own through the search path.
STYLESHEETS = ("fonts.css", "common.css", "print.css", "epub.css", "preview.css")


@dataclass(frozen=True)
class Resources:
    """The search paths of one build: each is the book's override folders in order, then the defaults."""

    templates: tuple[Path, ...]
    """Folders the Jinja loader searches, first match wins."""
    styles: tuple[Path, ...]
    """Folders each stylesheet, the ICC profile and the preview's style files are looked up in, first match wins."""

    @classmethod
    def search(cls, overrides: Iterable[Path] = (), templates: Path = TEMPLATES, styles: Path = STYLES) -> Resources:
        """Each override's templates/ and styles/ that exist, in order, then the default folders."""
        folders = [folder.resolve() for folder in overrides]
        return cls(templates=_path([f / "templates" for f in folders], templates),
                   styles=_path([f / "styles" for f in folders], styles))

    def find_style(self, name: str) -> Path:
        """The file `name` (relative, e.g. 'fonts.css' or 'icc/OctavoGenericCMYK.icc') from the first styles
        folder that has it; url() inside a stylesheet then resolves relative to the file chosen."""
        found = find_in(self.styles, name)
        if found is None:
            raise InstallationError(f"style file '{name}' not found in " + ", ".join(f"{f}/" for f in self.styles))
        return found


def _path(overrides: list[Path], default: Path) -> tuple[Path, ...]:
    found = [folder for folder in overrides if folder.is_dir()]
    default = default.resolve()
    return tuple(dict.fromkeys([*found, default]))  # an override that is the default folder itself counts once


def find_in(folders: Iterable[Path], name: str) -> Path | None:
    """The first `folder / name` that is a file, refusing names that climb out of their folder."""
    for folder in folders:
        path = (folder / name).resolve()
        if folder.resolve() in path.parents and path.is_file():
            return path
    return None
