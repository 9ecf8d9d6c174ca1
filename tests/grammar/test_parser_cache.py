"""The parser's tables are cached only where no one else can write (grammar/cache.py)."""

import json
import os
import pickle
import tempfile

import pytest
from lark import Lark
from mkc_cli import mkc

from mkc.grammar import GRAMMAR, OPTIONS, cache, parse

TEXT = 'email "Hi" < subject "Hello" >\ncampaign A < flow < send_email "Hi" > >\n'


class _Payload:
    """Unpickling it creates a file: proof that a pickle was loaded."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_a_pickle_planted_in_the_shared_temp_folder_is_never_loaded(tmp_path, monkeypatch):
    shared, marker = tmp_path / "tmp", tmp_path / "pwned"
    shared.mkdir()
    # Plant where Lark's `cache=True` looks, as mkc once asked it to.
    monkeypatch.setattr(tempfile, "tempdir", str(shared))
    Lark.open(str(GRAMMAR), parser="lalr", lexer="contextual", maybe_placeholders=True, cache=True, strict=False,
              start=["start", "repl_line"])  # fmt: skip
    (planted,) = shared.iterdir()
    head = planted.read_bytes().split(b"\n", 1)[0]
    planted.write_bytes(head + b"\n" + pickle.dumps(_Payload(str(marker))))
    source = tmp_path / "a.mkc"
    source.write_text(TEXT)
    env = {**os.environ, "TMPDIR": str(shared), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    assert mkc("check", str(source), env=env)[0] == 0
    assert not marker.exists()
    assert list(shared.iterdir()) == [planted]  # nothing else written to the shared folder either


def _one_file(folder):
    (found,) = [p for p in folder.iterdir() if p.name.startswith("parser-")]
    return found


def test_the_cache_is_private_and_used(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    first = cache.load_parser(GRAMMAR, OPTIONS)
    folder = tmp_path / "mkc"
    assert folder.stat().st_mode & 0o777 == 0o700
    stored = _one_file(folder)
    assert stored.stat().st_mode & 0o077 == 0
    again = cache.load_parser(GRAMMAR, OPTIONS)
    assert again is not first and [r.origin.name for r in again.rules] == [r.origin.name for r in first.rules]
    assert again.parse(TEXT, start="start") == first.parse(TEXT, start="start")


def _poisoned(path):
    """Tables of another grammar, which cannot read TEXT, at the cache file's name."""
    other = Lark('start: "x"\nrepl_line: "y"\n', **OPTIONS)
    data, memo = other.memo_serialize([cache.lark.lexer.TerminalDef, cache.lark.grammar.Rule])
    path.write_text(json.dumps(cache._encode({"data": data, "memo": memo})))


@pytest.mark.parametrize("unsafe", ["group-writable folder", "world-readable folder", "open file", "linked folder"])
def test_an_unsafe_cache_is_ignored(tmp_path, monkeypatch, unsafe):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "made"))
    cache.load_parser(GRAMMAR, OPTIONS)
    name = _one_file(tmp_path / "made" / "mkc").name
    base = tmp_path / "base"
    folder = base / "mkc"
    if unsafe == "linked folder":
        real = tmp_path / "elsewhere"
        real.mkdir(mode=0o700)
        base.mkdir()
        folder.symlink_to(real)
    else:
        folder.mkdir(parents=True)
        folder.chmod({"group-writable folder": 0o770, "world-readable folder": 0o755}.get(unsafe, 0o700))
    _poisoned(folder / name)
    if unsafe == "open file":
        (folder / name).chmod(0o666)
    monkeypatch.setenv("XDG_CACHE_HOME", str(base))
    loaded = cache.load_parser(GRAMMAR, OPTIONS)
    assert loaded.parse(TEXT, start="start").data == "start"
    assert _one_file(folder).name == name  # and nothing written there


def test_a_damaged_cache_file_is_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    cache.load_parser(GRAMMAR, OPTIONS)
    stored = _one_file(tmp_path / "mkc")
    for damage in ("{not json", '{"data": 1}', "[]"):
        stored.write_text(damage)
        assert cache.load_parser(GRAMMAR, OPTIONS).parse(TEXT, start="start").data == "start"
    assert parse(TEXT).items[1].name == "A"
