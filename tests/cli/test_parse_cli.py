"""`mkc parse` and the command line's rules for bad input (spec section 10)."""

from click.testing import CliRunner
from mkc_cli import mkc

from mkc.cli import cli


def test_parse_ok(tmp_path):
    f = tmp_path / "a.mkc"
    f.write_text("campaign Score executable < flow < change_score <<my.score>> > >\n")
    code, out, err = mkc("parse", str(f))
    assert code == 0 and "ok" in out and err == ""


def test_parse_ast(tmp_path):
    f = tmp_path / "a.mkc"
    f.write_text("campaign Score executable < flow < change_score <<my.score>> > >\n")
    result = CliRunner().invoke(cli, ["parse", str(f), "--ast"])
    assert result.exit_code == 0
    assert "Campaign" in result.output and "<<my.score>>" in result.output


def test_parse_error_is_located_and_exits_1(tmp_path):
    f = tmp_path / "bad.mkc"
    f.write_text("campaign A <\n  flow <\n    < wait 1 day >\n  >\n>\n")
    code, out, err = mkc("parse", str(f))
    assert code == 1
    assert f"{f}:3:5: error[syntax]:" in err
    assert "    < wait 1 day >" in err and "Traceback" not in err


def test_missing_file_is_one_line_exit_2():
    code, out, err = mkc("parse", "no/such/file.mkc")
    assert code == 2
    assert err.strip() == "mkc: error: no/such/file.mkc: no such file"


def test_unknown_option_is_one_line_exit_2(tmp_path):
    code, out, err = mkc("parse", "--bogus", "x.mkc")
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "--bogus" in err and "Traceback" not in err


def test_help_shows_an_example():
    code, out, err = mkc("parse", "--help")
    assert code == 0 and "Example:" in out
