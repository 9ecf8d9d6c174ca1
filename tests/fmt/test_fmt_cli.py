"""`mkc fmt [PATH...] [--check]` from the command line, as a user runs it."""

from __future__ import annotations

import pathlib
import shutil
import subprocess
import sys

import pytest
from mkc_cli import mkc

from mkc import fmt
from mkc.grammar import unparse
from mkc.source import BadInput

ROOT = pathlib.Path(__file__).resolve().parents[2]
MESSY = 'program P < campaign C < flow < wait 1 day; send_email "Hi" > > >  # kept\n'
TIDY = 'program P <\n  campaign C <\n    flow <\n      wait 1 day\n      send_email "Hi"\n    >\n  >\n>  # kept\n'


def test_fmt_rewrites_and_check_lists(tmp_path):
    messy, tidy = tmp_path / "a.mkc", tmp_path / "b.mkc"
    messy.write_text(MESSY)
    tidy.write_text(TIDY)
    status, out, err = mkc("fmt", "--check", str(tmp_path))
    assert (status, out, err) == (1, f"{messy}\n", "")
    assert messy.read_text() == MESSY  # --check changes nothing
    status, out, _ = mkc("fmt", str(tmp_path))
    assert (status, out) == (0, f"formatted {messy}\n")
    assert messy.read_text() == TIDY
    assert mkc("fmt", "--check", str(tmp_path)) == (0, "", "")
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]  # the temporary file was renamed


def test_a_file_with_syntax_errors_is_reported_and_left_alone(tmp_path):
    bad, good = tmp_path / "bad.mkc", tmp_path / "good.mkc"
    bad.write_text("campaign C < flow < wait 1 >\n")
    good.write_text(MESSY)
    status, out, err = mkc("fmt", str(bad), str(good))
    assert status == 1
    assert "bad.mkc:1:" in err and "error[syntax]" in err
    assert bad.read_text() == "campaign C < flow < wait 1 >\n"
    assert good.read_text() == TIDY  # the others are still formatted


def test_bad_input_is_one_line_and_status_2(tmp_path):
    status, out, err = mkc("fmt", str(tmp_path / "missing.mkc"))
    assert (status, out) == (2, "")
    assert err == f"mkc: error: {tmp_path / 'missing.mkc'}: no such file\n"
    (tmp_path / "latin.mkc").write_bytes(b'campaign "Caf\xe9" < flow < wait 1 day > >\n')
    status, _, err = mkc("fmt", str(tmp_path / "latin.mkc"))
    assert status == 2 and err.count("\n") == 1 and "not UTF-8" in err


def test_standard_input_to_standard_output():
    proc = subprocess.run(
        [sys.executable, "-c", "from mkc.cli import main; main()", "fmt", "-"],
        input=MESSY,
        capture_output=True,
        text=True,
    )
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, TIDY, "")


def test_byte_order_mark_and_crlf_are_kept(tmp_path):
    path = tmp_path / "win.mkc"
    path.write_bytes(b"\xef\xbb\xbf" + MESSY.replace("\n", "\r\n").encode())
    assert mkc("fmt", str(path))[0] == 0
    assert path.read_bytes() == b"\xef\xbb\xbf" + TIDY.replace("\n", "\r\n").encode()


def test_a_project_directory_is_formatted_whole(tmp_path):
    project = pathlib.Path(shutil.copytree(ROOT / "examples" / "project", tmp_path / "project"))
    (project / "extra.mkc").write_text(MESSY.replace("P", "Extra"))
    status, out, _ = mkc("fmt", "--check", cwd=project)  # no PATH: the project holding the current directory
    assert (status, out) == (1, "extra.mkc\n")


def test_the_examples_are_formatted():
    assert mkc("fmt", "--check", str(ROOT / "examples")) == (0, "", "")


def test_a_layout_that_would_change_the_tree_is_refused(monkeypatch):
    """The last line of defence: fmt parses what it wrote and compares before anything is written."""
    monkeypatch.setattr(unparse, "unparse", lambda module, text: text.replace("1 day", "2 days"))
    with pytest.raises(BadInput, match="cannot lay this file out without changing it"):
        fmt.format_text(MESSY, "a.mkc")
    monkeypatch.setattr(unparse, "unparse", lambda module, text: text.replace("  # kept", ""))
    with pytest.raises(BadInput):
        fmt.format_text(MESSY, "a.mkc")
