"""The HTML elements and attributes an EPUB 3 content document may hold (the XHTML that EPUBCheck accepts),
shared by the sanitiser (what raw HTML may keep) and the EPUB's own check before it is packaged."""

from __future__ import annotations

#: HTML elements allowed in an EPUB 3 XHTML content document (EPUBCheck 5's schema), less none.
ELEMENTS = frozenset("""
a abbr address area article aside audio b bdi bdo blockquote body br button canvas caption cite code col colgroup
data datalist dd del details dfn dialog div dl dt em embed fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6
head header hgroup hr html i iframe img input ins kbd label legend li link main map mark menu meta meter nav
noscript object ol optgroup option output p param picture pre progress q rp rt ruby s samp script search section
select slot small source span strong style sub summary sup table tbody td template textarea tfoot th thead time
title tr track u ul var video wbr svg math
""".split())

#: Elements whose content is phrasing content only: a block inside one breaks the content model.
PHRASING_ONLY = frozenset("""
a abbr b bdi bdo cite code data dfn em h1 h2 h3 h4 h5 h6 i kbd label mark p pre q rp rt ruby s samp small span
strong sub sup time u var
""".split())

#: Elements that are flow content but not phrasing content (may not sit inside PHRASING_ONLY elements).
BLOCKS = frozenset("""
address article aside blockquote details dialog div dl fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6
header hgroup hr main menu nav ol p pre search section table ul
""".split())

#: Attributes every HTML element may carry (besides data-*, aria-*, on* handlers, which are removed, and
#: attributes in the epub: and xml: namespaces).
GLOBAL_ATTRIBUTES = frozenset("""
accesskey autocapitalize autofocus class contenteditable dir draggable enterkeyhint hidden id inert inputmode is
itemid itemprop itemref itemscope itemtype lang nonce popover role slot spellcheck style tabindex title translate
""".split())

#: Attributes of particular elements (those an EPUB may use; forms and media are removed before).
ELEMENT_ATTRIBUTES: dict[str, frozenset[str]] = {name: frozenset(attributes.split()) for name, attributes in {
    "a": "href target download ping rel hreflang type referrerpolicy",
    "area": "alt coords shape href target download ping rel referrerpolicy",
    "blockquote": "cite", "q": "cite", "del": "cite datetime", "ins": "cite datetime",
    "col": "span", "colgroup": "span",
    "td": "colspan rowspan headers", "th": "colspan rowspan headers scope abbr",
    "data": "value", "time": "datetime", "meter": "value min max low high optimum", "progress": "value max",
    "details": "open name", "dialog": "open",
    "img": "alt src srcset sizes crossorigin usemap ismap width height referrerpolicy decoding loading",
    "source": "type src srcset sizes media width height",
    "link": "href crossorigin rel media integrity hreflang type referrerpolicy sizes as blocking",
    "meta": "name http-equiv content charset", "style": "media blocking",
    "ol": "reversed start type", "li": "value", "map": "name", "html": "xmlns manifest", "script": "src type",
    "label": "for", "output": "for form name", "slot": "name", "template": "shadowrootmode",
    "iframe": "src srcdoc name sandbox allow width height", "object": "data type name form width height",
    "embed": "src type width height",
}.items()}


def attribute_allowed(element: str, attribute: str) -> bool:
    """Whether `attribute` (a local name, lower case) may be on `element` in an EPUB content document."""
    return (attribute in GLOBAL_ATTRIBUTES or attribute.startswith(("data-", "aria-"))
            or attribute in ELEMENT_ATTRIBUTES.get(element, ()))
