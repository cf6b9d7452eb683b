"""Chapter HTML -> the files it loads, each checked: inside the publication folder, present, remote only if allowed."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import etree
from lxml import html as lxml_html

from octavo.errors import ContentError
from octavo.paths import inside
from octavo.source import SourceText

#: Attributes through which an element loads a file (what WeasyPrint or a reading system would fetch).
LOADING = {"img": ("src", "srcset"), "image": ("href", "xlink:href"), "use": ("href", "xlink:href"),
           "feimage": ("href", "xlink:href")}
REMOTE_SCHEMES = ("http", "https", "ftp")
#: An alt attribute with something in it, as written in raw HTML.
_WRITTEN_ALT = re.compile(r"""\balt\s*=\s*(?:"\s*[^"\s]|'\s*[^'\s]|[^\s"'>])""", re.I)
#: The image formats every EPUB reading system must show (EPUB 3.3 core media types).
IMAGE_TYPES = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".gif": "GIF", ".webp": "WEBP", ".svg": None}


@dataclass(frozen=True)
class References:
    """What a chapter loads."""

    local: tuple[str, ...]
    """Paths relative to the publication folder, normalised, in order of appearance, without duplicates."""
    remote: tuple[str, ...]
    """Remote URLs (only ever non-empty when book.yaml allows remote resources)."""


def check_references(fragment: str, source: SourceText, root: Path, allow_remote: bool) -> References:
    """Refuse remote, outside and missing references; return what the chapter loads."""
    local: list[str] = []
    remote: list[str] = []
    tree = lxml_html.fragment_fromstring(fragment, create_parent="div") if "<" in fragment else None
    for tag, ref, alt in _loaded(tree):
        if tag == "img" and not alt:
            raise missing_alt(ref, source)
        found = check_reference(tag, ref, source, root, allow_remote)
        target = remote if _scheme(ref) else local
        if found is not None and found not in target:
            target.append(found)
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


def check_reference(tag: str, ref: str, source: SourceText, root: Path, allow_remote: bool) -> str | None:
    """One loaded reference: the normalised local path, the URL if remote and allowed, None for data: URLs."""
    what = "image" if tag in ("img", "image", "feimage") else f"<{tag}>"
    line = _line(source, ref)
    scheme = _scheme(ref)
    if scheme == "data":
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
    return _local(what, ref, source, root, line)


def _local(what: str, ref: str, source: SourceText, root: Path, line: int | None) -> str:
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
    _check_image_file(what, ref, root / path_text, source.name, line)
    return posixpath.normpath(path_text)


def _check_image_file(what: str, ref: str, path: Path, shown: str, line: int | None) -> None:
    """An image must be a format every reader shows, and readable (WeasyPrint would only log and skip it)."""
    suffix = path.suffix.lower()
    if suffix not in IMAGE_TYPES:
        raise ContentError(f"{what} '{ref}': use PNG, JPEG, GIF, WebP or SVG, the formats every EPUB reader "
                           "shows; convert the file", shown, line)
    if IMAGE_TYPES[suffix] is None:
        _check_svg(what, ref, path, shown, line)
        return
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            image.verify()
            actual = image.format
    except (OSError, UnidentifiedImageError, SyntaxError, ValueError) as exc:
        raise ContentError(f"{what} '{ref}' cannot be read as an image ({exc}); export it again", shown,
                           line) from None
    if actual != IMAGE_TYPES[suffix]:
        raise ContentError(f"{what} '{ref}' is a {actual} file with a {suffix} name; rename or convert it",
                           shown, line)


def _check_svg(what: str, ref: str, path: Path, shown: str, line: int | None) -> None:
    # Entities are not expanded and nothing is fetched: the file is only looked at.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.parse(str(path), parser).getroot()
    except etree.XMLSyntaxError as exc:
        raise ContentError(f"{what} '{ref}' is not a well-formed SVG file ({exc}); export it again", shown,
                           line) from None
    if etree.QName(root).localname != "svg":
        raise ContentError(f"{what} '{ref}' is not an SVG file (its root element is <{etree.QName(root).localname}>)",
                           shown, line)


def _leaves(root: Path, path_text: str) -> bool:
    """Whether the path itself (before following links) is absolute or climbs out of root."""
    normal = posixpath.normpath(path_text)
    return path_text.startswith(("/", "\\")) or Path(path_text).is_absolute() or normal.split("/")[0] == ".." \
        or (len(path_text) > 1 and path_text[1] == ":")


def _scheme(ref: str) -> str:
    scheme = urlsplit(ref.strip()).scheme.lower()
    return scheme if len(scheme) > 1 else ""  # 'c:' is a Windows drive, caught as an absolute path


def _loaded(tree: lxml_html.HtmlElement | None) -> list[tuple[str, str, str]]:
    """(tag, reference, alt text) of everything loaded; the alt text only matters for <img>."""
    found = []
    for element in tree.iter() if tree is not None else ():
        tag = element.tag.lower() if isinstance(element.tag, str) else ""
        for attribute in LOADING.get(tag, ()):
            value = element.get(attribute)
            if value is None:
                continue
            refs = [c.split()[0] for c in value.split(",") if c.strip()] if attribute == "srcset" else [value]
            found += [(tag, ref.strip(), (element.get("alt") or "").strip()) for ref in refs]
    return found


def _linked(tree: lxml_html.HtmlElement | None) -> list[str]:
    if tree is None:
        return []
    return [a.get("href", "").strip() for a in tree.iter("a", "area") if a.get("href", "").strip()]


def _line(source: SourceText, ref: str) -> int | None:
    return source.line_of(ref) or source.line_of(unquote(ref)) if ref else None
