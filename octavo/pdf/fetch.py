"""A WeasyPrint URL fetcher that reads only the publication's own files and, unless allowed, no network."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

log = logging.getLogger("octavo")

REMOTE_SCHEMES = frozenset({"http", "https", "ftp"})
#: The publication folder as WeasyPrint sees it. WeasyPrint names each image in the PDF after a hash of its
#: URL: with the real folder in the URL, two builds of the same book in two places would differ.
PUBLICATION_URL = "file:///publication/"


class RefusedResource(FatalURLFetchingError):  # type: ignore[misc]  # WeasyPrint ships no type hints
    """A resource outside the allowed folders, or remote when remote resources are off."""

    def __init__(self, url: str, reason: str):
        super().__init__(f"{reason}: {url}")
        self.url = url
        self.reason = reason

    @property
    def message(self) -> str:
        """What the build says: the reason, then the URL (messages.ERROR_CODES has a code for each reason)."""
        return f"{self.reason}: {self.url}"


class ConfinedFetcher(URLFetcher):  # type: ignore[misc]
    """Serves `file:` URLs inside `roots` and `data:` URLs; refuses everything else by raising."""

    def __init__(self, roots: tuple[Path, ...], allow_remote: bool = False, publication: Path | None = None,
                 replaced: Mapping[str, bytes] | None = None):
        protocols = {"file", "data"} | (REMOTE_SCHEMES if allow_remote else set())
        super().__init__(timeout=10, allowed_protocols=protocols, fail_on_errors=True)
        self.roots = tuple(root.resolve() for root in roots)
        self.allow_remote = allow_remote
        self.publication = publication
        self.fetched: list[str] = []
        #: Files served from memory instead of the disk (the book's SVG images, cleaned), by resolved path.
        self.replaced = {(publication / name).resolve(): data for name, data in (replaced or {}).items()} \
            if publication is not None else {}

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        if self.publication is not None and url.startswith(PUBLICATION_URL):
            url = self.publication.resolve().as_uri() + "/" + url.removeprefix(PUBLICATION_URL)
        scheme = urlsplit(url).scheme.lower()
        if scheme in REMOTE_SCHEMES and not self.allow_remote:
            raise RefusedResource(url, "remote resource refused (set allow_remote: true in book.yaml to allow it)")
        if scheme == "file":
            path = Path(unquote(urlsplit(url).path)).resolve()
            if not any(path == root or root in path.parents for root in self.roots):
                raise RefusedResource(url, "file outside the publication folder refused")
            if not path.is_file():
                raise RefusedResource(url, "file not found")
            if path in self.replaced:
                self.fetched.append(url)
                return URLFetcherResponse(url, body=self.replaced[path], headers={"Content-Type": "image/svg+xml"})
        elif scheme not in self._allowed_protocols:
            raise RefusedResource(url, f"'{scheme}:' URLs are not allowed")
        self.fetched.append(url)
        return super().fetch(url, headers)
