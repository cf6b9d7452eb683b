"""Octavo as a user installs it: a wheel built from this checkout, installed in a fresh virtual environment
outside the repository, makes and builds books with nothing from the checkout on its path."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from importlib.util import find_spec
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from octavo import __version__

from .conftest import EPOCH, ROOT

pytestmark = pytest.mark.slow

#: What the wheel must hold besides the code: the defaults, mapped from the repository's top-level folders.
SHIPPED = ("octavo/py.typed", "octavo/templates/print.html.j2", "octavo/templates/partials/chapter.html.j2",
           "octavo/templates/epub/document.xhtml.j2", "octavo/templates/new/content/book.yaml",
           "octavo/templates/new/content/images/open-book.png", "octavo/templates/new/repository/README.md",
           "octavo/templates/new/repository/dot-github/workflows/build.yml", "octavo/styles/fonts.css",
           "octavo/styles/common.css",
           "octavo/styles/print.css", "octavo/styles/epub.css", "octavo/styles/preview.css",
           "octavo/styles/fonts/Vollkorn-Regular.ttf", "octavo/styles/fonts/OFL.txt",
           "octavo/styles/fonts/LICENSE-DejaVu.txt", "octavo/styles/icc/OctavoGenericCMYK.icc",
           "octavo/styles/icc/LICENSE.md", "octavo/pdf/internals.py", "octavo/preview/worker.py")


def run(argv: list[str | Path], cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """A command as a user runs it: from `cwd`, with no PYTHONPATH pointing back at the checkout."""
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["SOURCE_DATE_EPOCH"] = EPOCH
    return subprocess.run([str(arg) for arg in argv], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel of this checkout (the build backend from the environment when there, else fetched by pip)."""
    out = tmp_path_factory.mktemp("wheel")
    isolation = [] if find_spec("hatchling") is None else ["--no-build-isolation"]
    result = run([sys.executable, "-m", "pip", "wheel", "--no-deps", *isolation, "--wheel-dir", out, ROOT], cwd=out)
    assert result.returncode == 0, result.stdout + result.stderr
    [found] = out.glob("octavo-*.whl")
    return found


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment outside the repository with the wheel installed; the engines come from
    this environment's site-packages (--system-site-packages), so no network is needed."""
    folder = tmp_path_factory.mktemp("venv") / "env"
    assert ROOT not in folder.resolve().parents
    result = run([sys.executable, "-m", "venv", "--system-site-packages", folder], cwd=folder.parent)
    assert result.returncode == 0, result.stderr
    result = run([folder / "bin" / "python", "-m", "pip", "install", "--no-deps", "--no-index", wheel],
                 cwd=folder.parent)
    assert result.returncode == 0, result.stdout + result.stderr
    return folder


def test_the_wheel_holds_the_package_the_defaults_and_the_licences(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert wheel.name == f"octavo-{__version__}-py3-none-any.whl"
    assert [name for name in SHIPPED if name not in names] == []
    assert {"octavo/commands/new.py", "octavo/content/markdown.py", "octavo/epub/package.py"} <= names
    licences = {name.split(".dist-info/", 1)[1] for name in names if ".dist-info/licenses/" in name}
    assert licences == {"licenses/LICENSE", "licenses/styles/fonts/OFL.txt",
                        "licenses/styles/fonts/LICENSE-DejaVu.txt", "licenses/styles/icc/LICENSE.md",
                        "licenses/styles/csl/LICENSE.md"}
    # Only the package: no top-level templates/ or styles/ in site-packages, no tests, no book.
    assert {name.split("/", 1)[0] for name in names} == {"octavo", f"octavo-{__version__}.dist-info"}
    with zipfile.ZipFile(wheel) as archive:
        metadata = archive.read(f"octavo-{__version__}.dist-info/METADATA").decode()
    assert "License-Expression: MIT" in metadata.splitlines()
    assert "Requires-Dist: pydyf==0.13.0; python_version >= '3.11'" in metadata.splitlines()


def test_the_installed_octavo_is_the_wheels_and_finds_its_defaults_inside_itself(venv: Path,
                                                                                  tmp_path: Path) -> None:
    probe = ("import octavo, octavo.resources as r; "
             "print(octavo.__file__); print(r.TEMPLATES); print(r.STYLES); print(octavo.__version__)")
    result = run([venv / "bin" / "python", "-c", probe], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    module, templates, styles, version = (Path(line) for line in result.stdout.splitlines())
    package = module.parent
    assert venv.resolve() in package.resolve().parents
    assert (templates, styles) == (package / "templates", package / "styles")
    assert str(version) == __version__


def test_the_installed_console_script_makes_builds_and_checks_a_book_outside_the_repository(venv: Path,
                                                                                             tmp_path: Path) -> None:
    # The scaffold of `new` comes from inside the installed package (the first round crashed here).
    octavo = venv / "bin" / "octavo"
    made = run([octavo, "new", "book"], cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    content = next(folder for folder in (tmp_path / "book" / "content", tmp_path / "book")
                   if (folder / "book.yaml").is_file())
    out = tmp_path / "out"
    built = run([octavo, "--content", content, "--out", out], cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    outputs(out)
    checked = run([octavo, "check", "--content", content, "--out", out], cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr


def outputs(dist: Path) -> None:
    """The three outputs of a build in `dist`: two PDFs of the same length, an EPUB that is an OCF zip."""
    [epub] = dist.glob("*.epub")
    pdfs = sorted(dist.glob("*.pdf"))
    assert len(pdfs) == 2 and any(p.name.endswith("-print.pdf") for p in pdfs), pdfs
    pages = [len(pdfium.PdfDocument(path)) for path in pdfs]
    assert pages[0] == pages[1] and pages[0] > 2, pages
    with zipfile.ZipFile(epub) as archive:
        assert archive.namelist()[0] == "mimetype"
        assert archive.read("mimetype") == b"application/epub+zip"
    assert (dist / "SHA256SUMS").is_file()


def test_a_new_book_made_and_built_with_the_installed_octavo(venv: Path, tmp_path: Path) -> None:
    octavo = venv / "bin" / "octavo"
    version = run([octavo, "--version"], cwd=tmp_path)
    assert (version.returncode, version.stdout.strip()) == (0, f"Octavo {__version__}")
    made = run([octavo, "new", "b"], cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    book = tmp_path / "b"
    assert (book / "content" / "book.yaml").is_file()
    built = run([octavo], cwd=book)
    assert built.returncode == 0, built.stderr
    outputs(book / "dist")
    checked = run([octavo, "check"], cwd=book)
    assert checked.returncode == 0, checked.stderr
