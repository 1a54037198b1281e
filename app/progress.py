"""Progress of the long operator commands (backup, restore, rotate-key, audit verify, purge, the
bench's seeding): a bar with counts and time left on a terminal, and plain periodic lines where
the output goes to a log or CI, which a bar would fill with control characters."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol, TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

# Plain mode: a line at most this often (seconds), and always one at the end.
PLAIN_INTERVAL_SECONDS = 10.0


class Tracker(Protocol):
    def advance(self, amount: int = 1) -> None: ...

    def set_total(self, total: int | None) -> None: ...


class _PlainLines:
    def __init__(self, description: str, total: int | None, stream: TextIO, interval: float) -> None:
        self.description, self.total, self.stream, self.interval = description, total, stream, interval
        self.done = 0
        self.started = self.last_line = time.monotonic()

    def set_total(self, total: int | None) -> None:
        self.total = total

    def advance(self, amount: int = 1) -> None:
        self.done += amount
        if time.monotonic() - self.last_line >= self.interval:
            self.line()

    def line(self) -> None:
        self.last_line = now = time.monotonic()
        elapsed = now - self.started
        if self.total:
            share = min(self.done / self.total, 1.0)
            left = elapsed * (1 - share) / share if share else None
            remaining = f", about {_duration(left)} left" if left is not None and share < 1 else ""
            text = f"{self.description}: {self.done}/{self.total} ({share:.0%}){remaining}"
        else:
            text = f"{self.description}: {self.done}"
        print(f"{text} [{_duration(elapsed)} elapsed]", file=self.stream, flush=True)


class _Bar:
    def __init__(self, progress: Progress, task: int) -> None:
        self.progress, self.task = progress, task

    def set_total(self, total: int | None) -> None:
        self.progress.update(self.task, total=total)  # type: ignore[arg-type]

    def advance(self, amount: int = 1) -> None:
        self.progress.advance(self.task, amount)  # type: ignore[arg-type]


@contextmanager
def progress(
    description: str,
    total: int | None,
    *,
    stream: TextIO | None = None,
    terminal: bool | None = None,
    interval: float = PLAIN_INTERVAL_SECONDS,
) -> Iterator[Tracker]:
    """Shows `description` with done/total and the time left while the block runs.

    `terminal` None asks the stream whether it is one (a bar) or not (plain lines)."""
    out = stream if stream is not None else sys.stderr
    is_terminal = out.isatty() if terminal is None else terminal
    if not is_terminal:
        plain = _PlainLines(description, total, out, interval)
        yield plain
        plain.line()
        return
    console = Console(file=out, force_terminal=True)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
        console=console,
    ) as bar:
        task = bar.add_task(description, total=total)
        yield _Bar(bar, task)


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"
