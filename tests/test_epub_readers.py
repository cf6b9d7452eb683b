"""The EPUB as reading systems other than EPUB 3's read it: the NCX and guide (calibre, Kindle), the stylesheet's
rules for tables, notes, callouts, headings, URLs, images and themes, the embedded fonts and the colophon, the
Kindle check; and calibre itself where it is installed. Every assertion is on the built EPUBs' files."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
import tinycss2
from lxml import etree
from PIL import Image

from octavo.check import kindle
from octavo.config import load_config
from octavo.epub.kindle import kindle_problems
from octavo.epub.reading import captions_at_an_edge

from .conftest import FIXTURE_BOOK, ROOT, Built

NS = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops",
      "opf": "http://www.idpf.org/2007/opf", "ncx": "http://www.daisy.org/z3986/2005/ncx/"}


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def text(element: etree._Element) -> str:
    return " ".join("".join(element.itertext()).split())


@pytest.mark.parametrize("name", ["seed_book", "fixture_book"])
def test_the_ncx_says_what_the_nav_says_with_depth_play_order_and_pages(name: str,
                                                                        request: pytest.FixtureRequest) -> None:
    files = members(request.getfixturevalue(name).path("epub"))
    nav, ncx = etree.fromstring(files["EPUB/nav.xhtml"]), etree.fromstring(files["EPUB/toc.ncx"])
    toc = nav.xpath("//x:nav[@epub:type='toc']//x:a", namespaces=NS)
    points = ncx.findall(".//ncx:navPoint", NS)
    assert [text(p.find("ncx:navLabel", NS)) for p in points] == [text(a) for a in toc]
    assert [p.find("ncx:content", NS).get("src") for p in points] == [a.get("href") for a in toc]
    assert any(re.match(r"1 \w", text(a)) for a in toc)  # chapter numbers, in both
    nested = max(len(p.xpath("ancestor-or-self::ncx:navPoint", namespaces=NS)) for p in points)
    assert ncx.find(".//ncx:meta[@name='dtb:depth']", NS).get("content") == str(nested) == "2"
    pages = nav.xpath("//x:nav[@epub:type='page-list']//x:a", namespaces=NS)
    targets = ncx.findall(".//ncx:pageList/ncx:pageTarget", NS)
    assert [(text(t.find("ncx:navLabel", NS)), t.find("ncx:content", NS).get("src")) for t in targets] == [
        (text(a), a.get("href")) for a in pages]
    assert ncx.find(".//ncx:meta[@name='dtb:totalPageCount']", NS).get("content") == str(len(pages))
    # one playOrder per target, in reading order: equal targets share it, different ones never do
    order = {}
    for entry in [*points, *targets]:
        order.setdefault(entry.find("ncx:content", NS).get("src"), set()).add(int(entry.get("playOrder")))
    assert all(len(numbers) == 1 for numbers in order.values())
    assert len({n for numbers in order.values() for n in numbers}) == len(order)
    numbered = sorted(order, key=lambda src: order[src].pop())
    spine = [i.get("href") for i in etree.fromstring(files["EPUB/content.opf"]).iterfind(".//opf:item", NS)]
    assert [spine.index(src.partition("#")[0]) for src in numbered] == sorted(
        spine.index(src.partition("#")[0]) for src in numbered)


def test_the_guide_names_cover_title_page_contents_and_the_start_of_the_text(fixture_book: Built) -> None:
    opf = etree.fromstring(members(fixture_book.path("epub"))["EPUB/content.opf"])
    guide = [(r.get("type"), r.get("href")) for r in opf.iterfind("opf:guide/opf:reference", NS)]
    assert guide == [("cover", "text/cover.xhtml"), ("title-page", "text/titlepage.xhtml"),
                     ("toc", "nav.xhtml#contents"), ("text", "text/first.xhtml")]
    manifest = {i.get("href") for i in opf.iterfind(".//opf:item", NS)}
    assert {href.partition("#")[0] for _, href in guide} <= manifest


def _rules(css: str) -> dict[str, str]:
    """Selector -> its declarations, spaces collapsed (selectors of one rule each get them all)."""
    found: dict[str, str] = {}
    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        if rule.type == "at-rule" and rule.lower_at_keyword == "media":
            inner = tinycss2.serialize(rule.content or [])
            for selector, body in _rules(inner).items():
                found[f"@media {tinycss2.serialize(rule.prelude).strip()} {selector}"] = body
        elif rule.type == "qualified-rule":
            body = " ".join(tinycss2.serialize(rule.content).split())
            for selector in tinycss2.serialize(rule.prelude).split(","):
                found[" ".join(selector.split())] = found.get(" ".join(selector.split()), "") + " " + body
    return found


def test_the_stylesheet_styles_what_reading_systems_left_plain(fixture_book: Built) -> None:
    css = members(fixture_book.path("epub"))["EPUB/css/epub.css"].decode()
    rules = _rules(css)
    expected = {
        "th": "border-bottom: 1px solid", "td": "padding: 0.3em 0.6em", "table": "border-collapse: collapse",
        "table + p": "text-indent: 0", ".callout": "border: 1px solid", ".notice": "border: 1px solid",
        "aside.footnote:first-of-type": "border-top: 1px solid", "h4": "font-weight: bold",
        "h5": "font-style: italic", "h6": "font-variant: small-caps", "dt": "font-weight: bold",
        "dd": "margin: 0.2em 0 0 1.5em", "figcaption": "font-style: italic", "a": "color: inherit",
        "body": "overflow-wrap: break-word", 'a[href^="http"]': "overflow-wrap: anywhere",
        "img": "max-width: 100%", "p.image-only": "text-indent: 0", "pre": "white-space: pre-wrap",
        "@media (prefers-color-scheme: dark) img.on-white": "filter: invert(100%)",
        ".chapter-number": "font-variant-numeric: lining-nums",  # an oldstyle 1 reads as I
    }
    for selector, declaration in expected.items():
        assert declaration in rules.get(selector, ""), (selector, rules.get(selector))
    assert "border" not in rules["section.footnotes"]  # no rule left behind when a reader hides the notes
    colours = re.findall(r"(?<![-\w])color\s*:\s*([^;}]+)", re.sub(r"/\*.*?\*/", "", css, flags=re.S))
    assert colours == ["inherit"]  # no fixed text colour anywhere
    assert "background-color: transparent" in rules["img"]


def test_chapter_numbers_and_title_page_lines_are_not_paragraphs(fixture_book: Built) -> None:
    files = members(fixture_book.path("epub"))
    first = etree.fromstring(files["EPUB/text/first.xhtml"])
    number = first.find(".//*[@class='chapter-number']")
    assert etree.QName(number).localname == "div" and number.text == "1"
    title = etree.fromstring(files["EPUB/text/titlepage.xhtml"])
    lines = title.xpath("//x:section[@epub:type='titlepage']/*", namespaces=NS)
    assert [etree.QName(e).localname for e in lines if e.get("class") != "affiliations"
            and etree.QName(e).localname != "span"] == ["h1", "div", "div", "div"]  # subtitle, authors, publisher
    image = first.find(".//x:img", NS)
    # An image alone in its paragraph is a figure (pandoc's implicit figures); a figure is never indented.
    parent = image.getparent()
    assert (etree.QName(parent).localname == "figure" or parent.get("class") == "image-only"), parent.tag
    assert image.get("class") == "on-white"


def test_the_first_publication_embeds_vollkorn_and_says_so(seed_book: Built, fixture_book: Built) -> None:
    files = members(seed_book.path("epub"))
    opf = etree.fromstring(files["EPUB/content.opf"])
    fonts = {i.get("href"): i.get("media-type") for i in opf.iterfind(".//opf:item", NS)
             if i.get("href").startswith("fonts/")}
    assert fonts == {f"fonts/Vollkorn-{style}.ttf": "font/ttf" for style in ("Regular", "Italic", "Bold",
                                                                           "BoldItalic")}
    for href in fonts:
        assert files[f"EPUB/{href}"] == (ROOT / "styles" / href).read_bytes()
    css = files["EPUB/css/epub.css"].decode()
    faces = re.findall(r'@font-face \{ font-family: "Vollkorn"; font-style: (\w+); font-weight: (\d+); '
                       r'src: url\("\.\./(fonts/[\w-]+\.ttf)"\); \}', css)
    assert sorted(f for _, _, f in faces) == sorted(fonts)
    colophon = etree.fromstring(files["EPUB/text/copyright.xhtml"]).find(".//*[@class='colophon']")
    assert text(colophon).startswith("Typeset in Vollkorn with Octavo")
    plain = members(fixture_book.path("epub"))
    assert not [name for name in plain if name.startswith("EPUB/fonts/")]
    assert "@font-face {" not in plain["EPUB/css/epub.css"].decode()
    colophon = etree.fromstring(plain["EPUB/text/copyright.xhtml"]).find(".//*[@class='colophon']")
    assert text(colophon).startswith("Made with Octavo")  # the reader's font: no claim of Vollkorn


def test_both_books_meet_amazons_kindle_requirements(seed_book: Built, fixture_book: Built) -> None:
    assert kindle_problems(seed_book.path("epub")) == []
    assert kindle_problems(fixture_book.path("epub")) == []


def _spoil(source: Path, target: Path) -> None:
    """The fixture EPUB with what Amazon refuses: a small cover, a link to a page, hidden text, black text."""
    small = io.BytesIO()
    Image.new("RGB", (500, 800), "white").save(small, format="PNG")
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            data = old.read(info.filename)
            if info.filename == "EPUB/cover.png":
                data = small.getvalue()
            elif info.filename == "EPUB/text/second.xhtml":
                data = data.replace(b"<ol>", b'<p>See <a href="first.xhtml#first">page 12</a>.</p>'
                                             b'<p hidden="hidden">Keywords for search engines</p><ol>', 1)
            elif info.filename == "EPUB/css/epub.css":
                data += b"\np.black { color: #000000; }\n"
            new.writestr(info, data)


def test_the_kindle_check_fails_a_book_amazon_would_refuse(fixture_book: Built, tmp_path: Path) -> None:
    spoiled = tmp_path / "spoiled.epub"
    _spoil(fixture_book.path("epub"), spoiled)
    assert [(p.message, p.advice) for p in kindle_problems(spoiled)] == [
        ("the cover is 500 x 800 pixels; Kindle takes 1,000 x 625 to 10,000 x 10,000 (ideally 1,600 x 2,560)",
         False),
        ("text/second.xhtml: the link 'page 12' cites a page number; Kindle books have no pages (name the "
         "chapter or section instead)", False),
        ("text/second.xhtml: hidden text 'Keywords for search engines': a Kindle book shows all its text", False),
        ("css/epub.css: color: #000000 fixes the text's colour; Kindle's black and sepia backgrounds need the "
         "reader's own", False)]
    meta = load_config(FIXTURE_BOOK, FIXTURE_BOOK)
    assert meta.print.printer == "kdp"  # the fixture book goes to Amazon: the check fails on these
    findings = kindle(spoiled, meta)
    assert [(f.severity, f.blocking) for f in findings] == [("FAIL", True)] * 4
    assert str(findings[0]).startswith("spoiled.epub: Kindle: the cover is 500 x 800 pixels")


CALIBRE = shutil.which("ebook-convert")
_CHECKS = """
import sys
from calibre.ebooks.oeb.polish.container import get_container
from calibre.ebooks.oeb.polish.check.main import run_checks
from calibre.ebooks.oeb.polish.check.base import ERROR
for e in run_checks(get_container(sys.argv[-1], tweak_mode=True)):
    print(('ERROR' if e.level >= ERROR else 'note'), type(e).__name__, e.name, e.msg)
"""


@pytest.mark.slow
@pytest.mark.skipif(CALIBRE is None, reason="calibre is not installed (apt-get install calibre)")
@pytest.mark.parametrize("name", ["seed_book", "fixture_book"])
def test_calibre_finds_no_error_and_its_azw3_has_a_cover_and_a_start(name: str, request: pytest.FixtureRequest,
                                                                       tmp_path: Path) -> None:
    epub = request.getfixturevalue(name).path("epub")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QTWEBENGINE_CHROMIUM_FLAGS": "--no-sandbox"}
    script = tmp_path / "checks.py"
    script.write_text(_CHECKS, encoding="utf-8")
    checked = subprocess.run(["calibre-debug", str(script), str(epub)], capture_output=True, text=True, env=env,
                             timeout=300, check=False)
    assert checked.returncode == 0, checked.stderr[-2000:]
    assert [line for line in checked.stdout.splitlines() if line.startswith("ERROR")] == []
    azw3 = tmp_path / "book.azw3"
    subprocess.run([CALIBRE, str(epub), str(azw3)], capture_output=True, env=env, timeout=300, check=True)
    subprocess.run(["ebook-meta", str(azw3), f"--get-cover={tmp_path / 'cover.jpg'}"], capture_output=True,
                   env=env, timeout=300, check=True)
    with Image.open(tmp_path / "cover.jpg") as cover:
        assert cover.size[1] > cover.size[0] >= 1000  # the book's own cover, not a page rendered as one
    back = tmp_path / "back.epub"  # calibre reads the AZW3's guide back into an EPUB 2 guide
    subprocess.run([CALIBRE, str(azw3), str(back)], capture_output=True, env=env, timeout=300, check=True)
    opf = etree.fromstring(next(data for n, data in members(back).items() if n.endswith(".opf")))
    kinds = {r.get("type"): r.get("title") for r in opf.iterfind("opf:guide/opf:reference", NS)}
    assert kinds.get("text") == "Start of the text" and "cover" in kinds and "toc" in kinds


def test_a_caption_followed_by_line_breaks_moves_to_the_end_of_its_figure() -> None:
    """You Don't Know JS writes <figcaption>...</figcaption><br><br> inside its figures: EPUBCheck's RSC-005."""
    root = etree.fromstring('<body xmlns="http://www.w3.org/1999/xhtml"><figure>\n<img src="a.png" alt="A."/>\n'
                            '<figcaption>Fig. 1</figcaption>\n<br/><br/>\n</figure></body>')
    captions_at_an_edge(root)
    figure = root.find("x:figure", NS)
    assert [etree.QName(e).localname for e in figure] == ["img", "br", "br", "figcaption"]
    assert text(figure[-1]) == "Fig. 1"


def test_a_font_whose_licence_forbids_embedding_is_refused_when_embed_fonts_is_true(tmp_path: Path) -> None:
    from fontTools.ttLib import TTFont

    from octavo.errors import ConfigError

    font = TTFont(ROOT / "styles" / "fonts" / "Vollkorn-Regular.ttf")
    font["OS/2"].fsType = 2  # "Restricted License embedding"
    (tmp_path / "fonts").mkdir()
    font.save(tmp_path / "fonts" / "Closed-Regular.ttf")
    (tmp_path / "01-one.md").write_text("# One\n\nText.\n", encoding="utf-8")
    yaml = ("title: T\nauthors: [A]\nlanguage: en\nchapters: [01-one.md]\n"
            "fonts: {body: fonts/Closed-Regular.ttf}\nembed_fonts: {embed}\n")
    (tmp_path / "book.yaml").write_text(yaml.replace("{embed}", "true"), encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        load_config(tmp_path, tmp_path)
    assert [str(p.message) for p in refused.value.problems] == [
        "'embed_fonts' is true, but font file 'fonts/Closed-Regular.ttf' may not be embedded: its licence bits "
        "(OS/2 fsType 2) forbid it; set embed_fonts: false or use a font whose licence allows embedding"]
    (tmp_path / "book.yaml").write_text(yaml.replace("{embed}", "false"), encoding="utf-8")
    assert load_config(tmp_path, tmp_path).fonts.body is not None  # the print editions may still use it
