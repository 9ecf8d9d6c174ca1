"""A run spread over workers: `mkc run ... --db PATH --workers N` (local
processes) or `--ray [ADDRESS]` (a Ray cluster). The parent writes each
partition's slice, the workers run (worker.py), and the parent merges their
results into the run's transaction (merge.py); the caller prints and commits
as for a run on one process.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import multiprocessing.connection
import os
import pathlib
import pickle
import resource
import signal
import tempfile
import time

import attrs

from mkc.columnar.run import Fallback, chunk_size
from mkc.interpreter import BatchesResult
from mkc.scale.columnar import merge as columnar_merge
from mkc.scale.columnar import refusal
from mkc.scale.merge import PartitionFailed, merge_results, partition_counts
from mkc.scale.partition import write_slices
from mkc.scale.worker import SLICES, Job, Task, run_task
from mkc.source import BadInput
from mkc.store.batches import StoreSource

# A file to write a spread run's figures to, as JSON (slices, workers, merge:
# seconds and peak memory): what bench/scale.py reads.
STATS_ENV = "MKC_SCALE_STATS"
LOCAL_RAY = "local"  # `--ray` without an address: a Ray cluster on this machine, for this run


@attrs.define(eq=False)
class Slices:
    """The slices a spread run wrote, in a temporary folder: kept when the
    columnar engine falls back, for the reference interpreter's run that
    follows in the same transaction (nothing was written: the same slices)."""

    parts: int = 0
    folders: list[str] = attrs.Factory(list)
    _dir: tempfile.TemporaryDirectory | None = None

    def take(self, store, parts: int) -> list[str]:
        """The slices of `parts` partitions: those kept, else written now."""
        if self._dir is None or self.parts != parts:
            self.drop()
            self._dir = tempfile.TemporaryDirectory(prefix="mkc-scale-")
            self.parts, self.folders = parts, write_slices(store, parts, self._dir.name)
        return self.folders

    def drop(self) -> None:
        if self._dir is not None:
            self._dir.cleanup()
            self._dir, self.folders = None, []


@attrs.frozen
class Spread:
    """How a run is spread: `workers` partitions (None with Ray: one per CPU of
    the cluster), on local processes, or on Ray (`ray`: the cluster's address,
    or LOCAL_RAY). The workers load the `program` (the file's Source, or a
    project file's path) knowing the database's `fields`, as the parent did."""

    workers: int | None
    ray: str | None
    program: object
    fields: dict
    slices: Slices = attrs.field(factory=Slices, eq=False)  # (written once for a fallback's second run)


def run_spread(
    spread: Spread, source: StoreSource, campaign, at, until, tokens, since, limits, progress
) -> BatchesResult:
    """Run `campaign` over `source`'s people, spread, with the reference
    interpreter in the workers; write the merged results through `source`."""
    job = Job(
        spread.program, spread.fields, campaign.full_name, source.ranges(), since, at, until, tokens, limits, source.run
    )
    return _spread(spread, source.store, job, lambda files: merge_results(source, files, len(job.ranges), progress))


def run_spread_columnar(spread: Spread, store, model, campaign, at, until, tokens, run, engine: str, limits):
    """`mkc run --engine` spread: (the result of the columnar engine run in
    the workers and merged into `store`, or None when the reference
    interpreter is to run it, as `run_spread`; the line that says which ran
    and why). `columnar` when the engine does not run the campaign, or one
    partition's data, is bad input (mkc.columnar.run.choose's rules)."""
    where = _where(spread)
    if engine == "reference":
        return None, f"reference interpreter on {where} (--engine reference)"
    why = refusal(store, model, campaign, at, until, tokens, limits)
    if why is None:
        job = Job(
            spread.program,
            spread.fields,
            campaign.full_name,
            [],
            at,
            at,
            until,
            tokens,
            limits,
            run,
            "columnar",
            chunk_size(),
        )

        def merge(files):
            streams = [open(path, "rb") for path in files]  # noqa: SIM115 (closed below)
            try:
                _, partitions = partition_counts(streams)  # (a partition's failure or fallback first)
            finally:
                for stream in streams:
                    stream.close()
            return columnar_merge(store, model, campaign, at, until, tokens, run, files, job.chunk), partitions

        try:
            return _spread(spread, store, job, merge), f"columnar engine on {where}"
        except Fallback as fallback:
            why = fallback.reason
    if engine == "columnar":
        spread.slices.drop()
        raise BadInput(f"--engine columnar: the columnar engine does not run {campaign.full_name}: {why}")
    return None, f"reference interpreter on {where} (the columnar engine does not run {campaign.full_name}: {why})"


def _where(spread: Spread) -> str:
    if spread.ray is None:
        return f"{spread.workers} worker processes"
    return f"{spread.workers} Ray workers" if spread.workers else "Ray workers"


def _spread(spread: Spread, store, job: Job, merge) -> BatchesResult:
    """Write the slices (or take those a fallback kept), run `job` on every
    partition, and `merge` their result files (giving the run's result and
    each partition's figures). A Fallback keeps the slices for the reference's
    run; anything else drops them."""
    ray, started = _ray(spread.ray, spread.workers) if spread.ray is not None else (None, False)
    try:
        parts = spread.workers or (_cluster_cpus(ray) if ray is not None else os.cpu_count() or 1)
        clock = [time.perf_counter()]
        slices = spread.slices.take(store, parts)
        clock.append(time.perf_counter())
        with tempfile.TemporaryDirectory(prefix="mkc-scale-out-") as folder:
            outs = [os.path.join(folder, f"part-{part:05d}") for part in range(parts)]
            tasks = [Task(part, parts, job, where, out) for part, (where, out) in enumerate(zip(slices, outs))]
            if ray is None:
                _run_local(tasks)
            else:
                _run_ray(ray, tasks)
            clock.append(time.perf_counter())
            result, partitions = merge(outs)
            clock.append(time.perf_counter())
    except Fallback:
        raise
    except BaseException:
        spread.slices.drop()
        raise
    else:
        spread.slices.drop()
    finally:
        if started:
            ray.shutdown()
    if os.environ.get(STATS_ENV):
        _write_stats(os.environ[STATS_ENV], clock, partitions, job.engine)
    return result


def _write_stats(path: str, clock: list[float], partitions: list[dict], engine: str) -> None:
    """The run's figures as JSON (the benchmark's, bench/scale.py): seconds to
    write the slices, for the workers (the slowest), to merge; each
    partition's; the parent's peak resident memory (bytes)."""
    figures = {
        "engine": engine,
        "slices_seconds": clock[1] - clock[0],
        "workers_seconds": clock[2] - clock[1],
        "merge_seconds": clock[3] - clock[2],
        "partitions": partitions,
        "parent_peak_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(figures, fh, indent=1)


# ---- local processes ---------------------------------------------------------------


def _worker_main(task: Task) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # (Ctrl-C reaches the whole group: the parent stops the workers)
    run_task(task)


def _context():
    """Workers forked from a server process that has loaded mkc once (a fresh
    interpreter: nothing of the parent's state, its open database least of
    all); spawned where there is no fork."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["mkc.scale.worker", "mkc.load", "mkc.columnar.run"])
    return ctx


def _run_local(tasks: list[Task]) -> None:
    """Each partition on a process of its own; the first to fail, or to fall
    back from the columnar engine, stops the others."""
    ctx = _context()
    procs = {ctx.Process(target=_worker_main, args=(t,), name=f"mkc partition {t.part}"): t for t in tasks}
    try:
        for proc in procs:
            proc.start()
        running = dict(procs)
        while running:
            for sentinel in multiprocessing.connection.wait([p.sentinel for p in running]):
                proc = next(p for p in running if p.sentinel == sentinel)
                task = running.pop(proc)
                proc.join()
                if proc.exitcode != 0:
                    raise PartitionFailed(f"partition {task.part} of {task.parts} failed: {_ended(proc.exitcode)}")
                _fell_back(task)
    finally:
        for proc in procs:
            if proc.is_alive():
                proc.kill()
            proc.join()


def _fell_back(task: Task) -> None:
    """Raise Fallback when the columnar engine refused this finished
    partition's data (its record stream's one record says so): the reference
    runs the whole run, so the other partitions' work is not waited for.
    Anything else in the record is the merge's to read."""
    if task.job.engine != "columnar":
        return
    with open(task.out, "rb") as fh:
        try:
            record = pickle.load(fh)
        except (EOFError, pickle.UnpicklingError):
            return
    if record[0] == "fallback":
        raise Fallback(record[1])


def _ended(code: int) -> str:
    if code < 0:
        try:
            return f"its worker was killed ({signal.Signals(-code).name})"
        except ValueError:
            return f"its worker was killed (signal {-code})"
    return f"its worker exited with status {code}"


# ---- Ray ---------------------------------------------------------------------------


def _ray(address: str, workers: int | None):
    """Ray, connected: to the cluster already connected to in this process
    (a program that runs mkc's command in its own session), else to `address`,
    or a cluster started on this machine for the run; and whether this run
    connected (it then shuts the connection, and its own cluster, down)."""
    try:
        import ray
    except ImportError:
        raise BadInput("--ray needs Ray, which is not installed: pip install 'mkc[ray]'") from None
    if ray.is_initialized():
        return ray, False
    try:
        if address == LOCAL_RAY:
            ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False, configure_logging=False)
        else:
            ray.init(address=address, log_to_driver=False, configure_logging=False)
    except Exception as err:  # Ray raises many kinds (ConnectionError, RuntimeError, ValueError)
        raise BadInput(f"--ray {address}: cannot start or reach the cluster ({_first_line(err)})") from None
    return ray, True


def _cluster_cpus(ray) -> int:
    return max(1, int(ray.cluster_resources().get("CPU", 1)))


def _run_ray(ray, tasks: list[Task]) -> None:
    """Each partition as a Ray task; its slice goes through Ray's object
    store, and so does its result (a worker may be on another machine).
    Results are taken as they come: a fallback cancels the others."""
    remote = ray.remote(max_retries=0)(run_task)
    refs = {}
    for task in tasks:
        files = {f"{table}.parquet": pathlib.Path(task.inputs, f"{table}.parquet").read_bytes() for table in SLICES}
        refs[remote.remote(attrs.evolve(task, inputs=files, out=None))] = task
    try:
        pending = list(refs)
        while pending:
            [ref], pending = ray.wait(pending, num_returns=1)
            task = refs[ref]
            try:
                data = ray.get(ref)
            except Exception as err:
                raise PartitionFailed(
                    f"partition {task.part} of {task.parts} failed on Ray: {_first_line(err)}"
                ) from None
            for suffix, content in data.items():
                pathlib.Path(task.out + suffix).write_bytes(content)
            _fell_back(task)
    finally:
        for ref in refs:
            with contextlib.suppress(Exception):  # (one that has finished: nothing to cancel)
                ray.cancel(ref, force=True)


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__
