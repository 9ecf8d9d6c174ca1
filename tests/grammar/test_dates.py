"""Every date-time prints with a four-digit year, also before the year 1000."""

import datetime as dt

from mkc_cli import mkc

from mkc.grammar import ast, parse
from mkc.repl.runtime import _describe_work

OLD = """\
campaign A < smart_list < trigger campaign_is_requested >; flow < change_data_value lead_status "MQL" > >
people < person ann < email "a@x.com" > >
scenario S <
  at 0999-03-01T09:05
  request A for ann
>
"""


def test_years_before_1000_keep_four_digits():
    assert ast.format_datetime(dt.datetime(1, 1, 1)) == "0001-01-01T00:00"
    assert ast.format_datetime(dt.datetime(999, 3, 1, 9, 5)) == "0999-03-01T09:05"
    assert ast.format_datetime(dt.datetime(2026, 12, 31, 23, 59)) == "2026-12-31T23:59"
    at = parse("scenario S < at 0042-01-02T03:04; at 0042-01-02 >\n").items[0].commands
    assert [str(a.when) for a in at] == ["0042-01-02T03:04", "0042-01-02"]
    assert _describe_work(dt.datetime(7, 1, 1), object()).startswith("0007-01-01T00:00")


def test_a_transcript_before_1000(tmp_path):
    path = tmp_path / "old.mkc"
    path.write_text(OLD)
    code, out, err = mkc("run", str(path))
    assert (code, err) == (0, "")
    assert out.splitlines()[0].startswith("0999-03-01T09:05  ann  Request Campaign")
