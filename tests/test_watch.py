"""`watch`: the preview server on a free loopback port, driven by editing a real publication's files."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from octavo.errors import UsageError
from octavo.model import BuildOptions
from octavo.preview.page import Outputs, Problem, Snapshot, preview_page
from octavo.preview.watch import Plan, Preview, plan_for
from octavo.resources import STYLES, TEMPLATES

from .preview_helpers import CHAPTER, FIRST_LINE, EventStream, get, new_book, replace_in, running_preview

#: The checkout these tests run from.
ROOT = Path(__file__).resolve().parent.parent
#: The issue asks for "about a second" from save to preview; this leaves room for a busy 2-core machine.
PREVIEW_BUDGET_S = 2.0


def wait_for(condition: object, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise AssertionError(f"still waiting after {timeout} s")


@pytest.mark.parametrize(("changed", "plan"), [
    ("BOOK/01-getting-started.md", Plan(True, frozenset({"pdf", "epub"}))),
    ("BOOK/images/open-book.png", Plan(True, frozenset({"pdf", "epub"}))),
    ("TEMPLATES/print.html.j2", Plan(True, frozenset({"pdf"}))),
    ("TEMPLATES/partials/chapter.html.j2", Plan(True, frozenset({"pdf", "epub"}))),
    ("TEMPLATES/epub/document.xhtml.j2", Plan(False, frozenset({"epub"}))),
    ("TEMPLATES/new/book.yaml", Plan(False, frozenset())),
    ("STYLES/print.css", Plan(True, frozenset({"pdf"}))),
    ("STYLES/fonts/Vollkorn-Regular.ttf", Plan(True, frozenset({"pdf"}))),
    ("STYLES/epub.css", Plan(False, frozenset({"epub"}))),
    ("STYLES/preview.css", Plan(True, frozenset())),
])
def test_rebuild_what_changed(tmp_path: Path, changed: str, plan: Plan) -> None:
    path = Path(changed.replace("BOOK", str(tmp_path)).replace("TEMPLATES", str(TEMPLATES))
                .replace("STYLES", str(STYLES)))
    assert plan_for([path], BuildOptions(content=tmp_path, out=tmp_path / "dist")) == plan


def test_plan_keeps_to_the_targets_asked_for(tmp_path: Path) -> None:
    options = BuildOptions(content=tmp_path, out=tmp_path / "dist", targets=("epub",))
    assert plan_for([tmp_path / "a.md", STYLES / "print.css"], options) == Plan(True, frozenset({"epub"}))


def test_preview_page_shows_each_problem_with_its_source() -> None:
    problem = Problem("image 'x.png' has no alt text", "book/01.md", 7,
                      ((6, "Text."), (7, "![](x.png)"), (8, "More <text>.")))
    page = preview_page(Snapshot(generation=3, html="<html><head></head><body><p>Old</p></body></html>",
                                 problems=(problem,), updated=dt.datetime(2026, 1, 2, 3, 4, 5)), "abc")
    assert '<code class="octavo-where">book/01.md:7</code>' in page
    assert "image &#x27;x.png&#x27; has no alt text" in page
    assert '<span class="octavo-hit">    7 │ ![](x.png)\n</span>' in page
    assert "More &lt;text&gt;." in page
    assert "Below is the last good preview." in page and "<p>Old</p>" in page
    assert "generation=3&outputs=0&token=abc" in page
    assert page.index('<link rel="stylesheet" href="/_octavo/styles/print.css">') < page.index(
        '<link rel="stylesheet" href="/_octavo/styles/preview.css">')


def test_status_bar_links_the_outputs() -> None:
    outputs = Outputs(state="done", files=(("print PDF", "b-print.pdf", 11), ("EPUB", "b.epub", 12)), seconds=3.21)
    page = preview_page(Snapshot(html="<html><head></head><body></body></html>", outputs=outputs), "t")
    assert "PDFs and EPUB: built in 3.2 s" in page
    assert '<a href="/_octavo/dist/b-print.pdf?v=11">print PDF</a> <a href="/_octavo/dist/b.epub?v=12">EPUB</a>' in page


def test_edit_refreshes_the_served_html_and_sends_a_reload(tmp_path: Path) -> None:
    content = new_book(tmp_path)
    with running_preview(content, tmp_path / "dist") as preview:
        page = get(preview.url)
        assert FIRST_LINE in page and "/_octavo/events?" in page
        stream = EventStream(preview)
        start = time.monotonic()
        replace_in(content / CHAPTER, FIRST_LINE, "The harbour lights came on one by one.")
        stream.next("reload")
        seconds = time.monotonic() - start
        page = get(preview.url)
        stream.close()
    assert "The harbour lights came on one by one." in page and FIRST_LINE not in page
    assert seconds < PREVIEW_BUDGET_S, f"reload event {seconds:.2f} s after the save"


def test_an_error_is_shown_and_the_next_good_save_recovers(tmp_path: Path) -> None:
    content = new_book(tmp_path)
    chapter = content / CHAPTER
    with running_preview(content, tmp_path / "dist") as preview:
        stream = EventStream(preview)
        replace_in(chapter, FIRST_LINE, "![](images/open-book.png)")  # line 7: a picture without alt text
        stream.next("reload")
        broken = get(preview.url)
        replace_in(chapter, "![](images/open-book.png)", "Fixed, and back.")
        stream.next("reload")
        fixed = get(preview.url)
        stream.close()
    assert f'<code class="octavo-where">{content / CHAPTER}:7</code>' in broken
    assert ("image &#x27;images/open-book.png&#x27; has no alt text: describe it, "
            "![A map of the region](images/open-book.png), so readers who cannot see it are not left out") in broken
    assert '<span class="octavo-hit">    7 │ ![](images/open-book.png) It is a plain Markdown file' in broken
    assert "Getting Started with Your Book" in broken  # the last good preview stays below the error
    assert "octavo-problems" not in fixed and "Fixed, and back." in fixed


@pytest.mark.slow
def test_a_save_with_an_error_leaves_the_outputs_of_the_last_good_build(tmp_path: Path) -> None:
    """The outputs start beside the preview's refresh: when the refresh finds an error, the bar says the outputs are
    the last good build's (no second copy of the error), and the files stay as they were."""
    content, out = new_book(tmp_path), tmp_path / "dist"
    with running_preview(content, out, targets=("epub",)) as preview:
        outputs = lambda: preview.live.snapshot.outputs  # noqa: E731
        wait_for(lambda: outputs().state == "done", timeout=60)
        before = (out / "my-book.epub").read_bytes()
        version = outputs().version
        replace_in(content / CHAPTER, FIRST_LINE, "![](images/open-book.png)")  # no alt text: an error
        wait_for(lambda: outputs().version > version and outputs().state == "stale"
                 and preview.rebuilder.outputs.idle(), timeout=60)
        stale = outputs()
        replace_in(content / CHAPTER, "![](images/open-book.png)", "Fixed, and back.")
        wait_for(lambda: outputs().state == "done", timeout=60)
        children = preview.rebuilder.outputs.children
    assert stale.problems == () and preview.live.snapshot.problems == ()
    assert (out / "my-book.epub").read_bytes() != before  # the good save was built
    assert children == 1  # one child built the three


def test_a_broken_book_yaml_lists_every_problem(tmp_path: Path) -> None:
    content = new_book(tmp_path)
    with running_preview(content, tmp_path / "dist") as preview:
        stream = EventStream(preview)
        replace_in(content / "book.yaml", "language: en", "langage: en")
        stream.next("reload")
        page = get(preview.url)
        stream.close()
    assert "unknown key &#x27;langage&#x27; (did you mean &#x27;language&#x27;?)" in page
    assert "&#x27;language&#x27; is required (for example language: &quot;en&quot;)" in page


@pytest.mark.slow
def test_the_epub_follows_and_is_served(tmp_path: Path) -> None:
    content, out = new_book(tmp_path), tmp_path / "dist"
    with running_preview(content, out, targets=("epub",)) as preview:
        wait_for(lambda: preview.live.snapshot.outputs.state == "done")
        first = (out / "my-book.epub").stat().st_mtime_ns
        stream = EventStream(preview)
        version = preview.live.snapshot.outputs.version
        replace_in(content / CHAPTER, FIRST_LINE, "A new first line.")
        stream.next("outputs")  # building: the build starts beside the preview's refresh (before or after its reload)
        wait_for(lambda: preview.live.snapshot.outputs.version > version + 1
                 and preview.live.snapshot.outputs.state == "done", timeout=60)
        stream.next("outputs")  # done
        stream.close()
        snap = preview.live.snapshot
        assert snap.outputs.state == "done" and snap.outputs.problems == ()
        with urllib.request.urlopen(preview.url + "_octavo/dist/my-book.epub", timeout=10) as response:
            assert response.read(2) == b"PK"
        status = get(preview.url + "_octavo/status")
    assert (out / "my-book.epub").stat().st_mtime_ns > first
    assert '<a href="/_octavo/dist/my-book.epub?v=' in status and "PDFs and EPUB: built in" in status


def test_the_pdfs_follow(tmp_path: Path) -> None:
    content, out = new_book(tmp_path), tmp_path / "dist"
    with running_preview(content, out, targets=("pdf",)) as preview:
        wait_for(lambda: preview.live.snapshot.outputs.state == "done", timeout=60)
        assert preview.live.snapshot.outputs.problems == ()
    assert (out / "my-book-print.pdf").read_bytes()[:5] == b"%PDF-"
    assert (out / "my-book.pdf").read_bytes()[:5] == b"%PDF-"


def test_serves_only_the_loopback_and_only_its_own_files(tmp_path: Path) -> None:
    content = new_book(tmp_path)
    (content / ".secret").write_text("no")
    with running_preview(content, tmp_path / "dist") as preview:
        assert preview.http.server_address[0] == "127.0.0.1"
        with urllib.request.urlopen(preview.url + "images/open-book.png", timeout=10) as response:
            assert response.headers["Content-Type"] == "image/png"
        with urllib.request.urlopen(preview.url + "_octavo/styles/fonts/Vollkorn-Regular.ttf", timeout=10) as r:
            assert r.headers["Content-Type"] == "font/ttf"
        for path in ("_octavo/styles/../../octavo/cli.py", "..%2F..%2Fetc%2Fpasswd", ".secret",
                     "_octavo/dist/other.pdf"):
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(preview.url + path, timeout=10)
            assert refused.value.code == 404, path
        rebinding = urllib.request.Request(preview.url, headers={"Host": "attacker.example"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(rebinding, timeout=10)
        assert refused.value.code == 403


def test_stop_ends_the_event_streams_and_frees_the_port(tmp_path: Path) -> None:
    content = new_book(tmp_path)
    preview = Preview(BuildOptions(content=content, out=tmp_path / "dist", targets=()), port=0)
    preview.start()
    stream = EventStream(preview)
    port = preview.http.server_address[1]
    start = time.monotonic()
    preview.stop()
    assert time.monotonic() - start < 3
    with pytest.raises(AssertionError, match="closed"):
        stream.next("reload", timeout=3)
    with socket.socket() as probe:  # as a new server would bind it: fails while anything still listens there
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", port))


def test_a_port_in_use_is_a_usage_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(UsageError, match=rf"cannot listen on 127.0.0.1:{port} \(Address already in use\); "
                                              rf"choose another port with --port {port + 1}"):
            Preview(BuildOptions(content=new_book(tmp_path), out=tmp_path / "dist"), port=port)


def test_ctrl_c_stops_the_command_cleanly(tmp_path: Path) -> None:
    """The real command line: build.py watch, then SIGINT as the terminal sends on Ctrl-C."""
    content, out = new_book(tmp_path), tmp_path / "dist"
    process = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "watch", "--content", str(content),
                                "--out", str(out), "--port", "0"], stderr=subprocess.PIPE, text=True,
                               cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert process.stderr is not None
        lines = []
        while not any("Preview at http://127.0.0.1:" in line for line in lines):
            lines.append(process.stderr.readline())
            assert lines[-1], "".join(lines)
        url = lines[-1].split("Preview at ")[1].split()[0]
        assert FIRST_LINE in get(url)
        process.send_signal(signal.SIGINT)
        _, rest = process.communicate(timeout=15)
    finally:
        process.kill()
    assert process.returncode == 130, rest
    assert "Stopping the preview" in rest and "Stopped;" in rest and "Traceback" not in rest
    assert not list(out.glob(".*.part")) if out.exists() else True


def test_stopping_during_a_pdf_build_leaves_no_partial_file(tmp_path: Path) -> None:
    content, out = new_book(tmp_path), tmp_path / "dist"
    chapter = content / CHAPTER  # some forty pages, so that the build is still writing when it is stopped
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\n\n" + "\n\n".join(
        f"Paragraph {n} of the long chapter, long enough to wrap over a few lines of the page. " * 6
        for n in range(120)), encoding="utf-8")
    with running_preview(content, out, targets=("pdf",)):
        wait_for(lambda: bool(list(out.glob(".*.part"))), timeout=60)  # WeasyPrint is writing the print PDF
    assert not out.exists() or list(out.iterdir()) == []  # a first build that stops leaves no folder


def test_a_template_error_names_the_template_and_line(tmp_path: Path) -> None:
    content, templates = new_book(tmp_path), tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    options = BuildOptions(content=content, out=tmp_path / "dist", targets=(), templates=templates)
    preview = Preview(options, port=0).start()
    try:
        stream = EventStream(preview)
        replace_in(templates / "partials" / "titlepage.html.j2", "{{ meta.title }}", "{{ meta.title }")
        stream.next("reload")
        page = get(preview.url)
        stream.close()
    finally:
        preview.stop()
    assert f'<code class="octavo-where">{templates / "partials" / "titlepage.html.j2"}:2</code>' in page
    assert "template syntax error: unexpected &#x27;}&#x27;" in page


def test_outputs_written_inside_the_watched_folder_do_not_trigger_rebuilds(tmp_path: Path) -> None:
    content = new_book(tmp_path)
    with running_preview(content, content / "dist", targets=("epub",)) as preview:
        wait_for(lambda: preview.live.snapshot.outputs.state == "done")
        settled = preview.live.snapshot
        time.sleep(1.0)  # several watcher ticks
        now = preview.live.snapshot
    assert (now.generation, now.outputs.version) == (settled.generation, settled.outputs.version)


def test_watching_a_folder_that_does_not_exist_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"no folder .*/nope/ to watch; start one with: python build.py new .*/nope$"):
        Preview(BuildOptions(content=tmp_path / "nope", out=tmp_path / "dist"), port=0)


def test_warnings_of_the_refresh_are_shown(tmp_path: Path) -> None:
    content = new_book(tmp_path)
    with running_preview(content, tmp_path / "dist") as preview:
        assert "octavo-warnings" not in get(preview.url)
        stream = EventStream(preview)
        (content / "03-draft.md").write_text("# Draft\n\nNot ready.\n", encoding="utf-8")
        stream.next("reload")
        page = get(preview.url)
        stream.close()
    assert ('<p class="octavo-heading">1 warning</p><ul><li>'
            f"{content / 'book.yaml'}:46: chapter file &#x27;03-draft.md&#x27; is not listed in &#x27;chapters&#x27;, "
            "so it is left out of the book</li></ul>") in page
