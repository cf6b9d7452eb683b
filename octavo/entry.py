"""The command's first code (octavo, python -m octavo, build.py): SIGTERM and Ctrl-C handled before anything
heavy is imported, then cli.main.

A SIGTERM that arrives while Python is still importing the command line would otherwise kill the build with
the default handler (no message, exit -15); from here on it stops it the way Ctrl-C does, with exit 130.
"""

from __future__ import annotations

import signal
import sys

#: errors.EXIT_INTERRUPTED, which is not imported here so that the handler is in place first.
EXIT_INTERRUPTED = 130


def run() -> int:
    """Install the handlers, then run the command line; return the exit code."""
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # raises KeyboardInterrupt, as Ctrl-C does
    try:
        from octavo.cli import main

        return main()
    except KeyboardInterrupt:  # before cli.main could catch it: nothing was written yet
        print("error: interrupted; the previous outputs are untouched", file=sys.stderr)
        return EXIT_INTERRUPTED
