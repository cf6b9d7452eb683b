#!/usr/bin/env python3
"""EPUB files -> DAISY Ace's verdict: exit 0 only when every one is "pass" with no violation of any impact.

    python tools/run_ace.py dist/un-peacekeeping-diplomacy.epub [more.epub ...] [--keep DIR]
    python tools/run_ace.py --install        # only make sure Ace is installed (CI does this first)

Ace (npm @daisy/ace) runs axe-core in a headless Chromium. It needs node and npm, and Debian's
chromium (apt-get install chromium); Ace's own browser download is skipped. When no `ace-puppeteer`
is on PATH, Ace is installed once with npm into $OCTAVO_ACE_HOME (default ~/.cache/octavo/ace).

exit codes: 0 every EPUB passes, 1 violations (listed on stdout), 2 Ace cannot run here (what is
missing is said on stderr)
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ACE_PACKAGE = "@daisy/ace@1.4.6"
ACE_HOME = Path(os.environ.get("OCTAVO_ACE_HOME", Path.home() / ".cache" / "octavo" / "ace"))
BROWSERS = ("chromium", "chromium-browser", "google-chrome")
#: One EPUB takes a few seconds; a hung browser must not hang CI.
TIMEOUT = 600
#: How long Chromium may take to start, in ms (Ace's own default is 5 s), and how often Ace is run.
LAUNCH_TIMEOUT_MS = 60_000
ATTEMPTS = 3
ANSI = re.compile(r"\x1b\[[0-9;]*m")


class Unavailable(Exception):
    """Ace cannot run on this machine; the message says what is missing."""


@dataclass(frozen=True)
class Violation:
    """One failed Ace assertion."""

    rule: str
    """Ace or axe-core rule id, e.g. epub-lang, color-contrast."""
    impact: str
    """minor, moderate, serious or critical."""
    where: str
    """The document it was found in."""
    detail: str
    """The offending markup or a description."""

    def __str__(self) -> str:
        return f"{self.where}: {self.impact}: {self.rule}: {self.detail}"


def chromium() -> str:
    """The browser Ace drives: $PUPPETEER_EXECUTABLE_PATH, else Debian's chromium."""
    given = os.environ.get("PUPPETEER_EXECUTABLE_PATH")
    found = given if given and Path(given).is_file() else next(filter(None, map(shutil.which, BROWSERS)), None)
    if not found:
        raise Unavailable("no Chromium: apt-get install chromium (or set PUPPETEER_EXECUTABLE_PATH)")
    return found


def ace_command() -> str:
    """ace-puppeteer from PATH or ACE_HOME, installed there with npm the first time."""
    on_path = shutil.which("ace-puppeteer")
    if on_path:
        return on_path
    local = ACE_HOME / "node_modules" / ".bin" / "ace-puppeteer"
    if local.is_file():
        return str(local)
    npm = shutil.which("npm")
    if not npm or not shutil.which("node"):
        raise Unavailable("no node/npm to install DAISY Ace: apt-get install nodejs npm")
    ACE_HOME.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PUPPETEER_SKIP_DOWNLOAD": "1", "ELECTRON_SKIP_BINARY_DOWNLOAD": "1"}
    print(f"installing {ACE_PACKAGE} into {ACE_HOME} ...", file=sys.stderr)
    done = subprocess.run([npm, "install", "--no-fund", "--no-audit", "--ignore-scripts", "--prefix", str(ACE_HOME),
                           ACE_PACKAGE], env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    if done.returncode != 0 or not local.is_file():
        raise Unavailable(f"npm could not install {ACE_PACKAGE}:\n{done.stderr[-2000:]}")
    return str(local)


def run_ace(epub: Path, report_dir: Path) -> tuple[str, list[Violation]]:
    """Check one EPUB; return Ace's outcome and every violation in its report.json."""
    # Ace gives Chromium 5 s to start (ACE_TIMEOUT_INITIAL, in ms). The first start on a fresh machine, or
    # any on a loaded one, can take longer: Ace then exits 1 without a report and, with --silent, without
    # a word (a CI run failed so). A minute, unless the caller set it.
    env = {"ACE_TIMEOUT_INITIAL": str(LAUNCH_TIMEOUT_MS), **os.environ, "PUPPETEER_EXECUTABLE_PATH": chromium()}
    report_file = report_dir / "report.json"
    # A crash of the checker is no verdict on the book, so it is run again before that is an error; what
    # Ace logged as an error is kept for the message.
    errors: list[str] = []
    for _ in range(ATTEMPTS):
        done = subprocess.run([ace_command(), "--force", "--outdir", str(report_dir), str(epub)],
                              env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False)
        if report_file.is_file():
            break
        errors += [line for line in ANSI.sub("", done.stdout + done.stderr).splitlines() if "error" in line]
    if not report_file.is_file():
        said = "\n".join(dict.fromkeys(errors)) or (done.stderr or done.stdout)[-2000:]
        raise Unavailable(f"Ace wrote no report for {epub} in {ATTEMPTS} runs (last exit {done.returncode}):\n{said}")
    report = json.loads(report_file.read_text(encoding="utf-8"))
    return report["earl:result"]["earl:outcome"], violations(report)


def violations(report: dict[str, object]) -> list[Violation]:
    """Every failed assertion of an Ace report, whatever its impact."""
    found = []
    for document in report.get("assertions", []):  # type: ignore[union-attr]
        where = document.get("earl:testSubject", {}).get("url", "?")
        for check in document.get("assertions", []):
            result = check.get("earl:result", {})
            if result.get("earl:outcome") != "pass":
                test = check.get("earl:test", {})
                detail = result.get("html") or result.get("dct:description") or test.get("dct:description", "")
                found.append(Violation(test.get("dct:title", "?"), test.get("earl:impact", "?"), where,
                                       " ".join(str(detail).split())[:300]))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("epubs", nargs="*", type=Path, metavar="EPUB")
    parser.add_argument("--install", action="store_true", help="only install Ace if it is missing")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="keep Ace's HTML and JSON reports in DIR/<name>/")
    args = parser.parse_args(argv)
    try:
        command = ace_command()
        if args.install or not args.epubs:
            print(f"DAISY Ace: {command}; browser: {chromium()}")
            return 0
        failed = 0
        for epub in args.epubs:
            with tempfile.TemporaryDirectory(prefix="ace-") as scratch:
                out = (args.keep / epub.stem) if args.keep else Path(scratch) / "report"
                outcome, found = run_ace(epub, out)
            print(f"{epub.name}: {outcome}, {len(found)} violation(s)")
            for violation in found:
                print(f"  {violation}")
            failed += outcome != "pass" or bool(found)
        return 1 if failed else 0
    except Unavailable as exc:
        print(f"run_ace: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
