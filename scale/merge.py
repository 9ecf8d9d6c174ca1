"""Merging the partitions' results into the database: batch by batch, each
batch's plans (one from each partition) made into the plan the single-process
run would have made, and written as it writes one (`StoreSource.apply`), so
sequence numbers, new columns and every table come out the same.

Activities and waits sort by their order keys (order.py); people, memberships
and deletions by `_pid`; campaign entries by `_pid`, each person's in the
order their partition made them.
"""

from __future__ import annotations

import pickle

import pyarrow as pa

from mkc.columnar.run import Fallback
from mkc.interpreter import BatchesResult, InterpreterError
from mkc.store.batches import BatchWrite, StoreSource


class PartitionFailed(InterpreterError):
    """A worker failed or was killed: the run stops, and nothing is written
    (handled as a runaway is)."""


def merge_plans(plans: list[BatchWrite]) -> BatchWrite:
    """One batch's plans, one from each partition, as the batch's plan."""
    first = plans[0]
    by_pid = lambda pair: pair[0]  # noqa: E731
    return BatchWrite(
        first.range,
        sorted((p for plan in plans for p in plan.people), key=by_pid),
        set().union(*(plan.fields for plan in plans)),
        sorted((p for plan in plans for p in plan.members), key=by_pid),
        sorted(pid for plan in plans for pid in plan.had),
        sorted(pid for plan in plans for pid in plan.deleted),
        _by_key(pa.concat_tables(plan.activities for plan in plans)),
        pa.concat_tables(plan.entries for plan in plans).sort_by("pid"),  # (a stable sort)
        _by_key(pa.concat_tables(plan.waits for plan in plans)),
        any(plan.had_waits for plan in plans),
    )


def _by_key(rows: pa.Table) -> pa.Table:
    return rows.sort_by("_key").drop_columns(["_key"])


def merge_results(
    source: StoreSource, files: list[str], batches: int, progress=None
) -> tuple[BatchesResult, list[dict]]:
    """Write the partitions' results (their result files, in partition order)
    through `source`, batch by batch; the run's counts, and each partition's
    people, seconds and peak memory (bytes). A partition's runaway stops the
    run as it would on one process (an InterpreterError)."""
    streams = [open(path, "rb") for path in files]  # noqa: SIM115 (closed below)
    try:
        for _ in range(batches):
            records = [_next(stream, part, len(files)) for part, stream in enumerate(streams)]
            source.apply(merge_plans([plan for _, _, plan in records]))
            if progress is not None:
                progress(sum(count for _, count, _ in records))
        return partition_counts(streams)
    finally:
        for stream in streams:
            stream.close()


def partition_counts(streams) -> tuple[BatchesResult, list[dict]]:
    """The partitions' last records (after their batches): the run's counts,
    and each partition's people, seconds and peak memory (bytes)."""
    result, figures = BatchesResult(""), []
    for part, stream in enumerate(streams):
        _, counts, seconds, peak = _next(stream, part, len(streams), "done")
        figures.append({"partition": part, "people": counts.people, "seconds": seconds, "peak_bytes": peak})
        result.campaign = counts.campaign
        result.people += counts.people
        result.entered += counts.entered
        result.activities += counts.activities
        result.failed = result.failed or counts.failed
    return result, figures


def _next(stream, part: int, parts: int, kind: str = "batch") -> tuple:
    try:
        record = pickle.load(stream)
    except (EOFError, pickle.UnpicklingError) as err:
        raise PartitionFailed(f"partition {part} of {parts} failed: its result is cut short ({err})") from None
    if record[0] == "runaway":
        raise InterpreterError(record[1])
    if record[0] == "fallback":  # (the columnar engine's data guards, in a worker)
        raise Fallback(record[1])
    if record[0] == "failed":
        raise PartitionFailed(f"partition {part} of {parts} failed: {record[1]}")
    if record[0] != kind:
        raise PartitionFailed(f"partition {part} of {parts} failed: a result out of step ({record[0]}, not {kind})")
    return record
