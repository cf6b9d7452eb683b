"""Measuring one command: wall time, CPU time, peak memory, and what it prints on a (pseudo-)terminal."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Sample:
    """One measured run of a command."""

    wall: float
    """Seconds from start to exit."""
    cpu: float
    """User + system CPU seconds of the process and its children, every thread counted."""
    rss: float
    """Peak resident memory in MB: the kernel's high-water mark, or the sampled sum over the process tree if larger."""
    output: str
    """Everything the command printed."""
    updates: list[tuple[float, int]] = field(default_factory=list)
    """(seconds since start, page) for each page-counter update seen on the terminal."""


def measure(command: tuple[str, ...], cwd: Path, env: dict[str, str]) -> Sample:
    """Run `command` with a pseudo-terminal for its output; time it, sample its memory, read what it prints."""
    controller, terminal = pty.openpty()
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdin=subprocess.DEVNULL, stdout=terminal, stderr=terminal,
                               env={**os.environ, **env})
    os.close(terminal)
    chunks: list[tuple[float, bytes]] = []
    done = threading.Event()
    peak = [0]
    threads = [threading.Thread(target=_read, args=(controller, start, chunks)),
               threading.Thread(target=_sample, args=(process.pid, done, peak))]
    for thread in threads:
        thread.start()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    done.set()
    for thread in threads:
        thread.join()
    os.close(controller)
    output = b"".join(chunk for _, chunk in chunks).decode(errors="replace")
    if process.returncode:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{output}")
    updates = [(at, int(page)) for at, chunk in chunks
               for page in re.findall(rb"laying out: page (\d+)", chunk)]
    rss = max(usage.ru_maxrss / 1024, peak[0] / 2**20)
    return Sample(wall, usage.ru_utime + usage.ru_stime, rss, output, updates)


def _read(controller: int, start: float, chunks: list[tuple[float, bytes]]) -> None:
    """Drain the terminal until the command closes it, stamping each chunk with the time it arrived."""
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:
            return
        if not chunk:
            return
        chunks.append((time.perf_counter() - start, chunk))


def _sample(pid: int, done: threading.Event, peak: list[int]) -> None:
    """Every 20 ms, the resident memory summed over the process and its descendants."""
    while not done.wait(0.02):
        peak[0] = max(peak[0], sum(_rss(p) for p in _tree(pid)))


def _tree(pid: int) -> list[int]:
    pids = [pid]
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as children:
                pids += [p for child in children.read().split() for p in _tree(int(child))]
    except OSError:
        pass
    return pids


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, IndexError, ValueError):
        return 0
