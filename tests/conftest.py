"""Shared fixtures: the first publication and the fixture book, each built once per session."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from octavo.config import load_config
from octavo.model import BuildOptions
from octavo.output import output_names
from octavo.pipeline import BuildResult, build

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
FIXTURE_BOOK = FIXTURES / "book"
#: A fixed build date, so outputs do not depend on file times.
EPOCH = "1767225600"  # 2026-01-01T00:00:00Z
#: Set to 1 to rewrite the golden files from what the code makes now (then review the diff before committing).
REGENERATE = "OCTAVO_REGENERATE"


def assert_matches_golden(actual: str, golden: Path) -> None:
    """`actual` equals the golden file; a missing golden file fails (it is written only with OCTAVO_REGENERATE=1)."""
    if os.environ.get(REGENERATE) == "1":
        golden.write_text(actual, encoding="utf-8")
    if not golden.is_file():
        shown = golden.relative_to(ROOT) if golden.is_relative_to(ROOT) else golden
        test = os.environ.get("PYTEST_CURRENT_TEST", "tests/").split("::")[0]
        pytest.fail(f"golden file {shown} is missing: run {REGENERATE}=1 pytest {test} and review what it wrote",
                    pytrace=False)
    assert actual == golden.read_text(encoding="utf-8")


@dataclass(frozen=True)
class Built:
    """A publication built into a temporary folder."""

    content: Path
    out: Path
    result: BuildResult

    def path(self, kind: str) -> Path:
        meta = load_config(self.content, self.content)
        return self.out / output_names(meta.slug)[kind]


def build_into(content: Path, out: Path, targets: tuple[str, ...] = ("pdf", "epub")) -> Built:
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    try:
        result = build(BuildOptions(content=content, out=out, targets=targets))
    finally:
        if previous is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous
    return Built(content, out, result)


def write_book(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write files (text or bytes) under root, creating folders; return root."""
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    return root


def png(size: tuple[int, int] = (8, 8)) -> bytes:
    """A real, small grey PNG."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("L", size, 128).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture(scope="session")
def seed_book(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """content/ (the first publication), fully built."""
    return build_into(CONTENT, tmp_path_factory.mktemp("seed"))


@pytest.fixture(scope="session")
def fixture_book(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """tests/fixtures/book (notes, table, image, KDP profile, A5), fully built."""
    return build_into(FIXTURE_BOOK, tmp_path_factory.mktemp("fixture"))


def pytest_assertrepr_compare(op: str, left: object, right: object) -> list[str] | None:
    """Two files' bytes that differ: their lengths and where, not pytest's own diff, which on two PDFs ran for
    more than ten minutes in CI (difflib over every byte) before it said anything."""
    if op != "==" or not isinstance(left, bytes) or not isinstance(right, bytes):
        return None
    at = next((i for i, (a, b) in enumerate(zip(left, right, strict=False)) if a != b), min(len(left), len(right)))
    return [f"bytes differ: {len(left)} and {len(right)} bytes, first at offset {at}",
            f"left:  {left[max(0, at - 40):at + 40]!r}", f"right: {right[max(0, at - 40):at + 40]!r}"]
