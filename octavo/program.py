"""sys.argv[0] -> the program's name as the user invoked it, for help, usage errors and hints."""

from __future__ import annotations

import sys
from pathlib import Path

#: When Octavo runs inside another program (a test, a notebook), hints use the form this repository documents.
DEFAULT = "python build.py"


def program(argv0: str | None = None) -> str:
    """'octavo' for the console script, 'python -m octavo' for -m, 'python build.py' for build.py (and else).

    Deep modules call this for their hints ("python build.py new my-book") without importing the command line.
    """
    path = Path(sys.argv[0] if argv0 is None else argv0)
    if path.name == "__main__.py" and path.parent.name == "octavo":
        return "python -m octavo"
    if path.name in ("octavo", "octavo.exe") or path.stem == "octavo-script":
        return "octavo"
    return DEFAULT
