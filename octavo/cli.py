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

from octavo.arguments import LEGACY_WORDS, TARGETS, parse_args
from octavo.errors import EXIT_INTERRUPTED, EXIT_OK, BuildError, ConfigError, OutputError, UsageError
from octavo.log import Tally, setup_console, tally
from octavo.messages import Message
from octavo.model import BuildOptions, Edition, Target, targets_for
from octavo.output import Commits, recover, unwritable
from octavo.paths import is_file_name_part
from octavo.program import program
from octavo.report import json_report, on_github_actions, workflow_commands

log = logging.getLogger("octavo")

#: config.CONFIG_NAME, which is not imported here: config loads YAML, and an up-to-date build must decide that
#: nothing changed before it loads anything heavy (tests/test_manifest.py).
CONFIG_NAME = "book.yaml"


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
        self.editions: tuple[Edition, ...] = ()
        """The outputs it is about: print, screen, epub."""
        self.stopped = False
        """Whether it ran until interrupted (watch), which it reported itself."""


def _main(args: argparse.Namespace, run: _Run) -> int:
    commits = Commits.done
    try:
        try:
            _check_usage(args)
            _dispatch(args, run)
        except OSError as exc:
            if run.out is None or not unwritable(exc, run.out):
                raise
            raise OutputError(f"cannot write the outputs into {run.out}/: {exc.strerror}; free some space or make "
                              "the folder writable (or choose another --out); the previous outputs are untouched",
                              ) from None
    except ConfigError as exc:
        for problem in exc.problems:
            log.error("%s", problem)
        return exc.exit_code
    except BuildError as exc:
        log.error("%s", exc)
        return exc.exit_code
    except KeyboardInterrupt:
        if Commits.done != commits:  # the signal came while the outputs were being put in place: they are
            log.error("interrupted after the new outputs were put in place in %s/; they are complete", run.out)
        else:
            log.error("interrupted; the previous outputs are untouched")
        return EXIT_INTERRUPTED
    return EXIT_INTERRUPTED if run.stopped else EXIT_OK


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
    if args.command == "diff":
        from octavo.commands.diff import diff

        diff(args.old, args.new, args.out)
        return
    if args.command == "import":
        from octavo.commands.importer import import_book

        import_book(args.format, args.path, args.to, args.site_url)
        return
    content, project = find_book(args.path, args.content)
    run.content = content
    if args.command == "release":
        _release(args, content, project, run)
        run.built = True
        return
    out = args.out or project / "dist"
    run.out = out
    recover(out)  # a build killed while putting its outputs in place: complete it first
    if args.command == "watch":
        from octavo.preview.watch import watch

        watch(BuildOptions(content=content, out=out, version=args.book_version,
                           overrides=overrides(content, project)), args.port)
        run.stopped = True  # only Ctrl-C or SIGTERM ends it: exit 130, as for an interrupted build
        return
    if args.command == "check":
        from octavo.check import check_outputs

        run.editions = tuple(Edition)
        _against(args, content, out)
        check_outputs(content, out, args.book_version, strict=args.strict)
        return
    targets = targets_for(args.target)
    wanted = BuildOptions(content=content, out=out, targets=targets)
    run.editions = (*wanted.editions, *((Edition.EPUB,) if wanted.epub else ()))
    run.built = _build(args, content, project, out, targets)
    _against(args, content, out)
    if args.check:
        from octavo.check import check_outputs

        check_outputs(content, out, args.book_version, strict=args.strict)


def _against(args: argparse.Namespace, content: Path, out: Path) -> None:
    """`--against OLD.pdf`: what changed between OLD and the print PDF in the output folder (commands/diff.py)."""
    if args.against is not None:
        from octavo.commands.diff import diff_against

        diff_against(args.against, content, out, args.book_version, args.sheet or out / "changes.png")


def _build(args: argparse.Namespace, content: Path, project: Path, out: Path, targets: tuple[Target, ...]) -> bool:
    """Build the targets, unless the output folder already holds what this build would write (see manifest.py:
    decided from the inputs' bytes before any engine is imported)."""
    from octavo.manifest import forget, inputs_of, is_current, key_of, record, unchanged_since

    options = BuildOptions(content=content, out=out, targets=targets, version=args.book_version,
                           strict=args.strict, overrides=overrides(content, project))
    inputs = inputs_of(options)
    key = key_of(inputs)
    if not args.force and is_current(out, key, strict=args.strict):
        log.info("up to date: nothing changed since the last build")
        return False
    from octavo.output import CHECKSUMS
    from octavo.pipeline import build

    forget(out)
    result = build(options, before_commit=lambda: unchanged_since(options, inputs))
    record(out, key, [*result.outputs, out / CHECKSUMS], result.warnings)
    return True


def _release(args: argparse.Namespace, content: Path, project: Path, run: _Run) -> None:
    from octavo.commands.release import release

    out = args.out or project / "dist" / args.book_version
    run.out = out
    recover(out)
    files = release(content, out, args.book_version, strict=args.strict, overrides=overrides(content, project))
    log.info("release %s: %s", args.book_version, ", ".join(str(path) for path in files))
