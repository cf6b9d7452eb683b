"""Long books against pandoc + WeasyPrint: python benchmarks/parallel.py [--chapters 85] [--edit-chapters 25]
[--runs 1] [--skip-reference] [--skip-edit].

Not a timed test (issue 18). On the generated book (longbook.py; 85 chapters make about 1,000 pages):
- the reference: pandoc (the one pypandoc-binary bundles) makes one plain PDF through WeasyPrint
  (--pdf-engine=weasyprint) and an EPUB of the same Markdown, one after the other;
- Octavo's full build of the three outputs (`python build.py all --force`), from a fresh copy of the book, a fresh
  output folder and a fresh cache (XDG_CACHE_HOME), so that nothing of an earlier run is reused;
wall time and peak memory of all processes together (the resident memory of the process tree summed, sampled
every 20 ms: benchmarks/measure.py). Then on the 300-page book (25 chapters): a full build, a one-sentence edit
in one chapter, and the build again into the same folder (the incremental build; target <= 25 % of the full).
The machine (cores, CPU, load average) is printed first: other work on it makes every wall time noisier.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from longbook import write_long_book
from measure import Sample, measure

#: A fixed build date: the outputs do not depend on the clock.
EPOCH = "1767225600"
#: Targets (issue 18): the full build's wall time against the reference, peak memory in MB, the incremental
#: build against the full one.
TIME_RATIO, MEMORY_MB, EDIT_RATIO = 1.0, 1000.0, 0.25


def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor() or "?")
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    usable = len(os.sched_getaffinity(0))
    return f"{os.cpu_count()} cores ({usable} usable), {model}, {platform.platform()}; load {load}"


def pandoc() -> str:
    import pypandoc

    return str(pypandoc.get_pandoc_path())


def reference(content: Path, work: Path) -> tuple[str, ...]:
    """pandoc to a PDF through WeasyPrint, then pandoc to an EPUB, of the book's chapters in order."""
    chapters = " ".join(str(path) for path in sorted(content.glob("*.md")))
    meta = "--file-scope --metadata title='A Long Benchmark Book' --metadata lang=en"  # notes n1... in each file
    script = (f"{pandoc()} {chapters} {meta} --pdf-engine=weasyprint -o {work / 'pandoc.pdf'} && "
              f"{pandoc()} {chapters} {meta} -o {work / 'pandoc.epub'}")
    return ("sh", "-c", script)


def octavo(content: Path, out: Path, force: bool = True) -> tuple[str, ...]:
    return (sys.executable, str(ROOT / "build.py"), "all", "--content", str(content), "--out", str(out),
            *(("--force",) if force else ()))


def fresh_book(chapters: int, work: Path, name: str) -> tuple[Path, dict[str, str]]:
    """A new copy of the book and a new cache folder for it."""
    content = write_long_book(work / name / "book", chapters)
    cache = work / name / "cache"
    cache.mkdir()
    return content, {"SOURCE_DATE_EPOCH": EPOCH, "XDG_CACHE_HOME": str(cache), "PYTHONPATH": str(ROOT)}


def show(name: str, samples: list[Sample]) -> tuple[float, float]:
    wall = statistics.median(sample.wall for sample in samples)
    rss = statistics.median(sample.rss for sample in samples)
    print(f"  {name:58} {wall:7.1f} s  {rss:7.0f} MB peak  (cpu {statistics.median(s.cpu for s in samples):.1f} s)")
    return wall, rss


def pages_of(output: str) -> str:
    lines = re.split(r"[\r\n]+", re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", output))  # the page counter's lines too
    found = [line.strip() for line in lines if ("pages)" in line or "twice" in line) and "laying out" not in line
             and not line.startswith("warning")]
    return "; ".join(found[-3:])


def laid_counts(out: Path) -> str:
    """What the build's last-build.json counts: parts laid out, ahead of the chain, moved, laid out twice."""
    import json

    found = json.loads((out / ".octavo-parts" / "last-build.json").read_text(encoding="utf-8"))
    names = ("parts", "laid out", "laid out ahead", "folios moved", "sides moved", "laid out twice")
    return ", ".join(f"{found.get(name, 0)} {name}" for name in names)


def long_book(chapters: int, runs: int, skip_reference: bool, work: Path) -> None:
    print(f"\nThe long book: {chapters} chapters")
    full: list[Sample] = []
    ref: list[Sample] = []
    for run in range(runs):  # interleaved: the reference, then Octavo
        if not skip_reference:
            content, env = fresh_book(chapters, work, f"ref{run}")
            ref.append(measure(reference(content, work / f"ref{run}"), work, env))
        content, env = fresh_book(chapters, work, f"long{run}")
        full.append(measure(octavo(content, work / f"long{run}" / "dist"), work, env))
    print(f"  Octavo: {pages_of(full[-1].output)}")
    print(f"  parts: {laid_counts(work / f'long{runs - 1}' / 'dist')}")
    wall, rss = show("Octavo full build (print PDF, screen PDF, EPUB)", full)
    print(f"  overlap: {statistics.median(s.cpu / s.wall for s in full):.2f} cores busy on average")
    if ref:
        import pikepdf

        with pikepdf.open(work / f"ref{runs - 1}" / "pandoc.pdf") as pdf:
            print(f"  pandoc's PDF: {len(pdf.pages)} pages")
        ref_wall, _ = show("pandoc + WeasyPrint: one PDF, then pandoc's EPUB", ref)
        print(f"  ratio {wall / ref_wall:.2f} x the reference (target <= {TIME_RATIO}); peak {rss:.0f} MB "
              f"(target <= {MEMORY_MB:.0f})")


def edit(chapters: int, runs: int, work: Path) -> None:
    print(f"\nThe {chapters}-chapter book: a one-sentence edit in one chapter, built again")
    full: list[Sample] = []
    again: list[Sample] = []
    for run in range(runs):
        content, env = fresh_book(chapters, work, f"edit{run}")
        out = work / f"edit{run}" / "dist"
        full.append(measure(octavo(content, out, force=False), work, env))
        chapter = sorted(content.glob("*.md"))[chapters // 2]
        text = chapter.read_text(encoding="utf-8")
        first = text.index("\n\n", text.index("\n\n") + 2) + 2  # the first paragraph after the title
        chapter.write_text(text[:first] + "One sentence edited here. " + text[first:], encoding="utf-8")
        again.append(measure(octavo(content, out, force=False), work, env))
    print(f"  Octavo: full {pages_of(full[-1].output)}; again {pages_of(again[-1].output)}")
    wall, _ = show("full build", full)
    edited, _ = show(f"after the edit of {chapter.name}", again)
    print(f"  ratio {edited / wall:.2f} of the full build (target <= {EDIT_RATIO})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chapters", type=int, default=85)
    parser.add_argument("--edit-chapters", type=int, default=25)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--skip-reference", action="store_true")
    parser.add_argument("--skip-edit", action="store_true")
    parser.add_argument("--skip-long", action="store_true")
    args = parser.parse_args()
    print(f"Machine: {machine()}")
    work = Path(tempfile.mkdtemp(prefix="octavo-parallel-"))
    try:
        if not args.skip_long:
            long_book(args.chapters, args.runs, args.skip_reference, work)
        if not args.skip_edit:
            edit(args.edit_chapters, args.runs, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"\nload average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
