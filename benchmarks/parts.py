"""The long book laid out in parts (issue 18): full builds in one layout and in parts, a one-sentence edit rebuilt,
and the PDFs after a save in watch; each figure with the load average it was measured under.

    python benchmarks/parts.py [--runs N] [--no-watch | --watch-only] [--saves N]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from longbook import write_long_book  # noqa: E402
from measure import Sample, measure  # noqa: E402

EPOCH = "1767225600"
ENV = {"SOURCE_DATE_EPOCH": EPOCH, "PYTHONPATH": str(ROOT)}
#: The chapter the edit is made in, and the sentence it gains.
EDITED, SENTENCE = "12-chapter.md", " This sentence was added for the benchmark."


def write_books(work: Path) -> tuple[Path, Path]:
    single, parts = write_long_book(work / "single"), write_long_book(work / "parts")
    yaml = single / "book.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8").replace("  printer: generic\n",
                                                             "  printer: generic\n  layout: single\n"),
                    encoding="utf-8")
    time.sleep(2)  # a file newer than the build's start would count as changed while it was built
    return single, parts


def build(content: Path, out: Path) -> tuple[Sample, float]:
    load = os.getloadavg()[0]
    sample = measure((sys.executable, "-m", "octavo", "build", str(content), "--out", str(out)), ROOT, ENV)
    if "Built in" not in sample.output:
        raise SystemExit(f"the build of {content} failed:\n{sample.output[-2000:]}")
    return sample, load


def edit(content: Path, n: int, settle: bool = True, sentences: int = 1) -> None:
    chapter = content / EDITED
    text = chapter.read_text(encoding="utf-8")
    at = text.index(". ", 1500 + 300 * n) + 1
    chapter.write_text(text[:at] + SENTENCE * sentences + text[at:], encoding="utf-8")
    if settle:
        time.sleep(1.5)  # as above


def watch_after_save(content: Path, out: Path, saves: int, log: Path | None = None,
                     sentences: int = 1) -> list[tuple[float, float]]:
    """(seconds from a save to both PDFs rewritten, load average) for each save, in `octavo watch` (its `-v` log
    written to `log`, each line stamped with the seconds since the last save, when given); the CPU seconds the
    watch and its build child (with the child's workers) spent on each save are printed."""
    pdfs = [out / "long-benchmark-book-print.pdf", out / "long-benchmark-book.pdf"]

    def stamps() -> list[int]:
        return [p.stat().st_mtime_ns if p.exists() else 0 for p in pdfs]

    process = subprocess.Popen([sys.executable, "-m", "octavo", "watch", str(content), "--out", str(out), "--port",
                                "8765", "-v" if log else "-q"], env={**os.environ, **ENV},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL if log is None else subprocess.PIPE,
                               text=True)
    saved = time.perf_counter()
    if log is not None:
        stream = log.open("w", encoding="utf-8")
        threading.Thread(target=_stamp, args=(process, stream, lambda: saved), daemon=True).start()
    found = []
    try:
        _wait(lambda: 0 not in stamps(), 600)
        time.sleep(10)  # the first build's EPUB and checksums
        for n in range(saves):
            before, load, cpu = stamps(), os.getloadavg()[0], _cpu(process.pid)
            saved = time.perf_counter()
            if log is not None:
                print(f"{0:7.3f} === save {n + 1} (perf_counter {saved:.3f})", file=stream, flush=True)
            edit(content, 10 + n, settle=False, sentences=sentences)
            _wait(lambda before=before: all(a != b for a, b in zip(stamps(), before, strict=True)), 300)
            found.append((time.perf_counter() - saved, load))
            time.sleep(8)
            after = _cpu(process.pid)
            print(f"  save {n + 1}: CPU seconds, watch {after[0] - cpu[0]:.2f}, build child and its workers "
                  f"{after[1] - cpu[1]:.2f}")
    finally:
        process.terminate()
        process.wait(30)
    return found


def _stamp(process: subprocess.Popen[str], stream: Any, since: Any) -> None:
    assert process.stderr is not None
    for line in process.stderr:
        print(f"{time.perf_counter() - since():7.3f} {line}", end="", file=stream, flush=True)


def _cpu(watch: int) -> tuple[float, float]:
    """CPU seconds so far of the watch process, and of its children's sessions (the build child, its fork server
    and workers: every process of them, the ended ones counted in their parents)."""
    tick = os.sysconf("SC_CLK_TCK")
    rows = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            rows[int(entry.name)] = (int(fields[1]), int(fields[3]), sum(int(f) for f in fields[11:15]))
    sessions = {sid for ppid, sid, _ in rows.values() if ppid == watch} - {rows.get(watch, (0, 0, 0))[1]}
    own = sum(int(f) for f in (Path(f"/proc/{watch}/stat").read_text().rsplit(")", 1)[1].split())[11:13])
    return own / tick, sum(cpu for _, sid, cpu in rows.values() if sid in sessions) / tick


def _wait(done: object, limit: float) -> None:
    start = time.perf_counter()
    while not done():  # type: ignore[operator]
        if time.perf_counter() - start > limit:
            raise SystemExit("watch did not write the PDFs")
        time.sleep(0.05)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-watch", action="store_true")
    parser.add_argument("--watch-only", action="store_true", help="only the saves in watch")
    parser.add_argument("--saves", type=int, default=3, help="saves in watch")
    parser.add_argument("--log", type=Path, help="write the watch's -v log to this file")
    parser.add_argument("--sentences", type=int, default=1,
                        help="sentences each save in watch adds (more move headings and pages)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="octavo-parts-bench-"))
    single, parts = write_books(work)
    if args.watch_only:
        print(f"machine: {os.cpu_count()} cores")
        print_watch(watch_after_save(parts, work / "watch-dist", args.saves, args.log, args.sentences))
        shutil.rmtree(work, ignore_errors=True)
        return
    rows: dict[str, list[tuple[float, float]]] = {"single": [], "parts": [], "edit": []}
    twice = []
    for n in range(args.runs):  # interleaved: one of each per run
        for name, content in (("single", single), ("parts", parts)):
            out = work / f"{name}-dist"
            shutil.rmtree(out, ignore_errors=True)
            sample, load = build(content, out)
            rows[name].append((sample.wall, load))
        record = json.loads((work / "parts-dist" / ".octavo-parts" / "last-build.json").read_text(encoding="utf-8"))
        twice.append(record["laid out twice"])
        edit(parts, n)
        sample, load = build(parts, work / "parts-dist")
        rows["edit"].append((sample.wall, load))
    print(f"machine: {os.cpu_count()} cores; {args.runs} interleaved runs; wall seconds (load average at start)")
    for name, label in (("single", "full build, one layout"), ("parts", "full build in parts, nothing cached"),
                        ("edit", "one-sentence edit in one chapter, then the build")):
        figures = ", ".join(f"{wall:.1f} ({load:.1f})" for wall, load in rows[name])
        print(f"  {label}: median {statistics.median(w for w, _ in rows[name]):.1f} s: {figures}")
    full = statistics.median(w for w, _ in rows["single"])
    print(f"  parts / one layout: {statistics.median(w for w, _ in rows['parts']) / full:.2f} x")
    print(f"  edit / full build in one layout: {statistics.median(w for w, _ in rows['edit']) / full:.0%} "
          "(goal <= 25 %)")
    print(f"  parts laid out twice in the full builds: {twice}")
    if not args.no_watch:
        print_watch(watch_after_save(parts, work / "watch-dist", args.saves, args.log, args.sentences))
    shutil.rmtree(work, ignore_errors=True)


def print_watch(saves: list[tuple[float, float]]) -> None:
    print("  watch, both PDFs after a save: " + ", ".join(f"{s:.1f} s ({load:.1f})" for s, load in saves)
          + " (goal <= 3 s)")


if __name__ == "__main__":
    main()
