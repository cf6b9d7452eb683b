"""The EPUBs in epub.js, in Debian's headless Chromium, as a web reader opens them: every contents, landmark
and page-list link displays its section and its target, and the table, a callout, a note and a dark-theme
page are photographed (set OCTAVO_SCREENSHOTS=DIR to keep them) and measured."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from .conftest import ROOT, Built

CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")
webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install -e '.[test]')")
if not (CHROMIUM and CHROMEDRIVER):
    pytest.skip("Debian's chromium and chromium-driver are not installed (.ci/run installs them)",
                allow_module_level=True)

pytestmark = pytest.mark.slow  # a browser and two books: about 10 s

WIDTH, HEIGHT = 700, 900
PAGE = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>epub.js</title>
<script src="jszip.min.js"></script><script src="epub.min.js"></script></head>
<body style="margin:0"><div id="viewer" style="width:{WIDTH}px;height:{HEIGHT}px"></div>
<script>
window.book = ePub("book.epub");
window.rendition = book.renderTo("viewer", {{width: {WIDTH}, height: {HEIGHT}}});
rendition.themes.register("dark", {{"body": {{"background": "#121212", "color": "#e6e6e6"}}}});
window.opened = Promise.all([book.ready, book.loaded.navigation, book.loaded.pageList]);
</script></body></html>"""

#: Displays one href, then says which section epub.js shows and whether the target is on the page shown.
SHOW = f"const WIDTH = {WIDTH};" + """
const [href, done] = arguments;
window.opened.then(async () => {
  try { await rendition.display(href); } catch (e) { return done({error: String(e)}); }
  const location = rendition.currentLocation();
  const contents = rendition.getContents()[0];
  const anchor = href.split("#")[1];
  const target = anchor ? contents.document.getElementById(anchor) : contents.document.body;
  let shown = !anchor && location.start.displayed.page === 1;  // a whole document: its first page
  if (target && anchor) {  // the target's first box lies on the page shown
    const box = target.getClientRects()[0] || target.getBoundingClientRect();
    const left = box.left - document.querySelector(".epub-container").scrollLeft;
    shown = left >= -1 && left < WIDTH;
  }
  done({section: location.start.href, found: !!target, shown: shown});
}).catch(e => done({error: String(e)}));
"""


@pytest.fixture(scope="module")
def epubjs() -> dict[str, Path]:
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "epubjs.py"), "--install"], capture_output=True,
                          text=True, check=False, timeout=700)
    if done.returncode != 0:
        pytest.skip(done.stderr.strip())
    dist = Path(done.stdout.strip())
    return {"epub.min.js": dist / "epub.min.js",
            "jszip.min.js": dist.parents[1] / "jszip" / "dist" / "jszip.min.js"}


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--no-first-run",
                 "--hide-scrollbars", f"--user-data-dir={tmp_path_factory.mktemp('chromium')}",
                 f"--window-size={WIDTH},{HEIGHT}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_script_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


@functools.cache
def _serve(folder: Path) -> str:
    handler = functools.partial(_Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base class's name)
        pass


def open_in_epubjs(browser: Any, epubjs: dict[str, Path], epub: Path, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, path in epubjs.items():
        shutil.copyfile(path, folder / name)
    shutil.copyfile(epub, folder / "book.epub")
    (folder / "index.html").write_text(PAGE, encoding="utf-8")
    browser.get(_serve(folder) + "index.html")


def links(browser: Any) -> dict[str, list[str]]:
    return dict(browser.execute_async_script("""const done = arguments[0];
        window.opened.then(([_, nav]) => {
          const flat = [], walk = items => items.forEach(i => { flat.push(i.href); walk(i.subitems || []); });
          walk(nav.toc);
          done({toc: flat, landmarks: nav.landmarks.map(l => l.href), pages: book.pageList.pageList.map(p => p.href)});
        });"""))


@pytest.mark.parametrize("name", ["seed_book", "fixture_book"])
def test_every_contents_landmark_and_page_link_displays_its_target(name: str, request: pytest.FixtureRequest,
                                                                   browser: Any, epubjs: dict[str, Path],
                                                                   tmp_path: Path) -> None:
    built: Built = request.getfixturevalue(name)
    open_in_epubjs(browser, epubjs, built.path("epub"), tmp_path / "site")
    found = links(browser)
    assert len(found["toc"]) >= 4 and len(found["landmarks"]) >= 4 and len(found["pages"]) >= 10, found
    assert "nav.xhtml#contents" in found["landmarks"]
    for kind, hrefs in found.items():
        for href in hrefs:
            shown = browser.execute_async_script(SHOW, href)
            assert shown == {"section": href.split("#")[0], "found": True, "shown": True}, (kind, href, shown)


def _shoot(browser: Any, path: Path) -> Image.Image:
    """The browser's window as a picture (kept in $OCTAVO_SCREENSHOTS when it is set)."""
    browser.save_screenshot(str(path))
    if keep := os.environ.get("OCTAVO_SCREENSHOTS"):
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, Path(keep) / path.name)
    return Image.open(path).convert("RGB")


def _display_element(browser: Any, section: str, selector: str) -> dict[str, float]:
    """Display the page holding the first element matching `selector`; its box on the screen, in CSS px."""
    return dict(browser.execute_async_script("""const [section, selector, done] = arguments;
        window.opened.then(async () => {
          await rendition.display(section);
          let element = rendition.getContents()[0].document.querySelector(selector);
          await rendition.display(book.spine.get(section).cfiFromElement(element));
          const contents = rendition.getContents()[0];
          element = contents.document.querySelector(selector);
          const frame = document.querySelector("#viewer iframe").getBoundingClientRect();
          const box = element.getBoundingClientRect(), view = contents.window;
          const style = view.getComputedStyle(element);
          const scroll = document.querySelector(".epub-container").scrollLeft;
          done({left: frame.left + box.left - scroll, top: frame.top + box.top, width: box.width,
                height: box.height, border: parseFloat(style.borderTopWidth) + parseFloat(style.borderBottomWidth)
                + parseFloat(style.borderLeftWidth), padding: parseFloat(style.paddingLeft),
                color: style.color, borderColor: style.borderLeftColor});
        });""", section, selector))


def test_a_table_a_callout_a_note_and_a_dark_page_as_epubjs_shows_them(fixture_book: Built, browser: Any,
                                                                      epubjs: dict[str, Path],
                                                                      tmp_path: Path) -> None:
    open_in_epubjs(browser, epubjs, fixture_book.path("epub"), tmp_path / "site")
    cell = _display_element(browser, "text/first.xhtml", "table td")
    _shoot(browser, tmp_path / "epubjs-table.png")
    assert cell["border"] >= 1 and cell["padding"] >= 4  # ruled and padded: the cells do not run together
    callout = _display_element(browser, "text/first.xhtml", ".callout")
    _shoot(browser, tmp_path / "epubjs-callout.png")
    assert callout["border"] >= 5 and callout["borderColor"] == callout["color"]  # drawn in the text's colour
    note = _display_element(browser, "text/first.xhtml", "aside.footnote")
    _shoot(browser, tmp_path / "epubjs-footnote.png")
    assert note["border"] >= 1  # the rule above the notes belongs to the first note
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia",
                            {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
    browser.execute_script("rendition.themes.select('dark'); document.body.style.background = '#121212';")
    image = _display_element(browser, "text/first.xhtml", "img.on-white")
    shot = _shoot(browser, tmp_path / "epubjs-dark.png")
    scale = shot.width / WIDTH
    box = tuple(round(v * scale) for v in (image["left"], image["top"], image["left"] + image["width"],
                                           image["top"] + image["height"]))
    inside = shot.crop(box).convert("L")
    assert inside.width > 20 and inside.height > 20, image
    mean = sum(inside.get_flattened_data()) / (inside.width * inside.height)
    assert mean < 128, f"the chart shows as a light box on the dark page (mean grey {mean:.0f})"
    assert image["color"] == "rgb(230, 230, 230)"  # the theme's text colour reaches the text
