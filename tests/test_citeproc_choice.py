"""The CSL processor chosen by measurement (docs/citations.md): tests/fixtures/citations/sources.bib (36 entries
of every kind) rendered in each shipped style by pandoc's citeproc alone (the reference), by Octavo's citations
pass, and by citeproc-py; the entries whose text matches the reference exactly are counted."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from lxml import html as lxml_html

from octavo.citeconfig import SHIPPED_STYLES
from octavo.config import load_config
from octavo.content.markdown import read_book
from octavo.resources import STYLES
from octavo.scholarly.pandoc import run_pandoc

from .conftest import FIXTURES, write_book

SOURCES = FIXTURES / "citations" / "sources.bib"
#: Entries of citeproc-py's output equal to pandoc's, per style (measured 2026-12-01, pandoc 3.9, citeproc-py
#: 0.11.1): docs/citations.md. The test fails when a version changes them, so that the page is updated.
CITEPROC_PY_MATCHES = {"chicago-author-date": 4, "apa": 18, "ieee": 13}


def _text(element: lxml_html.HtmlElement) -> str:
    return re.sub(r"\s+", " ", element.text_content()).strip()


def _entries(html: str) -> dict[str, str]:
    """id (the citation key) -> the entry's text, from pandoc's or Octavo's div.csl-entry elements."""
    tree = lxml_html.fragment_fromstring(html, create_parent="div")
    return {str(e.get("id"))[4:]: re.sub(r" ?p\. [\divx, ]+$", "", _text(e)).replace("↩", "").strip()
            for e in tree.iter("div") if "csl-entry" in (e.get("class") or "").split()}


def pandoc_alone(style: Path) -> dict[str, str]:
    """The reference: pandoc --citeproc on the .bib itself, every entry (nocite @*)."""
    code, out, err = run_pandoc(["--citeproc", "--from", "markdown", "--to", "html", "--csl", str(style),
                                 "--bibliography", str(SOURCES)], '---\nnocite: "@*"\nlang: en\n---\n')
    assert code == 0, err
    return _entries(out)


def octavo_pass(style: Path, tmp: Path) -> dict[str, str]:
    """Octavo's citations pass over a book citing everything (nocite: '@*'), the bibliography of its chapters."""
    root = write_book(tmp, {"book.yaml": f"title: T\nauthors: [A]\nlanguage: en\nbibliography: sources.bib\n"
                                         f"csl: {style.stem}\nnocite: '@*'\n",
                            "01.md": "# One\n\nText.\n", "sources.bib": SOURCES.read_text(encoding="utf-8")})
    book = read_book(load_config(root), root)
    return _entries("".join(c.html for c in book.chapters))


def citeproc_py(style: Path) -> dict[str, str]:
    """citeproc-py over the same entries (pandoc's CSL-JSON of the .bib: the processors compared, not the
    BibTeX readers); a numeric style's '[1]' is dropped on both sides (its layout differs)."""
    from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
    from citeproc.source.json import CiteProcJSON

    code, out, _ = run_pandoc(["--from", "biblatex", "--to", "csljson", str(SOURCES)])
    data = json.loads(out)
    bibliography = CitationStylesBibliography(CitationStylesStyle(str(style), validate=False), CiteProcJSON(data),
                                              formatter.html)
    for item in data:
        bibliography.register(Citation([CitationItem(item["id"].lower())]))
    bibliography.sort()
    return {key: _text(lxml_html.fragment_fromstring(str(entry), create_parent="div"))
            for key, entry in zip(bibliography.keys, bibliography.bibliography(), strict=True)}


def _unnumbered(text: str) -> str:
    return re.sub(r"^\[\d+\] ?", "", text)


def matches(reference: dict[str, str], other: dict[str, str]) -> int:
    folded = {key.lower(): _unnumbered(text) for key, text in other.items()}
    return sum(folded.get(key.lower()) == _unnumbered(text) for key, text in reference.items())


@pytest.mark.slow
@pytest.mark.parametrize("name", SHIPPED_STYLES)
def test_octavo_formats_every_entry_as_pandoc_does_and_citeproc_py_does_not(name: str, tmp_path: Path) -> None:
    style = STYLES / "csl" / f"{name}.csl"
    reference = pandoc_alone(style)
    assert len(reference) == 36
    ours = octavo_pass(style, tmp_path)
    assert matches(reference, ours) == 36, {k: (v, ours.get(k)) for k, v in reference.items() if ours.get(k) != v}
    assert matches(reference, citeproc_py(style)) == CITEPROC_PY_MATCHES[name]
