#!/usr/bin/env python3
"""npm's epubjs and jszip -> the two scripts a test page loads to open an EPUB as epub.js readers do.

    python tools/epubjs.py --install     # install once into $OCTAVO_EPUBJS_HOME (default ~/.cache/octavo/epubjs)
    python tools/epubjs.py               # print the folder that holds epub.min.js and jszip.min.js

epub.js (the reader behind many web and app readers) opens the EPUB in the browser; tests/test_epubjs.py drives
it in Debian's headless Chromium. Nothing is downloaded at test time: npm installs the pinned versions once,
as tools/run_ace.py installs DAISY Ace.

exit codes: 0 ready (the folder on stdout), 2 cannot install here (what is missing is said on stderr)
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

PACKAGES = ("epubjs@0.3.93", "jszip@3.10.1")
HOME = Path(os.environ.get("OCTAVO_EPUBJS_HOME", Path.home() / ".cache" / "octavo" / "epubjs"))
SCRIPTS = {"epub.min.js": "epubjs/dist/epub.min.js", "jszip.min.js": "jszip/dist/jszip.min.js"}
TIMEOUT = 600


class Unavailable(Exception):
    """epub.js cannot be installed on this machine; the message says what is missing."""


def scripts(install: bool = True) -> dict[str, Path]:
    """Script name -> its file, installed with npm into HOME the first time."""
    found = {name: HOME / "node_modules" / path for name, path in SCRIPTS.items()}
    if all(path.is_file() for path in found.values()):
        return found
    npm = shutil.which("npm")
    if not install or not npm:
        raise Unavailable("epub.js is not installed and there is no npm to install it: apt-get install nodejs npm")
    HOME.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([npm, "install", "--no-fund", "--no-audit", "--ignore-scripts", "--prefix", str(HOME),
                           *PACKAGES], capture_output=True, text=True, timeout=TIMEOUT, check=False)
    if done.returncode != 0 or not all(path.is_file() for path in found.values()):
        raise Unavailable(f"npm could not install {' '.join(PACKAGES)}:\n{done.stderr[-2000:]}")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--install", action="store_true", help="install epub.js and jszip if they are missing")
    args = parser.parse_args(argv)
    try:
        found = scripts(install=args.install)
    except Unavailable as exc:
        print(f"epubjs: {exc}", file=sys.stderr)
        return 2
    print(found["epub.min.js"].parent)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
