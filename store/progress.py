"""A progress bar on stderr for long runs and imports: shown only when stderr is
a terminal and there are more than `THRESHOLD` people, with people per second.
Nothing at all on a pipe or a file, unless `MKC_PROGRESS=lines` asks for one
plain line per step (for logs, and for tests that need to know how far a run
got).
"""

from __future__ import annotations

import os
import sys

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn, TimeElapsedColumn
from rich.text import Text

THRESHOLD = 5000  # "more than a few thousand people"


class _Rate(ProgressColumn):
    def __init__(self, unit: str):
        super().__init__()
        self.unit = unit

    def render(self, task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:,.0f} {self.unit}/s", style="progress.data.speed")


class Bar:
    """`with Bar(total, "running Score") as bar: bar.advance(n)`; a no-op unless shown."""

    def __init__(
        self,
        total: int,
        description: str,
        unit: str = "people",
        threshold: int = THRESHOLD,
        console: Console | None = None,
    ):
        if console is None:
            stream = sys.stderr
            shown = total > threshold and stream.isatty()
            console = Console(file=stream, stderr=True) if shown else None
        else:
            shown = total > threshold
        self._progress = None
        self._lines = os.environ.get("MKC_PROGRESS") == "lines"
        self._done, self._total, self._description, self._unit = 0, total, description, unit
        if shown and not self._lines:
            self._progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                _Rate(unit),
                TimeElapsedColumn(),
                console=console,
                transient=False,
            )
            self._task = self._progress.add_task(description, total=total)

    @property
    def shown(self) -> bool:
        return self._progress is not None

    def __enter__(self) -> Bar:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(self, *exc) -> None:
        if self._progress is not None:
            self._progress.stop()

    def advance(self, n: int) -> None:
        if self._progress is not None:
            self._progress.advance(self._task, n)
        elif self._lines:
            self._done += n
            sys.stderr.write(f"{self._description}: {self._done:,}/{self._total:,} {self._unit}\n")
            sys.stderr.flush()
