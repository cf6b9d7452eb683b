"""`python build.py release --version V`: the versioned files, their checksums, the version inside them,
and the same bytes when it runs again. The first publication (content/) is released for real, twice."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest
from lxml import etree

from octavo.commands.release import check_version, default_folder, release, release_names
from octavo.config import load_config
from octavo.content.markdown import read_book
from octavo.pipeline import source_date_epoch
from octavo.render import make_environment, render_print_html
from octavo.resources import TEMPLATES

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
SLUG = "un-peacekeeping-diplomacy"
#: A tag as a maintainer would push it (a pre-release, to exercise the whole version grammar).
VERSION = "v9.8.7-rc.1"
#: The tagged commit's time: 2026-01-01T00:00:00Z.
EPOCH = "1767225600"
PRINT, SCREEN, EPUB = f"{SLUG}-{VERSION}-print.pdf", f"{SLUG}-{VERSION}.pdf", f"{SLUG}-{VERSION}.epub"
OPF = "{http://www.idpf.org/2007/opf}"


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """build.py as a person runs it, from the project folder."""
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, env={**os.environ, **(env or {})}, check=False)



@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """The release command, run as the release workflow runs it."""
    folder = tmp_path_factory.mktemp("release") / "first"
    result = run("release", "--version", VERSION, "--out", str(folder), "--strict", env={"SOURCE_DATE_EPOCH": EPOCH})
    assert result.returncode == 0, result.stderr
    return folder, result


@pytest.fixture(scope="module")
def released_again(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    """The same release a second time, through release() itself, into another folder."""
    folder = tmp_path_factory.mktemp("release") / "second"
    with source_date_epoch(dt.datetime.fromtimestamp(int(EPOCH), dt.timezone.utc)):
        return folder, release(CONTENT, folder, VERSION)


@pytest.mark.slow
def test_the_release_folder_holds_exactly_the_four_versioned_files(released: tuple[Path, object]) -> None:
    folder, _ = released
    assert sorted(p.name for p in folder.iterdir()) == sorted([PRINT, SCREEN, EPUB, "SHA256SUMS"])


@pytest.mark.slow
def test_release_returns_the_files_it_wrote_in_release_order(released_again: tuple[Path, list[Path]]) -> None:
    folder, files = released_again
    assert files == [folder / PRINT, folder / SCREEN, folder / EPUB, folder / "SHA256SUMS"]
    assert sorted(folder.iterdir()) == sorted(files)
    assert release_names(SLUG, VERSION) == (PRINT, SCREEN, EPUB, "SHA256SUMS")


@pytest.mark.slow
def test_the_release_command_reports_its_files(released: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    folder, result = released
    lines = result.stderr.splitlines()
    assert "checked 3 file(s) in " + str(folder) + "/: 0 failure(s), 0 warning(s)" in lines
    assert f"release {VERSION}: {folder / PRINT}, {folder / SCREEN}, {folder / EPUB}, {folder / 'SHA256SUMS'}" in lines
    assert not [line for line in lines if line.startswith(("warning:", "error:"))]


@pytest.mark.slow
def test_sha256sum_accepts_the_checksums_of_the_three_books(released: tuple[Path, object]) -> None:
    folder, _ = released
    result = subprocess.run(["sha256sum", "--strict", "-c", "SHA256SUMS"], cwd=folder, capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == [f"{PRINT}: OK", f"{SCREEN}: OK", f"{EPUB}: OK"]


@pytest.mark.slow
def test_check_finds_the_versioned_files_when_given_the_version(released: tuple[Path, object],
                                                                tmp_path: Path) -> None:
    folder, _ = released
    (tmp_path / SCREEN).write_bytes((folder / SCREEN).read_bytes())  # a PDF alone: preflight, no epubcheck to wait for
    result = run("check", "--version", VERSION, "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == f"checked 1 file(s) in {tmp_path}/: 0 failure(s), 0 warning(s)"
    assert run("check", "--out", str(tmp_path)).stderr.strip() == (
        f"error: nothing to check in {tmp_path}/: build first (python build.py)")


def page_texts(path: Path) -> list[str]:
    """The text of every page, whitespace folded, as a reader's PDF viewer extracts it."""
    pdf = pdfium.PdfDocument(path)
    try:
        return [re.sub(r"\s+", " ", page.get_textpage().get_text_range()) for page in pdf]
    finally:
        pdf.close()


@pytest.mark.slow
@pytest.mark.parametrize("name", [PRINT, SCREEN])
def test_the_version_is_on_the_copyright_page_and_in_the_pdf_metadata(released: tuple[Path, object],
                                                                    name: str) -> None:
    folder, _ = released
    copyright_page = page_texts(folder / name)[3]
    assert f"First edition, version {VERSION}, 2026-11-25" in copyright_page
    with pikepdf.open(folder / name) as pdf:
        assert str(pdf.docinfo["/version"]) == VERSION
        assert str(pdf.docinfo["/CreationDate"]) == str(pdf.docinfo["/ModDate"]) == "D:20260101000000Z"


@pytest.mark.slow
def test_the_version_is_in_the_epub_metadata_and_on_its_copyright_page(released: tuple[Path, object]) -> None:
    folder, _ = released
    with zipfile.ZipFile(folder / EPUB) as epub:
        opf = etree.fromstring(epub.read("EPUB/content.opf"))
        copyright_page = epub.read("EPUB/text/copyright.xhtml").decode()
    metas = {m.get("property"): m.text for m in opf.iter(f"{OPF}meta") if m.get("property")}
    assert metas["schema:version"] == VERSION
    assert metas["dcterms:modified"] == "2026-01-01T00:00:00Z"
    assert f'<p class="edition">First edition, version {VERSION}, 2026-11-25</p>' in copyright_page


def test_without_a_version_the_pdf_metadata_carries_the_edition() -> None:
    meta = load_config(CONTENT, CONTENT)
    book = read_book(meta, CONTENT, CONTENT)
    html = render_print_html(book, make_environment(TEMPLATES), "screen",
                             dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc), "Octavo")
    assert '<meta name="version" content="First edition">' in html


def _same_but_document_ids(data: bytes) -> bytes:
    """The print PDF with its XMP DocumentID and the content half of its trailer /ID blanked."""
    data = re.sub(rb"xmp\.did:[0-9a-f-]{36}", b"xmp.did:" + b"0" * 36, data)
    return re.sub(rb"(/ID \[\([^)]*\) \()[0-9a-f]{32}\)", rb"\g<1>" + b"0" * 32 + b")", data)


@pytest.mark.slow
def test_running_the_release_twice_gives_identical_files(released: tuple[Path, object],
                                                         released_again: tuple[Path, list[Path]]) -> None:
    first, second = released[0], released_again[0]
    for name in (SCREEN, EPUB):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    # Everything in the print PDF that this project writes is stable; the DocumentID is checked below.
    assert _same_but_document_ids((first / PRINT).read_bytes()) == _same_but_document_ids((second / PRINT).read_bytes())
    sums = [(first / "SHA256SUMS").read_text().splitlines(), (second / "SHA256SUMS").read_text().splitlines()]
    assert sums[0][1:] == sums[1][1:]


@pytest.mark.slow
def test_the_print_pdf_and_the_checksums_are_byte_identical_across_releases(
        released: tuple[Path, object], released_again: tuple[Path, list[Path]]) -> None:
    first, second = released[0], released_again[0]
    assert (first / PRINT).read_bytes() == (second / PRINT).read_bytes()
    assert (first / "SHA256SUMS").read_bytes() == (second / "SHA256SUMS").read_bytes()


@pytest.mark.parametrize("version", ["v1.2.0", "v0.1.0", "v10.20.30", "v1.2.0-rc.1", "v1.0.0-alpha.beta.7"])
def test_tag_versions_are_accepted(version: str) -> None:
    assert check_version(version) == version


@pytest.mark.parametrize("version", ["1.2.0", "v1.2", "V1.2.0", "v01.2.0", "v1.2.0+build.5", "v1.2.0-", "v1.2.0 ",
                                     "v1.2.0/../x"])
def test_other_versions_are_refused_before_building(version: str, tmp_path: Path) -> None:
    result = run("release", "--version", version, "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert result.stderr.strip() == (f"error: release version '{version}' is not 'v' followed by a semantic version "
                                     "(for example v1.2.0 or v1.2.0-rc.1); tag releases that way")
    assert not (tmp_path / "out").exists()


def test_release_without_a_version_is_a_usage_error(tmp_path: Path) -> None:
    result = run("release", "--out", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.strip() == "error: release needs the version it publishes: python build.py release v1.2.0"


def test_release_refuses_a_folder_holding_other_files(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    (tmp_path / f"{SLUG}.pdf").write_text("an unversioned build")
    (tmp_path / ".gitkeep").write_text("")
    result = run("release", "--version", "v1.2.0", "--out", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.strip() == (f"error: {tmp_path}/ holds files that are not part of release v1.2.0 "
                                     f"(notes.txt, {SLUG}.pdf); empty it or choose another folder with --out")
    assert sorted(p.name for p in tmp_path.iterdir()) == [".gitkeep", "notes.txt", f"{SLUG}.pdf"]


def test_release_writes_to_dist_slash_version_by_default() -> None:
    assert default_folder("v1.2.0") == Path("dist") / "v1.2.0"
