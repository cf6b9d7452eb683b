"""One exception family: every failure a user can cause, with its exit code."""

from __future__ import annotations

import unicodedata
from pathlib import Path

#: Exit codes, documented in the README ("When things go wrong").
EXIT_OK = 0
EXIT_INPUT = 1  # content, configuration, template or font problem
EXIT_USAGE = 2  # bad command line
EXIT_OUTPUT = 3  # an output failed validation or could not be written
EXIT_INSTALLATION = 4  # Octavo's installation is incomplete, or an engine is a version Octavo was not made for
EXIT_INTERRUPTED = 130  # Ctrl-C or SIGTERM (128 + SIGINT, the shell's convention); outputs left as they were


def printable(text: object) -> str:
    """`text` with every control or format character escaped (\\n, \\x1b, \\u202e): a file name that holds a
    line end or a terminal escape sequence is shown as it is spelled, on one line, and never obeyed. Every
    message names files through this (BuildError, and the warnings' file names)."""
    shown = str(text)
    if shown.isprintable():
        return shown
    return "".join(char.encode("unicode_escape").decode("ascii") if not char.isprintable() and char != " "
                   and unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn") else char
                   for char in shown)


class BuildError(Exception):
    """A problem the user can fix; `cli.main` prints it and exits with `exit_code`."""

    exit_code = EXIT_INPUT

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = f"{self.path}:"
            if self.line is not None:
                where += f"{self.line}:"
            where += " "
        return printable(f"{where}{self.message}")


class ConfigError(BuildError):
    """content/book.yaml is missing, malformed or invalid; carries every problem found."""

    def __init__(self, problems: list[BuildError]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


class ContentError(BuildError):
    """A Markdown chapter or a file it references is wrong."""


class ContentProblems(ConfigError):
    """Every problem of one kind found in the chapters (front matter, links), collected before failing and
    printed one per line, as book.yaml's problems are."""


class TemplateError(BuildError):
    """A Jinja template has a syntax error or uses an undefined variable."""


class FontError(BuildError):
    """Text contains a character that no committed font can draw."""


class UsageError(BuildError):
    """The command line asks for something that does not exist."""

    exit_code = EXIT_USAGE


class OutputError(BuildError):
    """An output could not be written, or failed validation."""

    exit_code = EXIT_OUTPUT


class InstallationError(BuildError):
    """Octavo's own files are missing, or an installed engine is a version the code was not written for:
    nothing in the book can fix it; reinstalling from the lock file does."""

    exit_code = EXIT_INSTALLATION
