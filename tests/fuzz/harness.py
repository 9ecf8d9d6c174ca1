"""Run one fuzz input through mkc, and run many in bounded worker processes.

`exercise(text)` does in-process what `mkc run FILE` and `mkc run FILE
--campaign REF` do: parse and check (rendering the diagnostics), then, when
there are no errors, every scenario (rendered as text and jsonl) and the
first batch campaign over the file's people. Its `Outcome` is clean when it
is one of the things the CLI turns into a message and an exit status:

- "ok": ran (scenarios may fail their expects, steps may fail: that is output);
- "diagnostics": parse or check errors (`load_source` turns the parser's
  `DiagnosticError` into diagnostics; one raised elsewhere is a crash: the
  CLI does not catch it);
- "error": `BadInput` anywhere (mkc's `main` prints it as one line, exit 2),
  or an `InterpreterError` where the command catches it (`mkc run` and
  `mkc explain`: around running scenarios, the batch campaign, explaining).

Anything else is a "crash", with the innermost frame in mkc's own code as
its site. `Pool` runs inputs in forked workers, each with a memory cap
(RLIMIT_AS) and a budget of CPU time per input (CPU, not wall-clock, time:
the same input gets the same verdict on a busy machine): an alarm raises
`Hang` where the code is (a "hang", with its site); a worker that does not
answer long after is killed ("hang" at an unknown site); one that dies is a
"died".
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib
import io
import multiprocessing
import os
import resource
import signal
import sys
import time
import traceback
from multiprocessing.connection import wait as wait_ready

import attrs

import mkc
from mkc import interpreter
from mkc.diagnostics import render_all
from mkc.load import load_source
from mkc.source import BadInput, Source

CLEAN = ("ok", "diagnostics", "error")
FILE_NAME = "fuzz.mkc"

# mkc's code: the installed package's folders (an editable install maps them to
# the repository's grammar/, checker/, ...). tests/ is not mkc's code.
_MKC_DIRS = tuple(
    os.path.dirname(importlib.import_module(name).__file__) + os.sep
    for name in ("mkc", *(f"mkc.{p}" for p in ("grammar", "checker", "interpreter", "stdlib", "store", "insight")))
)
_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(mkc.__file__)))


class Hang(BaseException):
    """Raised by the time budget's alarm; a BaseException so that no
    `except Exception` in mkc swallows it."""

    def __init__(self, message: str, site: str = ""):
        super().__init__(message)
        self.site = site


_SAMPLES = 12  # stacks looked at, 0.05 s apart, to find where a hang loops (few would often all land in one callee)
_samples: list[list[tuple]] = []


@attrs.frozen
class Outcome:
    kind: str  # ok, diagnostics, error, crash, hang, died
    phase: str = ""  # load, scenarios, campaign
    exc: str = ""  # the exception's type, for a crash or a hang
    site: str = ""  # file:line of the innermost mkc frame (a hang: of the looping function)
    message: str = ""

    @property
    def clean(self) -> bool:
        return self.kind in CLEAN

    @property
    def key(self) -> tuple[str, str, str]:
        """What crashes are grouped by."""
        return (self.kind, self.exc, self.site)


def _site(err: BaseException) -> str:
    """The innermost frame of mkc's code in a traceback, as path:line from the
    repository root. A RecursionError's innermost frame depends on where the
    stack ran out, so its site is the first (by file and line) of the mkc
    frames in the recursion's last 200 frames: the same for every depth."""
    if isinstance(err, Hang) and err.site:
        return err.site
    frames = [f for f in traceback.extract_tb(err.__traceback__) if f.filename.startswith(_MKC_DIRS)]
    if not frames:
        return "?"
    if isinstance(err, RecursionError):
        frames = [min(frames[-200:], key=lambda f: (f.filename, f.lineno))]
    f = frames[-1]
    return f"{os.path.relpath(f.filename, _ROOT)}:{f.lineno}"


def _failure(kind: str, phase: str, err: BaseException) -> Outcome:
    message = str(err).splitlines()[0][:200] if str(err) else ""
    return Outcome(kind, phase, type(err).__name__, _site(err), message)


def exercise(text: str) -> Outcome:
    """Parse, check and run `text` as `mkc run` would, and look at it as
    `mkc graph`, `mkc refs` and `mkc explain` would; never raises (but `Hang`).
    What mkc prints goes nowhere."""
    sink = io.StringIO()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        return _exercise(text)


def _exercise(text: str) -> Outcome:
    phase = "load"
    try:
        source = Source(FILE_NAME, text)
        loaded = load_source(source)
        render_all(loaded.diagnostics, {source.name: source})
        if loaded.model is not None:  # graph and refs show a model with check errors too
            phase = "insight"
            _graph_and_refs(loaded.model, loaded.diagnostics)
        if loaded.has_errors or loaded.model is None:
            return Outcome("diagnostics", phase)
        model = loaded.model
        phase = "scenarios"
        try:
            results = interpreter.run_scenarios(model)
        except interpreter.InterpreterError as err:  # mkc run: BadInput, one line, exit 2
            return Outcome("error", phase, type(err).__name__, message=str(err)[:200])
        interpreter.render(results, "text")
        interpreter.render(results, "jsonl")
        phase = "campaign"
        batch = next((c for c in model.campaigns if c.kind == "batch"), None)
        if batch is not None:
            interp = interpreter.Interpreter(model, schedules=False)
            try:  # as `mkc run FILE --campaign REF` does it
                target = interp.campaign(batch.full_name)
            except interpreter.InterpreterError as err:
                return Outcome("error", phase, type(err).__name__, message=str(err)[:200])
            try:
                result = interp.run_campaign(target)
            except interpreter.InterpreterError as err:  # a runaway loop: the log so far, then one line
                interpreter.render_activities(interp.log, "text")
                return Outcome("error", phase, type(err).__name__, message=str(err)[:200])
            interpreter.render_activities(result.activities, "text")
        phase = "explain"
        if model.campaigns and model.people:
            _explain(model)
        return Outcome("ok", phase)
    except BadInput as err:  # mkc's main(): one line, exit 2
        return Outcome("error", phase, type(err).__name__, message=str(err)[:200])
    except Hang as err:
        return _failure("hang", phase, err)
    except Exception as err:  # MemoryError and RecursionError included
        return _failure("crash", phase, err)


def _graph_and_refs(model, diagnostics) -> None:
    """`mkc graph` in both formats; `mkc refs` of a campaign, a field and a My Token."""
    from mkc.insight import callgraph, dot, mermaid, refs

    graph = callgraph.build(model, diagnostics)
    mermaid.render(graph)
    dot.render(graph)
    names = [model.campaigns[0].name] if model.campaigns else []
    for name in [*names, "lead_score", "my.score"]:
        sections = refs.find(model, name)
        refs.render(sections) if sections else refs.suggestions(model, name)


def _explain(model) -> None:
    """`mkc explain` of the first campaign for the first person, after the first scenario."""
    from mkc.insight import explain
    from mkc.insight.commands import campaign_named
    from mkc.insight.contexts import run_contexts

    scenario = model.scenarios[0].name if model.scenarios else None
    try:  # as mkc explain does it: an InterpreterError here is BadInput
        target = campaign_named(model, model.campaigns[0].full_name)
        moment = explain.moment(model, scenario, None)
        callers = [ctx for ctx in run_contexts(model)[id(target)] if ctx.calls]
        explanation = explain.explain(moment, target, model.people[0].handle, callers)
    except interpreter.InterpreterError as err:
        raise BadInput(str(err)) from None
    explain.render(explanation, moment)


# ---- bounded workers -------------------------------------------------------------------


def _alarm(signum, frame):
    """Out of time: look at the stack a few times; the innermost mkc function
    on it every time is the loop (its inner frames change from one look to the
    next), and its `def` line is the hang's site. Then raise Hang."""
    stack = []
    while frame is not None:
        code = frame.f_code
        if code.co_filename.startswith(_MKC_DIRS):
            stack.append((code.co_filename, code.co_firstlineno, code.co_name))
        frame = frame.f_back
    _samples.append(stack[::-1])
    if len(_samples) < _SAMPLES:
        signal.setitimer(signal.ITIMER_PROF, 0.05)
        return
    common = None
    for frames in zip(*_samples):
        if any(f != frames[0] for f in frames):
            break
        common = frames[0]
    site = f"{os.path.relpath(common[0], _ROOT)}:{common[1]} ({common[2]})" if common else "?"
    raise Hang("time budget exceeded", site)


def _worker(conn, seconds: float, memory_mb: int, parent: int) -> None:
    if memory_mb:
        # The cap is on top of what the (forked) worker already maps.
        with open("/proc/self/statm") as fh:
            mapped = int(fh.read().split()[0]) * resource.getpagesize()
        limit = mapped + memory_mb * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    signal.signal(signal.SIGPROF, _alarm)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115 -- for the worker's life
    with contextlib.suppress(Exception):  # Linux: killed with its parent, even half way through an input
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # it died before that
        return
    while True:
        # Forked workers hold copies of the parent's ends of the pipes, so a
        # parent that dies is no end of file: the worker watches for it.
        while not conn.poll(1.0):
            if os.getppid() != parent:
                return
        try:
            text = conn.recv()
        except EOFError:
            return
        if text is None:
            return
        _samples.clear()
        signal.setitimer(signal.ITIMER_PROF, seconds)
        try:
            outcome = exercise(text)
        except Hang as err:  # the alarm went off outside exercise's own try
            outcome = _failure("hang", "", err)
        finally:
            signal.setitimer(signal.ITIMER_PROF, 0)
        conn.send(outcome)


class _Slot:
    """One worker process and the input it is working on."""

    def __init__(self, pool: Pool):
        self.pool = pool
        self.start()

    def start(self) -> None:
        here, there = multiprocessing.Pipe()
        ctx = multiprocessing.get_context("fork")
        args = (there, self.pool.seconds, self.pool.memory_mb, os.getpid())
        self.process = ctx.Process(target=_worker, args=args, daemon=True)
        self.process.start()
        there.close()
        self.conn = here
        self.job = None  # (tag, text) being worked on

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.send(None)
        self.process.join(1)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()

    def restart(self) -> None:
        self.process.kill()
        self.process.join()
        self.conn.close()
        self.start()


class Pool:
    """`jobs` workers; `seconds` is each input's CPU time budget, `memory_mb` each
    worker's memory cap (0: none). Use as a context manager."""

    def __init__(self, jobs: int = 1, seconds: float = 10.0, memory_mb: int = 1024):
        self.seconds, self.memory_mb = seconds, memory_mb
        self.slots = [_Slot(self) for _ in range(max(1, jobs))]

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, *exc) -> None:
        for slot in self.slots:
            slot.stop()

    def exercise(self, text: str) -> Outcome:
        """One input, in the first worker."""
        return next(outcome for _, _, outcome in self.map([(None, text)]))

    def map(self, jobs):
        """Yield (tag, text, outcome) for each (tag, text) of `jobs`, in the
        order they finish."""
        jobs = iter(jobs)
        busy: dict = {}  # connection -> (slot, deadline)
        clock = time.monotonic

        def feed(slot) -> bool:
            job = next(jobs, None)
            if job is None:
                return False
            slot.job = job
            slot.conn.send(job[1])
            busy[slot.conn] = (slot, clock() + 3 * self.seconds + 10)  # wall clock: the machine may be busy
            return True

        for slot in self.slots:
            if not feed(slot):
                break
        while busy:
            timeout = max(0.0, min(d for _, d in busy.values()) - clock())
            ready = wait_ready(list(busy), timeout)
            now = clock()
            for conn in list(busy):
                slot, deadline = busy[conn]
                tag, text = slot.job
                if conn in ready:
                    try:
                        outcome = conn.recv()
                    except (EOFError, OSError):
                        slot.process.join(1)
                        code = slot.process.exitcode
                        outcome = Outcome("died", exc=f"exit {code}", site="?")
                        slot.restart()
                elif now >= deadline:  # stuck where the alarm cannot reach (C code)
                    outcome = Outcome("hang", exc="Killed", site="?")
                    slot.restart()
                else:
                    continue
                del busy[conn]
                yield tag, text, outcome
                feed(slot)
