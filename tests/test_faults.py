"""Faults around a build, through the real command line: a full or read-only output folder, kill -9 and SIGTERM
at the moment the outputs are put in place, inputs edited while a build runs, helper processes of a killed
build, special files and links in the book, and what the preview server answers."""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import EPOCH, ROOT, png, write_book

BASE_YAML = "title: T\nauthors: [A]\nlanguage: en\n"
ONE = "# One\n\nText of the first build.\n\n![A grey square](images/pic.png)\n"
OLD_OUTPUTS = {"t.pdf": b"old screen", "t-print.pdf": b"old print", "t.epub": b"old epub",
               "SHA256SUMS": b"old sums\n"}
ENV = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "PYTHONPATH": str(ROOT)}


@pytest.fixture()
def book(tmp_path: Path) -> Path:
    """tmp/book: one chapter with a picture, and a private note no build uses."""
    return write_book(tmp_path / "book", {"book.yaml": BASE_YAML, "01-one.md": ONE, "images/pic.png": png(),
                                          "images/unused.png": png((4, 4)), "private-notes.txt": "secret\n"})


def octavo(*args: str | Path, cwd: Path, env: dict[str, str] | None = None,
           timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, env=env or ENV, timeout=timeout)


def start(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, str(ROOT / "build.py"), *map(str, args)], cwd=cwd,
                            stderr=subprocess.PIPE, text=True, env=env or ENV)


def visible(folder: Path) -> dict[str, bytes]:
    """The outputs a reader sees (not the hidden manifest, which a failed build removes)."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.name != ".octavo-build.json"}


def sums_match(folder: Path) -> bool:
    """Every line of SHA256SUMS matches its file: no old file beside new ones."""
    lines = (folder / "SHA256SUMS").read_text().splitlines()
    return bool(lines) and all(hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest
                               for digest, name in (line.split("  ") for line in lines))


def wait_for(condition: object, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@contextlib.contextmanager
def tmpfs(where: Path, size: str = "1m") -> Iterator[Path]:
    """A small tmpfs mounted at `where` (tests run as root in CI); skipped where mounting is not allowed."""
    where.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({mounted.stderr.strip()}): the full and read-only folder cases "
                    "need one")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


# Tracebacks instead of messages

def test_a_read_only_output_folder_is_a_message(book: Path, tmp_path: Path) -> None:
    with tmpfs(tmp_path / "dist") as out:
        write_book(out, OLD_OUTPUTS)
        (out / ".octavo-build.json").write_text("{}")
        subprocess.run(["mount", "-o", "remount,ro", str(out)], check=True)
        result = octavo("epub", "--content", "book", "--out", "dist", "-q", cwd=tmp_path)
        assert result.stderr.splitlines() == [
            "error: cannot write the outputs into dist/: Read-only file system; free some space or make the folder "
            "writable (or choose another --out); the previous outputs are untouched"]
        assert result.returncode == 3
        assert visible(out) == OLD_OUTPUTS


def test_a_full_disk_is_a_message(book: Path, tmp_path: Path) -> None:
    with tmpfs(tmp_path / "dist", size="96k") as out:
        write_book(out, OLD_OUTPUTS)
        result = octavo("all", "--content", "book", "--out", "dist", "-q", cwd=tmp_path)
        assert result.stderr.splitlines() == [
            "error: cannot write the outputs into dist/: No space left on device; free some space or make the "
            "folder writable (or choose another --out); the previous outputs are untouched"]
        assert result.returncode == 3
        assert visible(out) == OLD_OUTPUTS  # nothing half-written either: no .part file left


def test_sigterm_at_once_is_handled(book: Path, tmp_path: Path) -> None:
    """A SIGTERM in the first tenth of a second, while Python still imports the command line."""
    write_book(tmp_path / "dist", OLD_OUTPUTS)
    process = start("--content", "book", "--out", "dist", cwd=tmp_path)
    time.sleep(0.1)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    # On a loaded machine the signal can come before the interpreter runs a line of ours (the default action
    # ends the process, -15): nothing can be handled then, and the outputs must still be untouched.
    assert process.returncode in (130, -signal.SIGTERM), err
    if process.returncode == 130:
        assert err.splitlines()[-1] == "error: interrupted; the previous outputs are untouched"
    assert visible(tmp_path / "dist") == OLD_OUTPUTS


# Half-written or mixed outputs

def _first_build(book: Path, tmp_path: Path) -> dict[str, bytes]:
    assert octavo("epub", "--content", "book", "--out", "dist", "-q", cwd=tmp_path).returncode == 0
    (book / "01-one.md").write_text(ONE.replace("first", "second"))
    return visible(tmp_path / "dist")


@pytest.mark.slow
def test_kill_9_between_the_renames_is_completed_by_the_next_run(book: Path, tmp_path: Path) -> None:
    old = _first_build(book, tmp_path)
    out = tmp_path / "dist"
    (out / ".t.epub.stale123.part").write_bytes(b"left by a build killed long ago")
    killed = octavo("epub", "--content", "book", "--out", "dist", "-q", cwd=tmp_path,
                    env={**ENV, "OCTAVO_TEST_COMMIT": "kill"})
    assert killed.returncode == -signal.SIGKILL
    assert (out / ".octavo-commit.json").is_file()
    assert (out / "t.epub").read_bytes() != old["t.epub"] and not sums_match(out)  # the mix it leaves
    checked = octavo("check", "--content", "book", "--out", "dist", cwd=tmp_path)
    assert checked.stderr.splitlines()[0] == (
        "warning: dist: a build was stopped while putting its outputs in place; completed it")
    assert sorted(p.name for p in out.iterdir()) == ["SHA256SUMS", "t.epub"]  # journal and stale .part gone
    assert sums_match(out) and (out / "t.epub").read_bytes() != old["t.epub"]


@pytest.mark.slow
def test_sigterm_between_the_renames_says_the_new_outputs_are_in_place(book: Path, tmp_path: Path) -> None:
    old = _first_build(book, tmp_path)
    out = tmp_path / "dist"
    process = start("epub", "--content", "book", "--out", "dist", "-q", cwd=tmp_path,
                    env={**ENV, "OCTAVO_TEST_COMMIT": "pause"})
    assert process.stderr is not None
    assert process.stderr.readline() == "commit paused\n"
    process.send_signal(signal.SIGTERM)
    _, rest = process.communicate(timeout=60)
    assert process.returncode == 130
    assert rest.splitlines() == ["error: interrupted after the new outputs were put in place in dist/; they are "
                                 "complete"]
    assert sums_match(out) and (out / "t.epub").read_bytes() != old["t.epub"]
    assert not (out / ".octavo-commit.json").exists()


@pytest.mark.parametrize("edit", ["the image", "a chapter"])
def test_an_input_edited_while_building_fails_the_build(book: Path, tmp_path: Path, edit: str) -> None:
    """The PDFs would hold the old picture and the EPUB the new one: the build notices and keeps the old outputs."""
    out = write_book(tmp_path / "dist", OLD_OUTPUTS)
    process = start("all", "--content", "book", "--out", "dist", "-q", cwd=tmp_path)
    wait_for(lambda: list(out.glob(".t-print.pdf.*.part")))  # the book has been read; it is being laid out
    name = "images/pic.png" if edit == "the image" else "01-one.md"
    if edit == "the image":
        (book / name).write_bytes(png((16, 16)))
    else:
        (book / name).write_text(ONE.replace("first", "edited"))
    _, err = process.communicate(timeout=300)
    assert err.splitlines() == [f"error: book/{name}: changed while the book was being built, so the outputs could "
                                "mix the old and the new version; the previous outputs are kept: build again"]
    assert process.returncode == 1
    assert visible(out) == OLD_OUTPUTS
    again = octavo("epub", "--content", "book", "--out", "dist", cwd=tmp_path)
    assert again.returncode == 0 and "up to date" not in again.stderr


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == pid:
                    found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux") or (os.cpu_count() or 1) < 2,
                    reason="the cover is drawn in a forked process only on a machine with two cores")
def test_the_cover_process_dies_with_a_killed_build(book: Path, tmp_path: Path) -> None:
    process = start("epub", "--content", "book", "--out", "dist", cwd=tmp_path)
    deadline = time.monotonic() + 60
    while not (children := _children(process.pid)):
        assert time.monotonic() < deadline and process.poll() is None, "no cover process was started"
        time.sleep(0.01)
    process.kill()
    process.wait()
    time.sleep(2)
    alive = [child for child in children if _alive(child)]
    names = [Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ")[:200] for child in alive]
    for child in alive:
        os.kill(child, signal.SIGKILL)
    assert not alive, names


# Reading what it must not

def test_special_files_and_links_out_of_the_book_are_never_read(book: Path, tmp_path: Path) -> None:
    """A FIFO would hang the input hash, /dev/zero would fill memory; a link out of the book is not followed."""
    os.mkfifo(book / "pipe")
    os.mkfifo(tmp_path / "outside-fifo")
    (book / "elsewhere.txt").symlink_to(tmp_path / "outside-fifo")
    (book / "zero.bin").symlink_to("/dev/zero")
    result = octavo("epub", "--content", "book", "--out", "dist", cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    for line in ("book/elsewhere.txt: is a symbolic link that leads outside the publication folder; skipped: it is "
                 "not read and not part of the book",
                 "book/pipe: is not a regular file (a FIFO, socket or device); skipped: it is not read and not part "
                 "of the book",
                 "book/zero.bin: is a symbolic link that leads outside the publication folder; skipped: it is not "
                 "read and not part of the book"):
        assert line in lines


def test_a_cover_linked_out_of_the_book_is_refused_before_it_is_opened(book: Path, tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "outside-fifo")  # opening it would hang
    (book / "cover.png").symlink_to(tmp_path / "outside-fifo")
    (book / "book.yaml").write_text(BASE_YAML + "cover: cover.png\n")
    result = octavo("epub", "--content", "book", "--out", "dist", "-q", cwd=tmp_path, timeout=120)
    assert result.stderr.splitlines() == [
        "error: book/book.yaml:4: 'cover.png' is a symbolic link that leads outside the publication folder; keep "
        "every file of the book inside it"]
    assert result.returncode == 1


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as refused:
        return refused.code


def test_the_preview_serves_only_what_the_preview_needs(book: Path, tmp_path: Path) -> None:
    process = start("watch", "--content", "book", "--out", "dist", "--port", "0", cwd=tmp_path)
    try:
        assert process.stderr is not None
        lines: list[str] = []
        while not any("Preview at http://127.0.0.1:" in line for line in lines):
            lines.append(process.stderr.readline())
            assert lines[-1], "".join(lines)
        url = lines[-1].split("Preview at ")[1].split()[0]
        assert _status(url) == 200
        assert _status(url + "images/pic.png") == 200  # the book uses it
        assert _status(url + "_octavo/styles/print.css") == 200
        for refused in ("private-notes.txt", "book.yaml", "01-one.md", "images/unused.png", "images/../book.yaml"):
            assert _status(url + refused) == 404, refused
        assert _status(url + "%00") == 400
        assert _status(url + "_octavo/styles/%00") == 400
        assert _status(url) == 200  # still serving
        process.send_signal(signal.SIGINT)
        _, rest = process.communicate(timeout=30)
    finally:
        process.kill()
    assert "Traceback" not in rest and "ValueError" not in rest
    assert process.returncode == 130


FAULT_MESSAGES = [
    "cannot write the outputs into dist/: No space left on device; free some space or make the folder writable (or "
    "choose another --out); the previous outputs are untouched",
    "changed while the book was being built, so the outputs could mix the old and the new version; the previous "
    "outputs are kept: build again",
    "interrupted; the previous outputs are untouched",
    "interrupted after the new outputs were put in place in dist/; they are complete",
    "a build was stopped while putting its outputs in place; completed it",
    "is a symbolic link that leads outside the publication folder; skipped: it is not read and not part of the book",
    "is not a regular file (a FIFO, socket or device); skipped: it is not read and not part of the book",
    "'cover.png' is a symbolic link that leads outside the publication folder; keep every file of the book inside it",
]


def test_the_errors_page_documents_these_messages() -> None:
    rows = [line for line in (ROOT / "docs" / "errors.md").read_text(encoding="utf-8").splitlines()
            if line.startswith("|")]
    for message in FAULT_MESSAGES:
        assert any(message in row for row in rows), message
