"""book.yaml `bibliography:` files (BibTeX/BibLaTeX, CSL-JSON, CSL-YAML) -> the keys they define, each file checked."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

from octavo.errors import BuildError, ContentError, ContentProblems
from octavo.scholarly.pandoc import run_pandoc
from octavo.source import read_source
from octavo.yamlsafe import YamlProblem, load_yaml

log = logging.getLogger("octavo")

#: A bibliography file's ending -> pandoc's name for its format (the one pandoc picks by the same ending).
FORMATS = {".bib": "biblatex", ".bibtex": "bibtex", ".json": "csljson", ".yaml": "yaml", ".yml": "yaml"}
#: pandoc's message for a BibTeX file it cannot read: 'Error at "x.bib" (line 10, column 1):\nunexpected ...'.
_PANDOC_PLACE = re.compile(r'line (\d+), column \d+\):\s*(.*)', re.S)


def read_keys(files: tuple[Path, ...], shown: dict[Path, str]) -> dict[str, Path]:
    """Every citation key of the bibliography files -> the file that defines it (the last, when two do: a
    warning).
    A file that does not parse is an error naming its line; every file is read before failing."""
    keys: dict[str, Path] = {}
    problems: list[BuildError] = []
    for path in files:
        try:
            found = _keys_of(path, shown.get(path, str(path)))
        except ContentError as exc:
            problems.append(exc)
            continue
        for key in found:
            if key in keys:
                first = shown.get(keys[key], str(keys[key]))
                log.warning("%s: citation key '%s' is defined twice (first in %s): the later entry is used, as "
                            "pandoc does; remove one", shown.get(path, str(path)), key, first)
            keys[key] = path
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise ContentProblems(problems)
    return keys


def _keys_of(path: Path, shown: str) -> list[str]:
    kind = FORMATS[path.suffix.lower()]
    if kind in ("biblatex", "bibtex"):
        return _bibtex_keys(path, shown, kind)
    text = read_source(path, shown)
    if kind == "csljson":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ContentError(f"the bibliography is not valid CSL-JSON: {exc.msg}", shown, exc.lineno) from None
        return _ids(data, shown, "a JSON list of entries, each with an \"id\"")
    try:
        data, _ = load_yaml(text)
    except YamlProblem as exc:
        raise ContentError(f"the bibliography is not valid CSL-YAML: {exc.message}", shown, exc.line) from None
    if isinstance(data, dict) and "references" in data:
        data = data["references"]
    return _ids(data, shown, "a YAML list of entries (or 'references:' with one), each with an 'id'")


def _ids(data: Any, shown: str, expected: str) -> list[str]:
    if not isinstance(data, list) or not all(isinstance(item, dict) and "id" in item for item in data):
        raise ContentError(f"the bibliography must be {expected}", shown, 1)
    return [str(item["id"]) for item in data]


def _bibtex_keys(path: Path, shown: str, kind: str) -> list[str]:
    """pandoc reads the file as it will when it formats the entries: its error is the one to report."""
    read_source(path, shown)  # UTF-8 and no control characters, as every source file
    code, out, err = run_pandoc(["--from", kind, "--to", "csljson", str(path)])
    if code != 0:
        place = _PANDOC_PLACE.search(err)
        # Its first line: the next ones repeat the source line with a caret under the place.
        reason = (place.group(2).strip().splitlines() or [""])[0] if place else " ".join(err.split())
        raise ContentError(f"the bibliography does not parse: {reason}", shown,
                           int(place.group(1)) if place else None)
    return [str(item["id"]) for item in json.loads(out or "[]")]
