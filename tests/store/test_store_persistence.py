"""`mkc run FILE --campaign REF --db PATH`: a second run sees the first run's
history, waits and activities."""

from __future__ import annotations

from store_helpers import people_csv, query, run_mkc, write_campaigns, write_csv

T1 = "2026-01-05T09:00"


def _db(tmp_path, capsys, n=6):
    db = str(tmp_path / "state.duckdb")
    code, _, err = run_mkc(capsys, "db", "import", people_csv(tmp_path, n), "--db", db)
    assert code == 0, err
    return db, write_campaigns(tmp_path)


def _lines(out: str) -> list[str]:
    return out.splitlines()


def test_once_holds_across_runs(tmp_path, capsys):
    db, mkc_file = _db(tmp_path, capsys)
    code, first, err = run_mkc(capsys, "run", mkc_file, "--campaign", "Welcome", "--db", db, "--at", T1)
    assert (code, err) == (0, "")
    welcomed = [line.split("  ")[1] for line in _lines(first) if "Send Email  Welcome" in line]
    # scores 7, 14, 21, 28, 5, 12 for people 1001..1006: 1002, 1003, 1004, 1006 qualify
    assert welcomed == ["1002", "1003", "1004", "1006"]
    code, second, _ = run_mkc(capsys, "run", mkc_file, "--campaign", "Welcome", "--db", db, "--at", "2026-01-20")
    assert code == 0 and "Send Email  Welcome" not in second
    assert query(db, "SELECT count(*) FROM entries WHERE campaign = 'Default.Welcome'") == [(4,)]


def test_a_wait_left_pending_resumes_when_a_later_run_passes_it(tmp_path, capsys):
    db, mkc_file = _db(tmp_path, capsys)
    _, first, _ = run_mkc(capsys, "run", mkc_file, "--campaign", "Welcome", "--db", db, "--at", T1)
    assert "Followup" not in first  # the run stops at its clock; the waits are kept
    assert query(db, "SELECT count(*), min(due) FROM waits")[0] == (4, __import__("datetime").datetime(2026, 1, 7, 9))
    _, early, _ = run_mkc(capsys, "run", mkc_file, "--campaign", "Nothing", "--db", db, "--at", "2026-01-06T09:00")
    assert early == ""
    _, later, _ = run_mkc(capsys, "run", mkc_file, "--campaign", "Nothing", "--db", db, "--at", "2026-01-08T09:00")
    assert _lines(later) == [
        f'2026-01-07T09:00  {p}  Send Email  Followup  subject="Still there?"  flow=Default.Welcome'
        for p in ("1002", "1003", "1004", "1006")
    ]
    assert query(db, "SELECT count(*) FROM waits") == [(0,)]
    assert query(db, "SELECT value FROM mkc_meta WHERE key = 'clock'") == [("2026-01-08T09:00:00",)]


def test_until_lets_the_clock_run_on_in_the_same_run(tmp_path, capsys):
    db, mkc_file = _db(tmp_path, capsys)
    code, out, _ = run_mkc(
        capsys, "run", mkc_file, "--campaign", "Welcome", "--db", db, "--at", T1, "--until", "2026-01-10"
    )
    assert code == 0 and out.count("Followup") == 4
    assert query(db, "SELECT count(*) FROM waits") == [(0,)]


def test_a_later_campaign_sees_earlier_activity(tmp_path, capsys):
    db, mkc_file = _db(tmp_path, capsys)
    run_mkc(capsys, "run", mkc_file, "--campaign", "Welcome", "--db", db, "--at", T1)
    _, out, _ = run_mkc(capsys, "run", mkc_file, "--campaign", "Again", "--db", db)
    assert [line.split("  ")[1] for line in _lines(out)] == ["1002", "1003", "1004", "1006"]
    assert all('lead_status  null -> "Engaged"' in line for line in _lines(out))


def test_remove_from_flow_cancels_a_wait_kept_from_an_earlier_run(tmp_path, capsys):
    db, mkc_file = _db(tmp_path, capsys)
    run_mkc(capsys, "run", mkc_file, "--campaign", "Welcome", "--db", db, "--at", T1)
    _, stop, _ = run_mkc(capsys, "run", mkc_file, "--campaign", "Stop", "--db", db, "--at", "2026-01-05T10:00")
    assert stop.count("Remove from Flow  Default.Welcome") == 6
    assert query(db, "SELECT count(*) FROM waits") == [(0,)]
    _, later, _ = run_mkc(capsys, "run", mkc_file, "--campaign", "Nothing", "--db", db, "--at", "2026-01-10")
    assert "Followup" not in later


def test_a_triggered_flow_keeps_its_trigger_tokens_across_runs(tmp_path, capsys):
    db, mkc_file = _db(tmp_path, capsys, n=2)
    run_mkc(capsys, "run", mkc_file, "--campaign", "Welcome", "--db", db, "--at", T1)  # 1002 only
    run_mkc(capsys, "run", mkc_file, "--campaign", "Again", "--db", db)  # lead_status -> Engaged: a trigger
    stored = query(db, "SELECT id, campaign, step FROM waits JOIN people ON _pid = pid ORDER BY due")
    assert stored == [("1002", "Default.Engaged", 1), ("1002", "Default.Welcome", 4)]
    _, out, _ = run_mkc(capsys, "run", mkc_file, "--campaign", "Nothing", "--db", db, "--at", "2026-01-09")
    assert _lines(out) == [
        '2026-01-06T09:00  1002  Interesting Moment  milestone  description="now Engaged"  flow=Default.Engaged',
        '2026-01-07T09:00  1002  Send Email  Followup  subject="Still there?"  flow=Default.Welcome',
    ]


def test_api_tokens_survive_a_wait(tmp_path, capsys):
    db, mkc_file = _db(tmp_path, capsys, n=1)
    run_mkc(capsys, "run", mkc_file, "--campaign", "Tokened", "--db", db, "--at", T1, "--token", "my.bonus=+7")
    _, out, _ = run_mkc(capsys, "run", mkc_file, "--campaign", "Nothing", "--db", db, "--at", "2026-01-06")
    assert "2026-01-05T10:00  1001  Change Score  lead_score  7 -> 14  change=+7  flow=Default.Tokened" in out
    assert query(db, "SELECT lead_score FROM people") == [(14,)]


def test_deleted_people_leave_the_database_and_their_activities_stay(tmp_path, capsys):
    db, mkc_file = _db(tmp_path, capsys)
    _, out, _ = run_mkc(capsys, "run", mkc_file, "--campaign", "Delete", "--db", db, "--at", T1)
    assert out.count("Delete Person") == 2  # scores 7 and 5
    assert query(db, "SELECT id FROM people ORDER BY _pid") == [(p,) for p in ("1002", "1003", "1004", "1006")]
    assert query(db, "SELECT person, type FROM activities ORDER BY seq") == [
        ("1001", "Delete Person"),
        ("1005", "Delete Person"),
    ]
    _, again, _ = run_mkc(capsys, "run", mkc_file, "--campaign", "Every", "--db", db)
    assert [line.split("  ")[1] for line in _lines(again)] == ["1002", "1003", "1004", "1006"]


def test_every_time_and_once_every_count_across_runs(tmp_path, capsys):
    db, mkc_file = _db(tmp_path, capsys, n=1)
    for day in ("2026-01-05", "2026-01-06"):
        run_mkc(capsys, "run", mkc_file, "--campaign", "Every", "--db", db, "--at", day)
    assert query(db, "SELECT lead_score FROM people") == [(9,)]
    for day, expected in (("2026-01-07", 10), ("2026-01-10", 10), ("2026-01-21", 11)):
        run_mkc(capsys, "run", mkc_file, "--campaign", "Fortnightly", "--db", db, "--at", day)
        assert query(db, "SELECT lead_score FROM people") == [(expected,)]


def test_a_new_database_starts_with_the_files_people(tmp_path, capsys):
    db = str(tmp_path / "new.duckdb")
    mkc_file = write_campaigns(
        tmp_path,
        "campaign C < flow < change_score +1 > >\npeople <\n  person ann < lead_score 1 >\n"
        '  person bob < email "b@x" >\n>\n',
    )
    code, out, _ = run_mkc(capsys, "run", mkc_file, "--campaign", "C", "--db", db)
    assert code == 0 and [line.split("  ")[1] for line in _lines(out)] == ["ann", "bob"]
    run_mkc(capsys, "run", mkc_file, "--campaign", "C", "--db", db)
    assert query(db, "SELECT id, lead_score FROM people ORDER BY _pid") == [("ann", 2), ("bob", 1)]


def test_people_and_db_import_first_then_run_over_the_database(tmp_path, capsys):
    db = str(tmp_path / "state.duckdb")
    mkc_file = write_campaigns(tmp_path)
    first = write_csv(tmp_path / "a.csv", ["Id", "Lead Score"], [["1", "20"]])
    second = write_csv(tmp_path / "b.csv", ["Id", "Lead Score"], [["2", "30"], ["1", ""]])
    run_mkc(capsys, "run", mkc_file, "--campaign", "Welcome", "--people", first, "--db", db, "--at", T1)
    code, out, _ = run_mkc(capsys, "run", mkc_file, "--campaign", "Welcome", "--people", second, "--db", db)
    assert code == 0 and [line.split("  ")[1] for line in _lines(out) if "Send Email" in line] == ["2"]
    assert query(db, "SELECT id, lead_score FROM people ORDER BY _pid") == [("1", 25), ("2", 35)]


def test_people_without_db_runs_in_memory_until_nothing_is_left(tmp_path, capsys):
    mkc_file = write_campaigns(tmp_path)
    code, out, err = run_mkc(
        capsys, "run", mkc_file, "--campaign", "Welcome", "--people", people_csv(tmp_path, 6), "--at", T1
    )
    assert (code, err) == (0, "")
    assert out.count("Send Email  Welcome") == 4 and out.count("Followup") == 4
    assert list(tmp_path.glob("*.duckdb")) == []


def test_a_failed_step_exits_1_and_is_kept(tmp_path, capsys):
    db, mkc_file = _db(tmp_path, capsys, n=1)
    code, out, _ = run_mkc(capsys, "run", mkc_file, "--campaign", "Broken", "--db", db)
    assert code == 1 and "Failed Step  change_score" in out
    assert query(db, "SELECT type FROM activities") == [("Failed Step",)]
