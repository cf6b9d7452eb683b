"""BuildOptions + targets -> the PDFs and the EPUB, built in a child process for the preview.

A child, not a thread: WeasyPrint holds the interpreter for seconds, which would stall the preview
server, and a child can be interrupted cleanly (its atomic writes remove their temporary files).
One child serves every save: it keeps Octavo and WeasyPrint imported, and the fork server its part workers
start from, so a save lays out only what changed (issue 18: the PDFs within 3 s of a save).
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import octavo
from octavo.errors import BuildError
from octavo.log import tally
from octavo.model import BuildOptions, Edition
from octavo.output import output_names
from octavo.pipeline import build
from octavo.preview.page import Problem, problems_from

if TYPE_CHECKING:
    from octavo.preview.live import Live

log = logging.getLogger("octavo")

#: The child's program. stop() sends SIGTERM: before the handler is set the child dies at once, having written
#: nothing yet; after, it exits with 143 through SystemExit, which removes temporary files on its way out.
BOOT = ("import signal, sys\n"
        "signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))\n"
        "from octavo.preview.worker import serve\n"
        "sys.exit(serve(sys.stdin))\n")
#: The child's stdout line that ends a build starts with this, followed by its result as JSON.
RESULT = "octavo-result: "
#: The child's stdout line said once the PDFs are in place (the EPUB follows).
PDFS = "octavo-pdfs"
LABELS = ((Edition.PRINT, "print PDF"), (Edition.SCREEN, "screen PDF"), (Edition.EPUB, "EPUB"))


class OutputsWorker:
    """One output build at a time, in a thread that runs the child; requests made meanwhile are merged."""

    def __init__(self, options: BuildOptions, live: Live, settled: threading.Lock | None = None):
        self.options = options
        self.live = live
        self.settled = settled or threading.Lock()
        """Held while the preview is refreshed: a build's verdict waits for the refresh's."""
        self._wanted: set[str] = set()
        self._wake = threading.Condition()
        self._stopping = False
        self._busy = False
        self._child: subprocess.Popen[str] | None = None
        self.children = 0
        """How many child processes were started: one for every build while none dies."""
        self._thread = threading.Thread(target=self._run, name="octavo-outputs", daemon=True)

    def start(self) -> None:
        if self.options.targets:
            self._thread.start()

    def request(self, targets: Iterable[str]) -> None:
        """Build these outputs as soon as the build in progress, if any, has finished."""
        with self._wake:
            self._wanted |= set(targets) & set(self.options.targets)
            self._wake.notify()

    def idle(self) -> bool:
        """Whether no build is asked for or under way."""
        with self._wake:
            return not self._wanted and not self._busy

    def withdraw(self) -> None:
        """The text has an error after all: forget the builds asked for and not yet started."""
        with self._wake:
            self._wanted = set()

    def mark_stale(self) -> None:
        """The text has an error: the outputs present are from the last good build (a build under way ends so)."""
        if self.live.snapshot.outputs.state in ("done", "building"):
            self._publish(state="stale")

    def stop(self) -> None:
        """Stop the build in progress, leaving no partial file, and end the thread."""
        with self._wake:
            self._stopping = True
            self._wake.notify()
            child = self._child
        if child is not None and child.poll() is None:
            child.terminate()
            try:
                child.wait(10)
            except subprocess.TimeoutExpired:
                child.kill()
        if self._thread.is_alive():
            self._thread.join(15)

    def _run(self) -> None:
        while True:
            with self._wake:
                self._wake.wait_for(lambda: bool(self._wanted) or self._stopping)
                if self._stopping:
                    return
                targets, self._wanted = sorted(self._wanted), set()
                self._busy = True
            self._publish(state="building")
            result = self._build(targets)
            if result is None:
                return
            self._publish(**result)
            with self._wake:
                self._busy = False

    def _build(self, targets: list[str]) -> dict[str, Any] | None:
        start = time.perf_counter()
        with self._wake:
            if self._stopping:
                return None
            child = self._warm_child()
        assert child.stdin is not None and child.stdout is not None
        try:
            child.stdin.write(json.dumps(spec(self.options, targets)) + "\n")
            child.stdin.flush()
        except OSError:  # it died since the last build: its end of the pipe is closed
            pass
        lines = []
        for line in child.stdout:  # the child's stdout: its result lines only (it logs to stderr)
            lines.append(line)
            if line.startswith(RESULT):
                break
            if line.startswith(PDFS):  # both PDFs in place: the bar links them while the EPUB is made
                self._publish(files=present_outputs(self.options, self.live.snapshot.slug))
        with self._wake:
            if self._stopping:
                return None
            if not lines or not lines[-1].startswith(RESULT):  # it died: the next build starts another
                child.wait()
                self._child = None
        problems, warnings = parse_result("".join(lines), child.poll() or 0)
        seconds = time.perf_counter() - start
        with self.settled:  # the refresh of the same save, begun beside this build, has said whether the text is good
            snap = self.live.snapshot
        if snap.problems:  # the preview shows the error; the outputs present are from the last good build
            problems = ()
        state = "failed" if problems else "stale" if snap.problems else "done"
        log.info("outputs (%s) %s in %.1f s", ", ".join(targets), "failed" if problems else "built", seconds)
        return {"state": state, "problems": problems, "warnings": warnings, "seconds": seconds,
                "files": present_outputs(self.options, snap.slug)}

    def _warm_child(self) -> subprocess.Popen[str]:
        """The child that builds, started on the first build (or when the last one died) and kept for the next."""
        if self._child is None or self._child.poll() is not None:
            # A session of its own: the terminal's Ctrl-C reaches only the server, which stops the child itself.
            self._child = subprocess.Popen(command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                           env=_child_env(), start_new_session=True)
            self.children += 1
        return self._child

    def _publish(self, **changes: Any) -> None:
        self.live.update(lambda s: replace(s, outputs=replace(s.outputs, version=s.outputs.version + 1, **changes)))


def command() -> list[str]:
    """The child's command line: this interpreter and this module; each build's options come on its stdin."""
    return [sys.executable, "-c", BOOT]


def spec(options: BuildOptions, targets: list[str]) -> dict[str, Any]:
    """One build's options as JSON, a line of the child's stdin."""
    return {"content": str(options.content), "out": str(options.out), "targets": targets,
            "version": options.version, "templates": str(options.templates), "styles": str(options.styles),
            "overrides": [str(folder) for folder in options.overrides], "verbose": log.isEnabledFor(logging.DEBUG)}


def _child_env() -> dict[str, str]:
    """Make the child import this very octavo, wherever the server was started from."""
    env = dict(os.environ)
    # The folder that holds the imported octavo package: a checkout, or site-packages of an installed wheel.
    imported = Path(octavo.__file__).resolve().parent.parent
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(imported), env.get("PYTHONPATH"))))
    return env


def parse_result(stdout: str, returncode: int) -> tuple[tuple[Problem, ...], tuple[str, ...]]:
    """The child's problems and warnings; a child that died without a result is a problem too."""
    lines = [line for line in stdout.splitlines() if line.startswith(RESULT)]
    if not lines:
        return (Problem(f"the output build stopped unexpectedly (exit code {returncode}); see the terminal"),), ()
    data = json.loads(lines[-1][len(RESULT):])
    problems = tuple(Problem(p["message"], p["path"], p["line"], tuple((n, t) for n, t in p["excerpt"]))
                     for p in data["problems"])
    return problems, tuple(data["warnings"])


def present_outputs(options: BuildOptions, slug: str | None) -> tuple[tuple[str, str, int], ...]:
    """(label, file name, mtime) of each output of this book found in the output folder."""
    if slug is None:
        return ()
    names = output_names(slug, options.version)
    found = []
    for key, label in LABELS:
        path = options.out / names[key]
        if path.is_file():
            found.append((label, names[key], path.stat().st_mtime_ns))
    return tuple(found)


@contextmanager
def collect_warnings(this_thread: bool = True) -> Iterator[Sequence[str]]:
    """The warnings and errors logged by octavo and WeasyPrint while the block runs (by this thread only, by
    default), as the console says them: the log's one tally."""
    with tally(this_thread) as seen:
        yield seen.lines


def serve(requests: Iterable[str]) -> int:
    """The child: a build for each line of `requests` (the options as JSON), logged as `python build.py` logs,
    each ended by its result line; the end of `requests` (the server stopped) ends it."""
    from octavo.log import setup_console

    verbose = None
    for line in requests:
        request = json.loads(line)
        if request.get("verbose", False) != verbose:  # as `watch -v` asked
            verbose = bool(request.get("verbose", False))
            setup_console(quiet=False, verbose=verbose)
        print(RESULT + json.dumps(build_once(request)), flush=True)
    return 0


def build_once(spec: dict[str, Any]) -> dict[str, Any]:
    """One build of the outputs `spec` asks for, its PDFs put in place before its EPUB is made; its problems and
    warnings as plain data."""
    options = BuildOptions(content=Path(spec["content"]), out=Path(spec["out"]), targets=tuple(spec["targets"]),
                           version=spec["version"], templates=Path(spec["templates"]), styles=Path(spec["styles"]),
                           overrides=tuple(Path(folder) for folder in spec["overrides"]))
    problems: tuple[Problem, ...] = ()
    start = time.perf_counter()

    def placed() -> None:
        log.debug("the PDFs in place %.2f s after the build began", time.perf_counter() - start)
        print(PDFS, flush=True)
        _warm_up(options)  # the fork server imports WeasyPrint while the EPUB is made

    with collect_warnings(this_thread=False) as warnings:
        try:
            build(options, pdfs_placed=placed)
        except BuildError as exc:
            problems = problems_from(exc)
            for problem in problems:
                log.error("%s", problem)
    return {"problems": [asdict(p) for p in problems], "warnings": list(warnings)}


def _warm_up(options: BuildOptions) -> None:
    """Once the PDFs of a book laid out in parts are in place: start the fork server the next build's part workers
    come from (pdf/parallel.py), so that no save waits for it to import WeasyPrint, with the caches a worker fills on
    its first part filled in it (pdf/warmup.py: the book's hyphenation patterns, its CMYK profile compressed). It does
    so in its own process: this returns at once."""
    import multiprocessing.forkserver

    from octavo.pdf.chain import worker_context
    from octavo.pdf.partcache import FOLDER
    from octavo.pdf.warmup import VARIABLE, settings

    if not (options.out / FOLDER).is_dir() or worker_context().get_start_method() != "forkserver":
        return
    try:
        os.environ[VARIABLE] = settings(*_language_and_profile(options))  # the server reads it as it starts, if it does
    except BuildError:  # book.yaml changed since the build read it: the next build says what is wrong
        pass
    try:
        multiprocessing.forkserver.ensure_running()
    finally:
        os.environ.pop(VARIABLE, None)


def _language_and_profile(options: BuildOptions) -> tuple[str, Path | None]:
    """The book's language and the CMYK profile its print edition embeds (the one its styles find)."""
    from octavo.config import load_config
    from octavo.pdf.layout import ICC_PROFILE

    meta = load_config(options.content.resolve(), options.content, options.version)
    return meta.language, options.resources.find_style(ICC_PROFILE)
