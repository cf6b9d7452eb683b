"""argv -> options -> build() -> exit code; the only place errors are caught and printed."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .errors import EXIT_INPUT, EXIT_OK, BuildError, ConfigError, UsageError
from .progress import PageCounter

log = logging.getLogger("octavo")

DEFAULT_OUT = Path("dist")

COMMANDS = {
    "all": "build the print PDF, the screen PDF and the EPUB (the default)",
    "pdf": "build only the two PDFs",
    "print": "build only the print PDF",
    "screen": "build only the screen PDF",
    "epub": "build only the EPUB",
    "check": "validate what is in the output folder (epubcheck, PDF preflight)",
    "release": "build, check and checksum release --version (e.g. v1.2.0) into one folder, dist/VERSION",
}

EPILOG = """\
examples:
  python build.py                          build everything from content/ into dist/
  python build.py pdf                      only the print and screen PDFs
  python build.py print                    only the print PDF (for the printer)
  python build.py epub --out /tmp/out      only the EPUB, into another folder
  python build.py --content ../my-book     build another publication laid out like content/
  python build.py --strict                 fail on any warning (CI)
  python build.py check                    epubcheck and PDF preflight on dist/
  python build.py release --version v1.2.0 the four release files in dist/v1.2.0/ (README: Releasing)

exit codes: 0 success, 1 content or configuration error, 2 usage error,
            3 an output failed validation or could not be written
"""


class _WarningCounter(logging.Handler):
    """Counts warnings from our logger and WeasyPrint's, for --strict."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


class _EnvironmentNotes(logging.Filter):
    """Demote WeasyPrint's notes about this machine's libraries: they say nothing about the book."""

    NOTES = ("Using fontTools instead of HarfBuzz-Subset",)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.WARNING and record.getMessage().startswith(self.NOTES):
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
            return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)
        return True


class _Console(logging.StreamHandler):  # type: ignore[type-arg]
    """stderr, erasing the live page counter before each line."""

    def __init__(self, pages: PageCounter | None):
        super().__init__(sys.stderr)
        self.pages = pages

    def emit(self, record: logging.LogRecord) -> None:
        if self.pages:
            self.pages.clear()
        super().emit(record)


class _Formatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.levelno >= logging.ERROR:
            return f"error: {message}"
        if record.levelno >= logging.WARNING:
            source = "weasyprint: " if record.name.startswith("weasyprint") else ""
            return f"warning: {source}{message}"
        return message


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="build.py", description="Octavo: build a print-ready PDF, a screen PDF and an EPUB 3 from Markdown.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("target", nargs="?", default="all", metavar="TARGET",
                        help="what to do: " + "; ".join(f"{k}: {v}" for k, v in COMMANDS.items()))
    parser.add_argument("path", nargs="?", type=Path, metavar="PATH",
                        help="the folder a command works on (for example: new PATH)")
    parser.add_argument("--content", type=Path, default=Path("content"), metavar="DIR",
                        help="publication folder with book.yaml and chapters (default: content)")
    parser.add_argument("--out", type=Path, metavar="DIR",
                        help="output folder (default: dist; dist/VERSION for release)")
    parser.add_argument("--force", action="store_true", help="rebuild even when nothing changed")
    parser.add_argument("--port", type=int, default=8000, help="preview server port (watch; default 8000)")
    parser.add_argument("--strict", action="store_true",
                        help="treat every warning (ours and WeasyPrint's) as an error")
    parser.add_argument("--version", dest="book_version", metavar="VERSION",
                        help="release version to print in the book and its metadata, e.g. v1.2.0")
    verbosity = parser.add_mutually_exclusive_group()
    verbosity.add_argument("-q", "--quiet", action="store_true", help="print only warnings and errors")
    verbosity.add_argument("-v", "--verbose", action="store_true", help="print details, WeasyPrint's included")
    parser.add_argument("-V", action="version", version=f"Octavo {__version__}")
    return parser


def _setup_logging(quiet: bool, verbose: bool) -> _WarningCounter:
    # The page counter shows while WeasyPrint lays out; -q silences it, -v prints WeasyPrint's own steps instead.
    pages = None if quiet or verbose else PageCounter(sys.stderr, live=sys.stderr.isatty())
    handler = _Console(pages)
    handler.setFormatter(_Formatter())
    counter = _WarningCounter()
    notes = _EnvironmentNotes()
    for name in ("octavo", "weasyprint"):
        logger = logging.getLogger(name)
        logger.handlers = [handler, counter]
        logger.filters = [notes]
        logger.propagate = False
    log.setLevel(logging.WARNING if quiet else logging.DEBUG if verbose else logging.INFO)
    logging.getLogger("weasyprint").setLevel(logging.INFO if verbose else logging.WARNING)
    progress = logging.getLogger("weasyprint.progress")
    progress.handlers = [pages] if pages else []
    progress.propagate = pages is None
    progress.setLevel(logging.INFO if pages else logging.NOTSET)
    return counter


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = make_parser()
    args = parser.parse_args(argv)
    counter = _setup_logging(args.quiet, args.verbose)
    start = time.perf_counter()
    try:
        if args.target not in COMMANDS:
            raise UsageError(f"unknown target '{args.target}'; choose one of {', '.join(COMMANDS)} "
                             "(python build.py --help shows examples)")
        built = _run(args, counter)
        if args.strict and counter.count:
            raise BuildError(f"{counter.count} warning(s) and --strict is on: fix them, or build without --strict")
    except ConfigError as exc:
        for problem in exc.problems:
            log.error("%s", problem)
        return exc.exit_code
    except BuildError as exc:
        log.error("%s", exc)
        return exc.exit_code
    except KeyboardInterrupt:
        log.error("interrupted; the previous outputs are untouched")
        return EXIT_INPUT
    if built:
        log.info("Built in %.1f s", time.perf_counter() - start)
    return EXIT_OK


def _run(args: argparse.Namespace, warnings: _WarningCounter) -> bool:
    """Do what the target asks; return whether it built anything."""
    out = args.out or DEFAULT_OUT
    if args.target == "check":
        from .check import check_outputs

        check_outputs(args.content, out, args.book_version)
        return False
    if args.target == "release":
        _release(args)
        return True
    return _build(args, out, warnings)


def _build(args: argparse.Namespace, out: Path, warnings: _WarningCounter) -> bool:
    """Build the targets, unless the output folder already holds what this build would write (see manifest.py:
    decided from the inputs' bytes before any engine is imported)."""
    from .manifest import forget, input_key, is_current, record
    from .model import BuildOptions

    targets = ("pdf", "epub") if args.target == "all" else (args.target,)
    options = BuildOptions(content=args.content, out=out, targets=targets, version=args.book_version)
    key = input_key(options)
    if not args.force and is_current(out, key, strict=args.strict):
        log.info("up to date: nothing changed since the last build")
        return False
    from .pipeline import CHECKSUMS, build

    forget(out)
    result = build(options)
    record(out, key, [*result.outputs, out / CHECKSUMS], warnings.count)
    return True


def _release(args: argparse.Namespace) -> None:
    from .release import default_folder, release

    if not args.book_version:
        raise UsageError("release needs the version it publishes: python build.py release --version v1.2.0")
    files = release(args.content, args.out or default_folder(args.book_version), args.book_version)
    log.info("release %s: %s", args.book_version, ", ".join(str(path) for path in files))
