"""The size and equivalence of merged part PDFs: python benchmarks/mergesize.py [--chapters N] [--parts 2 4 8].

The long benchmark book (longbook.py) is laid out whole once, then split by hand at chapter boundaries
(tests/partsplit.py) into 2, 4 and 8 parts of about equal chapter counts, each part laid out alone and both of its
editions written; the parts are merged (octavo/pdf/merge.py) and each merged file compared with the whole
layout: file size, page count, page texts, labels, outline, links, and the seconds the merge took.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from longbook import CHAPTERS, write_long_book

from octavo.config import load_config
from octavo.content.markdown import read_book
from octavo.pdf.editions import write_edition
from octavo.pdf.layout import lay_out
from octavo.pdf.merge import merge_parts
from octavo.pdf.pagemap import page_map
from octavo.pipeline import source_date_epoch
from octavo.render import make_environment, render_print_html
from octavo.resources import TEMPLATES, Resources
from tests import pdfcompare
from tests.partsplit import EDITIONS, WHEN, lay_out_parts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chapters", type=int, default=CHAPTERS)
    parser.add_argument("--parts", type=int, nargs="+", default=[2, 4, 8])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="octavo-mergesize-") as tmp:
        out = Path(tmp)
        content = write_long_book(out / "book", args.chapters)
        book = read_book(load_config(content), content)
        with source_date_epoch(WHEN):
            full = render_print_html(book, make_environment(TEMPLATES), "screen", WHEN, "test")
            document = lay_out(full, book, "print", Resources.search())
            labels = [page.label for page in page_map(document).pages]
            whole = {edition: out / f"whole-{edition}.pdf" for edition in EDITIONS}
            for edition in EDITIONS:
                write_edition(document, book, edition, whole[edition])
            print(f"{args.chapters} chapters, {len(labels)} pages; whole: "
                  + ", ".join(f"{e} {whole[e].stat().st_size / 1e6:.2f} MB" for e in EDITIONS))
            ids = [chapter.id for chapter in book.chapters]
            for count in args.parts:
                starts = [ids[len(ids) * k // count] for k in range(1, count)]
                parts = lay_out_parts(book, full, document, starts, out, stem=f"p{count}-")
                for edition in EDITIONS:
                    report(count, edition, parts[edition], whole[edition], out / f"merged{count}-{edition}.pdf",
                           book, labels)


def report(count: int, edition: str, parts: list[Path], whole: Path, merged: Path, book: object,
           labels: list[str]) -> None:
    started = time.perf_counter()
    pages = merge_parts(parts, merged, book, edition, labels)  # type: ignore[arg-type]
    seconds = time.perf_counter() - started
    growth = merged.stat().st_size / whole.stat().st_size - 1
    same = {name: getattr(pdfcompare, name)(merged) == getattr(pdfcompare, name)(whole)
            for name in ("page_texts", "page_labels", "outline", "links")}
    print(f"{count} parts, {edition:6}: {pages} pages, {merged.stat().st_size / 1e6:.2f} MB ({growth:+.1%} against "
          f"the whole; the parts together {sum(p.stat().st_size for p in parts) / 1e6:.2f} MB), merged in "
          f"{seconds:.1f} s; same as the whole: {', '.join(k for k, v in same.items() if v) or 'nothing'}"
          + ("" if all(same.values()) else f"; DIFFERENT: {', '.join(k for k, v in same.items() if not v)}"))


if __name__ == "__main__":
    main()
