"""The end-to-end benchmark's check (`python -m bench --e2e`), at a small
size: the SQL anchor (bench/anchor_sql.py) leaves the database exactly as
`mkc run --db` does, and the comparison finds a difference. No times here."""

from __future__ import annotations

import json
import pathlib
import shutil
import subprocess
import sys

import duckdb

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # `bench` is a folder of the repository, not an installed package

from bench import e2e  # noqa: E402


def test_the_small_end_to_end_run_is_identical(tmp_path):
    """3,000 people: two batches, each with its trigger flows after its main flows."""
    out = tmp_path / "e2e.json"
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--e2e", "--small", "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    (result,) = json.loads(out.read_text())["sizes"]
    assert result["identical"] and result["problems"] == []
    engines = {"reference", "columnar"} if e2e.has_columnar() else {"reference"}
    assert set(result["contenders"]) == engines | {"anchor"}
    assert result["people"] == e2e.SMALL and result["entered"] > 1_000 and result["activities"] > 10_000
    assert result["contenders"]["anchor"]["ratio_to_anchor"] == 1.0
    if not e2e.has_columnar():
        assert result["skipped"] == ["columnar"] and "columnar: skipped" in proc.stderr


def test_a_difference_is_found(tmp_path):
    a, b = str(tmp_path / "a.duckdb"), str(tmp_path / "b.duckdb")
    subprocess.run(
        [
            sys.executable,
            "-c",
            "from mkc.cli import main; main()",
            "db",
            "import",
            str(ROOT / "examples" / "people.csv"),
        ]
        + ["--db", a],
        check=True,
        capture_output=True,
    )
    shutil.copyfile(a, b)
    assert e2e.differences({"x": a, "y": b}) == []
    with duckdb.connect(b) as con:
        con.execute("UPDATE people SET lead_score = 1 WHERE _pid = 3")
    (problem,) = e2e.differences({"x": a, "y": b})
    assert problem.startswith(f"x / y: people: only in {a}: (3, '1000003', ")


def test_bad_engines_are_one_line():
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--e2e", "--small", "--engines", "reference,fast"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1 and proc.stderr.strip().splitlines() == [
        "python -m bench --e2e: --engines fast: choose from reference,columnar"
    ]


def test_the_anchor_refuses_what_it_was_not_written_for(tmp_path):
    """One line, exit status 2: a database whose people are not the bench's, a missing file."""
    db = str(tmp_path / "s.duckdb")
    mkc = [sys.executable, "-c", "from mkc.cli import main; main()"]
    subprocess.run([*mkc, "db", "import", str(ROOT / "examples" / "people.csv"), "--db", db], check=True)
    with duckdb.connect(db) as con:
        con.execute("ALTER TABLE people DROP COLUMN engagement")
    for args, message in (
        ([db], f"{db}: the column people.engagement is missing, not BIGINT: not a bench import"),
        ([str(tmp_path / "none.duckdb")], f"{tmp_path / 'none.duckdb'}: no such file"),
        ([db, "--at", "soon"], "--at soon: not a date and time"),
    ):
        anchor = [sys.executable, "-m", "bench.anchor_sql", *args]
        proc = subprocess.run(anchor, cwd=ROOT, capture_output=True, text=True)
        assert (proc.returncode, proc.stdout, proc.stderr) == (2, "", f"python -m bench.anchor_sql: {message}\n")
