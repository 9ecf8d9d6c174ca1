"""Helpers shared by the insight tests."""

import pathlib

from mkc_cli import mkc as run_mkc

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
    """`mkc ARGS...` run from the repository's root by default."""
    return run_mkc(*args, env=env, cwd=cwd)
