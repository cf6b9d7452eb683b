"""argv -> an argparse Namespace: the subcommands and their help, and the command line before subcommands
(`python build.py epub`, `--version V`) mapped onto them."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from octavo import __version__
from octavo.program import program

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
    "diff": "compare two PDFs of the book: the pages that changed, where the pagination moved, a contact sheet",
    "import": "make an Octavo book of an mdBook or Quarto project (or a pandoc manuscript)",
}
#: What the first word could be before subcommands existed (`python build.py epub`, `python build.py check`).
LEGACY_WORDS = (*TARGETS, "check", "release", "new", "watch")
#: Options that take a value, so that the word after them is not the subcommand.
_VALUED = ("--content", "--out", "--port", "--book-version", "--to", "--site-url", "--against", "--sheet")

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
  {p} diff old.pdf new.pdf --out changes.png   what an edit did to the pages, side by side
  {p} check --against v1/book-print.pdf   check dist/, then what changed since v1 (dist/changes.png)
  {p} watch                    live preview at http://127.0.0.1:8000/ (Ctrl-C stops it)
  {p} -q / -v                  print only warnings and errors / print details, WeasyPrint's included

finding the book: PATH (or the current folder) holds book.yaml, or content/book.yaml;
  --content DIR names the content folder itself. Outputs go to dist/ beside it unless --out.

exit codes: 0 success, 1 content or configuration error, 2 usage error,
            3 an output failed validation or could not be written,
            4 Octavo's installation is incomplete or an engine is a version it does not know, 130 interrupted
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
    _against_options(sub)
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
    _against_options(sub)
    _verbosity(sub)


def _release_parser(sub: argparse.ArgumentParser, prog: str) -> None:
    sub.add_argument("version", nargs="?", metavar="VERSION", help="'v' and a semantic version: v1.2.0, v2.0.0-rc.1")
    sub.add_argument("path", nargs="?", type=Path, metavar="PATH", help=_PATH_HELP)
    _book_options(sub, out_help="output folder (default: dist/VERSION beside the book)")
    sub.add_argument("--strict", action="store_true", help="treat every warning as an error")
    _verbosity(sub)
    sub.epilog = (f"example:\n  {prog} release v1.2.0   dist/v1.2.0/: print PDF, screen PDF, EPUB, SHA256SUMS\n"
                  "(set SOURCE_DATE_EPOCH to the tagged commit's time for a reproducible release)")


def _import_parser(sub: argparse.ArgumentParser, prog: str) -> None:
    sub.add_argument("format", choices=("mdbook", "quarto"), metavar="FORMAT",
                     help="mdbook (book.toml and src/SUMMARY.md) or quarto (_quarto.yml, or one pandoc .md file)")
    sub.add_argument("path", type=Path, metavar="PATH", help="the project's folder (or the pandoc manuscript)")
    sub.add_argument("--to", type=Path, metavar="DIR", help="the book folder to write (default: PATH/octavo/)")
    sub.add_argument("--site-url", metavar="URL",
                     help="mdbook: where the book is on the web; links that leave the book are made absolute there")
    _verbosity(sub)
    sub.epilog = (f"examples:\n  {prog} import mdbook ../my-mdbook --to book && {prog} build book\n"
                  f"  {prog} import quarto ../my-quarto-book --to book\n"
                  "importing again into the same folder replaces what the last import wrote (dist/ is kept)")


def _against_options(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--against", type=Path, metavar="OLD.pdf",
                     help="compare the print PDF in the output folder with OLD.pdf, as `diff` does")
    sub.add_argument("--sheet", type=Path, metavar="SHEET.png",
                     help="with --against: where to write the contact sheet (default: changes.png in the output "
                          "folder)")


def _diff_parser(sub: argparse.ArgumentParser, prog: str) -> None:
    sub.add_argument("old", type=Path, metavar="OLD.pdf", help="the PDF before the change")
    sub.add_argument("new", type=Path, metavar="NEW.pdf", help="the PDF after it")
    sub.add_argument("--out", type=Path, metavar="SHEET.png",
                     help="write a contact sheet of the changed pages (old left, new right) to this PNG")
    _verbosity(sub)
    sub.epilog = (f"example:\n  {prog} diff v1/book-print.pdf dist/book-print.pdf --out changes.png\n"
                  "pages are compared at 40 dpi; the pagination moved where a page first begins with other words")


_SUBCOMMANDS = {"build": _build_parser, "new": _new_parser, "watch": _watch_parser, "check": _check_parser,
                "release": _release_parser, "diff": _diff_parser,
                "import": _import_parser}


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
