"""One worker: the run over one partition of the people.

It loads the program, makes an in-memory database of its partition's slice
(Parquet files the parent wrote: people, memberships, entries, waits, past
activities), runs the campaign over the run's global batches restricted to
its people, and writes, for each batch, the `BatchWrite` the single-process
run would have written for those people, with order keys (order.py) on its
activities and waits: a stream of pickled records, ended by the counts, or
by the error that stopped it. Nothing of the parent's database is touched.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import pathlib
import pickle
import resource
import signal
import tempfile
import time

import attrs
import duckdb
import pyarrow as pa

from mkc.columnar.run import Fallback
from mkc.interpreter import BatchesResult, InterpreterError, Limits
from mkc.scale.columnar import run_partition
from mkc.scale.order import KeyedInterpreter
from mkc.source import Source
from mkc.store.batches import StoreSource
from mkc.store.db import Store
from mkc.store.schema import DDL

# For mkc's own tests only: `kill:K` makes the worker of partition K kill
# itself, `raise:K` fail with an exception, once it has started; `hold:K`
# makes its columnar engine wait a minute first (the parent is to stop it
# when another partition falls back; the reference's run is not held). Read by the
# parent, and handed to the workers with the job (a forkserver keeps the
# environment it started with).
FAULT_ENV = "MKC_SCALE_TEST_FAULT"

HOLD = 60  # seconds: `hold:K`

# The slice of one partition: table -> the order its rows are loaded in
# (people by `_pid`, memberships in the order they were added, waits and
# activities in the log's).
SLICES = {
    "people": "_pid",
    "list_members": "_row",
    "program_members": "_row",
    "entries": "_row",
    "waits": "due, seq",
    "activities": "seq",
}


@attrs.frozen
class Job:
    """The run every partition takes part in. `program` is the file's `Source`
    (one file: the worker reads no file), or the path of a project's file;
    `fields` the database's fields the parent checked it with; `ranges` the
    `_pid` ranges of the run's batches, over all the people; `engine` what
    runs the campaign."""

    program: Source | str
    fields: dict
    campaign: str
    ranges: list[tuple[int, int]]
    since: dt.datetime
    at: dt.datetime
    until: dt.datetime | None
    tokens: dict
    limits: Limits
    run: int
    engine: str = "reference"  # or "columnar": what runs in the workers (scale/columnar.py)
    chunk: int = 0  # the columnar engine's people a chunk (columnar.run.chunk_size), the merge's too
    fault: str = attrs.field(factory=lambda: os.environ.get(FAULT_ENV, ""))


@attrs.frozen
class Task:
    """One partition's part: `inputs` the folder of its slice, or its files'
    bytes (Ray: the worker may be on another machine); `out` the result
    file (the columnar engine's database beside it), or None to give the
    results' bytes back."""

    part: int
    parts: int
    job: Job
    inputs: str | dict[str, bytes]
    out: str | None = None


def run_task(task: Task) -> dict[str, bytes] | None:
    """Run one partition; its result files (`task.out` and its namesakes), or
    their bytes by the suffix of their names."""
    # (a scratch folder only on Ray: a local worker stopped by the parent leaves none behind)
    local = isinstance(task.inputs, str) and task.out is not None
    with contextlib.nullcontext() if local else tempfile.TemporaryDirectory(prefix="mkc-part-") as scratch:
        inputs = task.inputs
        if not isinstance(inputs, str):
            for name, data in inputs.items():
                pathlib.Path(scratch, name).write_bytes(data)
            inputs = scratch
        out = task.out or os.path.join(scratch, "result")
        with open(out, "wb") as fh:
            began = time.perf_counter()
            try:
                _fault(task.job, task.part)
                counts = _run(task, inputs, fh)
            except InterpreterError as err:  # a runaway: the whole run stops, as it does on one process
                pickle.dump(("runaway", str(err)), fh)
            except Fallback as why:  # the columnar engine does not run this partition: the parent decides
                pickle.dump(("fallback", why.reason), fh)
            except Exception as err:
                pickle.dump(("failed", f"{type(err).__name__}: {err}"), fh)
            else:
                # With the counts, what the run took here: seconds, and the peak resident memory in bytes.
                peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
                pickle.dump(("done", counts, time.perf_counter() - began, peak), fh)
        if task.out:
            return None
        return {p.name[len("result") :]: p.read_bytes() for p in pathlib.Path(scratch).glob("result*")}


def _fault(job: Job, part: int) -> None:
    how, _, which = job.fault.partition(":")
    if which == str(part):
        if how == "hold" and job.engine == "columnar":
            time.sleep(HOLD)
        if how == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        if how == "raise":
            raise RuntimeError(f"{FAULT_ENV} asked partition {part} to fail")


def _run(task: Task, inputs: str, fh) -> BatchesResult:
    from mkc.load import load_path, load_source

    job = task.job
    loaded = (
        load_source(job.program, job.fields) if isinstance(job.program, Source) else load_path(job.program, job.fields)
    )
    if loaded.model is None or loaded.has_errors:
        raise RuntimeError(f"{loaded.source.name} does not check cleanly in the worker")
    if job.engine == "columnar":
        con = _slice_database(inputs)
        try:
            return run_partition(job, con, loaded.model, os.path.join(inputs, "people.parquet"), fh.name)
        finally:
            con.close()
    store = Store(_slice_database(inputs), None, False)
    try:
        interp = KeyedInterpreter(loaded.model, schedules=False, limits=job.limits)
        campaign = interp.campaign(job.campaign)
        source = PartitionSource(store, job.run, interp, job.ranges, fh)

        def work(engine):
            interp.queue.enter(source.pids)
            return engine.batch_run(campaign, None, job.tokens)

        return interp.run_over(source.batches(), source, job.at, job.until, work, job.since, name=campaign.full_name)
    finally:
        store.close()


def _slice_database(folder: str) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    con.execute("SET threads = 1")  # (the other workers have the other cores)
    # (an in-memory database spills into `.tmp` of the current directory: the slice's folder is the run's own)
    con.execute("SET temp_directory = ?", [os.path.join(folder, "spill")])
    con.execute(DDL)
    con.execute("INSERT INTO mkc_meta VALUES ('next_seq', '1')")
    for table, order in SLICES.items():
        path = os.path.join(folder, f"{table}.parquet")
        con.execute(f"DROP TABLE {table}")
        con.execute(f"CREATE TABLE {table} AS SELECT * EXCLUDE (_row) FROM read_parquet(?) ORDER BY {order}", [path])
    return con


class PartitionSource(StoreSource):
    """A partition's people, batch by batch in the run's global batches (their
    `_pid` ranges); `write` records each batch's plan, with order keys,
    instead of writing it."""

    def __init__(self, store: Store, run: int, interp: KeyedInterpreter, ranges, out):
        super().__init__(store, run)
        self.interp = interp
        self._global = ranges
        self.out = out

    @property
    def pids(self) -> dict[str, int]:
        return self._pids

    def ranges(self) -> list[tuple[int, int]]:
        return self._global

    def batch(self, lo: int, hi: int):
        batch = super().batch(lo, hi)
        seqs = self.con.execute(
            "SELECT seq FROM waits WHERE pid BETWEEN ? AND ? AND pid IN (SELECT _pid FROM people) ORDER BY due, seq",
            [lo, hi],
        ).fetchall()
        self.interp.begin_batch([s for (s,) in seqs])
        self._count = len(batch.people)
        return batch

    def write(self, changes) -> None:
        plan = self.plan(changes)
        keys = self.interp.queue.activity_keys(len(changes.activities))
        plan.activities = plan.activities.append_column("_key", pa.array(keys, pa.binary()))
        plan.waits = plan.waits.append_column("_key", pa.array(self.interp.wait_keys, pa.binary()))
        pickle.dump(("batch", self._count, plan), self.out, protocol=pickle.HIGHEST_PROTOCOL)
