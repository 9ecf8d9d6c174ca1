"""Shared helpers: load mkc text or files into checked models."""

from __future__ import annotations

import pathlib

from mkc.load import load_source
from mkc.source import Source

HERE = pathlib.Path(__file__).resolve().parent
SCENARIOS = sorted((HERE / "scenarios").glob("*.mkc"))


def model_of(text: str, name: str = "test.mkc", allow_errors: bool = False):
    """The checked model of `text`; check errors fail the test unless allowed."""
    loaded = load_source(Source(name, text))
    assert loaded.model is not None, loaded.diagnostics
    if not allow_errors:
        errors = [d for d in loaded.diagnostics if d.is_error]
        assert not errors, errors
    return loaded.model


def model_of_file(path: pathlib.Path):
    return model_of(path.read_text(encoding="utf-8"), str(path))
