"""content/book.yaml -> BookMeta: defaults, derived values, and every problem reported at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from octavo.config import load_config, parse_trim
from octavo.errors import ConfigError

from .conftest import CONTENT


def write(tmp_path: Path, yaml_text: str, chapters: tuple[str, ...] = ("01-a.md",)) -> Path:
    (tmp_path / "book.yaml").write_text(yaml_text, encoding="utf-8")
    for name in chapters:
        (tmp_path / name).write_text("# A\n\nText.\n", encoding="utf-8")
    return tmp_path


def test_first_publication_metadata() -> None:
    meta = load_config(CONTENT, Path("content"))
    assert meta.title == "The Role of UN Peacekeeping in Shaping International Diplomacy"
    assert meta.language == "en" and meta.slug == "un-peacekeeping-diplomacy"
    assert [p.name for p in meta.chapters][:2] == ["00-introduction.md", "01-evolution.md"]
    assert len(meta.chapters) == 10
    assert (meta.print.trim_width, meta.print.trim_height, meta.print.bleed) == (432.0, 648.0, 9.0)


def test_identifier_is_derived_deterministically(tmp_path: Path) -> None:
    root = write(tmp_path, "title: T\nauthors: [A]\nlanguage: en\n")
    first = load_config(root).identifier
    assert first.startswith("urn:uuid:") and first == load_config(root).identifier


def test_chapters_default_to_markdown_files_sorted_by_name(tmp_path: Path) -> None:
    root = write(tmp_path, "title: T\nauthors: [A]\nlanguage: en\n", ("02-b.md", "01-a.md", "10-c.md"))
    assert [p.name for p in load_config(root).chapters] == ["01-a.md", "02-b.md", "10-c.md"]


def test_every_problem_is_reported_with_its_line(tmp_path: Path) -> None:
    root = write(tmp_path, "title: T\nautor: [A]\nlanguage: english!\nprint:\n  trim: huge\n")
    with pytest.raises(ConfigError) as error:
        load_config(root, Path("book"))
    assert [str(p) for p in error.value.problems] == [
        "book/book.yaml:2: unknown key 'autor' (did you mean 'authors'?)",
        "book/book.yaml: 'authors' is required (for example authors: [\"Ada Lovelace\"])",
        "book/book.yaml:3: 'language' is not a BCP 47 language tag: 'english!' (for example en, en-GB, fr, pt-BR)",
        "book/book.yaml:5: 'print.trim' cannot be read: 'huge' (use a name such as A5 or letter, "
        "or a size such as 6in 9in or 148mm 210mm)",
    ]


@pytest.mark.parametrize(("text", "points"), [
    ("6in 9in", (432.0, 648.0)), ("6 x 9 in", (432.0, 648.0)), ("A5", (419.53, 595.28)),
    ("letter", (612.0, 792.0)), ("148mm 210mm", pytest.approx((419.53, 595.28), abs=0.01)),
])
def test_trim_sizes(text: str, points: tuple[float, float]) -> None:
    assert parse_trim(text) == points
