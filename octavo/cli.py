"""argv -> options -> build() -> exit code; the only place errors are caught and printed."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from octavo import __version__
from octavo.errors import EXIT_INTERRUPTED, EXIT_OK, BuildError, ConfigError, UsageError
from octavo.log import Tally, setup_console, tally
from octavo.messages import Message
from octavo.paths import is_file_name_part
from octavo.program import program
from octavo.report import json_report, on_github_actions, workflow_commands

log = logging.getLogger("octavo")

#: What `build` makes: TARGET.
TARGETS = {
    "all": "the print PDF, the screen PDF and the EPUB (the default)",
    "pdf": "the two PDFs",
    "print": "the print PDF (for the printer)",
    "screen": "the screen PDF (accessible, with links)",
    "epub": "the EPUB",
}
#: The subcommands, in the order the help lists them.
COMMANDS = {
    "build": "build the print PDF, the screen PDF and the EPUB (the default command)",
    "new": "start a book: a folder with content/, a README and GitHub workflows",
    "watch": "build, serve a live preview on 127.0.0.1 and rebuild on every save",
    "check": "validate the outputs in dist/ (epubcheck, PDF preflight)",
    "release": "build, check and checksum release VERSION (e.g. v1.2.0) into dist/VERSION",
}
#: What the first word could be before subcommands existed (`python build.py epub`, `python build.py check`).
LEGACY_WORDS = (*TARGETS, "check", "release", "new", "watch")
#: config.CONFIG_NAME, which is not imported here: config loads YAML, and an up-to-date build must decide that
#: nothing changed before it loads anything heavy (tests/test_manifest.py).
CONFIG_NAME = "book.yaml"
#: Options that take a value, so that the word after them is not the subcommand.
_VALUED = ("--content", "--out", "--port", "--book-version")

EXAMPLES = """\
examples:
  {p}                          build the book here (book.yaml, or content/book.yaml) into dist/
  {p} build pdf                only the print and screen PDFs
  {p} build print              only the print PDF (for the printer)
  {p} build epub --out /tmp/o  only the EPUB, into another folder
  {p} build ../my-book         build the book in ../my-book into ../my-book/dist/
  {p} --content ../my-book     build a content folder laid out like content/, into ./dist/
  {p} --strict --check         fail on any warning, then check the outputs (CI; add --json for a report)
  {p} check                    epubcheck and PDF preflight on dist/
  {p} release v1.2.0           the four release files in dist/v1.2.0/
  {p} new my-book              start a new book repository in my-book/
  {p} watch                    live preview at http://127.0.0.1:8000/ (Ctrl-C stops it)
  {p} -q / -v                  print only warnings and errors / print details, WeasyPrint's included

finding the book: PATH (or the current folder) holds book.yaml, or content/book.yaml;
  --content DIR names the content folder itself. Outputs go to dist/ beside it unless --out.

exit codes: 0 success, 1 content or configuration error, 2 usage error,
            3 an output failed validation or could not be written, 130 interrupted
            (a build that fails or is interrupted leaves the output folder as it was)
"""


def make_parser(prog: str | None = None) -> argparse.ArgumentParser:
    """The whole command line: `octavo [-V] COMMAND ...`, each command with its own help."""
    return _parsers(prog)[0]


def _parsers(prog: str | None) -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    """The top parser, and each command's."""
    prog = prog or program()
    parser = argparse.ArgumentParser(
        prog=prog, description="Octavo: build a print-ready PDF, a screen PDF and an EPUB 3 from Markdown.",
        epilog=EXAMPLES.format(p=prog), formatter_class=argparse.RawDescriptionHelpFormatter)
    _version_option(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands",
                                     description=f"(without one: build; {prog} COMMAND --help tells more)")
    subs = {}
    for name, summary in COMMANDS.items():
        sub = commands.add_parser(name, help=summary, description=summary[:1].upper() + summary[1:] + ".",
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
        _SUBCOMMANDS[name](sub, prog)
        subs[name] = sub
    return parser, subs


def _version_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-V", "--version", action="version", version=f"Octavo {__version__}",
                        help="print Octavo's version and exit")


def _book_options(sub: argparse.ArgumentParser, out_help: str = "output folder (default: dist/ beside the book)",
                  version: bool = True) -> None:
    sub.add_argument("--content", type=Path, metavar="DIR",
                     help="the content folder (book.yaml and chapters) itself, instead of finding it from PATH")
    sub.add_argument("--out", type=Path, metavar="DIR", help=out_help)
    if version:
        sub.add_argument("--book-version", metavar="V",
                         help="the book's release version, shown in the book and its file names, e.g. v1.2.0")


def _verbosity(sub: argparse.ArgumentParser) -> None:
    verbosity = sub.add_mutually_exclusive_group()
    verbosity.add_argument("-q", "--quiet", action="store_true", help="print only warnings and errors")
    verbosity.add_argument("-v", "--verbose", action="store_true", help="print details, WeasyPrint's included")


_PATH_HELP = "the book: a folder holding book.yaml, or content/book.yaml (default: the current folder)"


def _build_parser(sub: argparse.ArgumentParser, prog: str) -> None:
    sub.add_argument("target", nargs="?", default="all", metavar="TARGET",
                     help="what to build: " + "; ".join(f"{k}: {v}" for k, v in TARGETS.items()))
    sub.add_argument("path", nargs="?", type=Path, metavar="PATH", help=_PATH_HELP)
    _book_options(sub)
    sub.add_argument("--strict", action="store_true", help="treat every warning (ours and WeasyPrint's) as an error")
    sub.add_argument("--check", action="store_true", help="after building, validate the outputs as `check` does")
    sub.add_argument("--force", action="store_true", help="rebuild even when nothing changed")
    sub.add_argument("--json", action="store_true", help="print a JSON report on stdout (progress stays on stderr)")
    _verbosity(sub)
    _version_option(sub)
    sub.epilog = (f"examples:\n  {prog} build                    everything, from the book here into dist/\n"
                  f"  {prog} build epub ../my-book    only the EPUB of ../my-book, into ../my-book/dist/\n"
                  f"  {prog} build --strict --check   what CI runs: fail on any warning, then check\n"
                  f"  {prog} build --json             a JSON report on stdout (outputs, pages, SHA-256, messages)")


def _new_parser(sub: argparse.ArgumentParser, prog: str) -> None:
    sub.add_argument("path", nargs="?", type=Path, metavar="PATH", help="the folder to create (new, or empty)")
    _verbosity(sub)
    sub.epilog = (f"writes PATH/content/ (book.yaml, two chapters, a picture), PATH/.gitignore, PATH/README.md\n"
                  f"and PATH/.github/workflows/ (build on every push; a release on every v* tag).\n\n"
                  f"example:\n  {prog} new my-book && cd my-book && {prog}")


def _watch_parser(sub: argparse.ArgumentParser, prog: str) -> None:
    sub.add_argument("path", nargs="?", type=Path, metavar="PATH", help=_PATH_HELP)
    _book_options(sub)
    sub.add_argument("--port", type=int, default=8000, help="preview server port (default 8000)")
    _verbosity(sub)
    sub.epilog = f"example:\n  {prog} watch my-book   live preview at http://127.0.0.1:8000/ (Ctrl-C stops it)"


def _check_parser(sub: argparse.ArgumentParser, prog: str) -> None:
    sub.add_argument("path", nargs="?", type=Path, metavar="PATH", help=_PATH_HELP)
    _book_options(sub)
    sub.add_argument("--strict", action="store_true", help="fail on advice too (an odd page count)")
    sub.add_argument("--json", action="store_true", help="print a JSON report on stdout (progress stays on stderr)")
    _verbosity(sub)


def _release_parser(sub: argparse.ArgumentParser, prog: str) -> None:
    sub.add_argument("version", nargs="?", metavar="VERSION", help="'v' and a semantic version: v1.2.0, v2.0.0-rc.1")
    sub.add_argument("path", nargs="?", type=Path, metavar="PATH", help=_PATH_HELP)
    _book_options(sub, out_help="output folder (default: dist/VERSION beside the book)")
    sub.add_argument("--strict", action="store_true", help="treat every warning as an error")
    _verbosity(sub)
    sub.epilog = (f"example:\n  {prog} release v1.2.0   dist/v1.2.0/: print PDF, screen PDF, EPUB, SHA256SUMS\n"
                  "(set SOURCE_DATE_EPOCH to the tagged commit's time for a reproducible release)")


_SUBCOMMANDS = {"build": _build_parser, "new": _new_parser, "watch": _watch_parser, "check": _check_parser,
                "release": _release_parser}


def normalise(argv: Sequence[str]) -> tuple[list[str], bool]:
    """Today's command line and the one before subcommands, as one: (argv with the command first, legacy).

    `--version V` with a value is the old spelling of `--book-version V`; no command, or a target or a folder
    first, means `build` (`python build.py epub`); `check`, `new`... may come after options.
    """
    words: list[str] = []
    for index, word in enumerate(argv):
        if word == "--version" and index + 1 < len(argv) and not argv[index + 1].startswith("-"):
            words.append("--book-version")
        elif word.startswith("--version="):
            words.append("--book-version=" + word.partition("=")[2])
        else:
            words.append(word)
    first = _first_positional(words)
    if first is None and words and all(w in ("-h", "--help", "-V", "--version") for w in words):
        return words, False  # Octavo's own help or version
    if first is not None and words[first] in COMMANDS:
        legacy = first > 0
        return [words[first], *words[:first], *words[first + 1:]], legacy
    return ["build", *words], True


def _first_positional(words: list[str]) -> int | None:
    skip = False
    for index, word in enumerate(words):
        if skip:
            skip = False
        elif word in _VALUED:
            skip = True
        elif not word.startswith("-") or word == "-":
            return index
    return None


def parse_args(argv: Sequence[str], prog: str | None = None) -> argparse.Namespace:
    """Parse a command line, old forms included; argparse's own errors exit with 2."""
    words, legacy = normalise(argv)
    parser, subs = _parsers(prog)
    if words[0] not in COMMANDS:
        return parser.parse_args(words)  # -h or -V: prints and exits
    # Intermixed: `build --content X epub` puts epub in TARGET, as the single parser before subcommands did.
    args = subs[words[0]].parse_intermixed_args(words[1:])
    args.command, args.legacy = words[0], legacy
    args.version_option = "--version" if any(w == "--version" or w.startswith("--version=") for w in argv) \
        else "--book-version"
    return args


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
    args = parse_args(sys.argv[1:] if argv is None else argv)
    setup_console(args.quiet, args.verbose)
    start = time.perf_counter()
    previous = _on_sigterm(_terminated)
    run = _Run()
    with tally() as seen:
        code = _main(args, run)
    _on_sigterm(previous)
    _report(args, run, seen, code)
    if code == EXIT_OK and run.built:
        log.info("Built in %.1f s", time.perf_counter() - start)
    return code


class _Run:
    """What a command did, for its report."""

    def __init__(self) -> None:
        self.built = False
        """Whether it built anything (the closing time is printed then)."""
        self.content: Path | None = None
        """The content folder it found."""
        self.out: Path | None = None
        """The output folder."""
        self.editions: tuple[str, ...] = ()
        """The outputs it is about: print, screen, epub."""


def _main(args: argparse.Namespace, run: _Run) -> int:
    try:
        _check_usage(args)
        _dispatch(args, run)
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
    return EXIT_OK


def _report(args: argparse.Namespace, run: _Run, seen: Tally, code: int) -> None:
    """--json on stdout; under GitHub Actions, an annotation per warning and error on stderr."""
    messages = [_in_output_folder(message, run.out) for message in seen.messages]
    if on_github_actions():
        for line in workflow_commands(messages):
            print(line, file=sys.stderr)
    if getattr(args, "json", False):
        ok = code == EXIT_OK
        outputs = run.editions if ok or args.command == "check" else ()
        print(json_report(args.command, code, messages, run.content, run.out, outputs, args.book_version))


def _in_output_folder(message: Message, out: Path | None) -> Message:
    """What `check` finds names an output by its file name alone: give the path, as for every other file."""
    if out is None or message.file is None or "/" in message.file or not (out / message.file).is_file():
        return message
    return replace(message, file=str(out / message.file))


def _check_usage(args: argparse.Namespace) -> None:
    prog = program()
    if args.command == "build" and args.target not in TARGETS:
        if args.path is None and _looks_like_folder(args.target):
            args.target, args.path = "all", Path(args.target)
        else:
            choices, hint = (LEGACY_WORDS, f"{prog} --help") if args.legacy else (TARGETS, f"{prog} build --help")
            raise UsageError(f"unknown target '{args.target}'; choose one of {', '.join(choices)} "
                             f"({hint} shows examples)")
    if args.command == "new" and args.path is None:
        raise UsageError(f"new needs a folder to create: {prog} new my-book")
    if args.command == "release":
        _release_version(args, prog)
    elif getattr(args, "book_version", None) is not None and not is_file_name_part(args.book_version):
        raise UsageError(f"{args.version_option} names the output files, so it may hold only letters, digits "
                         f"and . _ + -, not '{args.book_version}'")


def _looks_like_folder(word: str) -> bool:
    return "/" in word or word in (".", "..") or Path(word).is_dir()


def _release_version(args: argparse.Namespace, prog: str) -> None:
    from octavo.commands.release import check_version

    given = [v for v in (args.version, args.book_version) if v is not None]
    if not given:
        raise UsageError(f"release needs the version it publishes: {prog} release v1.2.0")
    if len(set(given)) > 1:
        raise UsageError(f"release got two versions, '{given[0]}' and '{given[1]}'; give one: {prog} release "
                         f"{given[0]}")
    args.book_version = check_version(given[0])  # stricter than a file name: v + semantic version


def find_book(path: Path | None, content: Path | None) -> tuple[Path, Path]:
    """(content folder, project folder) for PATH or --content, the same for every command.

    PATH (default: the current folder) holding book.yaml is the content folder itself; holding content/book.yaml,
    its content/ is. `--content DIR` names the content folder, and the project is the current folder.
    """
    if path is not None and content is not None:
        raise UsageError(f"give either PATH or --content, not both: {path} is a book's folder, --content names "
                         "its content folder")
    if content is not None:
        return content, Path(".")
    folder = path if path is not None else Path(".")
    if (folder / CONFIG_NAME).is_file():
        return folder, folder
    if (folder / "content" / CONFIG_NAME).is_file():
        return folder / "content", folder
    raise UsageError(f"no {CONFIG_NAME} in {folder}/ or {folder / 'content'}/ ({program()} new PATH starts a book)")


def overrides(content: Path, project: Path) -> tuple[Path, ...]:
    """The folders a book overrides Octavo's templates and styles from: its content folder, then its project."""
    return (content,) if content.resolve() == project.resolve() else (content, project)


def _dispatch(args: argparse.Namespace, run: _Run) -> None:
    """Do what the command asks."""
    if args.command == "new":
        from octavo.commands.new import new_publication

        new_publication(args.path)
        return
    content, project = find_book(args.path, args.content)
    run.content = content
    if args.command == "release":
        _release(args, content, project)
        run.built = True
        return
    out = args.out or project / "dist"
    run.out = out
    if args.command == "watch":
        from octavo.model import BuildOptions
        from octavo.preview.watch import watch

        watch(BuildOptions(content=content, out=out, version=args.book_version,
                           overrides=overrides(content, project)), args.port)
        return
    if args.command == "check":
        from octavo.check import check_outputs

        run.editions = ("print", "screen", "epub")
        check_outputs(content, out, args.book_version, strict=args.strict)
        return
    targets = ("pdf", "epub") if args.target == "all" else (args.target,)
    run.editions = tuple(e for e in ("print", "screen", "epub")
                         if e in targets or (e != "epub" and "pdf" in targets))
    run.built = _build(args, content, project, out, targets)
    if args.check:
        from octavo.check import check_outputs

        check_outputs(content, out, args.book_version, strict=args.strict)


def _build(args: argparse.Namespace, content: Path, project: Path, out: Path, targets: tuple[str, ...]) -> bool:
    """Build the targets, unless the output folder already holds what this build would write (see manifest.py:
    decided from the inputs' bytes before any engine is imported)."""
    from octavo.manifest import forget, input_key, is_current, record
    from octavo.model import BuildOptions

    options = BuildOptions(content=content, out=out, targets=targets, version=args.book_version,
                           strict=args.strict, overrides=overrides(content, project))
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


def _release(args: argparse.Namespace, content: Path, project: Path) -> None:
    from octavo.commands.release import release

    out = args.out or project / "dist" / args.book_version
    files = release(content, out, args.book_version, strict=args.strict, overrides=overrides(content, project))
    log.info("release %s: %s", args.book_version, ", ".join(str(path) for path in files))
