"""The preview in a real headless Chromium: a save shows up on the open page with nobody pressing reload."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from .preview_helpers import CHAPTER, FIRST_LINE, new_book, replace_in, running_preview

CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")
webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install -e '.[test]')")
if not (CHROMIUM and CHROMEDRIVER):
    pytest.skip("Debian's chromium and chromium-driver are not installed (.ci/run installs them)",
                allow_module_level=True)

from selenium.common.exceptions import JavascriptException, NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

#: What a page in the middle of reloading itself can raise; a wait tries again.
RELOADING = (StaleElementReferenceException, NoSuchElementException, JavascriptException)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[webdriver.Chrome]:
    """Headless Chromium from Debian, driven by its own chromedriver: nothing is downloaded."""
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--no-first-run",
                 f"--user-data-dir={tmp_path / 'chromium-profile'}", "--window-size=1200,900"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path=str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def wait(driver: webdriver.Chrome, timeout: float, poll_frequency: float = 0.1) -> WebDriverWait:
    return WebDriverWait(driver, timeout, poll_frequency=poll_frequency, ignored_exceptions=RELOADING)


def body_text(driver: webdriver.Chrome) -> str:
    return str(driver.execute_script("return document.body ? document.body.innerText : ''"))


@pytest.mark.slow  # Chromium started and a book built: 20-25 s (the default suite's 5-minute budget)
def test_a_save_appears_in_the_open_page_by_itself(tmp_path: Path, browser: webdriver.Chrome) -> None:
    content = new_book(tmp_path)
    with running_preview(content, tmp_path / "dist") as preview:
        browser.get(preview.url)
        wait(browser, 10).until(lambda d: "Getting Started with Your Book" in body_text(d))
        wait(browser, 10).until(  # the page's event stream is open
            lambda d: d.find_element(By.ID, "octavo-bar").get_attribute("data-live") == "yes")
        browser.execute_script("window.untouched = true; window.scrollTo(0, 1500);")  # gone after a reload

        start = time.monotonic()
        replace_in(content / CHAPTER, FIRST_LINE, "The lighthouse keeper wrote this line.")
        wait(browser, 10, poll_frequency=0.05).until(
            lambda d: "The lighthouse keeper wrote this line." in body_text(d))
        seen = time.monotonic() - start
        assert browser.execute_script("return window.untouched === undefined")
        wait(browser, 5).until(lambda d: d.execute_script("return window.scrollY") == 1500)  # kept
        assert FIRST_LINE not in body_text(browser)

        replace_in(content / CHAPTER, "The lighthouse keeper wrote this line.", "![](images/open-book.png)")
        wait(browser, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".octavo-problems"))
        panel = browser.find_element(By.CSS_SELECTOR, ".octavo-problems").text
        assert f"{content / CHAPTER}:7" in panel and "has no alt text" in panel

        replace_in(content / CHAPTER, "![](images/open-book.png)", "Mended.")
        wait(browser, 10).until(lambda d: "Mended." in body_text(d))
        assert browser.find_elements(By.CSS_SELECTOR, ".octavo-problems") == []
    print(f"\nsave -> new text on the open page: {seen:.2f} s")
    assert seen < 3.0
