"""Build timings against WeasyPrint alone: python benchmarks/run.py [--runs N] [--only seed|long].

Every build runs as a person runs it (python build.py, under a pseudo-terminal), and so does the reference: a
script in which WeasyPrint alone lays out and writes the same print HTML, with the same stylesheets and print
options, once. Each row is run --runs times, interleaved, and the table shows medians; the machine is named at
the top, with its load average, because other work on it makes every wall time noisier.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import statistics
import sys
import tempfile
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from longbook import write_long_book
from measure import Sample, measure

from octavo.config import load_config
from octavo.content.markdown import read_book
from octavo.pdf.layout import STYLESHEETS, page_css, pdf_options
from octavo.render import make_environment, render_print_html
from octavo.resources import STYLES, TEMPLATES, Resources

#: A fixed build date: outputs do not depend on file times, and the no-op key is stable across runs.
EPOCH = "1767225600"
#: The targets (issue #7): full build <= 1.3 x the reference; no-op < 0.5 s; long book memory <= 1.3 x.
TIME_RATIO, NO_OP_SECONDS, MEMORY_RATIO = 1.3, 0.5, 1.3

REFERENCE = """\
import json, sys
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
job = json.load(open(sys.argv[1]))
shared = {"font_config": FontConfiguration(), "color_profiles": {}}
sheets = [CSS(filename=name, **shared) for name in job["stylesheets"]]
sheets.append(CSS(string=job["page_css"], base_url=job["styles"], **shared))
document = HTML(string=open(job["html"], encoding="utf-8").read(), base_url=job["base_url"]).render(
    stylesheets=sheets, **shared, **job["options"])
document.write_pdf(job["target"], **job["options"])
print(f"({len(document.pages)} pages)")
"""


@dataclass(frozen=True)
class Row:
    """A line of the table: what is built, and the command that builds it."""

    book: str
    """'seed' or 'long'."""
    kind: str
    """'reference', 'full', 'again' (the no-op), 'print', 'screen' or 'epub'."""
    command: tuple[str, ...]
    """The command line."""
    out: Path | None = None
    """The output folder, for builds."""

    @property
    def name(self) -> str:
        return NAMES[self.kind]


NAMES = {"reference": "reference: WeasyPrint alone, print HTML laid out and written once",
         "full": "full build: print PDF, screen PDF, EPUB", "again": "full build again, nothing changed",
         "print": "print PDF alone", "screen": "screen PDF alone", "epub": "EPUB alone"}


@dataclass
class Results:
    """Every sample of every row, and how many files each book's no-op build rewrote (at most, over the runs)."""

    samples: dict[Row, list[Sample]]
    rewritten: dict[str, int] = field(default_factory=dict)


def reference_job(content: Path, work: Path) -> Path:
    """What the reference script needs: the print edition's HTML and stylesheets as the pipeline makes them."""
    book = read_book(load_config(content), content)
    html = render_print_html(book, make_environment(TEMPLATES), "print",
                             dt.datetime.fromtimestamp(int(EPOCH), dt.timezone.utc), "Octavo benchmark")
    (work / "print.html").write_text(html, encoding="utf-8")
    options = {**pdf_options(book, "print"), "pdf_identifier": book.meta.identifier}
    job = {"html": str(work / "print.html"), "base_url": str(book.root) + "/", "styles": str(STYLES) + "/",
           "stylesheets": [str(STYLES / name) for name in STYLESHEETS],
           "page_css": page_css(book, "print", Resources.search()),
           "options": options, "target": str(work / "reference.pdf")}
    path = work / "job.json"
    path.write_text(json.dumps(job), encoding="utf-8")
    (work / "reference.py").write_text(REFERENCE, encoding="utf-8")
    return path


def rows(book: str, content: Path, work: Path) -> list[Row]:
    """The rows of one book: the reference, the full build and, right after it, the no-op; each target alone."""
    work.mkdir(parents=True, exist_ok=True)

    def build(kind: str, target: str, *extra: str) -> Row:
        out = work / target
        command = (sys.executable, str(ROOT / "build.py"), target, "--content", str(content), "--out", str(out))
        return Row(book, kind, (*command, *extra), out)

    reference = (sys.executable, str(work / "reference.py"), str(reference_job(content, work)))
    return [Row(book, "reference", reference), build("full", "all", "--force"), build("again", "all"),
            build("print", "print", "--force"), build("screen", "screen", "--force"),
            build("epub", "epub", "--force")]


def run(table: list[Row], runs: int) -> Results:
    """Every row `runs` times, interleaved, so that a busy minute on the machine spreads over all rows."""
    results = Results({row: [] for row in table})
    for number in range(1, runs + 1):
        for row in table:
            print(f"run {number}/{runs}: {row.book}: {row.name}", file=sys.stderr, flush=True)
            before = _times(row.out)
            results.samples[row].append(measure(row.command, ROOT, {"SOURCE_DATE_EPOCH": EPOCH}))
            if row.kind == "again":
                changed = sum(_times(row.out).get(name) != time for name, time in before.items())
                results.rewritten[row.book] = max(results.rewritten.get(row.book, 0), changed)
    return results


def _times(out: Path | None) -> dict[str, int]:
    """Every file in an output folder (the manifest included) -> its modification time in nanoseconds."""
    return {p.name: p.stat().st_mtime_ns for p in out.iterdir()} if out and out.is_dir() else {}


def median(samples: list[Sample], attribute: str) -> float:
    return float(statistics.median(getattr(sample, attribute) for sample in samples))


def pages(samples: list[Sample]) -> str:
    """The page count the command printed (the pipeline's stage lines, the reference's own line)."""
    found = re.findall(r"\((\d+) pages\)", samples[0].output)
    return found[0] if found else ""


def report(results: Results, runs: int) -> str:
    """The machine, the table of medians, and the targets with their measured values."""
    lines = [machine(), "", f"Medians of {runs} runs (wall: median, then min–max); seconds and MB.", "",
             "| book | build | pages | wall s | CPU s | peak RSS MB |", "|---|---|--:|--:|--:|--:|"]
    for row, samples in results.samples.items():
        spread = f"{min(s.wall for s in samples):.2f}–{max(s.wall for s in samples):.2f}"
        lines.append(f"| {row.book} | {row.name} | {pages(samples)} | {median(samples, 'wall'):.2f} ({spread}) | "
                     f"{median(samples, 'cpu'):.2f} | {median(samples, 'rss'):.0f} |")
    return "\n".join([*lines, "", *targets(results)])


def targets(results: Results) -> list[str]:
    """Each target of issue #7 with its measured value."""
    by = {(row.book, row.kind): samples for row, samples in results.samples.items()}
    out = ["| target | measured | goal | |", "|---|--:|--:|---|"]
    for book in dict.fromkeys(row.book for row in results.samples):
        reference, full, again = by[(book, "reference")], by[(book, "full")], by[(book, "again")]
        out.append(_goal(f"{book}: full build wall / reference wall",
                         median(full, "wall") / median(reference, "wall"), TIME_RATIO, "x"))
        out.append(_info(f"{book}: full build CPU / reference CPU", median(full, "cpu") / median(reference, "cpu")))
        out.append(_goal(f"{book}: no-op build wall", median(again, "wall"), NO_OP_SECONDS, "s"))
        rewritten = results.rewritten[book]
        verdict = "met" if not rewritten else "MISSED"
        out.append(f"| {book}: files the no-op build rewrote | {rewritten} | 0 | {verdict} |")
        memory = median(full, "rss") / median(reference, "rss")
        if book == "long":
            out.append(_goal(f"{book}: full build peak RSS / reference peak RSS", memory, MEMORY_RATIO, "x"))
            out.append(counter(full))
        else:
            out.append(_info(f"{book}: full build peak RSS / reference peak RSS", memory))
    return out


def _goal(name: str, value: float, goal: float, unit: str) -> str:
    return f"| {name} | {value:.2f} {unit} | <= {goal} {unit} | {'met' if value <= goal else 'MISSED'} |"


def _info(name: str, value: float) -> str:
    return f"| {name} | {value:.2f} x | | for information |"


def _target(name: str, value: float, goal: float, unit: str) -> str:
    return f"| {name} | {value:.2f} {unit} | <= {goal} {unit} | {'met' if value <= goal else 'MISSED'} |"


def counter(full: list[Sample]) -> str:
    """How the live page counter looked during the long book's full builds."""
    updates = [s.updates for s in full if s.updates]
    if not updates:
        return "| long: page counter | no updates seen | live | MISSED |"
    gaps = [max((b[0] - a[0] for a, b in pairwise(u)), default=0.0) for u in updates]
    first = statistics.median(u[0][0] for u in updates)
    top = max(page for u in updates for _, page in u)
    return (f"| long: page counter (first shown / longest gap between updates) | {first:.1f} s / "
            f"{statistics.median(gaps):.2f} s, counting to page {top} | live | met |")


def machine() -> str:
    """What the numbers were measured on."""
    import weasyprint

    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    return (f"Machine: {os.cpu_count()} CPUs ({model}), {memory:.1f} GiB RAM, {platform.system()} "
            f"{platform.release()}; Python {platform.python_version()}, WeasyPrint {weasyprint.__version__}; "
            f"load average at the end {load}.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="runs of each row (default 3); the table shows medians")
    parser.add_argument("--only", choices=("seed", "long"), help="benchmark one book only")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="octavo-bench-")).resolve()
    try:
        books = {"seed": ROOT / "content", "long": write_long_book(work / "long-book")}
        table = [row for name, content in books.items() if args.only in (None, name)
                 for row in rows(name, content, work / name)]
        print(report(run(table, args.runs), args.runs))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
