"""Saves in the content folder and the templates and styles it uses -> a fresh preview at once, then the PDFs
and the EPUB, served on 127.0.0.1 until Ctrl-C (python build.py watch)."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import signal
import threading
import time
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import dataclass, replace
from pathlib import Path

import watchfiles

from octavo import __version__
from octavo.config import load_config
from octavo.content.markdown import read_book
from octavo.errors import BuildError, UsageError
from octavo.model import BuildOptions, Edition, Target
from octavo.pdf.fonts import check_coverage
from octavo.pdf.layout import margins_for
from octavo.pipeline import source_date
from octavo.preview.live import Live
from octavo.preview.page import Problem, Snapshot, problems_from
from octavo.preview.worker import OutputsWorker, collect_warnings
from octavo.program import program
from octavo.render import make_environment, render_print_html
from octavo.resources import Resources, find_in

log = logging.getLogger("octavo")

#: The preview is for the author alone: it never listens beyond this machine.
HOST = "127.0.0.1"
#: print.css sets the body text in 10.5 pt; the preview keeps the print line length in ems of it.
BODY_PT = 10.5
#: How often the watcher wakes when nothing changes (ms); it is ready after the first wake.
WATCH_TICK_MS = 250


@dataclass(frozen=True)
class Plan:
    """What a set of changed files calls for."""

    preview: bool
    """Whether the preview HTML must be refreshed (and open pages reloaded)."""
    targets: frozenset[Target]
    """Outputs to rebuild: any of Target.PDF, Target.EPUB."""


def plan_for(paths: Iterable[Path], options: BuildOptions) -> Plan:
    """Rebuild what changed: the EPUB's own templates and CSS touch only the EPUB, print CSS only the PDFs, and
    a default that the book overrides touches nothing."""
    preview, targets = False, set[Target]()
    resources = options.resources
    for path in paths:
        wants_preview, wanted = _affects(path.resolve(), resources)
        preview |= wants_preview
        targets |= wanted
    return Plan(preview, frozenset(targets) & frozenset(options.targets))


def _affects(path: Path, resources: Resources) -> tuple[bool, set[Target]]:
    if (template := _found_in(path, resources.templates)) is not None:
        if template == "" or template.startswith("new/"):
            return False, set()  # shadowed by a book's own, or the scaffold of `new`: used by no build
        if template.startswith("epub/"):
            return False, {Target.EPUB}
        if template == "print.html.j2":
            return True, {Target.PDF}
        return True, {Target.PDF, Target.EPUB}  # the partials both outputs include
    if (style := _found_in(path, resources.styles)) is not None:
        if style == "":
            return False, set()
        if style == "epub.css":
            return False, {Target.EPUB}
        if style == "preview.css":
            return True, set()
        return True, {Target.PDF}
    return True, {Target.PDF, Target.EPUB}  # the publication itself


def _found_in(path: Path, folders: tuple[Path, ...]) -> str | None:
    """`path`'s name relative to the first of `folders` it is inside; '' when a folder earlier on the search
    path holds the same name (a default the book overrides: no build reads it); None when in none."""
    for index, folder in enumerate(folders):
        if folder in path.parents:
            name = path.relative_to(folder).as_posix()
            return "" if find_in(folders[:index], name) is not None else name
    return None


def render_preview(options: BuildOptions) -> Snapshot:
    """The book's print HTML and what the bar shows of it; raises BuildError as a build would."""
    root = options.content.resolve()
    meta = load_config(root, options.content, options.version)
    book = read_book(meta, root, options.content)
    check_coverage(book, options.resources, f"{options.content}/book.yaml")
    env = make_environment(options.resources.templates)
    html = render_print_html(book, env, Edition.PRINT, source_date(book), f"Octavo {__version__}")
    margins = margins_for(meta.print)
    measure = (meta.print.trim_width - margins.inner - margins.outer) / BODY_PT
    return Snapshot(html=html, title=meta.title, slug=meta.slug, measure=measure, images=frozenset(book.images))


class Rebuilder:
    """Refreshes the preview in the caller's thread (one at a time); hands output builds to the worker."""

    def __init__(self, options: BuildOptions, live: Live):
        self.options = options
        self.live = live
        self._lock = threading.Lock()
        self.outputs = OutputsWorker(options, live, settled=self._lock)

    def refresh(self, held: bool = False) -> bool:
        """Rebuild the preview HTML and publish it, or publish what went wrong; True when it built. `held`: the
        caller holds the lock."""
        with nullcontext() if held else self._lock, collect_warnings() as warnings:
            start = time.perf_counter()
            try:
                fresh = render_preview(self.options)
            except BuildError as exc:
                problems = problems_from(exc)
                for problem in problems:
                    log.error("%s", problem)
            except Exception as exc:  # a bug: keep the server up, show it, keep the traceback in the terminal
                log.exception("internal error while refreshing the preview")
                problems = (Problem(f"internal error: {type(exc).__name__}: {exc} (see the terminal)"),)
            else:
                self.live.update(lambda old: replace(fresh, generation=old.generation + 1, outputs=old.outputs,
                                                     warnings=tuple(warnings)))
                log.info("preview refreshed in %.2f s", time.perf_counter() - start)
                return True
            self.live.update(lambda old: replace(old, generation=old.generation + 1, problems=problems,
                                                 warnings=tuple(warnings), updated=dt.datetime.now()))
            self.outputs.mark_stale()
            return False

    def changed(self, paths: list[Path]) -> None:
        """Rebuild what `paths` call for: the outputs start at once, beside the preview's refresh (on the other core);
        a refresh that fails withdraws a build not yet started, and one under way ends 'stale' (worker.py)."""
        plan = plan_for(paths, self.options)
        names = ", ".join(sorted({p.name for p in paths}))
        log.info("changed: %s", names)
        if not plan.preview:
            if plan.targets and not self.live.snapshot.problems:
                self.outputs.request(plan.targets)
            return
        with self._lock:  # held until the refresh below has it: the outputs read its verdict once it is known
            if plan.targets:
                self.outputs.request(plan.targets)
            if not self.refresh(held=True):
                self.outputs.withdraw()


class Watcher:
    """watchfiles on the content folder and every template and style folder of the search path, in a thread;
    calls `on_change` with the changed paths."""

    def __init__(self, options: BuildOptions, on_change: Callable[[list[Path]], None]):
        resources = options.resources
        folders = {options.content.resolve(), *resources.templates, *resources.styles}
        # A folder inside another (content/styles/ inside content/) is seen through the outer one.
        self.folders = sorted(f for f in folders if f.is_dir() and not any(o in f.parents for o in folders))
        self.ignore = watchfiles.DefaultFilter(ignore_paths=[str(options.out.resolve())])
        self.on_change = on_change
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="octavo-watch", daemon=True)

    def start(self) -> None:
        """Start watching; return once changes are being seen."""
        self._thread.start()
        self._ready.wait(10)

    def _run(self) -> None:
        for changes in watchfiles.watch(*self.folders, watch_filter=self.ignore, stop_event=self._stop,
                                        raise_interrupt=False, rust_timeout=WATCH_TICK_MS, yield_on_timeout=True):
            self._ready.set()
            if not changes:
                continue
            try:
                self.on_change(sorted(Path(path) for _, path in changes))
            except Exception:  # a bug: say so, and keep watching
                log.exception("internal error while rebuilding")

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(10)


class Preview:
    """The whole `watch`: first build, HTTP server, watcher and output builds; start() and stop() it."""

    def __init__(self, options: BuildOptions, port: int = 8000):
        from octavo.preview.server import make_server

        if not options.content.is_dir():
            raise UsageError(f"no folder {options.content}/ to watch; start one with: "
                             f"{program()} new {options.content}")
        self.options = options
        self.live = Live(Snapshot())
        self.rebuilder = Rebuilder(options, self.live)
        self.watcher = Watcher(options, self.rebuilder.changed)
        try:
            self.http = make_server(self.live, options, HOST, port, token=secrets.token_hex(8))
        except OSError as exc:
            raise UsageError(f"cannot listen on {HOST}:{port} ({exc.strerror}); choose another port with "
                             f"--port {port + 1 if port else 8000}") from None
        self._serving = threading.Thread(target=self.http.serve_forever, name="octavo-http", daemon=True)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.http.server_address[1]}/"

    def start(self) -> Preview:
        """Build the preview, start serving and watching, then the PDFs and the EPUB in the background."""
        built = self.rebuilder.refresh()
        self._serving.start()
        self.watcher.start()
        self.rebuilder.outputs.start()
        if built and self.options.targets:
            self.rebuilder.outputs.request(self.options.targets)
        return self

    def stop(self) -> None:
        """Stop watching, end the event streams and any output build, close the port."""
        self.watcher.stop()
        self.rebuilder.outputs.stop()
        self.live.close()
        if self._serving.is_alive():  # shutdown() waits for serve_forever(), so only when it runs
            self.http.shutdown()
            self._serving.join(10)
        self.http.server_close()


def watch(options: BuildOptions, port: int) -> None:
    """Run the preview until Ctrl-C (or SIGTERM, as from a process manager); the command then exits 130, as an
    interrupted build does (cli)."""
    preview = Preview(options, port)
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        preview.start()
        log.info("Preview at %s  (watching %s; Ctrl-C stops it)", preview.url,
                 ", ".join(f"{f.name}/" for f in preview.watcher.folders))
        threading.Event().wait()
    except KeyboardInterrupt:
        log.info("Stopping the preview")
    finally:
        preview.stop()
        signal.signal(signal.SIGTERM, previous)
    log.info("Stopped; the outputs in %s/ are from the last build that finished", options.out)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
