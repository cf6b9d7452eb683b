"""The fork server of `watch` fills the caches a part worker fills on its first part (pdf/warmup.py): every worker of a
save starts with the book's hyphenation patterns and its CMYK profile compressed, and writes what a cold one writes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from octavo.model import BuildOptions
from octavo.pdf.layout import ICC_PROFILE
from octavo.pdf.warmup import VARIABLE, settings
from tests.conftest import ROOT

PROFILE = BuildOptions(content=ROOT / "content", out=ROOT / "dist").resources.find_style(ICC_PROFILE)

#: Run in a fresh interpreter: what a part worker of a save starts with, once `watch`'s build child has warmed up.
PROBE = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    from octavo.model import BuildOptions
    from octavo.preview.worker import _warm_up

    def probe(profile):
        import zlib
        from octavo.pdf import editions, hyphenation
        data = Path(profile).read_bytes()
        compressor = zlib.compressobj(level=9)  # pydyf's own compression of a stream, as a cold worker makes it
        cold = compressor.compress(data) + compressor.flush()
        kept = [value == cold for value in editions._DEFLATED.values() if zlib.decompress(value) == data]
        return hyphenation._dictionary.cache_info().currsize, kept

    if __name__ == "__main__":
        import weasyprint  # as in the build child after its first build: its workers come from the fork server
        from octavo.pdf.chain import worker_context
        from octavo.pdf.partcache import FOLDER

        content, out = Path(sys.argv[1]), Path(sys.argv[2])
        (out / FOLDER).mkdir(parents=True)
        _warm_up(BuildOptions(content=content, out=out))
        with worker_context().Pool(1) as pool:
            print(json.dumps({"worker": pool.map(probe, [sys.argv[3]])[0], "here": probe(sys.argv[3])}))
""")


@pytest.mark.slow  # a fork server importing WeasyPrint: 2-3 s
def test_a_worker_of_a_save_starts_warm(tmp_path: Path) -> None:
    script = tmp_path / "probe.py"
    script.write_text(PROBE, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop(VARIABLE, None)
    run = subprocess.run([sys.executable, str(script), str(ROOT / "content"), str(tmp_path / "dist"), str(PROFILE)],
                         capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode == 0, run.stderr
    found = json.loads(run.stdout)
    assert found["worker"] == [1, [True]]  # the book's patterns; the profile compressed, as a cold worker does it
    assert found["here"] == [0, []]  # filled in the fork server only: the build child lays nothing out


def test_the_variable_names_the_language_and_the_profile(monkeypatch: pytest.MonkeyPatch) -> None:
    from octavo.pdf.warmup import _from_environment

    monkeypatch.setenv(VARIABLE, settings("de-CH", PROFILE))
    assert _from_environment() == ("de-CH", PROFILE)
    for value in ("", "not json", json.dumps({"profile": None}), "[]"):
        monkeypatch.setenv(VARIABLE, value)
        assert _from_environment() is None, value  # warms nothing: the workers fill their caches as they go
