"""`mkc test` reports (issue 16): a failure names its failing expects and the
first differing transcript lines; nothing selected exits 5; `--update` never
records a transcript holding a FAIL line."""

from mkc_cli import mkc

PROGRAM = """campaign Score < flow < change_score +{n} > >
people < person ann < lead_score 0 > >
scenario "first" <
  run Score
  expect ann lead_score = {first}
>
scenario "second" <
  run Score
  expect ann lead_score > {second}
>
"""

LINE5 = "2026-01-01T00:00  ann  Change Score  lead_score  0 -> {n}  change=+{n}  flow=Default.Score"


def write(tmp_path, name="score.mkc", n=5, first=5, second=1):
    path = tmp_path / name
    path.write_text(PROGRAM.format(n=n, first=first, second=second))
    return path


def test_a_failing_expect_is_named_with_its_place(tmp_path):
    write(tmp_path)
    assert mkc("test", "--update", cwd=tmp_path)[0] == 0
    write(tmp_path, first=6)
    code, out, err = mkc("test", "-k", "first", cwd=tmp_path)
    assert (code, err) == (1, "")
    assert out.splitlines()[:3] == [
        "FAIL score.mkc :: first: transcript differs from the golden file",
        "  score.mkc:5: FAIL expect ann lead_score = 6, got 5",
        "  first difference at score.golden:3",
    ]


def test_a_mismatch_names_the_first_differing_lines_then_the_diff(tmp_path):
    write(tmp_path)
    mkc("test", "--update", cwd=tmp_path)
    write(tmp_path, n=7, first=7)
    code, out, _ = mkc("test", "-k", "second", cwd=tmp_path)
    assert code == 1
    assert out == "\n".join(
        [
            "FAIL score.mkc :: second: transcript differs from the golden file",
            "  first difference at score.golden:5",
            "    golden: " + LINE5.format(n=5),
            "    actual: " + LINE5.format(n=7),
            "--- score.golden (golden)",
            "+++ score.mkc (actual)",
            "@@ -1,3 +1,3 @@",
            ' scenario "second"',
            "-" + LINE5.format(n=5),
            "+" + LINE5.format(n=7),
            " PASS expect ann lead_score > 1",
            "0 passed, 1 failed",
            "",
        ]
    )


def test_a_shorter_transcript_shows_its_end(tmp_path):
    path = write(tmp_path)
    mkc("test", "--update", cwd=tmp_path)
    path.write_text(path.read_text().replace("  expect ann lead_score > 1\n", ""))
    code, out, _ = mkc("test", "-k", "second", cwd=tmp_path)
    assert code == 1
    assert "  first difference at score.golden:6\n    golden: PASS expect ann lead_score > 1\n" in out
    assert "    actual: (end of transcript)\n" in out


def test_nothing_selected_exits_5(tmp_path):
    assert mkc("test", cwd=tmp_path) == (5, "nothing selected: no .mkc file with scenarios under .\n", "")
    write(tmp_path)
    mkc("test", "--update", cwd=tmp_path)
    code, out, err = mkc("test", "-k", "no such scenario", cwd=tmp_path)
    assert (code, out, err) == (5, 'nothing selected: -k "no such scenario" matches no scenario in 1 file\n', "")
    assert mkc("test", "-k", "no such scenario", "--update", cwd=tmp_path)[0] == 5


def test_update_refuses_a_golden_with_failing_expects_and_updates_the_others(tmp_path):
    write(tmp_path, first=6, second=9)
    good = write(tmp_path, "good.mkc")
    code, out, _ = mkc("test", "--update", cwd=tmp_path)
    assert code == 1
    assert not (tmp_path / "score.golden").exists()
    assert (tmp_path / "good.golden").read_text() == mkc("run", str(good))[1]
    assert out == "\n".join(
        [
            "created good.golden",
            "FAIL score.mkc :: first: an expect failed",
            "  score.mkc:5: FAIL expect ann lead_score = 6, got 5",
            "FAIL score.mkc :: second: an expect failed",
            "  score.mkc:9: FAIL expect ann lead_score > 9, got 5",
            "not written score.golden: a golden never records a failing expect, and it would hold",
            "  first: score.mkc:5: FAIL expect ann lead_score = 6, got 5",
            "  second: score.mkc:9: FAIL expect ann lead_score > 9, got 5",
            "2 passed, 2 failed",
            "",
        ]
    )


def test_update_leaves_an_existing_golden_as_it_was_when_an_expect_fails(tmp_path):
    write(tmp_path)
    mkc("test", "--update", cwd=tmp_path)
    before = (tmp_path / "score.golden").read_bytes()
    write(tmp_path, n=7, first=5)  # "second" changed and passes; "first" now fails
    code, out, _ = mkc("test", "--update", cwd=tmp_path)
    assert code == 1 and "not written score.golden" in out and "updated" not in out
    assert (tmp_path / "score.golden").read_bytes() == before


def test_update_refuses_a_recorded_failure_in_a_scenario_not_selected(tmp_path):
    write(tmp_path)
    mkc("test", "--update", cwd=tmp_path)
    golden = tmp_path / "score.golden"
    golden.write_text(golden.read_text().replace("PASS expect ann lead_score = 5", "FAIL expect ann lead_score = 5"))
    before = golden.read_bytes()
    write(tmp_path, second=2)
    code, out, _ = mkc("test", "-k", "second", "--update", cwd=tmp_path)
    assert code == 1
    assert "  first: FAIL expect ann lead_score = 5\n" in out
    assert golden.read_bytes() == before


def test_a_stale_golden_fails_only_a_run_that_selects_its_file(tmp_path):
    path = write(tmp_path)
    path.write_text(path.read_text() + 'scenario "third" < run Score >\n')
    mkc("test", "--update", cwd=tmp_path)
    path.write_text(path.read_text().split('scenario "third"')[0])
    other = write(tmp_path, name="other.mkc")
    other.write_text(other.read_text().replace('"first"', '"unrelated"'))
    mkc("test", "other.mkc", "--update", cwd=tmp_path)
    code, out, _ = mkc("test", "-k", "unrelated", cwd=tmp_path)
    assert (code, out) == (0, "1 passed, 0 failed\n")
    code, out, _ = mkc("test", "-k", "first", cwd=tmp_path)
    assert code == 1 and "FAIL score.mkc :: (golden file): the golden file holds scenarios" in out
