"""Finished EPUB XHTML trees -> what in them EPUBCheck would reject (an element that is not HTML, an attribute
its element may not have, a block where only text may go), refused before anything is written."""

from __future__ import annotations

from lxml import etree

from octavo.errors import OutputError
from octavo.htmlspec import BLOCKS, ELEMENTS, PHRASING_ONLY, attribute_allowed

XHTML_NS = "{http://www.w3.org/1999/xhtml}"
_OTHER_NS = ("{http://www.idpf.org/2007/ops}", "{http://www.w3.org/XML/1998/namespace}")


def content_model_problems(name: str, root: etree._Element) -> list[str]:
    """What in one XHTML document EPUBCheck would reject: an element that is not HTML, an attribute the element
    may not have, a block inside an element that holds only phrasing content (a <div> in a <p>)."""
    problems: list[str] = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if not element.tag.startswith(XHTML_NS):
            continue  # SVG and MathML are checked by their own rules (and only come from our templates)
        tag = element.tag.removeprefix(XHTML_NS)
        where = f"{name}:{element.sourceline}" if element.sourceline else name
        if tag not in ELEMENTS:
            problems.append(f"{where}: <{tag}> is not an HTML element")
            continue
        for attribute in element.attrib:
            local = str(attribute).rsplit("}", 1)[-1]
            if not str(attribute).startswith(_OTHER_NS) and not attribute_allowed(tag, local):
                problems.append(f"{where}: <{tag}> may not have the attribute {local}")
        parent = element.getparent()
        if tag in BLOCKS and parent is not None and str(parent.tag).removeprefix(XHTML_NS) in PHRASING_ONLY:
            problems.append(f"{where}: <{tag}> inside <{str(parent.tag).removeprefix(XHTML_NS)}>, which holds "
                            "only text and inline elements")
    return problems


def refuse_invalid_documents(trees: dict[str, etree._Element]) -> None:
    """No EPUB is written whose documents break the EPUB content model: every document is checked before it is
    packaged (in a fraction of a second; EPUBCheck itself takes 10 to 25 s of Java, so it runs in `check`)."""
    problems = [problem for name, tree in trees.items() for problem in content_model_problems(name, tree)]
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise OutputError(f"the EPUB would be invalid: {problems[0]}{more}; no EPUB was written. Raw HTML is "
                          "cleaned before this, so a template of the book is the likely cause")
