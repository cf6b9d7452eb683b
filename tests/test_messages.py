"""Every warning and error in the package has a stable code (octavo/messages.py), read from the source itself."""

from __future__ import annotations

import ast
import logging
import re
from pathlib import Path

import pytest

from octavo import errors
from octavo.messages import ERROR_CODES, LOG_CODES, Message, error_code, log_code, message_from_record, registered_code

PACKAGE = Path(__file__).resolve().parent.parent / "octavo"
#: Where a message has a part that varies.
VARIES = "{}"
#: A %-format specifier in a log call's format string.
_SPECIFIER = re.compile(r"%[-#0 +]*\d*(?:\.\d+)?[sdifr]")
#: What a log message may have in front: the file and line it points at (messages.split_where takes it off).
_WHERE = re.compile(r"^\{\}(?::\{\})?: ")


def _text(node: ast.expr) -> str:
    """The constant parts of a message, with {} for each part that varies."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else VARIES for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _text(node.left) + _text(node.right)
    return VARIES


def _messages() -> list[tuple[str, str, str]]:
    """(kind, message, where) for each log.warning/log.error (and sanitize's `say`), each BuildError raised or
    made, and each book.yaml problem added; kind is 'log' or the error class's name."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            owner = func.value.id if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) else ""
            where = f"{path.relative_to(PACKAGE.parent)}:{node.lineno}"
            if (owner == "log" and name in ("warning", "error")) or name == "say":
                found.append(("log", _SPECIFIER.sub(VARIES, _text(node.args[0])), where))
            elif isinstance(getattr(errors, name, None), type) and issubclass(getattr(errors, name), errors.BuildError):
                found.append((name, _text(node.args[0]), where))
            elif owner == "problems" and name == "add" and len(node.args) == 2:
                found.append(("BuildError", _text(node.args[1]), where))
    return found


MESSAGES = _messages()


def test_the_scan_finds_the_messages() -> None:
    kinds = {kind for kind, _, _ in MESSAGES}
    assert {"log", "BuildError", "ContentError", "UsageError", "OutputError", "TemplateError", "FontError"} <= kinds
    assert len(MESSAGES) > 80


@pytest.mark.parametrize(("kind", "text", "where"), [m for m in MESSAGES if m[1] != VARIES],
                         ids=[m[2] for m in MESSAGES if m[1] != VARIES])
def test_every_message_has_a_code(kind: str, text: str, where: str) -> None:
    """A message that varies whole ('%s', a ConfigError's list) relays one made elsewhere, which is checked there."""
    if kind == "log":
        assert log_code(_WHERE.sub("", text)) is not None, f"{where}: no code in messages.LOG_CODES for {text!r}"
    elif kind != "ConfigError":
        error = getattr(errors, kind)(text)
        assert registered_code(error) is not None, f"{where}: no code in messages.ERROR_CODES for {kind}({text!r})"


def test_a_message_without_a_code_gets_its_class_or_logger() -> None:
    assert error_code(errors.ContentError("something new")) == "content-error"
    assert error_code(errors.FontError("character 'M' cannot be drawn")) == "font-missing-character"
    record = logging.LogRecord("octavo", logging.WARNING, __file__, 1, "%s:%d: something new", ("a.md", 3), None)
    assert message_from_record(record) == Message("warning", "octavo", "something new", "a.md", 3)


def test_codes_are_short_kebab_case_names() -> None:
    codes = [code for _, code in LOG_CODES] + [code for _, _, code in ERROR_CODES]
    assert [code for code in codes if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", code) or len(code) > 32] == []


def test_a_logged_error_keeps_its_code_file_and_line() -> None:
    error = errors.ContentError("image 'map.png' not found (paths are relative to the publication folder)",
                                "content/02.md", 14)
    record = logging.LogRecord("octavo", logging.ERROR, __file__, 1, "%s", (error,), None)
    assert message_from_record(record) == Message("error", "image-not-found", error.message, "content/02.md", 14)
    weasy = logging.LogRecord("weasyprint", logging.WARNING, __file__, 1, "Ignored `x: y` at 1:2, %s", ("bad",),
                              None)
    assert message_from_record(weasy) == Message("warning", "weasyprint", "Ignored `x: y` at 1:2, bad")
