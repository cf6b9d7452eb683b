"""Words broken at a recto's foot, prevented: python benchmarks/rectos.py [--only seed|long] [--book DIR].

For the first publication and the long benchmark book, lays the print edition out with each setting of
`paragraphs` and prints: the rectos whose last line ended with a broken word, how many paragraphs
pdf/recto.py set again and left (the layout check still reports those), the CPU seconds it took and the whole
layout's (issue 16: the fix must stay a small share of it).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
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
from octavo.pdf import recto
from octavo.pdf.layout import lay_out
from octavo.render import make_environment, render_print_html
from octavo.resources import TEMPLATES, Resources

EPOCH = 1767225600


def lay(content: Path, paragraphs: str) -> tuple[tuple[int, int], float, float, int]:
    """((set again, left), seconds of the fix, seconds of the whole layout, pages)."""
    book = read_book(load_config(content), content)
    book = dataclasses.replace(book, meta=dataclasses.replace(book.meta, paragraphs=paragraphs))
    html = render_print_html(book, make_environment(TEMPLATES), Edition.SCREEN,
                             dt.datetime.fromtimestamp(EPOCH, dt.timezone.utc), "benchmark")
    spent: list[Any] = [0.0, (0, 0)]
    keep = recto.keep_rectos

    def timed(*args: Any) -> tuple[int, int]:
        start = time.process_time()
        spent[1] = keep(*args)
        spent[0] = time.process_time() - start
        return spent[1]

    recto.keep_rectos = timed
    try:
        start = time.process_time()
        document = lay_out(html, book, Edition.PRINT, Resources.search(), warn=lambda message: None)
        return spent[1], spent[0], time.process_time() - start, len(document.pages)
    finally:
        recto.keep_rectos = keep


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("seed", "long"))
    parser.add_argument("--book", type=Path, action="append", default=[], help="another content folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        books: list[tuple[str, Path]] = []
        if args.only in (None, "seed"):
            books.append(("first publication", ROOT / "content"))
        if args.only in (None, "long"):
            books.append(("long benchmark book", write_long_book(Path(tmp) / "long")))
        books += [(str(path), path.resolve()) for path in args.book]
        print("| book | paragraphs | pages | rectos ending in a broken word | set again | left | fix CPU s | layout CPU s |")
        print("|---|---|--:|--:|--:|--:|--:|--:|")
        for name, content in books:
            for mode in ("greedy", "even"):
                (done, left), fix, whole, pages = lay(content, mode)
                print(f"| {name} | {mode} | {pages} | {done + left} | {done} | {left} | {fix:.2f} | {whole:.2f} |",
                      flush=True)


if __name__ == "__main__":
    main()
