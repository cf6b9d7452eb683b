"""What a command did -> one JSON report (--json, on stdout) and GitHub workflow annotations (on stderr)."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from octavo import __version__
from octavo.messages import Message
from octavo.model import Edition

#: The report's shape; a change that removes or renames a field raises it.
SCHEMA_VERSION = 1


def json_report(command: str, exit_code: int, messages: Sequence[Message], content: Path | None, out: Path | None,
                editions: Iterable[Edition], version: str | None = None) -> str:
    """The report as one line of JSON: the outputs present for `editions`, every warning and error."""
    report: dict[str, Any] = {
        "octavo": __version__,
        "schema": SCHEMA_VERSION,
        "command": command,
        "ok": exit_code == 0,
        "exit_code": exit_code,
        "outputs": outputs(content, out, tuple(editions), version),
        "messages": [{"level": m.level, "code": m.code, "file": m.file, "line": m.line, "message": m.message}
                     for m in messages],
    }
    return json.dumps(report, ensure_ascii=False)


def outputs(content: Path | None, out: Path | None, editions: tuple[Edition, ...],
            version: str | None) -> list[dict[str, Any]]:
    """{path, edition, pages (PDFs only), sha256} of each output of `editions` found in `out`."""
    if content is None or out is None or not editions:
        return []
    from octavo.config import load_config
    from octavo.errors import BuildError
    from octavo.output import output_names

    try:
        names = output_names(load_config(content.resolve(), content, version).slug, version)
    except BuildError:
        return []
    found = []
    for edition in editions:
        path = out / names[edition]
        if path.is_file():
            entry: dict[str, Any] = {"path": str(path), "edition": edition.value}
            if edition is not Edition.EPUB:
                entry["pages"] = _pages(path)
            entry["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
            found.append(entry)
    return found


def _pages(path: Path) -> int | None:
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(path)
    except pdfium.PdfiumError:
        return None
    try:
        return len(document)
    finally:
        document.close()


def on_github_actions() -> bool:
    """Whether this runs as a GitHub Actions step (GitHub sets GITHUB_ACTIONS=true)."""
    return os.environ.get("GITHUB_ACTIONS") == "true"


def workflow_commands(messages: Iterable[Message]) -> list[str]:
    """`::warning file=content/01.md,line=14,title=heading-level-skip::...`, one per message.

    GitHub reads these workflow commands from a step's stdout and stderr alike; Octavo writes them to stderr,
    so that stdout holds only the --json report.
    """
    lines = []
    for message in messages:
        properties = [f"file={_property(_repository_path(message.file))}"] if message.file else []
        if message.file and message.line:
            properties.append(f"line={message.line}")
        properties.append(f"title={_property(message.code)}")
        lines.append(f"::{message.level} {','.join(properties)}::{_data(message.message)}")
    return lines


def _repository_path(file: str) -> str:
    """GitHub resolves an annotation's file from the repository's root, the step's working folder."""
    path = Path(file)
    if path.is_absolute():
        try:
            return path.relative_to(Path.cwd()).as_posix()
        except ValueError:
            return file
    return path.as_posix()


def _data(text: str) -> str:
    """Escape a workflow command's message as GitHub's toolkit does (escapeData)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    """Escape a workflow command's property value as GitHub's toolkit does (escapeProperty)."""
    return _data(text).replace(":", "%3A").replace(",", "%2C")
