"""Parts against one layout, on the generated books: python benchmarks/equivalence.py [--chapters 25 85].

Not a timed test (issue 18's equivalence target). Each book (longbook.py) is built twice through the command line,
`build all` with book.yaml `print: layout: single` and with `layout: parts`, and the two print PDFs and the two
screen PDFs compared with the readers the tests use (tests/pdfcompare.py): page count, the text of every page, page
labels, outline, link targets, and for the screen edition the structure tree (every element's type and the text of
its marked content) and its ParentTree; then `qpdf --check` on the parts' PDFs, and `octavo check` on both output
folders (it must pass, with the same advice for both). It prints one line per comparison and a summary; the exit
status is 1 when any differs.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from longbook import write_long_book  # noqa: E402

from tests import pdfcompare  # noqa: E402

EPOCH = "1767225600"
#: What is compared, and how it is read from a PDF.
READERS: dict[str, Callable[[Path], Any]] = {
    "page texts": pdfcompare.page_texts,
    "page labels": pdfcompare.page_labels,
    "outline": pdfcompare.outline,
    "links": pdfcompare.links,
    "structure tree": pdfcompare.structure,
}


def build(content: Path, out: Path, layout: str, env: dict[str, str]) -> None:
    config = content / "book.yaml"
    text = config.read_text(encoding="utf-8").replace("  layout: single\n", "").replace("  layout: parts\n", "")
    config.write_text(text.replace("print:\n", f"print:\n  layout: {layout}\n"), encoding="utf-8")
    command = [sys.executable, str(ROOT / "build.py"), "all", "--content", str(content), "--out", str(out), "-q"]
    subprocess.run(command, check=True, env=env, stderr=subprocess.DEVNULL)


def compare(chapters: int, work: Path) -> bool:
    content = write_long_book(work / f"book{chapters}", chapters)
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "PYTHONPATH": str(ROOT)}
    outs = {layout: work / f"{layout}{chapters}" for layout in ("single", "parts")}
    for layout, out in outs.items():
        build(content, out, layout, env)
    same = True
    for name in ("long-benchmark-book-print.pdf", "long-benchmark-book.pdf"):
        single, parts = outs["single"] / name, outs["parts"] / name
        for what, read in READERS.items():
            if what == "structure tree" and name.endswith("-print.pdf"):
                continue  # the print edition is not tagged
            a, b = read(single), read(parts)
            equal = a == b
            same &= equal
            size = f"{len(a)} items" if isinstance(a, list) else ""
            print(f"{chapters} chapters, {name}: {what}: {'the same' if equal else 'DIFFERENT'} ({size})")
        if not name.endswith("-print.pdf"):
            pdfcompare.parent_tree_resolves(parts)
        qpdf = subprocess.run(["qpdf", "--check", str(parts)], capture_output=True, text=True)
        clean = qpdf.returncode == 0 and "No syntax or stream encoding errors" in qpdf.stdout
        same &= clean
        print(f"{chapters} chapters, {name}: qpdf --check {'clean' if clean else 'FAILED: ' + qpdf.stdout[-300:]}")
    said = {}
    for layout, out in outs.items():
        check = subprocess.run([sys.executable, str(ROOT / "build.py"), "check", "--content", str(content), "--out",
                                str(out)], capture_output=True, text=True, env=env)
        warned = sorted(line for line in check.stderr.splitlines() if line.startswith(("warning:", "error:")))
        said[layout] = check.returncode, warned
    passed = said["parts"][0] == 0 and said["parts"] == said["single"]
    same &= passed
    print(f"{chapters} chapters: octavo check on the parts' outputs: exit {said['parts'][0]}, "
          f"{len(said['parts'][1])} warnings (the layout's advice), "
          f"{'the same as' if said['parts'] == said['single'] else 'NOT the same as'} on the single layout's")
    return same


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chapters", type=int, nargs="+", default=[25, 85])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="octavo-equivalence-") as work:
        results = [compare(chapters, Path(work)) for chapters in args.chapters]
    print("every comparison the same" if all(results) else "SOME COMPARISONS DIFFER")
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
