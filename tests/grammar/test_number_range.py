"""A number literal beyond a double's range (Marketo's numbers are doubles)
is a `syntax` diagnostic at the number, never an OverflowError; a large
whole number within it is exact."""

from __future__ import annotations

import pytest
from mkc_cli import mkc

from mkc.grammar.dump import show_value
from mkc.load import load_source
from mkc.source import Source


@pytest.mark.parametrize(
    "text",
    [
        "people < person ann < lead_score " + "9" * 400 + " > >",
        "campaign C < smart_list < filter lead_score > 1" + "0" * 400 + ".5 > >",
        "campaign C < flow < wait " + "9" * 400 + " days > >",
        "campaign C < flow < change_score +" + "9" * 400 + " > >",
        "campaign C < flow < change_score =" + "9" * 400 + " > >",
    ],
)
def test_a_number_too_large_is_a_syntax_error(tmp_path, text):
    path = tmp_path / "big.mkc"
    path.write_text(text + "\n")
    code, out, err = mkc("check", str(path))
    assert code == 1 and "error[syntax]" in err and "too large a number" in err and "Traceback" not in err


def test_a_large_whole_number_is_exact():
    loaded = load_source(Source("t.mkc", "people < person ann < lead_score 99999999999999999999 > >\n"))
    assert loaded.diagnostics == []
    (value,) = (f.value for f in loaded.model.people[0].fields)
    assert show_value(value) == "99999999999999999999"
