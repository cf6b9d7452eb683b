"""Nothing leaks: content cannot make the build read outside its folder or reach the network.

A real HTTP server on 127.0.0.1 counts the requests it gets; a refused resource must not cost one.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from weasyprint import HTML

from octavo.cli import main
from octavo.pdf.fetch import ConfinedFetcher, RefusedResource

from .conftest import EPOCH, png, write_book

BOOK_YAML = "title: T\nauthors: [A]\nlanguage: en\n"


class Server:
    """A local web server that serves a PNG at every path and remembers each request."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        body = png()
        requests = self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                requests.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"


@pytest.fixture()
def server() -> Iterator[Server]:
    served = Server()
    thread = threading.Thread(target=served.httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield served
    finally:
        served.httpd.shutdown()
        served.httpd.server_close()


@pytest.fixture()
def book(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    return write_book(tmp_path / "book", {"book.yaml": BOOK_YAML, "images/pic.png": png()})


def test_the_server_counts_requests(server: Server) -> None:
    """The witness works: a plain WeasyPrint render does fetch from it."""
    HTML(string=f'<img src="{server.url}/seen.png">').render()
    assert server.requests == ["/seen.png"]


@pytest.mark.parametrize("markdown", [
    "![A map]({url}/map.png)",
    '<img src="{url}/map.png" alt="A map">',
    '<img src="images/pic.png" srcset="{url}/map.png 2x" alt="A map">',
])
def test_a_remote_image_is_refused_without_a_request(book: Path, server: Server, markdown: str,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    write_book(book, {"01-one.md": "# One\n\nText.\n\n" + markdown.format(url=server.url) + "\n"})
    assert main(["pdf", "--content", "book", "--out", "dist", "-q"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"error: book/01-one.md:5: remote image '{server.url}/map.png' refused: the build does not use the network; "
        "copy the file into the publication folder, or set allow_remote: true in book.yaml"]
    assert server.requests == []
    assert not (book.parent / "dist").exists()


def test_a_remote_url_in_a_style_attribute_is_removed_without_a_request(
        book: Path, server: Server, capsys: pytest.CaptureFixture[str]) -> None:
    write_book(book, {"01-one.md": f'# One\n\n<p style="background: url({server.url}/bg.png)">Text.</p>\n'})
    assert main(["pdf", "--content", "book", "--out", "dist", "-q"]) == 0
    assert capsys.readouterr().err.splitlines() == [
        "warning: book/01-one.md:3: removed attribute style from <p>: a style attribute may not load files "
        "(use an image, which is checked)"]
    assert server.requests == []


def test_allow_remote_lets_the_pdf_fetch(book: Path, server: Server) -> None:
    """The refusal is a switch: with allow_remote: true the same image is fetched for the PDFs."""
    write_book(book, {"book.yaml": BOOK_YAML + "allow_remote: true\n",
                      "01-one.md": f"# One\n\n![A map]({server.url}/map.png)\n"})
    assert main(["pdf", "--content", "book", "--out", "dist", "-q"]) == 0
    assert server.requests and set(server.requests) == {"/map.png"}


def render_with(fetcher: ConfinedFetcher, html: str, base: Path) -> None:
    HTML(string=html, base_url=str(base) + "/", url_fetcher=fetcher).render()


def test_the_fetcher_refuses_remote_urls_without_a_request(tmp_path: Path, server: Server) -> None:
    """The last line of defence, for anything the content checks do not see (templates, styles)."""
    with pytest.raises(RefusedResource) as refused:
        render_with(ConfinedFetcher((tmp_path,)), f'<img src="{server.url}/x.png">', tmp_path)
    assert refused.value.reason == "remote resource refused (set allow_remote: true in book.yaml to allow it)"
    assert server.requests == []


@pytest.mark.parametrize("src", ["../outside.png", "/etc/hostname", "file:///etc/hostname", "inside/link.png"])
def test_the_fetcher_refuses_files_outside_its_folders(tmp_path: Path, src: str) -> None:
    root = write_book(tmp_path / "root", {"inside/pic.png": png()})
    (tmp_path / "outside.png").write_bytes(png())
    (root / "inside" / "link.png").symlink_to(tmp_path / "outside.png")
    with pytest.raises(RefusedResource) as refused:
        render_with(ConfinedFetcher((root,)), f'<img src="{src}">', root)
    assert refused.value.reason == "file outside the publication folder refused"


def test_the_fetcher_serves_files_inside_its_folders(tmp_path: Path) -> None:
    root = write_book(tmp_path / "root", {"inside/pic.png": png()})
    fetcher = ConfinedFetcher((root,))
    render_with(fetcher, '<img src="inside/pic.png">', root)
    assert fetcher.fetched == [(root / "inside" / "pic.png").as_uri()]
