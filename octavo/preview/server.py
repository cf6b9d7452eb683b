"""Live snapshot + BuildOptions -> HTTP on 127.0.0.1: the preview page, its reload events, the styles and
fonts it links, the latest outputs, and the images the book uses; nothing else of the book's folder."""

from __future__ import annotations

import email.utils
import logging
import posixpath
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, unquote, urlsplit

from octavo.media import media_type
from octavo.model import BuildOptions
from octavo.output import output_names
from octavo.paths import inside
from octavo.preview.page import PREFIX, preview_page, status_html

if TYPE_CHECKING:
    from octavo.preview.live import Live

log = logging.getLogger("octavo")

#: Seconds between keep-alive comments on an idle event stream (they also notice closed pages).
HEARTBEAT = 15.0
TYPES = {".css": "text/css; charset=utf-8"}


class PreviewHTTPServer(ThreadingHTTPServer):
    """A ThreadingHTTPServer that knows the live snapshot, the build options and its own token."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], live: Live, options: BuildOptions, token: str):
        super().__init__(address, _Handler)
        self.live = live
        self.options = options
        self.token = token
        """Changes with every server start: a page left open from an earlier run reloads when it reconnects."""


def make_server(live: Live, options: BuildOptions, host: str, port: int, token: str) -> PreviewHTTPServer:
    """Bind (port 0: any free port); raises OSError when the port is taken."""
    return PreviewHTTPServer((host, port), live, options, token)


class _Handler(BaseHTTPRequestHandler):
    server: PreviewHTTPServer
    server_version = "Octavo-preview"

    def do_GET(self) -> None:
        if not self._host_allowed():
            self._send(403, b"This preview answers only on 127.0.0.1 and localhost.\n", "text/plain")
            return
        url = urlsplit(self.path)
        path = unquote(url.path)
        snap = self.server.live.snapshot
        if "\0" in path or not path.startswith("/"):
            self._send(400, b"Bad request\n", "text/plain")
            return
        if path == "/":
            self._send(200, preview_page(snap, self.server.token).encode(), "text/html; charset=utf-8")
        elif path == f"{PREFIX}/events":
            self._events(parse_qs(url.query))
        elif path == f"{PREFIX}/status":
            self._send(200, status_html(snap).encode(), "text/html; charset=utf-8")
        elif path.startswith(f"{PREFIX}/styles/"):
            self._style(path.removeprefix(f"{PREFIX}/styles/"))
        elif path.startswith(f"{PREFIX}/dist/"):
            name = path.removeprefix(f"{PREFIX}/dist/")
            names = output_names(snap.slug, self.server.options.version).values() if snap.slug else ()
            if name in names:
                self._file(self.server.options.out, name)
            else:
                self._not_found()
        elif posixpath.normpath(path.removeprefix("/")) in snap.images:  # the book's images, nothing else of it
            self._file(self.server.options.content, posixpath.normpath(path.removeprefix("/")))
        else:
            self._not_found()

    def _host_allowed(self) -> bool:
        """Refuse other host names, so a web page cannot reach the preview through DNS rebinding."""
        host = self.headers.get("Host")
        port = self.server.server_address[1]
        return host is None or host in (f"127.0.0.1:{port}", f"localhost:{port}")

    def _events(self, query: dict[str, list[str]]) -> None:
        """Server-sent events: 'reload' when the preview changes, 'outputs' when the PDFs or EPUB do."""
        generation, outputs = _number(query, "generation"), _number(query, "outputs")
        live = self.server.live
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        try:
            self.wfile.write(b"retry: 1000\n\n")
            if query.get("token", [""])[0] != self.server.token:
                generation = -1  # a page served by an earlier run of the server: reload it now
            while not live.closed:
                snap = live.wait_newer(generation, outputs, HEARTBEAT) if generation >= 0 else live.snapshot
                if snap is None:
                    self.wfile.write(b": ping\n\n")
                    continue
                if snap.generation != generation:
                    generation = snap.generation
                    self.wfile.write(f"event: reload\ndata: {generation}\n\n".encode())
                if snap.outputs.version != outputs:
                    outputs = snap.outputs.version
                    self.wfile.write(f"event: outputs\ndata: {outputs}\n\n".encode())
        except (BrokenPipeError, ConnectionResetError):
            return  # the page went away

    def _file(self, root: Path, name: str) -> None:
        """A file inside `root` (never above it, never a hidden one), with Last-Modified for revalidation."""
        try:
            path = inside(root, name)
            if path is None or not path.is_file() or any(part.startswith(".") for part in Path(name).parts):
                self._not_found()
                return
            modified = email.utils.formatdate(int(path.stat().st_mtime), usegmt=True)
            if self.headers.get("If-Modified-Since") == modified:
                self._send(304, b"", None, modified)
                return
            body = path.read_bytes()
        except (OSError, ValueError):  # gone meanwhile, unreadable, or a name the file system refuses
            self._not_found()
            return
        kind = TYPES.get(path.suffix.lower()) or media_type(path.name)
        self._send(200, body, kind, modified)

    def _style(self, name: str) -> None:
        """A style file from the first folder of the search path that has it (the book's own before the
        defaults), so that a book's fonts.css finds the fonts it brings."""
        folders = self.server.options.resources.styles
        try:
            found = next((f for f in folders if (path := inside(f, name)) is not None and path.is_file()),
                         folders[-1])
        except (OSError, ValueError):
            found = folders[-1]
        self._file(found, name)

    def _not_found(self) -> None:
        self._send(404, b"Not found\n", "text/plain")

    def _send(self, status: int, body: bytes, kind: str | None, modified: str | None = None) -> None:
        self.send_response(status)
        if kind:
            self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        # The page is always fresh; files are revalidated (304 when unchanged) so reloads stay quick.
        self.send_header("Cache-Control", "no-store" if modified is None else "no-cache")
        if modified:
            self.send_header("Last-Modified", modified)
        self.end_headers()
        if body:
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        log.debug("preview: " + format, *args)


def _number(query: dict[str, list[str]], key: str) -> int:
    value = query.get(key, [""])[0]
    return int(value) if value.lstrip("-").isdigit() else -1
