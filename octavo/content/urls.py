"""An element's attributes (HTML or SVG) -> every URL it carries, and the one rule each URL and style is judged by.

Which attributes carry URLs is not a list of the spellings an attack has used so far: it is every attribute the
HTML and SVG specifications define as URL-valued (and any attribute named ...href or ...src, whatever its
prefix), plus any other attribute whose whole value reads as a URL with a scheme. Each such URL is judged
by `judge_url`; each `style` attribute by `style_loads`, which reads it with a CSS tokenizer (tinycss2), so
escapes, comments and case do not hide a url(), image-set() or any other function that can load a file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import tinycss2

#: Attributes whose value is a URL (or a list of them) that a reading system or WeasyPrint may *fetch*
#: (HTML's index of attributes, "valid URL" values; SVG and XLink's href).
LOADING = frozenset({"src", "srcset", "poster", "background", "data", "lowsrc", "dynsrc", "codebase", "classid",
                     "archive", "icon", "manifest", "ping", "action", "formaction", "profile", "xml:base"})
#: Attributes whose value is a URL the reader may *follow*, or that only names something.
NAVIGATING = frozenset({"cite", "longdesc", "usemap", "itemtype", "itemid"})
#: Elements whose href is followed, not fetched.
LINK_ELEMENTS = frozenset({"a", "area"})
#: Attributes holding a list of URLs: srcset ("url 2x, url 3x"), ping and archive (separated by spaces).
LISTS = {"srcset": ",", "ping": None, "archive": None}
#: URL schemes that run code, however they are spelled ("Java\tScript:" still runs in a browser).
SCRIPT_SCHEMES = frozenset({"javascript", "vbscript", "livescript", "mocha"})
#: What browsers ignore inside a URL's scheme.
_URL_NOISE = re.compile(r"[\x00-\x20]")
#: A whole attribute value that is a URL with a scheme (no spaces inside: 'Note: see' is not one), once
#: tabs and line ends are removed and the ends stripped, as a browser does.
_HAS_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:\S*$", re.I)
_TABS_AND_LINE_ENDS = re.compile(r"[\t\n\r]")
#: Raster images a data: URL may hold: the formats every EPUB reader shows, which run nothing.
DATA_IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
#: CSS functions a style attribute may use: they compute values and load nothing. Any other function (url,
#: image, image-set, -webkit-image-set, cross-fade, element, src, expression, paint...) removes the style.
CSS_VALUE_FUNCTIONS = frozenset({
    "rgb", "rgba", "hsl", "hsla", "hwb", "lab", "lch", "oklab", "oklch", "color", "color-mix", "calc", "min",
    "max", "clamp", "var", "attr", "counter", "counters", "linear-gradient", "radial-gradient",
    "conic-gradient", "repeating-linear-gradient", "repeating-radial-gradient", "repeating-conic-gradient",
    "matrix", "translate", "translatex", "translatey", "scale", "scalex", "scaley", "rotate", "skew", "skewx",
    "skewy", "cubic-bezier", "steps", "local", "format", "leader", "target-counter", "target-text", "string",
    "content", "symbols", "fit-content", "minmax", "repeat"})


@dataclass(frozen=True)
class Url:
    """One URL an element carries."""

    attribute: str
    """The attribute, as written (xlink:href, srcset...)."""
    url: str
    """The URL, one of a list's."""
    kind: str
    """'load' (fetched when the page is shown), 'link' (followed when chosen) or 'other' (an attribute not
    defined as a URL whose value reads as one)."""


def local(name: str) -> str:
    """'{http://www.w3.org/1999/xlink}href' or 'xlink:href' -> the name with its prefix, lower case."""
    if name.startswith("{"):
        namespace, _, bare = name[1:].partition("}")
        prefix = {"http://www.w3.org/1999/xlink": "xlink:", "http://www.w3.org/XML/1998/namespace": "xml:"}
        return prefix.get(namespace, "") + bare.lower()
    return name.lower()


def element_urls(tag: str, attributes: dict[str, str]) -> Iterator[Url]:
    """Every URL in an element's attributes (`tag` its local name, lower case), with how it is used."""
    for raw_name, value in attributes.items():
        name = local(raw_name)
        bare = name.rsplit(":", 1)[-1]
        if bare == "href":
            kind = "link" if tag in LINK_ELEMENTS else "load"
        elif name in LOADING or bare.endswith("src"):
            kind = "load"
        elif name in NAVIGATING:
            kind = "link"
        elif name != "style" and _HAS_SCHEME.match(_TABS_AND_LINE_ENDS.sub("", value).strip("\x00- ")):
            kind = "other"
        else:
            continue
        if name in LISTS:
            separator = LISTS[name]
            parts = value.split(separator) if separator else value.split()
            candidates = [part.split()[0] for part in parts if part.strip()] if separator else parts
        else:
            candidates = [value.strip()]
        yield from (Url(raw_name, candidate, kind) for candidate in candidates if candidate)


def scheme(url: str) -> str:
    """The URL's scheme as a browser reads it (noise removed, lower case); '' for a relative URL (and for 'c:',
    a Windows drive, refused elsewhere as an absolute path)."""
    try:
        found = urlsplit(_URL_NOISE.sub("", url)).scheme.lower()
    except ValueError:  # an unbalanced '[' reads as a broken IPv6 host: not a scheme anyone can use
        return "invalid"
    return found if len(found) > 1 else ""


def data_media_type(url: str) -> str:
    """'data:image/png;base64,...' -> 'image/png' ('text/plain' when none is given, as RFC 2397 says)."""
    header = _URL_NOISE.sub("", url).split(":", 1)[1].split(",", 1)[0]
    return header.split(";", 1)[0].strip().lower() or "text/plain"


def judge_url(url: Url) -> str | None:
    """Why this URL must be removed (with a warning: it runs code or carries a document), or None.

    What is refused with an error instead (remote, file:, outside the folder, a data: URL that is not a
    raster image) is decided where the file is checked, in references.py."""
    found = scheme(url.url)
    if found in SCRIPT_SCHEMES:
        return f"books carry no scripts ({found} URL)"
    if found == "data" and (url.kind != "load" or data_media_type(url.url) not in DATA_IMAGE_TYPES):
        if url.kind == "load":
            return None  # refused by references.py, which names the file and what to do
        return f"a link may not carry a document in a data: URL ({data_media_type(url.url)})"
    if local(url.attribute) == "ping":
        return "books send no requests when a link is followed"
    if local(url.attribute) == "xml:base":
        return "relative references are relative to the publication folder, whatever the base"
    return None


def style_loads(style: str) -> str | None:
    """Why a style attribute must go (it can load a file, or run code), or None: any url() and any function
    not in CSS_VALUE_FUNCTIONS, wherever it is nested."""
    stack = list(tinycss2.parse_component_value_list(style))
    while stack:
        token = stack.pop()
        if token.type == "url":
            return "a style attribute may not load files (use an image, which is checked)"
        if token.type == "function":
            if token.lower_name not in CSS_VALUE_FUNCTIONS:
                return (f"a style attribute may not use {token.lower_name}(), which can load files or run code "
                        "(use an image, which is checked)")
            stack.extend(token.arguments)
        elif token.type in ("() block", "[] block", "{} block"):
            stack.extend(token.content)
        elif token.type == "at-keyword" or (token.type == "ident" and token.lower_value in ("expression",
                                                                                              "-moz-binding")):
            return "a style attribute may not load files (use an image, which is checked)"
    return None


def css_urls(css: str) -> list[str]:
    """Every URL a CSS text (a stylesheet, a style attribute, an SVG presentation attribute) can load, read with
    the CSS tokenizer: url() tokens, the string of url("...") and src("..."), the strings inside any function
    not in CSS_VALUE_FUNCTIONS (image-set("a.png" 1x)), and @import's."""
    found: list[str] = []
    stack = list(reversed(tinycss2.parse_component_value_list(css)))
    after_import = False
    while stack:
        token = stack.pop()
        if token.type == "url":
            found.append(token.value)
        elif token.type == "function":
            strings = [t.value for t in token.arguments if t.type == "string"]
            if token.lower_name in ("url", "src"):
                found += strings[:1]
            elif token.lower_name not in CSS_VALUE_FUNCTIONS:
                found += strings
            stack.extend(reversed(token.arguments))
        elif token.type in ("() block", "[] block", "{} block"):
            stack.extend(reversed(token.content))
        elif token.type == "string" and after_import:
            found.append(token.value)
        if token.type not in ("whitespace", "comment"):
            after_import = token.type == "at-keyword" and token.lower_value == "import"
    return found
