"""`mkc check --format json|github`: the documents and annotation lines CI reads."""

from __future__ import annotations

import json
import pathlib
import re

import jsonschema
import pytest
from mkc_cli import mkc

from mkc.diagnostics import Diagnostic, to_github
from mkc.source import Span

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "docs" / "check-format.schema.json").read_text())

# One error with a hint, one warning with a hint.
SMALL = "campaign A executable < flow < wait 1 day > >\npeople < person ann < lead_scor 0 > >\n"
WAIT_MESSAGE = (
    "executable campaign A cannot `wait`: it runs in series inside its caller's flow, "
    "and Marketo does not allow waits there"
)
WAIT_HINT = (
    "move the wait into the calling campaign, or make this a trigger campaign with "
    "`trigger campaign_is_requested` and call it with `request_campaign`"
)
FIELD_MESSAGE = "no field `lead_scor`: it is neither a standard Marketo field nor declared in `fields`"


def validate(out: str) -> dict:
    doc = json.loads(out)
    jsonschema.Draft202012Validator(SCHEMA).validate(doc)
    return doc


@pytest.fixture
def small(tmp_path):
    (tmp_path / "small.mkc").write_text(SMALL)
    return tmp_path


def test_json_is_one_exact_document_on_stdout(small):
    code, out, err = mkc("check", "small.mkc", "--format", "json", cwd=small)
    assert (code, err) == (1, "")
    assert validate(out) == {
        "version": 1,
        "files": 1,
        "errors": 1,
        "warnings": 1,
        "diagnostics": [
            {
                "file": "small.mkc",
                "line": 1,
                "column": 32,
                "end_line": 1,
                "end_column": 42,
                "severity": "error",
                "code": "wait-in-executable",
                "message": WAIT_MESSAGE,
                "hints": [WAIT_HINT],
            },
            {
                "file": "small.mkc",
                "line": 2,
                "column": 23,
                "end_line": 2,
                "end_column": 32,
                "severity": "warning",
                "code": "unknown-field",
                "message": FIELD_MESSAGE,
                "hints": ["did you mean `lead_score`?"],
            },
        ],
    }


def test_json_of_a_clean_file_and_of_warnings_only(tmp_path):
    (tmp_path / "ok.mkc").write_text("campaign A executable < flow < change_score +1 > >\n")
    code, out, err = mkc("check", "ok.mkc", "--format", "json", cwd=tmp_path)
    assert (code, err) == (0, "")
    assert validate(out) == {"version": 1, "files": 1, "errors": 0, "warnings": 0, "diagnostics": []}

    (tmp_path / "ok.mkc").write_text("people < person ann < lead_scor 0 > >\n")
    code, out, err = mkc("check", "ok.mkc", "--format", "json", cwd=tmp_path)
    assert (code, err) == (0, "")
    assert validate(out)["warnings"] == 1


def test_json_lists_what_text_mode_prints_in_its_order():
    """Every checker case and example: the document is valid and holds the
    diagnostics text mode prints, in the same order."""
    paths = ("tests/checker/cases", "examples")
    code, out, err = mkc("check", *paths, "--format", "json", cwd=ROOT)
    assert err == ""
    doc = validate(out)
    text_code, _, text = mkc("check", *paths, cwd=ROOT)
    assert code == text_code == 1
    heads = re.findall(r"^(\S+?):(\d+):(\d+): (error|warning)\[([a-z0-9-]+)\]: (.*)$", text, re.M)
    assert heads == [
        (d["file"], str(d["line"]), str(d["column"]), d["severity"], d["code"], d["message"].split("\n")[0])
        for d in doc["diagnostics"]
    ]
    assert doc["errors"] == sum(d["severity"] == "error" for d in doc["diagnostics"]) > 0
    assert doc["warnings"] == len(doc["diagnostics"]) - doc["errors"] > 0
    assert f"in {doc['files']} files" in text.splitlines()[-1]


def test_json_of_a_syntax_error(tmp_path):
    (tmp_path / "bad.mkc").write_text("campaign A <\n")
    code, out, err = mkc("check", "bad.mkc", "--format", "json", cwd=tmp_path)
    assert (code, err) == (1, "")
    doc = validate(out)
    assert [d["code"] for d in doc["diagnostics"]] == ["syntax"]


@pytest.mark.parametrize("fmt", ["json", "github"])
def test_bad_input_is_one_line_on_stderr_and_nothing_on_stdout(tmp_path, fmt):
    code, out, err = mkc("check", "missing.mkc", "--format", fmt, cwd=tmp_path)
    assert (code, out, err) == (2, "", "mkc: error: missing.mkc: no such file\n")


def test_github_annotations_are_exact_lines(small):
    code, out, err = mkc("check", "small.mkc", "--format", "github", cwd=small)
    assert (code, err) == (1, "")
    assert out.splitlines() == [
        "::error file=small.mkc,line=1,col=32,endLine=1,endColumn=42,title=wait-in-executable::"
        f"{WAIT_MESSAGE}%0Ahint: {WAIT_HINT}",
        "::warning file=small.mkc,line=2,col=23,endLine=2,endColumn=32,title=unknown-field::"
        f"{FIELD_MESSAGE}%0Ahint: did you mean `lead_score`?",
    ]


def test_github_clean_file_prints_nothing(tmp_path):
    (tmp_path / "ok.mkc").write_text("campaign A executable < flow < change_score +1 > >\n")
    assert mkc("check", "ok.mkc", "--format", "github", cwd=tmp_path) == (0, "", "")


def test_github_escapes_properties_and_message(tmp_path):
    (tmp_path / "a,b:c.mkc").write_text(SMALL)
    code, out, _ = mkc("check", "a,b:c.mkc", "--format", "github", cwd=tmp_path)
    assert code == 1 and out.startswith("::error file=a%2Cb%3Ac.mkc,line=1,col=32,")

    diag = Diagnostic("syntax", "100% wrong:\r\nhere, there", Span("f.mkc", 3, 4, 3, 5), hints=("a, b: 5%",))
    assert to_github(diag) == (
        "::error file=f.mkc,line=3,col=4,endLine=3,endColumn=5,title=syntax::"
        "100%25 wrong:%0D%0Ahere, there%0Ahint: a, b: 5%25"
    )
    assert to_github(Diagnostic("x-y", "no place", None, "warning")) == "::warning title=x-y::no place"
