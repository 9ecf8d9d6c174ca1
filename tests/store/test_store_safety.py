"""What is at a `--db` path is never destroyed, a damaged or read-only database
says what is wrong, output that cannot be written is one line (and a run is
then not kept), and numbers beyond a number's range are bad rows."""

from __future__ import annotations

import io
import json
import os
import pathlib
import stat
import subprocess
import sys

import duckdb
import pytest
from store_helpers import CAMPAIGNS, HEADER, content, people_csv, run_mkc, write_campaigns, write_csv

REAL_MKC = [sys.executable, "-c", "from mkc.cli import main; main()"]
EXAMPLE = str(pathlib.Path(__file__).resolve().parents[2] / "examples" / "token_inheritance.mkc")


def _commands(db: str, tmp_path: pathlib.Path) -> dict[str, list[str]]:
    """Every command that opens a database, reading or writing."""
    csv_path = people_csv(tmp_path, 3)
    mkc_file = write_campaigns(tmp_path)
    return {
        "info": ["db", "info", "--db", db],
        "export": ["db", "export", str(tmp_path / "out.jsonl"), "--db", db],
        "import": ["db", "import", csv_path, "--db", db],
        "run": ["run", mkc_file, "--campaign", "Welcome", "--db", db],
    }


def _made_nothing(tmp_path: pathlib.Path, before: set[str]) -> None:
    assert {p.name for p in tmp_path.iterdir()} == before  # no database, log (.wal) or export


def _kind(path: pathlib.Path) -> tuple:
    info = os.lstat(path)
    return stat.S_IFMT(info.st_mode), info.st_size if stat.S_ISREG(info.st_mode) else None


def _specials(tmp_path: pathlib.Path) -> dict[str, tuple[pathlib.Path, str]]:
    fifo = tmp_path / "fifo.duckdb"
    os.mkfifo(fifo)
    empty = tmp_path / "empty.duckdb"
    empty.touch()
    folder = tmp_path / "folder"
    folder.mkdir()
    link = tmp_path / "link.duckdb"
    link.symlink_to(tmp_path / "missing.duckdb")
    return {
        "fifo": (fifo, f"{fifo}: not a regular file (a FIFO)"),
        "empty": (empty, f"{empty}: an empty file, not an mkc database (mkc makes a new one only where no file is)"),
        "folder": (folder, f"{folder}: is a directory, not a database"),
        "link": (link, f"{link}: a symbolic link to {tmp_path / 'missing.duckdb'}, which does not exist"),
    }


@pytest.mark.parametrize("command", ["info", "export", "import", "run"])
def test_what_is_at_the_path_is_refused_and_left_as_it_is(tmp_path, capsys, command):
    specials = _specials(tmp_path)
    kinds = {name: _kind(path) for name, (path, _) in specials.items()}
    for name, (path, message) in specials.items():
        args = _commands(str(path), tmp_path)[command]
        before = {p.name for p in tmp_path.iterdir()}
        code, out, err = run_mkc(capsys, *args)
        assert (code, out, err) == (2, "", f"mkc: error: {message}\n"), name
        assert _kind(path) == kinds[name], name  # a FIFO stays a FIFO, an empty file empty
        _made_nothing(tmp_path, before)
    assert list((tmp_path / "folder").iterdir()) == []


@pytest.mark.parametrize("command", ["info", "export"])
def test_reading_commands_create_nothing_where_nothing_is(tmp_path, capsys, command):
    db = tmp_path / "none.duckdb"
    args = _commands(str(db), tmp_path)[command]
    before = {p.name for p in tmp_path.iterdir()}
    assert run_mkc(capsys, *args) == (2, "", f"mkc: error: {db}: no such file\n")
    _made_nothing(tmp_path, before)


def test_an_empty_path_is_refused_and_duckdbs_special_names_are_files(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    csv_path = people_csv(tmp_path, 3)
    assert run_mkc(capsys, "db", "import", csv_path, "--db", "") == (2, "", "mkc: error: --db '': an empty path\n")
    code, out, _ = run_mkc(capsys, "db", "import", csv_path, "--db", ":memory:")  # once a database in memory, lost
    assert code == 0 and (tmp_path / ":memory:").is_file()
    assert run_mkc(capsys, "db", "info", "--db", ":memory:")[1].startswith(":memory:: mkc database")


def _database(tmp_path: pathlib.Path, capsys, runs: int = 1) -> str:
    db = str(tmp_path / "s.duckdb")
    run_mkc(capsys, "db", "import", people_csv(tmp_path, 30), "--db", db)
    for day in range(5, 5 + runs):
        code, _, err = run_mkc(
            capsys, "run", write_campaigns(tmp_path), "--campaign", "Welcome", "--db", db, "--at", f"2026-01-{day:02d}"
        )
        assert code == 0, err
    return db


def _files(tmp_path: pathlib.Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}


def test_reading_commands_change_nothing_not_even_a_pending_log(tmp_path, capsys):
    db = _database(tmp_path, capsys)
    # A process that committed and was killed before DuckDB folded its log
    # (PATH.wal) into the file: what it wrote is only in the log.
    script = (
        "import duckdb, os; c = duckdb.connect({db!r}); "
        "c.execute(\"UPDATE mkc_meta SET value = '2026-03-01T00:00:00' WHERE key = 'clock'\"); "
        "os.kill(os.getpid(), 9)"
    )
    subprocess.run([sys.executable, "-c", script.format(db=db)], check=False)
    assert os.path.exists(db + ".wal")
    os.chmod(db, 0o444)  # read-only: reading commands read it all the same
    out = tmp_path / "out" / "people.csv"
    out.parent.mkdir()
    before = _files(tmp_path)
    code, text, err = run_mkc(capsys, "db", "info", "--db", db)
    assert code == 0 and "clock 2026-03-01T00:00" in text and err == ""
    code, _, err = run_mkc(capsys, "db", "export", str(out), "--db", db, "--what", "people")
    assert code == 0 and err == "" and out.read_text().count("\n") == 31
    mkc_file = str(tmp_path / "c.mkc")
    code, text, err = run_mkc(capsys, "diff", mkc_file, mkc_file, "--campaign", "Every", "--db", db)
    assert code == 0 and "over 30 people in" in text, err
    assert _files(tmp_path) == before


def test_a_read_only_database_is_not_written_and_says_so(tmp_path, capsys, monkeypatch):
    db = _database(tmp_path, capsys, runs=0)
    os.chmod(db, 0o444)
    cmds = _commands(db, tmp_path)
    if os.geteuid() == 0:  # root writes anyway: make the check see what a user would
        access = os.access
        monkeypatch.setattr(os, "access", lambda p, mode: access(p, mode) and not (p == db and mode & os.W_OK))
    before = _files(tmp_path)
    for args in cmds.values():
        code, out, err = run_mkc(capsys, *args)
        if args[1] in ("info", "export"):
            assert code == 0, err
            continue
        assert (code, out, err) == (2, "", f"mkc: error: {db}: cannot write (read-only)\n")
    (tmp_path / "out.jsonl").unlink()
    assert _files(tmp_path) == before


def test_a_truncated_database_is_damaged_not_a_traceback(tmp_path, capsys):
    db = _database(tmp_path, capsys)
    data = pathlib.Path(db).read_bytes()
    pathlib.Path(db).write_bytes(data[: len(data) // 2])
    for name, args in _commands(db, tmp_path).items():
        code, out, err = run_mkc(capsys, *args)
        assert code == 2 and out == "" and len(err.splitlines()) == 1, (name, err)
        assert err.startswith(f"mkc: error: {db}: damaged, not a readable mkc database (IO Error: Could not read")


def test_a_tampered_database_is_damaged_not_in_use(tmp_path, capsys):
    db = _database(tmp_path, capsys)
    data = bytearray(pathlib.Path(db).read_bytes())
    data[100:200] = bytes(b ^ 0x5A for b in data[100:200])  # inside the first header, after its `DUCK`
    pathlib.Path(db).write_bytes(data)
    code, _, err = run_mkc(capsys, "db", "info", "--db", db)
    # "... checksum ... in block at location 0" was once taken for a lock held elsewhere
    assert code == 2 and len(err.splitlines()) == 1
    assert err.startswith(f"mkc: error: {db}: damaged, not a readable mkc database (Corrupt database file")


def test_damage_found_half_way_is_one_line(tmp_path, capsys):
    """The tables' list reads well, the people's data does not: found by the
    command that reads them, whichever it is."""
    db = _database(tmp_path, capsys, runs=0)
    con = duckdb.connect(db, read_only=True)
    (block,) = con.execute(
        "SELECT block_id FROM pragma_storage_info('people') WHERE column_name = 'email' AND persistent"
    ).fetchone()
    con.close()
    data = bytearray(pathlib.Path(db).read_bytes())
    at = 3 * 4096 + block * 256 * 1024 + 8  # after the file's headers, and the block's checksum
    data[at : at + 100] = bytes(b ^ 0x5A for b in data[at : at + 100])
    pathlib.Path(db).write_bytes(data)
    mkc_file = write_campaigns(tmp_path)
    for args in (
        ["db", "export", str(tmp_path / "o.csv"), "--db", db, "--what", "people"],
        ["run", mkc_file, "--campaign", "Every", "--db", db],
        ["diff", mkc_file, mkc_file, "--campaign", "Every", "--db", db],
    ):
        code, _, err = run_mkc(capsys, *args)
        assert code == 2 and len(err.splitlines()) == 1, (args, err)
        assert err.startswith(f"mkc: error: {db}: damaged, not a readable mkc database (Corrupt database file"), args


def test_an_export_replaces_only_a_file_and_names_what_it_cannot_write(tmp_path, capsys):
    db = _database(tmp_path, capsys)
    fifo = tmp_path / "fifo.csv"
    os.mkfifo(fifo)
    code, _, err = run_mkc(capsys, "db", "export", str(fifo), "--db", db)
    assert (code, err) == (2, f"mkc: error: {fifo}: not a regular file; an export writes a new file in its place\n")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    target = tmp_path / "real.csv"
    (tmp_path / "link.csv").symlink_to(target)
    code, _, err = run_mkc(capsys, "db", "export", str(tmp_path / "link.csv"), "--db", db, "--what", "people")
    assert code == 0 and (tmp_path / "link.csv").is_symlink() and target.read_text().startswith("Id,")


# ---- output that cannot be written ---------------------------------------------------

full = pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
NO_SPACE = "mkc: error: cannot write to standard output: No space left on device"


def _real_mkc(*args, stdout, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*REAL_MKC, *map(str, args)], stdout=stdout, stderr=subprocess.PIPE, text=True, check=False, **kwargs
    )


@full
def test_a_full_stdout_is_one_line_and_a_run_over_a_database_is_not_kept(tmp_path, capsys):
    db = _database(tmp_path, capsys)
    mkc_file = write_campaigns(tmp_path)
    # The file's own people: a run over them prints a log (a run that prints nothing has nothing to lose).
    with_people = write_campaigns(tmp_path, CAMPAIGNS + "people < person ann < lead_score 20 > >\n", "p.mkc")
    before = content(db)
    with open("/dev/full", "w") as devfull:
        for args, after in (
            (["run", EXAMPLE], ""),  # scenarios
            (["run", with_people, "--campaign", "Every"], ""),  # over the file's people
            (["run", mkc_file, "--campaign", "Every", "--people", people_csv(tmp_path, 300)], ""),
            (
                ["run", mkc_file, "--campaign", "Every", "--db", db, "--at", "2026-01-09"],
                f"; {db} is as it was before the run",
            ),
            (
                ["db", "import", people_csv(tmp_path, 40, "more.csv"), "--db", db],
                f"; {db} is as it was before the import",
            ),
            (["db", "info", "--db", db], ""),
        ):
            proc = _real_mkc(*args, stdout=devfull)
            assert (proc.returncode, proc.stderr) == (2, f"{NO_SPACE}{after}\n"), args
    assert content(db) == before and not os.path.exists(db + ".wal")
    code, out, _ = run_mkc(capsys, "db", "info", "--db", db)
    assert code == 0 and "runs: 1" in out


def test_a_closed_stdout_is_one_line(tmp_path):
    proc = subprocess.run(
        ["sh", "-c", '"$@" >&-', "sh", *REAL_MKC, "run", EXAMPLE],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (proc.returncode, proc.stderr) == (2, "mkc: error: standard output is closed\n")


def test_a_reader_that_went_away_ends_quietly_and_the_run_is_not_kept(tmp_path, capsys):
    """Like a Unix tool killed by SIGPIPE (status 141), quietly, unless a run
    over a database was not kept because of it: that is said."""
    db = _database(tmp_path, capsys)
    mkc_file = write_campaigns(tmp_path)
    before = content(db)
    for args, said in (
        (["run", mkc_file, "--campaign", "Every", "--people", people_csv(tmp_path, 300)], ""),
        (
            ["run", mkc_file, "--campaign", "Every", "--db", db, "--at", "2026-01-09"],
            f"mkc: error: cannot write to standard output: Broken pipe; {db} is as it was before the run\n",
        ),
    ):
        proc = subprocess.Popen([*REAL_MKC, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        proc.stdout.close()  # gone before the first line
        assert (proc.wait(timeout=60), proc.stderr.read()) == (141, said), args
    assert content(db) == before


# ---- numbers beyond a number's range ------------------------------------------------------


def test_numbers_beyond_a_numbers_range_are_bad_rows(tmp_path, capsys):
    huge = "1" + "0" * 400
    rows = [
        ["1", "Ann", "a@x", "5", "NL", "2025-01-01", "true"],
        ["2", "Bob", "b@x", huge, "NL", "2025-01-01", "true"],
        ["3", "Cy", "c@x", f"-{huge}.5", "NL", "2025-01-01", "true"],
        ["4", "Dee", "d@x", "2.5", "NL", "2025-01-01", "true"],
    ]
    path = write_csv(tmp_path / "p.csv", HEADER, rows)
    db = str(tmp_path / "s.duckdb")
    code, _, err = run_mkc(capsys, "db", "import", path, "--db", db)
    assert code == 2 and err.splitlines() == [
        f"{path}:3: Lead Score: '10000000000000000000...0000000000' is too large for a number",
        f"{path}:4: Lead Score: '-1000000000000000000...00000000.5' is too large for a number",
        f"mkc: error: {path}: 2 bad rows; nothing imported (--skip-bad-rows imports the others)",
    ]
    code, _, err = run_mkc(capsys, "db", "import", path, "--db", db, "--skip-bad-rows")
    assert code == 0, err
    out = tmp_path / "people.jsonl"
    assert run_mkc(capsys, "db", "export", str(out), "--db", db, "--what", "people")[0] == 0
    scores = [json.loads(line, parse_constant=pytest.fail)["Lead Score"] for line in out.read_text().splitlines()]
    assert scores == [5, 2.5]
    # Spelled as infinity, not a number or with an exponent: bad rows of a number field.
    path = write_csv(
        tmp_path / "q.csv",
        ["Id", "Lead Score"],
        [[str(5 + i), w] for i, w in enumerate(("1e999", "inf", "nan", "-Infinity"))],
    )
    code, _, err = run_mkc(capsys, "db", "import", path, "--db", db)
    assert code == 2 and [line.split(": ", 1)[0] for line in err.splitlines()[:-1]] == [
        f"{path}:{n}" for n in (2, 3, 4, 5)
    ]
    assert all("is not a number (lead_score is number in" in line for line in err.splitlines()[:-1])


def test_the_null_device_gets_no_log_made_and_the_run_is_kept(tmp_path, capsys):
    """`> /dev/null`: the lines would be thrown away, so none are made (a
    million lines cost more than the run); the run itself is the same."""
    from mkc.output import goes_nowhere

    with open(os.devnull, "w") as null, open(tmp_path / "f.txt", "w") as file:
        assert goes_nowhere(null) and not goes_nowhere(file)
    assert not goes_nowhere(io.StringIO())
    mkc_file = write_campaigns(tmp_path)
    dbs = []
    people = people_csv(tmp_path, 30)
    for name, out in (("to_null.duckdb", subprocess.DEVNULL), ("to_pipe.duckdb", subprocess.PIPE)):
        db = str(tmp_path / name)
        proc = _real_mkc("run", mkc_file, "--campaign", "Every", "--people", people, "--db", db, stdout=out)
        assert proc.returncode == 0 and proc.stderr == "", proc.stderr
        assert out == subprocess.DEVNULL or proc.stdout.count("\n") >= 30
        dbs.append(db)
    null, pipe = (content(db) for db in dbs)
    assert len(null.pop("runs")) == len(pipe.pop("runs")) == 1  # (a run's row holds the wall clock)
    assert null == pipe and null["activities"]
