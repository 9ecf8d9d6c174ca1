"""What `mkc run --campaign ... --db/--people` and `mkc db import|export|info` do.

Each command is one transaction: an error, Ctrl-C or SIGTERM rolls it back
(and a kill leaves the last commit), so the database is as it was before. A
run prints its log, an import its summary, inside the transaction: output
that cannot be written rolls it back too.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import itertools
import os
import signal
import sys

import click
import duckdb

from mkc.grammar import ast
from mkc.interpreter import Interpreter, InterpreterError, PersonState
from mkc.interpreter.records import Ids, record_json
from mkc.output import StdoutFailed, goes_nowhere
from mkc.source import BadInput
from mkc.store import run_summary
from mkc.store.batches import StoreSource, add_people
from mkc.store.csv_import import BadRows, import_people
from mkc.store.datasets import ROWS_PER_FILE
from mkc.store.db import MEMORY_LIMIT, Store
from mkc.store.export import activity_records, export
from mkc.store.progress import Bar
from mkc.store.rest_ids import save_ids
from mkc.store.schema import SCHEMA_VERSION, WORD_OF_TYPE


@contextlib.contextmanager
def interruptible():
    """SIGTERM interrupts like Ctrl-C does, so the transaction rolls back;
    gives the context to commit in. Once the commit has begun, neither stops
    the command: a stop then would report a rollback that did not happen
    (the commit is done; the run is kept, and the command ends as usual)."""
    committing = False

    def stop(signum, frame):
        if not committing:
            raise KeyboardInterrupt

    @contextlib.contextmanager
    def commit():
        nonlocal committing
        committing = True  # for good: the handlers stay until the command is done
        yield

    try:
        previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    except ValueError:  # not the main thread
        yield contextlib.nullcontext
        return
    try:
        yield commit
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@contextlib.contextmanager
def long_lived():
    """What exists now (the model, the parser, modules) stays for the whole
    run: frozen, the collector does not walk it again in each of the many full
    collections that a run's batches of people and activities set off (about
    a sixth of a run's time). Unfrozen after, so garbage among it can go."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@contextlib.contextmanager
def one_thread(store: Store):
    """DuckDB on one thread while the interpreter runs on the other core: a
    run's statements are many and small (a batch's rows each), and handing them
    to a second thread cost a fifth more than it saved (measured on the
    activity inserts). The printing after, one large sort, gets both back."""
    store.con.execute("SET threads = 1")
    try:
        yield
    finally:
        with contextlib.suppress(duckdb.Error):
            store.con.execute("RESET threads")


def _interrupted(err: BaseException) -> bool:
    """Ctrl-C or SIGTERM: a KeyboardInterrupt, or DuckDB's word for one that
    arrived while a query ran."""
    if isinstance(err, (KeyboardInterrupt, duckdb.InterruptException)):
        return True
    return type(err) is RuntimeError and "interrupted" in str(err).casefold()


def _duckdb_says(err: Exception, store: Store | None = None) -> str:
    """A DuckDB failure (out of memory, a full disk) in one line; out of
    memory says the limit the command ran with (the columnar engine sets its
    own), read once the transaction is rolled back."""
    text = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    if isinstance(err, duckdb.OutOfMemoryException):
        limit = os.environ.get("MKC_DB_MEMORY", MEMORY_LIMIT)
        with contextlib.suppress(duckdb.Error, AttributeError):
            limit = store.con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
        text += f" (DuckDB may use {limit}: set MKC_DB_MEMORY, e.g. 4GB)"
    return text


def _duckdb_failed(store: Store, err: Exception, unchanged: str = "") -> int:
    """A DuckDB error in the middle of a command: a damaged database file is
    bad input (BadInput, exit 2); anything else (out of memory, a full disk)
    one line and exit status 1."""
    damaged = store.failure(err)
    if damaged is not None:
        raise damaged from None
    _err(f"mkc: error: {_duckdb_says(err, store)}{unchanged}")
    return 1


def _err(text: str) -> None:
    click.echo(text, err=True)


def bad_rows(err: BadRows) -> None:
    """Every bad row on its own line, then the one-line error (exit 2)."""
    for message in err.messages:
        _err(message)
    raise BadInput(str(err)) from None


def run_campaign(
    model,
    ref: str,
    *,
    db: str | None,
    people: str | None,
    at: dt.datetime | None,
    until: dt.datetime | None,
    tokens: dict,
    types: dict,
    skip_bad_rows: bool,
    fmt: str,
    file: str,
    limits=None,
    reading=None,
    output: str = "lines",
    engine: str = "auto",
    say: bool = False,
    spread=None,
) -> int:
    """Run one batch campaign over a database (`db`) and/or a person export
    (`people`, imported first); print the run's activities (`output`: lines,
    summary, or auto: see store/run_summary.py); the exit status.
    Over a database, `engine` (auto, columnar, reference) picks what runs it
    (`mkc.columnar.run.choose`); `say`: tell which on stderr. With `spread`
    (mkc.scale.run.Spread), it runs over workers, `engine` picking what runs
    in them (`mkc.scale.run.run_spread_columnar`)."""
    interp = Interpreter(model, schedules=False, limits=limits)
    try:
        campaign = interp.campaign(ref)
        if campaign.kind != "batch":
            raise InterpreterError(f"{campaign.full_name} is not a batch campaign")
    except InterpreterError as err:
        raise BadInput(f"--campaign {ref}: {err}") from None
    store = Store.open(db, create=True)
    unchanged = f"; {db} is as it was before the run" if db else ""
    try:
        # The log is printed before the run commits: a run whose output
        # could not be written (a full disk, a closed pipe) is not kept.
        with interruptible() as committing, store.transaction(committing):
            with long_lived(), one_thread(store):
                run, result = _run(
                    store,
                    interp,
                    campaign,
                    db,
                    people,
                    at,
                    until,
                    tokens,
                    types,
                    skip_bad_rows,
                    reading,
                    file,
                    engine if db is not None else "reference",
                    say and db is not None,
                    spread,
                )
            _print_run(store, run, fmt, output)
    except BadRows as err:
        store.discard()
        bad_rows(err)
    except InterpreterError as err:  # a runaway loop
        store.discard()
        _err(f"mkc: error: {err}" + (f"; nothing was written to {db}" if db else ""))
        return 1
    except StdoutFailed as err:
        store.discard()
        raise StdoutFailed(err.err, unchanged) from None
    except BaseException as err:
        store.discard()
        if _interrupted(err):
            _err("mkc: interrupted" + unchanged)
            return 130
        if isinstance(err, duckdb.Error):
            return _duckdb_failed(store, err, unchanged)
        raise
    store.close()
    return 1 if result.failed else 0


def _run(
    store, interp, campaign, db, people, at, until, tokens, types, skip_bad_rows, reading, file, engine, say, spread
):
    if people is not None:
        import_said(import_people(store, people, types, skip_bad_rows, reading))
    elif not store.count_people() and store.meta("next_run") == "1":
        # A new database starts with the file's declared people.
        add_people(store, [PersonState.declared(p) for p in interp.model.people])
    save_ids(store, Ids.of_model(interp.model, handles=(), extra_fields=store.columns()))
    since, at, until = run_window(store, db, at, until)
    run = store.counter("next_run", 1)
    if spread is not None:
        from mkc.scale.run import run_spread_columnar

        result, why = run_spread_columnar(
            spread, store, interp.model, campaign, at, until, tokens, run, engine, interp.limits
        )
    else:
        from mkc.columnar.run import choose  # (only a run needs the engine: db import, export and info do not)

        result, why = choose(store, interp.model, campaign, at, tokens, run, engine, interp.limits, until)
    if say:
        _err(f"mkc run: {why}")
    if result is None:
        source = StoreSource(store, run)
        with Bar(source.total, f"{campaign.full_name}") as bar:
            if spread is None:
                result = interp.run_batches(campaign, source, at, until, tokens, since=since, progress=bar.advance)
            else:
                from mkc.scale.run import run_spread

                result = run_spread(spread, source, campaign, at, until, tokens, since, interp.limits, bar.advance)
        source.finish()
    if until is not None:
        store.set_meta("clock", until.isoformat())
    store.con.execute(
        "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, current_localtimestamp())",
        [run, file, campaign.full_name, since, at, until, result.people, result.entered, result.activities],
    )
    return run, result


def run_window(store: Store, db: str | None, at: dt.datetime | None, until: dt.datetime | None):
    """(since, at, until) of a run over `store`: in memory (`db` None), a fresh
    world at `at` that runs until nothing is left, as without a database; over
    a database, from its clock, the campaign at `at` (default: the clock),
    and on to `until` (default: `at`)."""
    clock = store.clock
    if db is None:
        return at or clock, at or clock, None
    at = at or clock
    if at < clock:
        raise BadInput(f"--at {_show(at)} is before {db}'s clock ({_show(clock)}): its world has moved on")
    until = until or at
    if until < at:
        raise BadInput(f"--until {_show(until)} is before --at {_show(at)}")
    return clock, at, until


def _show(when: dt.datetime) -> str:
    return ast.format_datetime(when)


def _print_run(store: Store, run: int, fmt: str, output: str = "lines") -> None:
    """The run's activities, in the log's order, as text or JSON Lines (REST
    records); or their counts per type (store/run_summary.py). Nothing is
    made for the null device: a million lines to /dev/null would cost more
    than the run (see docs/columnar.md)."""
    out = sys.stdout
    if goes_nowhere(out):
        return
    if output != "lines":
        summary = run_summary.counts(store.con, run)
        isatty = getattr(out, "isatty", None)
        if run_summary.wants_summary(output, summary["activities"], bool(isatty and isatty())):
            if output == "auto":
                _err(run_summary.how_to_get_lines(summary["activities"]))
            out.write(run_summary.summary_json(summary) if fmt == "jsonl" else run_summary.summary_text(summary))
            out.flush()
            return
    if fmt == "jsonl":
        records = activity_records(store, run)
        while batch := list(itertools.islice(records, 10_000)):
            out.write("".join(record_json(r) + "\n" for r in batch))
    else:
        cursor = store.con.execute("SELECT line FROM activities WHERE run = ? ORDER BY time, seq", [run])
        while rows := cursor.fetchmany(10_000):
            out.write("".join(row[0] + "\n" for row in rows))
    out.flush()


# ---- mkc db ... ----------------------------------------------------------------------


def db_import(path: str, db: str, types: dict, skip_bad_rows: bool, reading=None) -> None:
    store = Store.open(db, create=True)
    unchanged = f"; {db} is as it was before the import"
    try:
        with interruptible() as committing, store.transaction(committing):
            result = import_people(store, path, types, skip_bad_rows, reading)
            _print_import(path, db, result)  # before the commit, as a run's log
    except BadRows as err:
        store.discard()
        bad_rows(err)
    except StdoutFailed as err:
        store.discard()
        raise StdoutFailed(err.err, unchanged) from None
    except BaseException as err:
        store.discard()
        if _interrupted(err):
            _err(f"mkc: interrupted{unchanged}")
            sys.exit(130)
        if isinstance(err, duckdb.Error):
            sys.exit(_duckdb_failed(store, err, unchanged))
        raise
    store.close()


def import_said(result) -> None:
    """What an import tells on stderr: how the file was read, warnings, the rows skipped."""
    for note in result.notes:
        _err(note)
    for message in result.skipped:
        _err(f"{message} (skipped)")


def _print_import(path: str, db: str, result) -> None:
    import_said(result)
    fields = ", ".join(f"{name} {word}" for name, word in result.fields.items())
    skipped = f", {len(result.skipped)} bad rows skipped" if result.skipped else ""
    click.echo(
        f"{path}: {result.rows:,} people into {db} ({result.added:,} new, {result.updated:,} updated{skipped})"
        + (f"; fields: {fields}" if fields else "")
    )
    sys.stdout.flush()


def db_export(
    out: str,
    db: str,
    what: str,
    changed: bool,
    fmt: str | None = None,
    headers: str = "marketo",
    rows_per_file: int | None = None,
) -> None:
    # An older database too, as it is: exporting is the way out of a migration that a value stops.
    store = Store.open(db, create=False, older=True)
    try:
        count = export(store, out, what, changed, fmt, headers, rows_per_file or ROWS_PER_FILE)
    except BaseException as err:
        if _interrupted(err):
            _err("mkc: interrupted")
            sys.exit(130)
        if isinstance(err, duckdb.Error):
            sys.exit(_duckdb_failed(store, err))
        raise
    finally:
        store.close()
    # To standard output, the export is the output: the count goes to stderr.
    click.echo(f"{out}: {count:,} {what if what == 'people' or count != 1 else 'activity'} from {db}", err=out == "-")


def db_migrate(db: str) -> None:
    if not os.path.lexists(db):
        raise BadInput(f"{db}: no such file")
    store = Store.open(db, create=True)  # opening to write migrates it
    store.close()
    if store.migrated_from is None:
        click.echo(f"{db}: schema version {SCHEMA_VERSION} already; nothing to do")
    else:
        click.echo(f"{db}: migrated from schema version {store.migrated_from} to {SCHEMA_VERSION}")


def db_info(db: str) -> None:
    store = Store.open(db, create=False)
    con = store.con
    try:
        count = {
            table: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("people", "activities", "waits", "runs", "list_members", "program_members")
        }
        lines = [
            f"{db}: mkc database, schema version {store.meta('schema_version')}, clock {_show(store.clock)}",
            f"people: {count['people']:,}; list memberships: {count['list_members']:,}; "
            f"program memberships: {count['program_members']:,}",
            f"activities: {count['activities']:,}; waiting flows: {count['waits']:,}; runs: {count['runs']:,}",
        ]
        fields = ", ".join(f"{name} {WORD_OF_TYPE.get(t, t.lower())}" for name, t in store.columns().items())
        lines.append(f"fields: {fields or 'none'}")
        for run, campaign, at, until, people, entered, acts in con.execute(
            "SELECT run, campaign, run_at, run_until, people, entered, activities FROM runs ORDER BY run"
        ).fetchall():
            to = f" to {_show(until)}" if until and until != at else ""
            lines.append(
                f"run {run}: {campaign} at {_show(at)}{to}: {people:,} people, {entered:,} entered, {acts:,} activities"
            )
    except duckdb.Error as err:
        sys.exit(_duckdb_failed(store, err))
    finally:
        store.close()
    click.echo("\n".join(lines))
