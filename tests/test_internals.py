"""pdf/internals.py reaches into pydyf and WeasyPrint: a version it was not written for stops the build with
one line and exit code 4, before a layout, never with a KeyError half way through a PDF."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from octavo import __version__
from octavo.errors import EXIT_INSTALLATION
from octavo.pdf.internals import KNOWN_VERSIONS, check_engines

from .conftest import FIXTURE_BOOK, ROOT

#: The command line, with importlib.metadata reporting another version of one distribution.
FAKED = """
import importlib.metadata as metadata, sys
name, fake = sys.argv[1], sys.argv[2]
real = metadata.version
def version(dist):
    if dist.lower() != name:
        return real(dist)
    if fake == "missing":
        raise metadata.PackageNotFoundError(dist)
    return fake
metadata.version = version
from octavo.cli import main
raise SystemExit(main(sys.argv[3:]))
"""


def run_faked(name: str, fake: str, tmp_path: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", FAKED, name, fake, *argv, "--content", str(FIXTURE_BOOK),
                           "--out", str(tmp_path / "out")], cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True, timeout=300, check=False)


def pinned_pydyf() -> str:
    return "0.13.0" if sys.version_info >= (3, 11) else "0.12.1"


def test_the_installed_engines_are_the_versions_the_internals_were_written_for() -> None:
    from importlib import metadata

    check_engines()
    assert metadata.version("pydyf") == pinned_pydyf()
    assert metadata.version("pydyf") in KNOWN_VERSIONS["pydyf"]
    assert metadata.version("weasyprint") in KNOWN_VERSIONS["weasyprint"]


@pytest.mark.parametrize("target", ["screen", "print", "epub"])
def test_an_unknown_pydyf_stops_the_build_with_one_line_and_exit_code_4(tmp_path: Path, target: str) -> None:
    # The EPUB lays out the print edition too, for its page list: it needs pydyf as the PDFs do.
    result = run_faked("pydyf", "0.14.0", tmp_path, target)
    assert result.returncode == EXIT_INSTALLATION == 4
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [f"error: pydyf 0.14.0 is installed, but Octavo {__version__} reaches into pydyf 0.12.1 or "
                      f'0.13.0 (octavo/pdf/internals.py); install the pinned version: pip install "pydyf=='
                      f'{pinned_pydyf()}"']
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").glob("*.pdf"))


def test_a_missing_or_unknown_weasyprint_is_named_too(tmp_path: Path) -> None:
    result = run_faked("weasyprint", "71.0", tmp_path, "screen")
    assert result.returncode == 4
    assert ('error: weasyprint 71.0 is installed, but Octavo ' + __version__ + ' reaches into weasyprint 70.0 '
            '(octavo/pdf/internals.py); install the pinned version: pip install "weasyprint==70.0"'
            in result.stderr.splitlines())
    missing = run_faked("pydyf", "missing", tmp_path, "screen")
    assert missing.returncode == 4
    assert f"error: pydyf is not installed, but Octavo {__version__} reaches into" in missing.stderr


_FIRST_LINES = """
import sys
from weasyprint import HTML
from weasyprint.formatting_structure import boxes
if sys.argv[2] == "fixed":
    from octavo.pdf.internals import fix_trailing_space_breaks
    fix_trailing_space_breaks()
page = HTML(sys.argv[1]).render().pages[0]._page_box
line = next(b for b in page.descendants() if isinstance(b, boxes.LineBox))
print("".join(t.text for t in line.descendants() if isinstance(t, boxes.TextBox)).strip())
"""


@pytest.mark.slow
@pytest.mark.parametrize(("fixture", "broken", "fixed"), [
    ("trailing-space-break.html", "no", "no aliasing requirements on their own), and UnsafeCell (which lets the "
     "referent of an"),
    ("kerned-space-overflow.html", "Our first instinct might be to blame the",
     "Our first instinct might be to blame the assign impl, but there’s"),
])
def test_the_line_breaking_workarounds_still_mend_what_weasyprint_70_breaks(fixture: str, broken: str,
                                                                            fixed: str) -> None:
    """Each reproduction (its comment is the upstream report) still shows the defect in WeasyPrint alone, and
    Octavo's split_first_line mends it. When the first assert fails, WeasyPrint has fixed it: the workaround
    in pdf/internals.py can go."""
    path = str(Path(__file__).parent / "fixtures/weasyprint" / fixture)
    lines = [subprocess.run([sys.executable, "-c", _FIRST_LINES, path, mode], capture_output=True, text=True,
                            check=True).stdout.strip() for mode in ("plain", "fixed")]
    assert lines == [broken, fixed]


_WHOLE_LINES = """
import collections, sys
from weasyprint import HTML
from weasyprint.formatting_structure import boxes
from weasyprint.layout import inline
from octavo.pdf.patches import lines_kept_whole
seen = collections.Counter()
split = inline.split_inline_box
def counted(context, box, *args):
    seen[box.element.get("class")] += 1
    return split(context, box, *args)
inline.split_inline_box = counted
words = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor".split()
line = lambda n: " ".join(words[n:] + words[:n])
html = ("<style>p { width: 500px; font-size: 12px; text-align: justify } span.line { white-space: nowrap }"
        ".ls-1 { letter-spacing: 0.1px }</style><p class=even>" + " ".join(
            f"<span class='line ls-1'>{line(n)}</span>" if n % 2 else line(n) for n in range(6)) + "</p>")
def lines():
    page = HTML(string=html).render().pages[0]._page_box
    return [[(round(t.position_x, 3), round(t.position_y, 3), t.text) for t in line.descendants()
             if isinstance(t, boxes.TextBox)] for line in page.descendants() if isinstance(line, boxes.LineBox)]
before = lines(); twice = seen["line ls-1"]; seen.clear()
lines_kept_whole("even", "line")
after = lines()
print(len(before), twice, seen["line ls-1"], before == after)
"""


def test_a_line_kept_whole_is_laid_out_once_where_it_cannot_fit() -> None:
    """A span.line of an even paragraph (pdf/paragraphs.py) after a full line was laid out there too, to find
    it does not fit, then on its own line; with lines_kept_whole, once, and the lines are the same."""
    found = subprocess.run([sys.executable, "-c", _WHOLE_LINES], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONPATH": str(ROOT)}).stdout.split()
    # six lines, three of them spans, laid out twice each; then once, but for the paragraph's last line
    assert found == ["6", "6", "4", "True"]


_PSEUDO_STYLES = """
import collections
from weasyprint import HTML, css
from weasyprint.formatting_structure import boxes
from octavo.pdf.patches import pseudo_styles_where_used
made = collections.Counter()
compute = css.StyleFor.set_computed_styles
def counted(self, element, parent, root=None, pseudo_type=None, base_url=None, target_collector=None):
    done = compute(self, element, parent, root, pseudo_type, base_url, target_collector)
    if pseudo_type and (element, pseudo_type) in self.get_computed_styles():
        made[pseudo_type] += 1
    return done
css.StyleFor.set_computed_styles = counted
html = ("<style>@page { size: 300px 300px } .fn { float: footnote } p::before { content: '> ' }</style>"
        "<ol><li>First</li><li>Second</li></ol>"
        + "".join(f"<p>Text <em>and</em> more{'<span class=fn>A note.</span>' if n == 2 else ''}.</p>"
                  for n in range(4)))
def pages():
    document = HTML(string=html).render()
    return [[(type(b).__name__, round(b.position_x, 3), round(b.position_y, 3), getattr(b, "text", ""))
             for b in page._page_box.descendants()] for page in document.pages]
before = pages(); was = dict(made); made.clear()
pseudo_styles_where_used()
after = pages()
print(before == after, was["marker"] > 2, made["marker"], made["footnote-call"], made["footnote-marker"],
      made["before"], any(t.startswith("1.") for page in after for *_, t in page))
"""


def test_pseudo_element_styles_are_computed_only_where_their_boxes_are_made() -> None:
    """WeasyPrint computes a ::marker and note-call style for every element; only the list items' markers and the
    footnote's call and marker make boxes, and the pages are the same without the others."""
    found = subprocess.run([sys.executable, "-c", _PSEUDO_STYLES], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONPATH": str(ROOT)}).stdout.split()
    # the same pages; before: a marker style for every element; after: the two items', the note's call and
    # marker, and every paragraph's ::before (a rule of the page's own)
    assert found == ["True", "True", "2", "1", "1", "4", "True"]


_JUSTIFIED_ENDS = """
import sys
import pypdfium2
from weasyprint import HTML
document = HTML(sys.argv[1]).render()
for state in ("broken", "fixed"):
    if state == "fixed":
        from octavo.pdf.internals import kerned_justification
        kerned_justification()  # the drawing only: the same layout, drawn again
    document.write_pdf(sys.argv[2])
    page = pypdfium2.PdfDocument(sys.argv[2])[0].get_textpage()
    text = page.get_text_range()
    boxes = [page.get_charbox(i, loose=True) for i in range(len(text))]  # loose: each glyph's advance
    lines = {}
    for char, box in zip(text, boxes):
        if not char.isspace():
            lines.setdefault(round(box[1], 1), []).append((box[2], char))
    # the last line is not justified; a line's last "f" has the advance its kern against the dropped space gave it,
    # which PDFium does not read
    ends = [line[-1][0] for line in list(lines.values())[:-1] if line[-1][1] != "f"]
    t = text.index("engagement,") + len("engagement") - 1
    print(state, round(max(ends) - min(ends), 2), round(boxes[t + 1][0] - boxes[t][2], 2))
"""


def test_justified_text_is_drawn_as_wide_as_it_was_measured(tmp_path: Path) -> None:
    """WeasyPrint 70 justifies by letter-spacing attributes on the spaces, which cut the kerning of "f " and "y "
    (tests/fixtures/weasyprint/justified-space-kerning.html): a gap before the comma after an element, justified
    lines ending up to 2.7 pt apart. Drawn with kerned_justification, the lines end together and the comma sits
    against its word; without it (the same layout, in the same process), they do not."""
    fixture = ROOT / "tests" / "fixtures" / "weasyprint" / "justified-space-kerning.html"
    result = subprocess.run([sys.executable, "-c", _JUSTIFIED_ENDS, str(fixture), str(tmp_path / "out.pdf")],
                            capture_output=True, text=True, check=True, timeout=120)
    drawn = {state: (float(spread), float(gap)) for state, spread, gap in map(str.split, result.stdout.splitlines())}
    assert drawn["broken"][0] > 0.5 and drawn["broken"][1] > 0.5, drawn  # WeasyPrint 70 as it is
    assert drawn["fixed"][0] <= 0.1 and drawn["fixed"][1] <= 0.1, drawn
