"""Helpers shared by the insight tests."""

import pathlib
import subprocess
import sys

from mkc.load import load_source
from mkc.source import Source

ROOT = pathlib.Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.mkc"))


def load(text: str, name: str = "t.mkc"):
    """A model from source text, with the checker's diagnostics."""
    loaded = load_source(Source(name, text))
    assert loaded.model is not None, loaded.diagnostics
    return loaded


def load_file(path):
    path = pathlib.Path(path)
    return load(path.read_text(), str(path.relative_to(ROOT)) if path.is_absolute() else str(path))


def mkc(*args, env=None, cwd=ROOT):
    """The real entry point in a subprocess: exit status, stdout, stderr as a user sees them."""
    proc = subprocess.run(
        [sys.executable, "-c", "from mkc.cli import main; main()", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
    )
    return proc.returncode, proc.stdout, proc.stderr
