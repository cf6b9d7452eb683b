"""TeX math (`$...$`, `$$...$$`) -> MathML for the EPUB and vector SVG images for the PDFs, with alt text.

The content stage leaves each formula as `<span class="math inline">TeX</span>` or `<span class="math display">`
(its TeX as text, so that the sanitiser and the page text see it as text); the renderers replace it: the PDFs
with an `<img>` of an SVG drawn by ziamath (glyph outlines of its STIX Two Math font, OFL: no bitmap and no
font to embed; WeasyPrint draws no MathML), the EPUB with latex2mathml's `<math>`, whose `alttext` is the TeX.
"""

from __future__ import annotations

import base64
import functools
import re
import warnings

from lxml import etree

from octavo.markup import local_name

MATHML_NS = "http://www.w3.org/1998/Math/MathML"
#: The size ziamath draws at (px); the image is then sized in em, so a formula is set at its text's size.
_DRAWN_AT = 24.0
#: A command latex2mathml did not know: it writes it out as an identifier (<mi>\foo</mi>).
_UNKNOWN = re.compile(r"<m[ion]>(\\[A-Za-z]+)</m[ion]>")
_VIEWBOX = re.compile(r'viewBox="([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+)"')


class MathProblem(ValueError):
    """A formula that cannot be typeset; its message says why."""


def formula_problem(tex: str, display: bool) -> str | None:
    """Why `tex` cannot be typeset (an unknown command, unbalanced braces), or None when it can."""
    try:
        mathml(tex, display)
        _svg(tex, display)
    except MathProblem as exc:
        return str(exc)
    return None


@functools.lru_cache(maxsize=4096)
def mathml(tex: str, display: bool) -> str:
    """`tex` as one MathML <math> element (display="block" or "inline") carrying its TeX as alttext."""
    from latex2mathml.converter import convert

    if tex.count("{") - tex.count("\\{") != tex.count("}") - tex.count("\\}"):
        raise MathProblem("its braces { } do not pair up")
    try:
        markup = convert(tex.strip(), display="block" if display else "inline")
    except Exception as exc:  # latex2mathml raises its own exceptions and plain ones
        raise MathProblem(f"it cannot be read as TeX ({type(exc).__name__})") from None
    if unknown := _UNKNOWN.search(markup):
        raise MathProblem(f"the command {unknown.group(1)} is unknown")
    element = etree.fromstring(markup)
    element.set("alttext", " ".join(tex.split()))
    return str(etree.tostring(element, encoding="unicode"))


@functools.lru_cache(maxsize=4096)
def _svg(tex: str, display: bool) -> tuple[str, float, float, float]:
    """The SVG of `tex`, and its width, height and depth below the baseline, in em."""
    try:
        with warnings.catch_warnings():  # ziamath 0.13 finds its font with a deprecated importlib.resources call
            warnings.simplefilter("ignore", DeprecationWarning)
            from ziamath.config import config
            from ziamath.zmath import Latex

            config.svg2 = False  # plain paths, no <symbol>: every SVG renderer draws them the same
            config.math.color = "black"
            drawing = Latex(tex.strip(), size=_DRAWN_AT, inline=not display).svg()
    except Exception as exc:  # ziamath asserts on malformed input
        raise MathProblem(f"it cannot be typeset ({type(exc).__name__})") from None
    box = _VIEWBOX.search(drawing)
    if box is None:
        raise MathProblem("it cannot be typeset (no drawing)")
    _, top, width, height = (float(value) for value in box.groups())
    return drawing, width / _DRAWN_AT, height / _DRAWN_AT, (height + top) / _DRAWN_AT


def svg_image(tex: str, display: bool) -> etree._Element:
    """An <img> of the formula as vector SVG, sized in em and set on the text's baseline, its alt the TeX."""
    drawing, width, height, depth = _svg(tex, display)
    image = etree.Element("img")
    image.set("class", "math-image")
    image.set("src", "data:image/svg+xml;base64," + base64.b64encode(drawing.encode("utf-8")).decode("ascii"))
    image.set("alt", " ".join(tex.split()))
    image.set("style", f"width: {width:.3f}em; height: {height:.3f}em; vertical-align: {-depth:.3f}em")
    return image


def formulas(root: etree._Element) -> list[etree._Element]:
    """The formula placeholders in a tree (HTML or XHTML), in document order."""
    return [element for element in root.iter() if isinstance(element.tag, str) and local_name(element.tag) == "span"
            and "math" in (element.get("class") or "").split()]


def _replace(span: etree._Element, made: etree._Element) -> None:
    """The formula's TeX -> what typesets it, inside its span: the span's class "math" keeps the formula out of
    the text the print pages and the EPUB's page-break markers count alike (pages.SKIPPED_CLASSES)."""
    span.text = None
    for child in list(span):
        span.remove(child)
    span.append(made)


def typeset_for_pages(root: etree._Element) -> None:
    """Every formula in a print HTML tree -> its SVG image (the print and screen PDFs)."""
    for span in formulas(root):
        _replace(span, svg_image("".join(span.itertext()), "display" in (span.get("class") or "").split()))


def typeset_as_mathml(root: etree._Element) -> bool:
    """Every formula in an EPUB XHTML tree -> MathML; whether there was one (the manifest's `mathml` property)."""
    found = formulas(root)
    for span in found:
        _replace(span, etree.fromstring(mathml("".join(span.itertext()),
                                               "display" in (span.get("class") or "").split())))
    return bool(found)


def has_mathml(root: etree._Element) -> bool:
    """Whether an XHTML tree holds MathML (its manifest item then has the `mathml` property)."""
    return next(root.iter(f"{{{MATHML_NS}}}math"), None) is not None
