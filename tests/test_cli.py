"""The command line: subcommands and their help, finding the book, errors and exit codes, --json and GitHub
annotations, and real builds through build.py and python -m octavo."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from octavo import __version__

from .conftest import FIXTURE_BOOK, ROOT, write_book


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300, check=False)


def test_help_explains_every_option_with_examples() -> None:
    result = run("--help")
    assert result.returncode == 0
    for word in ("--content", "--out", "--strict", "-q", "-v", "examples:", "python build.py build pdf", "exit codes",
                 "build", "new", "watch", "check", "release", "python build.py release v1.2.0"):
        assert word in result.stdout


@pytest.mark.parametrize(("command", "options"), [
    ("build", ("TARGET", "PATH", "--content", "--out", "--strict", "--check", "--force", "--book-version", "--json",
               "--quiet", "--verbose")),
    ("new", ("PATH",)),
    ("watch", ("PATH", "--content", "--out", "--port", "--book-version")),
    ("check", ("PATH", "--content", "--out", "--strict", "--book-version", "--json")),
    ("release", ("VERSION", "PATH", "--content", "--out", "--strict")),
])
def test_every_command_has_its_own_help(command: str, options: tuple[str, ...]) -> None:
    result = run(command, "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: python build.py {command} ")
    for option in options:
        assert option in result.stdout
    assert "--port" not in result.stdout or command == "watch"  # each command lists only its own options


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version_prints_octavos_version(flag: str) -> None:
    for result in (run(flag), run_module(flag), run("build", flag)):
        assert (result.returncode, result.stdout, result.stderr) == (0, f"Octavo {__version__}\n", "")


def run_module(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """python -m octavo, importing this checkout's octavo wherever it runs."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, "-m", "octavo", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300, env=environment, check=False)


def test_messages_name_the_program_as_it_was_invoked(tmp_path: Path) -> None:
    script = tmp_path / "bin" / "octavo"  # what pip writes for the console script
    script.parent.mkdir()
    script.write_text("import sys\nfrom octavo.cli import main\nsys.exit(main())\n")
    console = subprocess.run([sys.executable, str(script), "bogus"], capture_output=True, text=True, timeout=60,
                             check=False, env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=tmp_path)
    for result, prog in ((run("bogus"), "python build.py"), (run_module("bogus"), "python -m octavo"),
                         (console, "octavo")):
        assert result.returncode == 2
        assert result.stderr.endswith(f"({prog} --help shows examples)\n")
    assert run_module("--help").stdout.startswith("usage: python -m octavo [-h] [-V] COMMAND ...")
    assert run_module("new").stderr == "error: new needs a folder to create: python -m octavo new my-book\n"
    assert run_module(cwd=tmp_path).stderr == ("error: no book.yaml in ./ or content/ (python -m octavo new PATH "
                                               "starts a book)\n")


def test_a_build_target_names_only_targets() -> None:
    result = run("build", "bogus")
    assert result.returncode == 2
    assert result.stderr == ("error: unknown target 'bogus'; choose one of all, pdf, print, screen, epub "
                             "(python build.py build --help shows examples)\n")


@pytest.mark.parametrize("argv", [
    ("epub", "{path}"),  # before subcommands, this built content/ and exited 0
    ("build", "epub", "{path}"),
    ("check", "{path}"),
    ("watch", "{path}"),
    ("release", "v1.2.0", "{path}"),
    ("{path}",),
])
def test_a_path_that_is_no_book_is_refused_by_every_command(tmp_path: Path, argv: tuple[str, ...]) -> None:
    (tmp_path / "notes").mkdir()
    folder = tmp_path / "notes"
    result = run(*(word.format(path=folder) for word in argv), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert result.stderr == (f"error: no book.yaml in {folder}/ or {folder}/content/ "
                             "(python build.py new PATH starts a book)\n")
    assert not (tmp_path / "out").exists()


def test_the_command_line_looks_for_the_file_config_reads() -> None:
    from octavo import cli, config

    assert cli.CONFIG_NAME == config.CONFIG_NAME


def test_path_and_content_together_are_refused(tmp_path: Path) -> None:
    result = run("build", str(FIXTURE_BOOK), "--content", str(FIXTURE_BOOK), "--out", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr == (f"error: give either PATH or --content, not both: {FIXTURE_BOOK} is a book's folder, "
                             "--content names its content folder\n")


def test_a_path_builds_that_book_into_its_own_dist(tmp_path: Path) -> None:
    """`build.py epub PATH` (a folder holding book.yaml) and `build.py PATH` (one holding content/book.yaml)."""
    book = write_book(tmp_path / "flat", {"book.yaml": 'title: "Flat"\nauthors: ["A"]\nlanguage: en\n',
                                          "01.md": "# One\n\nText.\n"})
    result = run("epub", "-q", str(book))
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (book / "dist").iterdir()) == [".octavo-build.json", "SHA256SUMS", "flat.epub"]
    assert not (ROOT / "dist" / "flat.epub").exists()
    repository = tmp_path / "repository"
    (repository / "content").mkdir(parents=True)
    for name in ("book.yaml", "01.md"):
        (repository / "content" / name).write_bytes((book / name).read_bytes())
    result = run("build", "epub", "-q", str(repository))
    assert result.returncode == 0, result.stderr
    assert (repository / "dist" / "flat.epub").is_file()


@pytest.mark.slow
def test_a_new_book_builds_where_it_stands_with_a_json_report(tmp_path: Path) -> None:
    """`new PATH`, then `cd PATH && octavo`: the three outputs in PATH/dist, described on stdout as JSON."""
    assert run_module("new", "my-book", cwd=tmp_path).returncode == 0
    book = tmp_path / "my-book"
    result = run_module("build", "--json", cwd=book)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[0] == "[1/5] content/book.yaml: 2 chapters"  # human progress on stderr
    report = json.loads(result.stdout)
    names = ["my-book-print.pdf", "my-book.pdf", "my-book.epub"]
    assert sorted(p.name for p in (book / "dist").iterdir()) == sorted([".octavo-build.json", "SHA256SUMS", *names])
    assert {key: report[key] for key in ("octavo", "schema", "command", "ok", "exit_code", "messages")} == {
        "octavo": __version__, "schema": 1, "command": "build", "ok": True, "exit_code": 0, "messages": []}
    assert [(o["path"], o["edition"]) for o in report["outputs"]] == [
        (f"dist/{name}", edition) for name, edition in zip(names, ("print", "screen", "epub"), strict=True)]
    for output in report["outputs"]:
        assert output["sha256"] == hashlib.sha256((book / output["path"]).read_bytes()).hexdigest()
    assert [o.get("pages") for o in report["outputs"]][2] is None
    assert all(isinstance(o["pages"], int) and o["pages"] > 4 for o in report["outputs"][:2])
    again = json.loads(run_module("build", "--json", cwd=book).stdout)  # up to date: the same files described
    assert again["outputs"] == report["outputs"]
    checked = run_module("check", "--json", cwd=book)
    assert checked.returncode == 0, checked.stderr
    assert json.loads(checked.stdout)["outputs"] == report["outputs"]


def test_json_and_annotations_give_each_warning_and_error_a_code_file_and_line(tmp_path: Path) -> None:
    book = write_book(tmp_path / "book", {
        "book.yaml": 'title: "Coded"\nauthors: ["A"]\nlanguage: en\n',
        "01.md": "# One\n\nText.\n\n### Too deep, 100% sure\n\nMore.\n"})
    env = {"GITHUB_ACTIONS": "true"}
    result = run_module("build", "epub", "--json", str(book), env=env)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    warning = {"level": "warning", "code": "heading-level-skip", "file": f"{book}/01.md", "line": 5,
               "message": "heading level skips from 1 to 3; use ##"}
    assert report["messages"] == [warning]
    assert (f"::warning file={book}/01.md,line=5,title=heading-level-skip::heading level skips from 1 to 3; "
            "use ##\n") in result.stderr
    (book / "01.md").write_text("# One\n\n![](missing.png)\n", encoding="utf-8")
    result = run_module("build", "epub", "--json", "--strict", str(book), env=env)
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert (report["ok"], report["exit_code"], report["outputs"]) == (False, 1, [])
    assert [(m["level"], m["code"], m["file"], m["line"]) for m in report["messages"]] == [
        ("error", "missing-alt-text", f"{book}/01.md", 3)]
    assert f"::error file={book}/01.md,line=3,title=missing-alt-text::image 'missing.png' has no alt text" \
        in result.stderr


def test_annotations_escape_what_github_reads_as_syntax() -> None:
    from octavo.messages import Message
    from octavo.report import workflow_commands

    assert workflow_commands([Message("error", "unknown-key", "50% done\nnext: a, b", "dir,1/a:b.yaml", 7)]) == [
        "::error file=dir%2C1/a%3Ab.yaml,line=7,title=unknown-key::50%25 done%0Anext: a, b"]


def test_unknown_target_is_a_usage_error() -> None:
    result = run("bogus")
    assert result.returncode == 2
    assert result.stderr.strip() == ("error: unknown target 'bogus'; choose one of all, pdf, print, screen, epub, "
                                     "check, release, new, watch (python build.py --help shows examples)")


def test_epub_target_builds_only_the_epub_with_progress_lines(tmp_path: Path) -> None:
    result = run("epub", "--content", str(FIXTURE_BOOK), "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [".octavo-build.json", "SHA256SUMS", "a-small-test-book.epub"]
    lines = result.stderr.splitlines()
    assert lines[0] == f"[1/3] {FIXTURE_BOOK}/book.yaml: 3 chapters"
    assert re.fullmatch(r"\[2/3\] .*a-small-test-book\.epub \(7 documents, \d+ print pages listed\)", lines[1])
    assert lines[-1].startswith("Built in ") and lines[-1].endswith(" s")


def test_quiet_prints_nothing_on_success(tmp_path: Path) -> None:
    result = run("epub", "-q", "--content", str(FIXTURE_BOOK), "--out", str(tmp_path))
    assert result.returncode == 0 and result.stderr == "" and result.stdout == ""


def test_missing_book_yaml_is_a_content_error(tmp_path: Path) -> None:
    result = run("--content", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out"))
    assert result.returncode == 1
    assert result.stderr.strip() == (f"error: {tmp_path}/nowhere/book.yaml: no book.yaml in {tmp_path}/nowhere/: "
                                     "create one (python build.py new PATH writes a documented example)")


def test_print_and_screen_targets_build_one_edition_each(tmp_path: Path) -> None:
    for target, name in (("print", "a-small-test-book-print.pdf"), ("screen", "a-small-test-book.pdf")):
        result = run(target, "-q", "--content", str(FIXTURE_BOOK), "--out", str(tmp_path / target))
        assert result.returncode == 0, result.stderr
        assert sorted(p.name for p in (tmp_path / target).iterdir()) == [".octavo-build.json", "SHA256SUMS", name]


def test_what_check_finds_is_reported_with_a_code_and_the_outputs_path(tmp_path: Path) -> None:
    assert run_module("new", "short", cwd=tmp_path).returncode == 0
    book = tmp_path / "short"
    config = book / "content" / "book.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("printer: generic", "printer: kdp"), encoding="utf-8")
    assert run_module("build", "-q", "print", cwd=book).returncode == 0
    result = run_module("check", "--json", cwd=book, env={"GITHUB_ACTIONS": "true"})
    assert result.returncode == 3
    report = json.loads(result.stdout)
    assert (report["command"], report["ok"], [o["edition"] for o in report["outputs"]]) == ("check", False, ["print"])
    assert [(m["level"], m["code"], m["file"]) for m in report["messages"]] == [
        ("error", "page-count-limit", "dist/short-print.pdf"), ("error", "check-failed", None)]
    assert "::error file=dist/short-print.pdf,title=page-count-limit::" in result.stderr
    assert "::error title=check-failed::1 problem(s) found in dist/\n" in result.stderr


@pytest.mark.slow
def test_release_takes_its_version_as_an_argument_and_writes_beside_the_book(tmp_path: Path) -> None:
    assert run_module("new", "my-book", cwd=tmp_path).returncode == 0
    result = run_module("release", "v1.0.0", "my-book", "-q", cwd=tmp_path, env={"SOURCE_DATE_EPOCH": "1767225600"})
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "my-book" / "dist" / "v1.0.0").iterdir()) == [
        "SHA256SUMS", "my-book-v1.0.0-print.pdf", "my-book-v1.0.0.epub", "my-book-v1.0.0.pdf"]
    twice = run_module("release", "v1.0.0", "my-book", "--version", "v1.0.1", cwd=tmp_path)
    assert twice.returncode == 2
    assert twice.stderr == ("error: release got two versions, 'v1.0.0' and 'v1.0.1'; give one: "
                            "python -m octavo release v1.0.0\n")
