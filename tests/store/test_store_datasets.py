"""Parquet datasets (a folder of .parquet files): `mkc db export FOLDER
--format parquet` writes one, `mkc db import FOLDER` reads one, in name order."""

from __future__ import annotations

import os

import pyarrow as pa
import pyarrow.parquet as pq
from store_helpers import CAMPAIGNS, people_csv, run_mkc, write_campaigns


def _db(capsys, tmp_path, n: int = 30) -> str:
    db = str(tmp_path / "s.duckdb")
    program = write_campaigns(tmp_path, CAMPAIGNS)
    code, _, err = run_mkc(
        capsys, "run", program, "--campaign", "Welcome", "--people", people_csv(tmp_path, n), "--db", db
    )
    assert code == 0, err
    return db


def _read(folder) -> pa.Table:
    return pa.concat_tables(pq.read_table(os.path.join(folder, name)) for name in sorted(os.listdir(folder)))


def test_export_writes_parts_that_hold_the_single_file_export(capsys, tmp_path):
    db = _db(capsys, tmp_path)
    for what in ("people", "activities"):
        whole, folder = tmp_path / f"{what}.parquet", tmp_path / what
        assert run_mkc(capsys, "db", "export", whole, "--db", db, "--what", what)[0] == 0
        code, out, _ = run_mkc(
            capsys, "db", "export", folder, "--db", db, "--what", what, "--format", "parquet", "--rows-per-file", "7"
        )
        assert code == 0 and out.startswith(f"{folder}: ")
        expected = pq.read_table(whole)
        names = sorted(os.listdir(folder))
        assert names == [f"part-{i:05d}.parquet" for i in range(-(-expected.num_rows // 7))]
        assert all(pq.read_metadata(folder / n).num_rows == 7 for n in names[:-1])
        got = _read(folder)
        assert got.to_pylist() == expected.to_pylist()
        assert [(f.name, f.type) for f in got.schema] == [(f.name, f.type) for f in expected.schema]


def test_export_replaces_a_dataset_but_nothing_else(capsys, tmp_path):
    db = _db(capsys, tmp_path)
    folder = tmp_path / "people"
    args = ("db", "export", folder, "--db", db, "--what", "people", "--format", "parquet")
    assert run_mkc(capsys, *args, "--rows-per-file", "4")[0] == 0
    assert run_mkc(capsys, *args)[0] == 0
    assert os.listdir(folder) == ["part-00000.parquet"]
    (folder / "notes.txt").write_text("mine")
    code, _, err = run_mkc(capsys, *args)
    assert (
        code == 2
        and err == f"mkc: error: {folder}: holds more than .parquet files; a dataset export replaces only a dataset\n"
    )
    assert (folder / "notes.txt").read_text() == "mine"


def test_import_reads_every_file_in_name_order(capsys, tmp_path):
    db = _db(capsys, tmp_path, 12)
    folder = tmp_path / "people"
    assert (
        run_mkc(
            capsys,
            "db",
            "export",
            folder,
            "--db",
            db,
            "--what",
            "people",
            "--format",
            "parquet",
            "--rows-per-file",
            "5",
        )[0]
        == 0
    )
    again = str(tmp_path / "again.duckdb")
    code, out, err = run_mkc(capsys, "db", "import", folder, "--db", again)
    assert code == 0, err
    assert out.startswith(f"{folder}: 12 people into {again} (12 new, 0 updated)")
    for name, source in (("a.csv", db), ("b.csv", again)):
        assert run_mkc(capsys, "db", "export", tmp_path / name, "--db", source, "--what", "people")[0] == 0
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_import_numbers_rows_across_the_files(capsys, tmp_path):
    folder = tmp_path / "people"
    folder.mkdir()
    pq.write_table(pa.table({"Id": ["1", "2"], "Lead Score": ["3", "4"]}), folder / "b.parquet")
    pq.write_table(pa.table({"Id": ["5", "6"], "Lead Score": ["7", "x"]}), folder / "c.parquet")
    pq.write_table(pa.table({"Id": ["8"], "Lead Score": ["9"]}), folder / "a.parquet")
    (folder / "README").write_text("not part of it")
    code, _, err = run_mkc(capsys, "db", "import", folder, "--db", tmp_path / "s.duckdb", "--type", "lead_score=number")
    assert code == 2
    assert err.splitlines()[0].startswith(f"{folder}:5: ")  # a.parquet's row, b.parquet's two, then c.parquet's second


def test_a_folder_without_parquet_files_is_bad_input(capsys, tmp_path):
    (tmp_path / "empty").mkdir()
    code, _, err = run_mkc(capsys, "db", "import", tmp_path / "empty", "--db", tmp_path / "s.duckdb")
    assert code == 2
    said = "a directory without .parquet files (a Parquet dataset is a folder of them)"
    assert err == f"mkc: error: {tmp_path / 'empty'}: {said}\n"
    assert not (tmp_path / "s.duckdb").exists()
