"""argv -> options -> build() -> exit code; the only place errors are caught and printed."""

from __future__ import annotations

import argparse
import logging
import signal
import time
from collections.abc import Sequence
from pathlib import Path

from octavo import __version__
from octavo.errors import EXIT_INTERRUPTED, EXIT_OK, BuildError, ConfigError, UsageError
from octavo.log import setup_console
from octavo.paths import is_file_name_part

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
    "new": "create a ready-to-build publication folder at PATH",
    "watch": "build, serve a live preview on 127.0.0.1 (--port) and rebuild on every save",
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
  python build.py new my-book              start a new publication in my-book/
  python build.py watch --content my-book  live preview at http://127.0.0.1:8000/ (Ctrl-C stops it)
  python build.py --strict --check         build, then check the outputs (CI)

exit codes: 0 success, 1 content or configuration error, 2 usage error,
            3 an output failed validation or could not be written, 130 interrupted
            (a build that fails or is interrupted leaves the output folder as it was)
"""


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
    parser.add_argument("--check", action="store_true",
                        help="after building, validate the outputs as the check target does")
    parser.add_argument("--version", dest="book_version", metavar="VERSION",
                        help="release version to print in the book and its metadata, e.g. v1.2.0")
    verbosity = parser.add_mutually_exclusive_group()
    verbosity.add_argument("-q", "--quiet", action="store_true", help="print only warnings and errors")
    verbosity.add_argument("-v", "--verbose", action="store_true", help="print details, WeasyPrint's included")
    parser.add_argument("-V", action="version", version=f"Octavo {__version__}")
    return parser


def _terminated(signum: int, frame: object) -> None:
    """SIGTERM (a CI timeout, kill) stops a build the way Ctrl-C does: staged files removed, old outputs kept."""
    raise KeyboardInterrupt


def _on_sigterm(handler: object) -> object:
    """Install a SIGTERM handler, returning the previous one (only the main thread can; elsewhere, nothing)."""
    try:
        return signal.signal(signal.SIGTERM, handler or signal.SIG_DFL)  # type: ignore[arg-type]
    except ValueError:
        return handler


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = make_parser()
    args = parser.parse_args(argv)
    setup_console(args.quiet, args.verbose)
    start = time.perf_counter()
    previous = _on_sigterm(_terminated)
    try:
        _check_usage(args)
        built = _run(args)
    except ConfigError as exc:
        for problem in exc.problems:
            log.error("%s", problem)
        return exc.exit_code
    except BuildError as exc:
        log.error("%s", exc)
        return exc.exit_code
    except KeyboardInterrupt:
        log.error("interrupted; the previous outputs are untouched")
        return EXIT_INTERRUPTED
    finally:
        _on_sigterm(previous)
    if built:
        log.info("Built in %.1f s", time.perf_counter() - start)
    return EXIT_OK


def _check_usage(args: argparse.Namespace) -> None:
    if args.target not in COMMANDS:
        raise UsageError(f"unknown target '{args.target}'; choose one of {', '.join(COMMANDS)} "
                         "(python build.py --help shows examples)")
    if args.target == "release" and args.book_version is not None:
        from octavo.commands.release import check_version

        check_version(args.book_version)  # stricter than a file name: v + semantic version
    elif args.book_version is not None and not is_file_name_part(args.book_version):
        raise UsageError(f"--version names the output files, so it may hold only letters, digits and . _ + -, "
                         f"not '{args.book_version}'")


def _run(args: argparse.Namespace) -> bool:
    """Do what the target asks; return whether it built anything."""
    out = args.out or DEFAULT_OUT
    if args.target == "check":
        from octavo.check import check_outputs

        check_outputs(args.content, out, args.book_version, strict=args.strict)
        return False
    if args.target == "release":
        _release(args)
        return True
    if args.target == "new":
        from octavo.commands.new import new_publication

        if args.path is None:
            raise UsageError("new needs a folder to create: python build.py new my-book")
        new_publication(args.path)
        return False
    if args.target == "watch":
        from octavo.model import BuildOptions
        from octavo.preview.watch import watch

        content = args.path or args.content
        watch(BuildOptions(content=content, out=out, version=args.book_version, overrides=(content,)), args.port)
        return False
    built = _build(args, out)
    if args.check:
        from octavo.check import check_outputs

        check_outputs(args.content, out, args.book_version, strict=args.strict)
    return built


def _build(args: argparse.Namespace, out: Path) -> bool:
    """Build the targets, unless the output folder already holds what this build would write (see manifest.py:
    decided from the inputs' bytes before any engine is imported)."""
    from octavo.manifest import forget, input_key, is_current, record
    from octavo.model import BuildOptions

    targets = ("pdf", "epub") if args.target == "all" else (args.target,)
    options = BuildOptions(content=args.content, out=out, targets=targets, version=args.book_version,
                           strict=args.strict, overrides=(args.content,))
    key = input_key(options)
    if not args.force and is_current(out, key, strict=args.strict):
        log.info("up to date: nothing changed since the last build")
        return False
    from octavo.output import CHECKSUMS
    from octavo.pipeline import build

    forget(out)
    result = build(options)
    record(out, key, [*result.outputs, out / CHECKSUMS], result.warnings)
    return True


def _release(args: argparse.Namespace) -> None:
    from octavo.commands.release import default_folder, release

    if not args.book_version:
        raise UsageError("release needs the version it publishes: python build.py release --version v1.2.0")
    files = release(args.content, args.out or default_folder(args.book_version), args.book_version)
    log.info("release %s: %s", args.book_version, ", ".join(str(path) for path in files))
