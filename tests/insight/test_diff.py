"""`mkc diff`: who an edit treats differently, checked against the interpreter's own runs."""

from collections import Counter

import pytest
from insight_helpers import ROOT, load, mkc

from mkc.insight import diff
from mkc.interpreter import run_scenario

SCORING = """
program Scoring <
  tokens < my.points = +10 >
  campaign Hot < smart_list < filter lead_score >= THRESHOLD >; flow < change_score <<my.points>> > >
>
people <
  person ann < lead_score 20 >
  person bob < lead_score 40 >
  person cat < lead_score 60 >
>
scenario "hot leads" < run Hot >
"""


def models(old, new):
    return load(old).model, load(new).model


def test_the_summary_line():
    old, new = models(SCORING.replace("THRESHOLD", "50"), SCORING.replace("THRESHOLD", "30"))
    diffs = diff.compare(old, new, diff.scenario_runs(old, new))
    assert diff.summary(diffs) == "this change affects 1 of 3 people: 1 more gets Change Score +10"
    (d,) = diffs
    assert [(p.person, p.lost, p.gained) for p in d.changed] == [("bob", (), ("Change Score +10  in Scoring.Hot",))]


def test_gained_and_lost_are_the_difference_of_the_two_runs():
    old_text = SCORING.replace("THRESHOLD", "30")
    new_text = old_text.replace("my.points = +10", "my.points = +5")
    old, new = models(old_text, new_text)
    (d,) = diff.compare(old, new, diff.scenario_runs(old, new))
    a, b = run_scenario(old, "hot leads"), run_scenario(new, "hot leads")
    for person in ("ann", "bob", "cat"):
        was = Counter(diff.label(x) for x in a.activities if x.person == person)
        now = Counter(diff.label(x) for x in b.activities if x.person == person)
        mine = next((p for p in d.changed if p.person == person), None)
        assert (mine.gained_labels if mine else Counter()) == now - was
        assert (mine.lost_labels if mine else Counter()) == was - now
    assert diff.summary([d]) == (
        "this change affects 2 of 3 people: 2 more get Change Score +5, 2 no longer get Change Score +10"
    )


def test_no_difference():
    old, new = models(SCORING.replace("THRESHOLD", "50"), SCORING.replace("THRESHOLD", "50"))
    diffs = diff.compare(old, new, diff.scenario_runs(old, new))
    assert diff.render(diffs) == 'scenario "hot leads": no difference\n\nthis change affects none of 3 people\n'


def test_old_values_do_not_make_a_difference():
    """Only `old` differs (ann starts higher): the same change is not reported."""
    old, new = models(SCORING.replace("THRESHOLD", "0"), SCORING.replace("THRESHOLD", "0").replace("20", "25"))
    (d,) = diff.compare(old, new, diff.scenario_runs(old, new))
    assert d.changed == ()


def test_expects_that_change_and_people_only_in_one_version():
    old_text = SCORING.replace("THRESHOLD", "50").replace("run Hot >", "run Hot; expect cat lead_score = 70 >")
    new_text = old_text.replace("my.points = +10", "my.points = +1").replace(
        "person cat < lead_score 60 >", "person cat < lead_score 60 >\n  person dan < lead_score 90 >"
    )
    old, new = models(old_text, new_text)
    (d,) = diff.compare(old, new, diff.scenario_runs(old, new))
    assert d.expects == (("expect cat lead_score = 70", "PASS", "FAIL"),)
    assert [p.person for p in d.changed] == ["cat", "dan"]
    assert diff.summary([d]) == (
        "this change affects 2 of 4 people: 2 more get Change Score +1, 1 no longer gets Change Score +10"
    )


def test_scenarios_only_in_one_file_run_on_both():
    old_text = SCORING.replace("THRESHOLD", "50")
    new_text = old_text + 'scenario "everyone" < run Hot for ann bob cat >\n'
    old, new = models(old_text, new_text)
    runs = diff.scenario_runs(old, new)
    assert [r.label for r in runs] == ['scenario "hot leads"', 'scenario "everyone" (only in NEW)']
    assert all(not d.changed for d in diff.compare(old, new, runs))


def test_render_text():
    old_text = (ROOT / "examples/lead_scoring.mkc").read_text()
    old, new = models(old_text, old_text.replace("my.score = +30", "my.score = +10"))
    text = diff.render(diff.compare(old, new, diff.scenario_runs(old, new)))
    assert text.splitlines() == [
        'scenario "each program scores with its own token": 1 of 2 people treated differently',
        "  ann",
        "    - Change Score +30  in Scoring.Score",
        '    - Interesting Moment milestone "score reached 50"  in Scoring.Score',
        "    + Change Score +10  in Scoring.Score",
        "  PASS -> FAIL  expect ann lead_score = 50",
        '  PASS -> FAIL  expect activity ann "Interesting Moment" type=milestone',
        'scenario "monthly decay runs once every 30 days": no difference',
        "",
        "this change affects 1 of 2 people: 1 more gets Change Score +10, 1 no longer gets Change Score +30, "
        '1 no longer gets Interesting Moment milestone "score reached 50"',
    ]


def test_every_example_against_itself(example):
    model = load(example.read_text()).model
    diffs = diff.compare(model, model, diff.scenario_runs(model, model))
    assert all(not d.changed and not d.expects for d in diffs)


def test_cli(tmp_path):
    new = tmp_path / "new.mkc"
    new.write_text((ROOT / "examples/lead_scoring.mkc").read_text().replace("my.score = +30", "my.score = +10"))
    code, out, err = mkc("diff", "examples/lead_scoring.mkc", str(new))
    assert (
        code == 1
        and err == ""
        and out.endswith(
            '1 no longer gets Change Score +30, 1 no longer gets Interesting Moment milestone "score reached 50"\n'
        )
    )
    code, out, err = mkc(
        "diff", "examples/lead_scoring.mkc", str(new), "--scenario", "monthly decay runs once every 30 days"
    )
    assert code == 0 and out == (
        'scenario "monthly decay runs once every 30 days": no difference\n\nthis change affects none of 2 people\n'
    )


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--scenario", "nope"], 'no scenario named "nope" in either file'),
    ],
)
def test_cli_bad_input(extra, message):
    code, out, err = mkc("diff", "examples/lead_scoring.mkc", "examples/lead_scoring.mkc", *extra)
    assert code == 2 and message in err and "Traceback" not in err


def test_cli_check_errors_and_no_scenarios(tmp_path):
    bad = tmp_path / "bad.mkc"
    bad.write_text("campaign A executable < flow < wait 1 day > >\n")
    code, out, err = mkc("diff", "examples/lead_scoring.mkc", str(bad))
    assert code == 2 and "wait-in-executable" in err and f"{bad}: check errors" in err
    plain = tmp_path / "plain.mkc"
    plain.write_text("campaign A < flow < do_nothing > >\n")
    code, out, err = mkc("diff", str(plain), str(plain))
    assert code == 2 and "has a scenario to run" in err


def test_help_shows_an_example():
    code, out, err = mkc("diff", "--help")
    assert code == 0 and "Example:" in out


# ---- a batch campaign over the same people (--campaign, --people, --db) -------------------

PEOPLE_CSV = "Id,Email Address,Lead Score\n" + "".join(
    f"{i},p{i}@example.com,{score}\n" for i, score in enumerate([20, 40, 60, 35, 10, 55, 31])
)


def test_a_campaign_over_the_files_people():
    old, new = models(SCORING.replace("THRESHOLD", "50"), SCORING.replace("THRESHOLD", "30"))
    (d,) = diff.compare(old, new, [diff.CampaignRun("Hot", "campaign Hot")])
    assert diff.summary([d]) == "this change affects 1 of 3 people: 1 more gets Change Score +10"


def test_batch_by_batch_over_a_store_is_the_run_over_everyone():
    """Played two people at a time from a store, the comparison is the one of
    both versions run over the same people declared in the files."""
    from mkc.interpreter import PersonState
    from mkc.store.batches import StoreSource, add_people
    from mkc.store.db import Store

    scores = [20, 40, 60, 35, 10, 55, 31]
    declared = "people <\n" + "".join(f"  person p{i} < lead_score {s} >\n" for i, s in enumerate(scores)) + ">\n"
    old_text = SCORING.replace("THRESHOLD", "50")
    new_text = SCORING.replace("THRESHOLD", "30").replace("my.points = +10", "my.points = +5")
    old, new = (load(t.split("people <")[0] + declared).model for t in (old_text, new_text))
    (expected,) = diff.compare(old, new, [diff.CampaignRun("Hot", "Hot")])

    store = Store.open(None)
    add_people(store, [PersonState(f"p{i}", {"lead_score": s}) for i, s in enumerate(scores)])
    batches = StoreSource(store, 0, batch_size=2).batches
    (got,) = diff.compare(old, new, [diff.CampaignRun("Hot", "Hot", store.clock, store.clock, None, {}, batches)])
    assert len(got.changed) == 5 and got.people == expected.people
    assert [(p.person, p.lost, p.gained) for p in got.changed] == [
        (p.person, p.lost, p.gained) for p in expected.changed
    ]


def test_cli_over_a_database_and_a_person_export(tmp_path):
    csv = tmp_path / "people.csv"
    csv.write_text(PEOPLE_CSV)
    db = tmp_path / "people.duckdb"
    assert mkc("db", "import", str(csv), "--db", str(db))[0] == 0
    old, new = tmp_path / "old.mkc", tmp_path / "new.mkc"
    old.write_text(SCORING.replace("THRESHOLD", "50"))
    new.write_text(SCORING.replace("THRESHOLD", "30"))
    before = db.read_bytes()
    code, out, err = mkc("diff", str(old), str(new), "--campaign", "Hot", "--db", str(db))
    assert (code, err) == (1, "")
    assert out.splitlines()[0] == f"campaign Hot over 7 people in {db}: 3 of 7 people treated differently"
    assert out.endswith("this change affects 3 of 7 people: 3 more get Change Score +10\n")
    assert db.read_bytes() == before  # only read
    code, from_csv, err = mkc("diff", str(old), str(new), "--campaign", "Hot", "--people", str(csv))
    assert code == 1 and from_csv.split("\n", 1)[1] == out.split("\n", 1)[1]
    code, out, err = mkc("diff", str(old), str(old), "--campaign", "Scoring.Hot", "--db", str(db))
    assert code == 0 and out.endswith("this change affects none of 7 people\n")


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--db", "x.duckdb"], "go with --campaign"),
        (["--campaign", "Hot", "--scenario", "s"], "cannot be used together"),
        (["--campaign", "Hot", "--db", "a", "--people", "b"], "not both"),
        (["--campaign", "Hot", "--db", "missing.duckdb"], "missing.duckdb: no such file"),
        (["--campaign", "Nope"], "--campaign Nope: neither"),
        (["--campaign", "Hot", "--at", "soon"], "--at soon"),
        (["--campaign", "Hot", "--decimal", "."], "--date-format go with --people"),
        (["--campaign", "Hot", "--people", "p.csv", "--delimiter", "||"], "--delimiter '||'"),
    ],
)
def test_cli_campaign_bad_input(tmp_path, extra, message):
    program = tmp_path / "p.mkc"
    program.write_text(SCORING.replace("THRESHOLD", "50"))
    code, out, err = mkc("diff", str(program), str(program), *extra, cwd=tmp_path)
    assert code == 2 and message in err and "Traceback" not in err, err


def test_cli_campaign_over_a_person_export_read_as_the_options_say(tmp_path):
    """A cp1252 semicolon export whose scores have a decimal point: found out,
    `40.125` is 40125 (a thousands point, as with a decimal comma); `--decimal .`
    reads 40.125, and two people fall between the old and new thresholds."""
    program = SCORING.split("people <")[0]
    old, new, csv = tmp_path / "old.mkc", tmp_path / "new.mkc", tmp_path / "people.csv"
    old.write_text(program.replace("THRESHOLD", "50"))
    new.write_text(program.replace("THRESHOLD", "30"))
    rows = "Id;First Name;Lead Score\r\n1001;René;40.125\r\n1002;Zoë;35.500\r\n1003;Ann;60.250\r\n1004;Bo;10.750\r\n"
    csv.write_bytes(rows.encode("cp1252"))
    base = ["diff", str(old), str(new), "--campaign", "Hot", "--people", str(csv)]
    code, out, err = mkc(*base)  # says how it read the file, as mkc run --people does
    assert code == 0 and out.endswith("this change affects none of 4 people\n")
    assert err == f"{csv}: read as cp1252 (Windows), semicolon-separated, decimal comma\n"
    for options in (["--decimal", "."], ["--encoding", "cp1252", "--delimiter", ";", "--decimal", "."]):
        code, out, err = mkc(*base, *options)
        assert code == 1 and out.endswith("this change affects 2 of 4 people: 2 more get Change Score +10\n")
        assert [line.strip() for line in out.splitlines()[1:5:2]] == ["1001", "1002"]
        assert err == f"{csv}: read as cp1252 (Windows), semicolon-separated\n"
    code, out, err = mkc(*base, "--encoding", "utf-8")
    assert code == 2 and out == "" and err == f"mkc: error: {csv}: not UTF-8 text at line 2, column 9 (byte 0xe9)\n"


def test_cli_campaign_over_a_bad_person_export(tmp_path):
    program, csv = tmp_path / "p.mkc", tmp_path / "bad.csv"
    program.write_text(SCORING.replace("THRESHOLD", "50"))
    csv.write_text("Email Address,Lead Score\nann@example.com,5\n")
    code, out, err = mkc("diff", str(program), str(program), "--campaign", "Hot", "--people", str(csv))
    assert code == 2 and out == "" and "Traceback" not in err
    assert f"{csv}:1: no Id column" in err and "nothing imported" in err
