"""File names -> media types, from the standard library's table (the same on every machine)."""

from __future__ import annotations

import mimetypes

#: Python's own table only: `mimetypes.guess_type` would also read /etc/mime.types, which differs per machine,
#: and a media type is written into the EPUB's bytes.
_TABLE = mimetypes.MimeTypes(filenames=())
_TABLE.add_type("image/webp", ".webp")  # in Python's table from 3.11 on
_TABLE.add_type("application/javascript", ".js")  # Python 3.12 says text/javascript; keep one answer
#: What a book and its outputs hold that Python's table leaves out (or, for .xhtml, changed across versions).
for _type, _suffix in (("application/xhtml+xml", ".xhtml"), ("application/epub+zip", ".epub"),
                       ("font/ttf", ".ttf"), ("font/otf", ".otf"), ("font/woff", ".woff"), ("font/woff2", ".woff2")):
    _TABLE.add_type(_type, _suffix)


def media_type(name: str, default: str = "application/octet-stream") -> str:
    """'images/map.PNG' -> 'image/png'; `default` when the suffix is unknown."""
    return _TABLE.guess_type(name.lower(), strict=False)[0] or default
