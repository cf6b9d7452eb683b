"""Print HTML + build state -> the preview page: the book with the screen stylesheets, a status bar,
what to fix, and the script that reloads the page when a rebuild finishes."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from octavo.errors import BuildError, ConfigError
from octavo.markup import escape

#: Where the server mounts its own files; everything else is the publication folder.
PREFIX = "/_octavo"
#: The stylesheets of the print PDF, then the screen fallback for what a browser cannot do (pages, floats).
STYLESHEETS = ("fonts.css", "common.css", "print.css", "preview.css")
#: Lines of source shown either side of the line an error names; that line is marked.
CONTEXT = 2
HIT = ' class="octavo-hit"'


@dataclass(frozen=True)
class Problem:
    """One thing to fix, as the preview shows it."""

    message: str
    """What is wrong and how to fix it."""
    path: str | None = None
    """The file, as the terminal shows it (content/01-x.md), if known."""
    line: int | None = None
    """1-based line in that file, if known."""
    excerpt: tuple[tuple[int, str], ...] = ()
    """(line number, text) around `line`, read when the problem was found."""

    def __str__(self) -> str:
        return str(BuildError(self.message, self.path, self.line))


@dataclass(frozen=True)
class Outputs:
    """Where the slow outputs (the PDFs and the EPUB) stand."""

    state: str = "off"
    """'off' (not asked for), 'building', 'done', 'failed', or 'stale' (older than the text: fix the error)."""
    files: tuple[tuple[str, str, int], ...] = ()
    """(label, file name, mtime in ns) of each output present in the output folder."""
    problems: tuple[Problem, ...] = ()
    """Why the last output build failed."""
    warnings: tuple[str, ...] = ()
    """Warnings of the last output build (WeasyPrint's included)."""
    seconds: float | None = None
    """How long the last output build took."""
    version: int = 0
    """Increases on every change of this record; the page refreshes its status bar when it does."""


@dataclass(frozen=True)
class Snapshot:
    """What the preview shows at one moment; replaced whole, never changed."""

    generation: int = 0
    """Increases on every preview refresh; an open page reloads when it changes."""
    html: str | None = None
    """The last good print HTML (None until the first good build)."""
    title: str = "Octavo"
    """The book's title, for the status bar."""
    slug: str | None = None
    """The outputs' file-name stem, from the last good build."""
    measure: float = 31.0
    """The print text block's width in ems of the body text: the preview keeps its line length."""
    problems: tuple[Problem, ...] = ()
    """Why the last refresh failed; () when it succeeded."""
    warnings: tuple[str, ...] = ()
    """Warnings of the last refresh."""
    updated: dt.datetime = field(default_factory=lambda: dt.datetime.now())
    """When the preview was last refreshed (local time)."""
    outputs: Outputs = Outputs()
    """The PDFs and the EPUB."""
    images: frozenset[str] = frozenset()
    """The images the book uses (paths relative to the content folder): the only files of the book served."""


def problems_from(exc: BuildError) -> tuple[Problem, ...]:
    """A BuildError (every problem of a ConfigError) as Problems with source excerpts."""
    errors = exc.problems if isinstance(exc, ConfigError) else [exc]
    return tuple(Problem(e.message, None if e.path is None else str(e.path), e.line, _excerpt(e.path, e.line))
                 for e in errors)


def _excerpt(path: Path | str | None, line: int | None) -> tuple[tuple[int, str], ...]:
    if path is None or line is None or not Path(path).is_file():
        return ()
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return ()
    first = max(1, line - CONTEXT)
    return tuple((n, lines[n - 1]) for n in range(first, min(len(lines), line + CONTEXT) + 1))


def preview_page(snap: Snapshot, token: str) -> str:
    """The whole page: the book (or a placeholder), the bar, the problems, the reload script."""
    document = snap.html or _EMPTY
    links = "".join(f'<link rel="stylesheet" href="{PREFIX}/styles/{name}">\n' for name in STYLESHEETS)
    head = f"{links}<style>:root {{ --octavo-measure: {snap.measure:.2f}; }}</style>\n</head>"
    top = (f'<div id="octavo-bar" role="status">{status_html(snap)}</div>\n'
           f"{problems_html(snap.problems, 'The preview could not be refreshed', stale=snap.html is not None)}"
           f"{warnings_html(snap.warnings)}")
    script = _SCRIPT.replace("GENERATION", str(snap.generation)).replace("OUTPUTS", str(snap.outputs.version))
    document = document.replace("</head>", head, 1)
    document = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + "\n" + top, document, count=1)
    return document.replace("</body>", script.replace("TOKEN", token) + "</body>", 1)


def status_html(snap: Snapshot) -> str:
    """The status bar's content (also served alone, so the bar follows the outputs without a reload)."""
    out = snap.outputs
    parts = [f'<span class="octavo-name">Octavo preview</span> <span class="octavo-title">{escape(snap.title)}</span>',
             f'<span class="octavo-time">updated {snap.updated:%H:%M:%S}</span>']
    state = {"off": "", "building": "PDFs and EPUB: building…", "stale": "PDFs and EPUB: from the last good build",
             "failed": "PDFs and EPUB: failed, see below",
             "done": f"PDFs and EPUB: built in {out.seconds or 0:.1f} s"}[out.state]
    if out.warnings:
        state += f" ({len(out.warnings)} warning{'s' if len(out.warnings) > 1 else ''} in the terminal)"
    if state:
        parts.append(f'<span class="octavo-outputs octavo-{out.state}">{state}</span>')
    links = " ".join(f'<a href="{PREFIX}/dist/{escape(name)}?v={mtime}">{escape(label)}</a>'
                     for label, name, mtime in out.files)
    if links:
        parts.append(f'<span class="octavo-links">{links}</span>')
    bar = ' <span class="octavo-sep">·</span> '.join(parts)
    return bar + problems_html(out.problems, "The PDFs and the EPUB could not be built", stale=False)


def problems_html(problems: tuple[Problem, ...], heading: str, stale: bool) -> str:
    """A panel listing each problem with its file, line, message and the source around the line."""
    if not problems:
        return ""
    items = []
    for problem in problems:
        where = problem.path or ""
        if where and problem.line is not None:
            where += f":{problem.line}"
        source = "".join(f'<span{HIT if n == problem.line else ""}>{n:>5} │ {escape(text)}\n</span>'
                         for n, text in problem.excerpt)
        items.append(f'<li><code class="octavo-where">{escape(where)}</code> '
                     f'<span class="octavo-message">{escape(problem.message)}</span>'
                     + (f'<pre class="octavo-source">{source}</pre>' if source else "") + "</li>")
    after = " Below is the last good preview." if stale else ""
    return (f'<div class="octavo-problems" role="alert"><p class="octavo-heading">{escape(heading)}</p>'
            f'<ul>{"".join(items)}</ul><p class="octavo-hint">Fix it and save: this page reloads by itself.{after}'
            f"</p></div>\n")


def warnings_html(warnings: tuple[str, ...]) -> str:
    """The warnings of the last refresh: the book builds, but something deserves a look."""
    if not warnings:
        return ""
    items = "".join(f"<li>{escape(warning)}</li>" for warning in warnings)
    return (f'<div class="octavo-warnings"><p class="octavo-heading">{len(warnings)} warning'
            f'{"s" if len(warnings) > 1 else ""}</p><ul>{items}</ul></div>\n')


_EMPTY = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Octavo preview</title></head><body></body></html>"

# Reload on 'reload' (keeping the scroll position), refresh the bar on 'outputs'. EventSource reconnects by
# itself; the server answers a stale generation or another server's token with an immediate 'reload'.
_SCRIPT = """<script>
(function () {
  var key = "octavo-scroll";
  window.addEventListener("load", function () {
    var saved = sessionStorage.getItem(key);
    if (saved !== null) { sessionStorage.removeItem(key); window.scrollTo(0, Number(saved)); }
  });
  var url = "/_octavo/events?generation=GENERATION&outputs=OUTPUTS&token=TOKEN";
  var source = new EventSource(url);
  var bar = document.getElementById("octavo-bar");
  source.addEventListener("reload", function () {
    source.close();
    sessionStorage.setItem(key, String(window.scrollY));
    window.location.reload();
  });
  source.addEventListener("outputs", function () {
    fetch("/_octavo/status").then(function (r) { return r.text(); }).then(function (t) { bar.innerHTML = t; });
  });
  source.addEventListener("open", function () { bar.classList.remove("octavo-offline"); bar.dataset.live = "yes"; });
  source.addEventListener("error", function () { bar.classList.add("octavo-offline"); });
})();
</script>
"""
