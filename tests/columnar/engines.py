"""Running one batch campaign with each engine on copies of one database,
and comparing what they leave (tests/tables.py) and print."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import pathlib

from tables import copies, differences, dump

from mkc.interpreter import PersonState
from mkc.load import load_path, load_source
from mkc.source import Source
from mkc.store.batches import add_people
from mkc.store.commands import run_campaign
from mkc.store.csv_import import import_people
from mkc.store.db import Store

AT = dt.datetime(2026, 2, 1, 9, 0)


def model_of(text: str, name: str = "c.mkc"):
    loaded = load_source(Source(name, text))
    assert loaded.model is not None and not loaded.has_errors, loaded.diagnostics
    return loaded.model


def model_at(path) -> object:
    loaded = load_path(str(path))
    assert loaded.model is not None and not loaded.has_errors
    return loaded.model


def campaign(model, full_name: str):
    return next(c for c in model.campaigns if c.full_name == full_name)


def run(model, info, db: str, engine: str, at: dt.datetime = AT, tokens=None, people: str | None = None, until=None):
    """`mkc run --campaign --db DB --engine ENGINE [--until]`: (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = run_campaign(
            model,
            info,
            db=db,
            people=people,
            at=at,
            until=until,
            tokens=tokens or {},
            types={},
            skip_bad_rows=False,
            fmt="text",
            file="c.mkc",
            engine=engine,
            say=True,
        )
    return code, out.getvalue(), err.getvalue()


def both(model, info, db: str, at: dt.datetime = AT, tokens=None, runs: int = 1) -> tuple[str, list[str]]:
    """Run the campaign `runs` times (a day apart) with the reference on one
    copy of `db` and with auto on another; assert the same exit status and
    output each time and the same tables after; the engine line of the last run."""
    ref, col = copies(db, f"ref{runs}", f"col{runs}")
    said = []
    for i in range(runs):
        when = at + dt.timedelta(days=i)
        r = run(model, info, ref, "reference", when, tokens)
        c = run(model, info, col, "auto", when, tokens)
        assert (r[0], r[1]) == (c[0], c[1]), f"run {i + 1}: output differs"
        said.append(c[2].strip().splitlines()[-1])
    assert differences(dump(ref), dump(col)) == []
    return said[-1], said


def declared(tmp_path: pathlib.Path, model, name: str = "s.duckdb") -> str:
    """A new database holding the model's declared people (what a first run over a new one starts with)."""
    path = str(tmp_path / name)
    store = Store.open(path, create=True)
    with store.transaction():
        add_people(store, [PersonState.declared(p) for p in model.people])
    store.close()
    return path


def imported(tmp_path: pathlib.Path, csv_text: str, name: str = "s.duckdb") -> str:
    """A new database holding the people of a CSV export."""
    source = tmp_path / (name + ".csv")
    source.write_text(csv_text, encoding="utf-8")
    path = str(tmp_path / name)
    store = Store.open(path, create=True)
    with store.transaction():
        import_people(store, str(source), {}, False)
    store.close()
    return path
