"""`mkc check FILE...`: diagnostics to stderr, exit 0 / 1 / 2 (spec section 10)."""

from mkc_cli import mkc

CLEAN = "campaign Score executable < flow < change_score <<my.score>> > >\n"
WARNS = 'campaign A < smart_list < filter member_of_list "Gone" > >\n'
ERRS = 'campaign A < flow < change_score 5 > >\ncampaign B < flow < send_emial "E" > >\n'


def write(tmp_path, name, text):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return str(path)


def test_clean_file_exits_0_and_prints_nothing(tmp_path):
    assert mkc("check", write(tmp_path, "a.mkc", CLEAN)) == (0, "", "")


def test_warnings_alone_exit_0(tmp_path):
    f = write(tmp_path, "w.mkc", WARNS)
    code, out, err = mkc("check", f)
    assert code == 0 and out == ""
    assert f"{f}:1:49: warning[invalid-smart-list]:" in err
    assert err.rstrip().endswith("mkc check: 1 warning in 1 file")


def test_every_problem_of_every_file_is_reported_and_exits_1(tmp_path):
    a, b = write(tmp_path, "a.mkc", ERRS), write(tmp_path, "b.mkc", WARNS)
    code, out, err = mkc("check", a, b)
    assert code == 1 and out == ""
    assert f"{a}:1:34: error[bad-argument]:" in err
    assert f"{a}:2:21: error[unknown-step]:" in err
    assert f"{b}:1:49: warning[invalid-smart-list]:" in err
    assert "    change_score 5" not in err and "campaign A < flow < change_score 5 > >" in err
    assert err.rstrip().endswith("mkc check: 2 errors and 1 warning in 2 files")


def test_syntax_error_exits_1(tmp_path):
    f = write(tmp_path, "s.mkc", "campaign A <\n  flow <\n")
    code, out, err = mkc("check", f)
    assert code == 1 and "error[syntax]" in err and "Traceback" not in err


def test_missing_file_is_bad_input(tmp_path):
    code, out, err = mkc("check", write(tmp_path, "a.mkc", CLEAN), "no/such.mkc")
    assert code == 2
    assert err.strip() == "mkc: error: no/such.mkc: no such file"


def test_no_path_checks_the_current_directory(tmp_path):
    # Spec section 10: no PATH means the project of the current directory, or else the directory.
    write(tmp_path, "a.mkc", CLEAN)
    write(tmp_path, "sub/b.mkc", "campaign B < flow < change_score 5 > >\n")
    code, out, err = mkc("check", cwd=tmp_path)
    assert code == 1 and "sub/b.mkc:1:34: error[bad-argument]" in err and "Traceback" not in err
    assert err.rstrip().endswith("in 2 files")


def test_help_shows_an_example():
    code, out, err = mkc("check", "--help")
    assert code == 0 and "Example:" in out and "mkc check" in out


def test_a_byte_order_mark_is_not_text(tmp_path):
    # Spec section 10: a .mkc file may start with a UTF-8 byte-order mark.
    path = tmp_path / "bom.mkc"
    path.write_bytes("\ufeffcampaign A < flow < change_score 5 > >\n".encode())
    code, out, err = mkc("check", str(path))
    assert code == 1 and f"{path}:1:34: error[bad-argument]" in err
