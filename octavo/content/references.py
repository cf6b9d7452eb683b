"""Chapter HTML -> the files it loads, each checked: inside the publication folder, present, remote only if allowed."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from lxml import html as lxml_html

from octavo.content.svg import clean_svg
from octavo.content.urls import DATA_IMAGE_TYPES, Url, data_media_type, element_urls
from octavo.content.urls import local as urls_local
from octavo.content.urls import scheme as url_scheme
from octavo.errors import ContentError, printable
from octavo.markup import local_name
from octavo.paths import inside
from octavo.source import SourceText

#: Elements whose loaded file is an image, named so in messages.
IMAGE_ELEMENTS = frozenset({"img", "image", "feimage", "picture"})
#: Attributes whose loaded file is an image, whatever the element.
IMAGE_ATTRIBUTES = frozenset({"src", "srcset", "background", "poster", "lowsrc", "dynsrc"})
REMOTE_SCHEMES = ("http", "https", "ftp")
#: An alt attribute with something in it, as written in raw HTML.
_WRITTEN_ALT = re.compile(r"""\balt\s*=\s*(?:"\s*[^"\s]|'\s*[^'\s]|[^\s"'>])""", re.I)
#: The image formats every EPUB reading system must show (EPUB 3.3 core media types).
IMAGE_TYPES = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".gif": "GIF", ".webp": "WEBP", ".svg": None}
#: The most pixels an image may have: 50 megapixels is a full-bleed A4 page at 600 pixels per inch; decoded,
#: that is 200 MB, and WeasyPrint decodes every image it draws. (A few KB of PNG can hold 900 megapixels.)
MAX_IMAGE_PIXELS = 50_000_000


@dataclass(frozen=True)
class References:
    """What a chapter loads."""

    local: tuple[str, ...]
    """Paths relative to the publication folder, normalised, in order of appearance, without duplicates."""
    remote: tuple[str, ...]
    """Remote URLs (only ever non-empty when book.yaml allows remote resources)."""


def check_references(fragment: str, source: SourceText, root: Path, allow_remote: bool,
                     cleaned: dict[str, bytes] | None = None) -> References:
    """Refuse remote, outside, missing and file-linking references; return what the chapter loads. `cleaned`
    receives each SVG file as the outputs carry it (content/svg.py), by its path in the folder."""
    local: list[str] = []
    remote: list[str] = []
    tree = lxml_html.fragment_fromstring(fragment, create_parent="div") if "<" in fragment else None
    for tag, url, alt in _urls(tree):
        if url.kind == "load":
            if tag == "img" and not alt:
                raise missing_alt(url.url, source)
            found = check_reference(_what(tag, url.attribute), url.url, source, root, allow_remote, cleaned)
            target = remote if _scheme(url.url) else local
            if found is not None and found not in target:
                target.append(found)
        elif _scheme(url.url) == "file":
            raise ContentError(f"link '{url.url}' refused: 'file:' URLs are not allowed; link to a web address "
                               "(https://...) or to a heading, [text](#its-id)", source.name, _line(source, url.url))
    # Links to other files are resolved (to the book's own chapters) or reported, all together, by
    # content.markdown.check_links once every chapter is read.
    return References(tuple(local), tuple(remote))


def missing_alt(ref: str, source: SourceText) -> ContentError:
    """The error for an image without a text alternative: the one alt-text check, for Markdown images and raw
    <img> alike, in titles, bodies and notes (the example shows the syntax the image was written in)."""
    line = _line_without_alt(source, ref)
    text = source.text.splitlines()[line - 1] if line else ""
    example = f'<img src="{ref}" alt="A map of the region">' if "<img" in text.lower() and f"]({ref}" not in text \
        else f"![A map of the region]({ref})"
    return ContentError(f"image '{ref}' has no alt text: describe it, {example}, so readers who cannot see it are "
                        "not left out", source.name, line)


def _line_without_alt(source: SourceText, ref: str) -> int | None:
    """The first line naming `ref` with no alt text written there (`![](ref)`, an <img> without alt), else the
    first line naming it."""
    named = [number for number, line in enumerate(source.text.splitlines(), start=1) if ref and ref in line]
    for number in named:
        line = source.text.splitlines()[number - 1]
        if "![](" in line or ("<img" in line.lower() and not _WRITTEN_ALT.search(line)):
            return number
    return named[0] if named else _line(source, ref)


def check_reference(what: str, ref: str, source: SourceText, root: Path, allow_remote: bool,
                    cleaned: dict[str, bytes] | None = None) -> str | None:
    """One loaded reference (`what` names it in messages: 'image', '<use href>'): the normalised local path,
    the URL if remote and allowed, None for data: URLs (which may hold only a raster image)."""
    line = _line(source, ref)
    scheme = _scheme(ref)
    if scheme == "data":
        if (media := data_media_type(ref)) not in DATA_IMAGE_TYPES:
            shown = ref if len(ref) <= 40 else ref[:40] + "..."
            raise ContentError(f"{what} '{shown}' refused: a data: URL may hold only a PNG, JPEG, GIF or WebP "
                               f"image, not {media}; save it as a file in images/ and refer to it by its path",
                               source.name, line)
        return None
    if scheme in REMOTE_SCHEMES or ref.startswith("//"):
        if not allow_remote:
            raise ContentError(f"remote {what} '{ref}' refused: the build does not use the network; copy the "
                               "file into the publication folder, or set allow_remote: true in book.yaml",
                               source.name, line)
        return ref
    if scheme:
        raise ContentError(f"{what} '{ref}' refused: '{scheme}:' URLs are not allowed; refer to a file inside "
                           "the publication folder by its relative path", source.name, line)
    return _local(what, ref, source, root, line, cleaned)


def _local(what: str, ref: str, source: SourceText, root: Path, line: int | None,
           cleaned: dict[str, bytes] | None) -> str:
    path_text = unquote(ref.split("#")[0].split("?")[0])
    if not path_text:
        raise ContentError(f"{what} has no file name: write ![description](images/file.png)", source.name, line)
    if inside(root, path_text) is None:
        reason = "is outside the publication folder" if _leaves(root, path_text) else \
            "is a symbolic link that leads outside the publication folder"
        raise ContentError(f"{what} '{ref}' {reason}; copy the file into the folder (images/) and refer to it "
                           "from there", source.name, line)
    if not (root / path_text).is_file():
        raise ContentError(f"{what} '{ref}' not found (paths are relative to the publication folder)",
                           source.name, line)
    normal = posixpath.normpath(path_text)
    if cleaned is not None and normal in cleaned:
        return normal  # checked already, with its warnings
    data = _check_image_file(what, ref, root / path_text, source.name, line,
                             printable(Path(source.name).parent / normal))
    if data is not None and cleaned is not None:
        cleaned[normal] = data
    return normal


def _check_image_file(what: str, ref: str, path: Path, shown: str, line: int | None,
                      svg_shown: str | None = None) -> bytes | None:
    """An image must be a format every reader shows, readable (WeasyPrint would only log and skip it) and of a
    size a page can use; an SVG file is cleaned (content/svg.py), and its cleaned bytes returned."""
    suffix = path.suffix.lower()
    if suffix not in IMAGE_TYPES:
        raise ContentError(f"{what} '{ref}': use PNG, JPEG, GIF, WebP or SVG, the formats every EPUB reader "
                           "shows; convert the file", shown, line)
    if IMAGE_TYPES[suffix] is None:
        return clean_svg(path, svg_shown or ref, what, ref, shown, line)
    import warnings

    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise Image.DecompressionBombError(f"{width} x {height}")
                image.verify()
                actual = image.format
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        size = re.search(r"(\d+) x (\d+)", str(exc)) or re.search(r"\((\d+) pixels", str(exc))
        pixels = int(size.group(1)) * int(size.group(2)) if size and size.lastindex == 2 else \
            int(size.group(1)) if size else 0
        dimensions = f"{int(size.group(1)):,} x {int(size.group(2)):,} pixels, " if size and size.lastindex == 2 else ""
        raise ContentError(f"{what} '{ref}' is too large: {dimensions}{pixels / 1e6:,.0f} megapixels, more than the "
                           f"{MAX_IMAGE_PIXELS / 1e6:,.0f} a book's image may have; scale it down (300 pixels per "
                           "inch of the printed size is plenty)", shown, line) from None
    except (OSError, UnidentifiedImageError, SyntaxError, ValueError) as exc:
        raise ContentError(f"{what} '{ref}' cannot be read as an image ({exc}); export it again", shown,
                           line) from None
    if actual != IMAGE_TYPES[suffix]:
        raise ContentError(f"{what} '{ref}' is a {actual} file with a {suffix} name; rename or convert it",
                           shown, line)
    return None


def check_image_path(what: str, ref: str, path: Path, shown: str, line: int | None, svg_shown: str) -> bytes | None:
    """A file named outside a chapter (the cover): the same checks as a chapter's image; its cleaned bytes if
    it is an SVG."""
    return _check_image_file(what, ref, path, shown, line, svg_shown)


def _leaves(root: Path, path_text: str) -> bool:
    """Whether the path itself (before following links) is absolute or climbs out of root."""
    normal = posixpath.normpath(path_text)
    return path_text.startswith(("/", "\\")) or Path(path_text).is_absolute() or normal.split("/")[0] == ".." \
        or (len(path_text) > 1 and path_text[1] == ":")


def _scheme(ref: str) -> str:
    return url_scheme(ref)


def _what(tag: str, attribute: str) -> str:
    """How a loaded file is named in messages: 'image', or the element and attribute ('<use href>')."""
    name = urls_local(attribute)
    return "image" if tag in IMAGE_ELEMENTS or name in IMAGE_ATTRIBUTES else f"<{tag} {name}>"


def _urls(tree: lxml_html.HtmlElement | None) -> list[tuple[str, Url, str]]:
    """(tag, URL, alt text) of every URL in the tree, in order (urls.element_urls: one rule for which attributes
    carry URLs); the alt text only matters for <img>."""
    found = []
    for element in tree.iter() if tree is not None else ():
        if isinstance(element.tag, str):
            tag = local_name(element.tag).lower()
            found += [(tag, url, (element.get("alt") or "").strip())
                      for url in element_urls(tag, dict(element.attrib))]
    return found


def _line(source: SourceText, ref: str) -> int | None:
    return source.line_of(ref) or source.line_of(unquote(ref)) if ref else None
