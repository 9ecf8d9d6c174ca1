"""The columnar engine in the workers (`--workers N` with `--engine columnar`
or auto): the database, its log and its exports end exactly as after the
reference interpreter on one process. On the examples' batch campaigns the
engine runs, the benchmark's campaign over several batches and merge chunks,
generated programs (tests/columnar's generator), data the engine falls back
on, and a worker that dies."""

from __future__ import annotations

import csv
import io
import os
import pathlib
import random
import sys
import tempfile

import duckdb
import pytest
from scale_helpers import ROOT, dump, run_mkc, twin_runs

from bench.people_csv import write as write_people
from mkc.columnar import run as columnar_run
from mkc.load import load_path
from mkc.scale.worker import FAULT_ENV

sys.path.insert(0, str(ROOT / "tests" / "columnar"))

from diff_harness import RAN_COLUMNAR, compare  # noqa: E402
from diff_programs import RandomChoices, case  # noqa: E402
from tables import differences  # noqa: E402
from tables import dump as stored_dump  # noqa: E402
from wait_programs import STORED, WAITS, WITHOUT_A  # noqa: E402

EXAMPLES = sorted((ROOT / "examples").glob("*.mkc"))
PEOPLE = str(ROOT / "examples" / "people.csv")
BENCH = str(ROOT / "bench" / "campaign.mkc")
ONE, SPREAD = ["--engine", "reference"], ["--engine", "columnar", "--workers", "2"]


def _batch_campaigns():
    for path in EXAMPLES:
        for c in load_path(str(path)).model.campaigns:
            if c.kind == "batch":
                yield pytest.param(path, c.full_name, id=f"{path.stem}:{c.full_name}")


@pytest.mark.parametrize(("example", "name"), list(_batch_campaigns()))
def test_example_batch_campaigns(capsys, tmp_path, example, name):
    """Over the example export, twice (the second run: the qualification
    rule); auto in the workers against the reference on one process. The
    workers run the columnar engine exactly where one process does."""
    runs = [
        [example, "--campaign", name, "--people", PEOPLE],
        [example, "--campaign", name, "--at", "2026-03-01T00:00"],
    ]
    engines = []
    twin_runs(capsys, tmp_path, runs, ["--workers", "2", "--engine", "auto"], ONE, engines)
    code, _, err = run_mkc(capsys, "run", *runs[0], "--db", str(tmp_path / "auto.duckdb"), "--engine", "auto")
    alone = next(line for line in err.splitlines() if line.startswith("mkc run: "))
    ran = "columnar engine" if alone == "mkc run: columnar engine" else "reference interpreter"
    assert engines[0].startswith(f"mkc run: {ran} on 2 worker processes"), (alone, engines)


def test_the_benchmark_campaign_over_batches_and_merge_chunks(capsys, tmp_path, monkeypatch):
    """4,500 people: three global batches, each partition holding part of
    every one; the merge writes a batch at a time (a chunk of 2,000); new
    field columns, memberships and changed fields across partitions; run
    twice (`once`: nobody enters again)."""
    monkeypatch.setattr(columnar_run, "CHUNK", 2000)
    people = str(tmp_path / "people.csv")
    write_people(4500, people)
    runs = [[BENCH, "--campaign", "Nurture.Qualify", "--people", people], [BENCH, "--campaign", "Nurture.Qualify"]]
    log, _ = twin_runs(capsys, tmp_path, runs, ["--engine", "columnar", "--workers", "3"], ONE)
    assert log[0][1].count("\n") > 4500


SEEDS = range(40) if os.environ.get("MKC_LONG") else range(10)  # (as tests/columnar: MKC_LONG=1)


@pytest.mark.parametrize("seed", SEEDS)
def test_generated_programs(seed):
    """tests/columnar's generated cases (programs of what the engine compiles,
    messy people, runs after runs), `--workers 2` with auto (the fallback
    where the plan refuses) against the reference on one process."""
    c = case(RandomChoices(random.Random(seed)))
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        (tmp / "p.mkc").write_text(c.program, encoding="utf-8")
        (tmp / "people.csv").write_text(c.people, encoding="utf-8")
        mismatches, said = compare(
            tmp, str(tmp / "p.mkc"), None, c.runs, people=str(tmp / "people.csv"), spread=("--workers", "2")
        )
    assert not mismatches, "\n".join(mismatches) + "\n" + c.show()
    for line in said[1::2]:  # (the spread side's)
        assert "on 2 worker processes" in line, line


def _many(people: str, copies: int) -> str:
    """A case's person export `copies` times over, each copy's people with ids of their own."""
    rows = list(csv.reader(io.StringIO(people)))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(rows[0])
    for copy in range(copies):
        for row in rows[1:]:
            writer.writerow([f"{copy}-{row[0]}", *row[1:]])
    return out.getvalue()


WITH_WAITS = [3, 9]  # (seeds whose cases wait, the second after a stored wait falls due)


@pytest.mark.parametrize("seed", [*range(3), *WITH_WAITS])
def test_generated_programs_over_several_batches(seed):
    """The same, with each case's people copied to more than two batches
    (2,000 people each), so that every global batch spans both partitions."""
    c = case(RandomChoices(random.Random(seed)))
    people = _many(c.people, 4100 // (c.people.count("\n") - 1) + 1)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        (tmp / "p.mkc").write_text(c.program, encoding="utf-8")
        (tmp / "people.csv").write_text(people, encoding="utf-8")
        mismatches, _ = compare(
            tmp, str(tmp / "p.mkc"), None, c.runs, people=str(tmp / "people.csv"), spread=("--workers", "2")
        )
    assert not mismatches, "\n".join(mismatches) + "\n" + c.show()


def test_generated_programs_with_waits_run_spread_on_the_columnar_engine():
    """The generated cases that draw waits run on the columnar engine in the
    workers (their first runs, at least: a later one may pass a stored
    wait's end and fall back), every table in its stored order."""
    ran = 0
    for seed in SEEDS:
        c = case(RandomChoices(random.Random(seed)), events=False)  # (an event asked: a fallback)
        if "wait " not in c.program:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            tmp = pathlib.Path(tmp)
            (tmp / "p.mkc").write_text(c.program, encoding="utf-8")
            (tmp / "people.csv").write_text(c.people, encoding="utf-8")
            mismatches, said = compare(
                tmp, str(tmp / "p.mkc"), None, c.runs[:2], people=str(tmp / "people.csv"), spread=("--workers", "2")
            )
        assert not mismatches, "\n".join(mismatches) + "\n" + c.show()
        ran += any(line.startswith(f"{RAN_COLUMNAR} on 2 worker processes") for line in said[1::2])
    assert ran >= 3


def test_generated_programs_mostly_run_columnar():
    ran = 0
    for seed in SEEDS:
        c = case(RandomChoices(random.Random(seed)))
        with tempfile.TemporaryDirectory() as tmp:
            tmp = pathlib.Path(tmp)
            (tmp / "p.mkc").write_text(c.program, encoding="utf-8")
            (tmp / "people.csv").write_text(c.people, encoding="utf-8")
            _, said = compare(tmp, str(tmp / "p.mkc"), None, c.runs[:1], people=str(tmp / "people.csv"))
        ran += any(line.startswith(RAN_COLUMNAR) for line in said)
    assert ran >= 3


def _said(err: str) -> list[str]:
    """What mkc said on stderr besides the bench campaign's warnings (its new fields)."""
    return [line for line in err.splitlines() if line.startswith("mkc")]


@pytest.fixture
def bench_db(tmp_path, capsys):
    """A database of 300 generated people, and a copy to compare with."""
    people = str(tmp_path / "people.csv")
    write_people(300, people)
    db = str(tmp_path / "w.duckdb")
    code, _, err = run_mkc(capsys, "db", "import", people, "--db", db)
    assert code == 0, err
    return db


def test_the_line_says_the_columnar_engine_ran_on_the_workers(capsys, bench_db):
    code, _, err = run_mkc(
        capsys, "run", BENCH, "--campaign", "Nurture.Qualify", "--db", bench_db, "--workers", "2", "--engine", "auto"
    )
    assert code == 0
    assert "mkc run: columnar engine on 2 worker processes\n" in err


def test_data_the_engine_falls_back_on(capsys, tmp_path, bench_db):
    """A value kept in `_extra` for one person (one partition's data guard):
    auto runs the reference in the workers, and says why; columnar is bad
    input, one line, the database unchanged."""
    import duckdb

    con = duckdb.connect(bench_db)
    con.execute("""UPDATE people SET _extra = '{"x": "1"}' WHERE _pid = (SELECT max(_pid) FROM people)""")
    con.close()
    before = dump(bench_db)
    code, out, err = run_mkc(capsys, "run", BENCH, "--campaign", "Nurture.Qualify", "--db", bench_db, *SPREAD)
    assert (code, out) == (2, "")
    assert _said(err) == [
        "mkc: error: --engine columnar: the columnar engine does not run Nurture.Qualify: values kept in _extra"
    ]
    assert dump(bench_db) == before
    runs = [[BENCH, "--campaign", "Nurture.Qualify"]]
    reference = str(tmp_path / "one.duckdb")
    pathlib.Path(reference).write_bytes(pathlib.Path(bench_db).read_bytes())
    pathlib.Path(tmp_path / "spread.duckdb").write_bytes(pathlib.Path(bench_db).read_bytes())
    code, _, err = run_mkc(
        capsys, "run", *runs[0], "--db", str(tmp_path / "spread.duckdb"), "--workers", "2", "--engine", "auto"
    )
    assert code == 0
    assert (
        "mkc run: reference interpreter on 2 worker processes "
        "(the columnar engine does not run Nurture.Qualify: values kept in _extra)" in err
    )
    code, _, _ = run_mkc(capsys, "run", *runs[0], "--db", reference, *ONE)
    assert code == 0
    assert dump(reference) == dump(str(tmp_path / "spread.duckdb"))


@pytest.mark.parametrize(
    ("fault", "said"), [("kill:1", "its worker was killed (SIGKILL)"), ("raise:0", "RuntimeError")]
)
def test_a_failed_columnar_worker_fails_the_run_and_changes_nothing(capsys, monkeypatch, bench_db, fault, said):
    before = dump(bench_db)
    monkeypatch.setenv(FAULT_ENV, fault)
    code, out, err = run_mkc(capsys, "run", BENCH, "--campaign", "Nurture.Qualify", "--db", bench_db, *SPREAD)
    part = fault.split(":")[1]
    assert code == 1 and out == ""
    [line] = _said(err)
    assert line.startswith(f"mkc: error: partition {part} of 2 failed: ") and said in line
    assert line.endswith(f"nothing was written to {bench_db}")
    assert dump(bench_db) == before


def test_engine_reference_keeps_the_reference_in_the_workers(capsys, bench_db):
    code, _, err = run_mkc(
        capsys, "run", BENCH, "--campaign", "Nurture.Qualify", "--db", bench_db, "--workers", "2", *ONE
    )
    assert code == 0
    assert "mkc run: reference interpreter on 2 worker processes (--engine reference)" in err


def test_partitions_without_people(capsys, tmp_path, bench_db):
    """Two people left over four partitions: at least two have nobody to run."""
    import duckdb

    con = duckdb.connect(bench_db)
    con.execute("DELETE FROM people WHERE _pid > (SELECT min(_pid) + 1 FROM people)")
    con.close()
    for name in ("one", "spread"):
        (tmp_path / f"{name}.duckdb").write_bytes(pathlib.Path(bench_db).read_bytes())
    runs = [[BENCH, "--campaign", "Nurture.Qualify"]]
    twin_runs(capsys, tmp_path, runs, ["--engine", "columnar", "--workers", "4"], ONE)


AT = "2026-03-02T09:00"


def _tiered(tmp_path, people: int, tier_a: int) -> str:
    """A person export: `people` people, the first `tier_a` of tier "a"."""
    path = tmp_path / "tiered.csv"
    rows = "".join(f"{i},N{i},{i % 40},Open,{'a' if i <= tier_a else 'b'}\n" for i in range(1, people + 1))
    path.write_text("Id,first_name,lead_score,lead_status,tier\n" + rows, encoding="utf-8")
    return str(path)


def _in_stored_order(tmp_path) -> None:
    """The twin databases table by table in their stored order (memberships,
    entries and waits are read back in it), not only sorted (`twin_runs`)."""
    one, spread = stored_dump(str(tmp_path / "one.duckdb")), stored_dump(str(tmp_path / "spread.duckdb"))
    assert differences(one, spread) == []


def test_waits_of_every_form_run_spread_on_the_columnar_engine(capsys, tmp_path, monkeypatch):
    """Waits in choices, after them, in trigger flows (their context with the
    event), over 4,500 people in three global batches and three merge
    chunks (a chunk of 2,000); again half an hour later, before they end: every
    stored wait rewritten, renumbered after its batch's activities."""
    monkeypatch.setattr(columnar_run, "CHUNK", 2000)
    program = tmp_path / "w.mkc"
    program.write_text(WAITS, encoding="utf-8")
    people = _tiered(tmp_path, 4500, 2000)
    runs = [
        [str(program), "--campaign", "P.Go", "--people", people, "--at", AT],
        [str(program), "--campaign", "P.Go", "--at", "2026-03-02T09:30"],
    ]
    engines = []
    twin_runs(capsys, tmp_path, runs, ["--engine", "auto", "--workers", "3"], ONE, engines)
    assert engines == ["mkc run: columnar engine on 3 worker processes"] * 2
    _in_stored_order(tmp_path)
    con = duckdb.connect(str(tmp_path / "spread.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM waits").fetchone()[0] > 4500
    con.close()


def test_stored_waits_rewritten_spread_where_nobody_enters(capsys, tmp_path, monkeypatch):
    """A stores a wait for everyone; B an hour later admits the first 1,500
    of 5,200 people only: the stored waits of the batches and merge chunks
    where nobody enters are rewritten too; then B again without A in the
    model (A's waits kept first, unchanged), with `--until` before any
    ends; then A a day later."""
    monkeypatch.setattr(columnar_run, "CHUNK", 2000)
    full, without = tmp_path / "full.mkc", tmp_path / "without.mkc"
    full.write_text(STORED, encoding="utf-8")
    without.write_text(WITHOUT_A, encoding="utf-8")
    runs = [
        [str(full), "--campaign", "A", "--people", _tiered(tmp_path, 5200, 1500), "--at", AT],
        [str(full), "--campaign", "B", "--at", "2026-03-02T10:00"],
        [str(without), "--campaign", "B", "--at", "2026-03-02T11:00", "--until", "2026-03-02T12:00"],
        [str(full), "--campaign", "A", "--at", "2026-03-03T09:00"],
    ]
    engines = []
    twin_runs(capsys, tmp_path, runs, ["--engine", "auto", "--workers", "2"], ONE, engines)
    assert engines == ["mkc run: columnar engine on 2 worker processes"] * 4
    _in_stored_order(tmp_path)


@pytest.mark.parametrize(
    ("second", "reason"),
    [
        (["--at", "2026-03-05T09:00"], "waiting flows in the database that go on in this run"),
        (
            ["--at", "2026-03-02T12:00", "--until", "2026-03-04T10:00"],
            "waiting flows in the database that go on in this run",
        ),
        (
            ["--at", "2026-03-02T10:00", "--until", "2026-03-04T10:00"],
            "a wait that ends by the end of the run (it goes on in the run)",
        ),
    ],
    ids=["at", "until", "own-wait"],
)
def test_a_wait_that_goes_on_in_the_run_keeps_it_on_the_reference(capsys, tmp_path, second, reason):
    """A stored wait due by the run's end (`--at`, or `--until`), or a wait
    of the run's own that ends by then: the workers run the reference,
    saying why as one process does; `--engine columnar` is bad input, the
    database unchanged."""
    program = tmp_path / "w.mkc"
    program.write_text(STORED, encoding="utf-8")
    runs = [
        [str(program), "--campaign", "A", "--people", _tiered(tmp_path, 300, 100), "--at", AT],
        [str(program), "--campaign", "B", *second],
    ]
    engines = []
    twin_runs(capsys, tmp_path, runs[:1], ["--engine", "auto", "--workers", "2"], ONE, engines)
    spread = str(tmp_path / "spread.duckdb")
    before = dump(spread)
    code, out, err = run_mkc(capsys, "run", *runs[1], "--db", spread, *SPREAD)
    assert (code, out, _said(err)) == (
        2,
        "",
        [f"mkc: error: --engine columnar: the columnar engine does not run Default.B: {reason}"],
    )
    assert dump(spread) == before
    twin_runs(capsys, tmp_path, runs[1:], ["--engine", "auto", "--workers", "2"], ONE, engines)
    assert engines == [
        "mkc run: columnar engine on 2 worker processes",
        f"mkc run: reference interpreter on 2 worker processes (the columnar engine does not run Default.B: {reason})",
    ]


def test_a_fallback_stops_the_other_workers_and_reuses_the_slices(capsys, tmp_path, monkeypatch, bench_db):
    """One partition's data guard refuses (a value kept in `_extra`) while the
    other partition's columnar worker is held (`hold:K`): the parent stops the
    held worker as soon as the fallback is known, the reference runs over the
    slices already written (written once), and the database ends as after the
    reference on one process."""
    import multiprocessing.process

    import duckdb

    from mkc.scale import run as scale_run
    from mkc.scale.partition import partition_of

    con = duckdb.connect(bench_db)
    [(who,)] = con.execute(
        """UPDATE people SET _extra = '{"x": "1"}' WHERE _pid = (SELECT max(_pid) FROM people) RETURNING id"""
    ).fetchall()
    con.close()
    reference = str(tmp_path / "one.duckdb")
    pathlib.Path(reference).write_bytes(pathlib.Path(bench_db).read_bytes())
    assert run_mkc(capsys, "run", BENCH, "--campaign", "Nurture.Qualify", "--db", reference, *ONE)[0] == 0

    written, stopped = [], []
    write_slices, kill = scale_run.write_slices, multiprocessing.process.BaseProcess.kill

    def counted(*args):
        written.append(args[1])
        return write_slices(*args)

    def counted_kill(proc):
        if proc.is_alive():
            stopped.append(proc.name)
        return kill(proc)

    monkeypatch.setattr(scale_run, "write_slices", counted)
    monkeypatch.setattr(multiprocessing.process.BaseProcess, "kill", counted_kill)
    monkeypatch.setenv(FAULT_ENV, f"hold:{1 - partition_of(who, 2)}")
    code, _, err = run_mkc(
        capsys, "run", BENCH, "--campaign", "Nurture.Qualify", "--db", bench_db, "--workers", "2", "--engine", "auto"
    )
    assert code == 0, err
    assert "(the columnar engine does not run Nurture.Qualify: values kept in _extra)" in err
    assert written == [2]
    assert stopped == [f"mkc partition {1 - partition_of(who, 2)}"]
    assert dump(reference) == dump(bench_db)
