"""Word spacing of justified lines: python benchmarks/spacing.py [--only seed|long] [--book DIR] [--repeat N].

For the first publication and the long benchmark book, lays the print edition out twice, with WeasyPrint's
breaks (paragraphs: greedy) and with paragraphs set as wholes (paragraphs: even), and prints for each: the share
of justified lines whose spaces are stretched beyond 2x and 3x the font's own space, the median and loosest
stretch, lines shorter than the measure inside a paragraph, the most hyphenated lines in a row, and the layout's
CPU time (the median of N layouts, greedy and even in turn; the cost is the median of the N ratios of a greedy
layout and the even one just after it, which other processes on the machine slow alike). A
justified line is every line of a justified paragraph of running text but its last (a chapter's own
paragraphs and those of its quotations and lists). Targets (issue 16): <= 10 %
beyond 2x, none beyond 3x, no short line, at most two hyphenated lines in a row, and an even layout that costs at
most a fifth more CPU than the greedy one; each book's line below its table says which are met.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from longbook import write_long_book

from octavo.config import load_config
from octavo.content.markdown import read_book
from octavo.model import Edition
from octavo.pdf.layout import lay_out
from octavo.pdf.layoutcheck import layout_defects
from octavo.pdf.pagerows import HYPHENS
from octavo.pdf.words import PARAGRAPHS, stands_in_chapter
from octavo.render import make_environment, render_print_html
from octavo.resources import TEMPLATES, Resources

EPOCH = 1767225600
#: Even layout CPU / greedy layout CPU, at most (issue 16: not more than a fifth of the layout's time).
COST = 1.20


@dataclasses.dataclass(frozen=True)
class Spacing:
    """The spacing figures of one layout."""

    lines: int
    beyond_2x: float
    beyond_3x: float
    median: float
    loosest: float
    short: int
    ladder: int
    seconds: float
    pages: int
    check: float
    """Seconds the layout check of every page (pdf/layoutcheck.py) took on this layout."""


def measure(document: Any, seconds: float) -> Spacing:
    from weasyprint.formatting_structure import boxes

    from octavo.pdf.internals import text_advance

    stretches: list[float] = []
    short = 0
    lines: dict[Any, list[Any]] = {}
    root = document.pages[0]._page_box.children[0].element
    parents = {child: parent for parent in root.iter() for child in parent}
    for page in document.pages:
        for box in page._page_box.descendants():
            if isinstance(box, boxes.LineBox) and getattr(box, "element_tag", "") in PARAGRAPHS \
                    and box.style["text_align_all"] == "justify" and stands_in_chapter(box.element, parents.get):
                lines.setdefault(box.element, []).append(box)
    ladder = 0
    for rows in lines.values():
        run = 0
        for line in rows[:-1]:
            texts = [b for b in line.descendants() if isinstance(b, boxes.TextBox)]
            spacing = max((float(getattr(b, "justification_spacing", 0) or 0) for b in texts), default=0.0)
            spaced = [b for b in texts if " " in b.text.strip()]
            right = max((b.position_x + b.margin_width() for b in texts), default=line.position_x)
            if right < line.position_x + line.width - 1.0 and spacing == 0:
                short += 1
            if spaced:
                natural = text_advance(" ", line.style)  # the font's own space, without word-spacing
                stretches.append((text_advance(" ", spaced[0].style) + spacing) / natural)
        for line in rows:
            text = "".join(b.text for b in line.descendants() if isinstance(b, boxes.TextBox)).rstrip()
            run = run + 1 if text.endswith(HYPHENS) else 0
            ladder = max(ladder, run)
    total = len(stretches) or 1
    return Spacing(len(stretches), sum(s > 2 for s in stretches) / total, sum(s > 3 for s in stretches) / total,
                   statistics.median(stretches) if stretches else 0.0, max(stretches, default=0.0), short, ladder,
                   seconds, len(document.pages), 0.0)


def lay(content: Path, paragraphs: str) -> Spacing:
    import datetime as dt

    book = read_book(load_config(content), content)
    book = dataclasses.replace(book, meta=dataclasses.replace(book.meta, paragraphs=paragraphs))
    html = render_print_html(book, make_environment(TEMPLATES), Edition.SCREEN,
                             dt.datetime.fromtimestamp(EPOCH, dt.timezone.utc), "benchmark")
    start = time.process_time()
    document = lay_out(html, book, Edition.PRINT, Resources.search(), warn=lambda message: None)
    laid = time.process_time() - start
    start = time.perf_counter()
    layout_defects(document, book)
    return dataclasses.replace(measure(document, laid), check=time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("seed", "long"))
    parser.add_argument("--book", type=Path, action="append", default=[], help="another content folder")
    parser.add_argument("--repeat", type=int, default=1, help="layouts of each mode, in turn; medians are shown")
    args = parser.parse_args()
    books: list[tuple[str, Path]] = []
    with tempfile.TemporaryDirectory() as tmp:
        if args.only in (None, "seed"):
            books.append(("first publication", ROOT / "content"))
        if args.only in (None, "long"):
            books.append(("long benchmark book", write_long_book(Path(tmp) / "long")))
        books += [(str(path), path) for path in args.book]
        print("| book | paragraphs | justified lines | beyond 2x | beyond 3x | median | loosest | short lines "
              "| hyphens in a row | pages | layout CPU s | layout check s |")
        print("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
        verdicts = []
        for name, content in books:
            runs: dict[str, list[Spacing]] = {"greedy": [], "even": []}
            for _ in range(max(1, args.repeat)):
                for mode in runs:
                    runs[mode].append(lay(content, mode))
            best = {mode: sorted(found, key=lambda s: s.seconds)[len(found) // 2] for mode, found in runs.items()}
            for mode, s in best.items():
                print(f"| {name} | {mode} | {s.lines} | {s.beyond_2x:.1%} | {s.beyond_3x:.1%} | {s.median:.2f}x | "
                      f"{s.loosest:.2f}x | {s.short} | {s.ladder} | {s.pages} | {s.seconds:.2f} | {s.check:.2f} |",
                      flush=True)
            ratios = sorted(e.seconds / g.seconds for g, e in zip(runs["greedy"], runs["even"], strict=True))
            verdicts.append(verdict(name, best["even"], ratios[len(ratios) // 2]))
        print()
        print("\n".join(verdicts))


def verdict(name: str, even: Spacing, ratio: float) -> str:
    """One line: the cost of even paragraphs and which of the targets they meet."""
    targets = [("beyond 2x <= 10 %", even.beyond_2x <= 0.10), ("none beyond 3x", even.beyond_3x == 0),
               ("no short line", even.short == 0), ("<= 2 hyphens in a row", even.ladder <= 2),
               (f"cost <= {COST:.2f}x", ratio <= COST)]
    met = ", ".join(f"{label}: {'yes' if ok else 'NO'}" for label, ok in targets)
    return f"{name}: even layout CPU / greedy layout CPU = {ratio:.2f} (target <= {COST:.2f}); {met}"


if __name__ == "__main__":
    main()
