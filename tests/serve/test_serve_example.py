"""The README's integration example (examples/marketo_client.py) runs
against `mkc serve examples/api_requests.mkc`, unchanged but for the host,
and prints what docs/serve.md shows."""

from __future__ import annotations

import contextlib
import io
import pathlib

from serve_helpers import Server

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
SCRIPT = ROOT / "examples" / "marketo_client.py"


def test_the_readme_example_runs_unchanged_but_for_the_host(tmp_path):
    server = Server(tmp_path, text=(ROOT / "examples" / "api_requests.mkc").read_text())
    script = SCRIPT.read_text()
    assert script.count('"http://127.0.0.1:8787"') == 1
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(script.replace("http://127.0.0.1:8787", server.url), str(SCRIPT), "exec"), {})
    finally:
        server.stop()
    assert out.getvalue().splitlines() == [
        "2026-01-01T00:00:00Z 6 Trial Started Subject=Your 30-day mkc Enterprise trial",
        "2026-01-01T00:00:00Z 13 trial_product Old Value=, New Value=mkc Enterprise",
        "2026-01-01T00:00:00Z 22 Lead Score Change Value=+5, Old Value=, New Value=5",
    ]
