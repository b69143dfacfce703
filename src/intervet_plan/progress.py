"""Progress of the long stages of a command, on stderr: a tqdm bar when stderr is a terminal,
else one short line per stage (``solving level 3 of 6: targets``). stdout is never touched.

Off unless a command turns it on (:func:`shown`): the API in a notebook and a batch's worker
processes stay quiet. A stage is shown only once it has lasted :data:`AFTER_S` seconds, so a
quick run prints nothing; with ``AFTER_S = 0`` every stage's line is printed when it starts.

>>> with stage("building the model"):  # off: nothing is shown
...     pass
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TextIO

AFTER_S = 1.0  # a stage is shown once it has lasted this long (seconds)
TICK_S = 0.1  # how often a stage's time is looked at (seconds)
REDRAW_S = 0.5  # how often a bar whose stage has not changed is drawn again (seconds)

_stream: TextIO | None = None


@contextmanager
def shown(stream: TextIO | None = None) -> Iterator[None]:
    """Show progress on ``stream`` (default ``sys.stderr`` as it is now) inside the block."""
    global _stream
    before = _stream
    _stream = stream if stream is not None else sys.stderr
    try:
        yield
    finally:
        _stream = before


def active() -> bool:
    """Whether progress is shown (inside :func:`shown`)."""
    return _stream is not None


def bar_options(desc: str) -> dict | None:
    """tqdm options for a bar of another library (papermill's over a notebook's cells) when
    progress is shown on a terminal; None otherwise (then show a :func:`stage`)."""
    if _stream is None or not _is_tty(_stream):
        return None
    return {"desc": desc, "file": _stream, "leave": False, "delay": AFTER_S}


def _is_tty(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # a closed or unusual stream
        return False


def _say(stream: TextIO, text: str) -> None:
    try:
        print(text, file=stream, flush=True)
    except (OSError, ValueError):  # stderr closed: progress is never worth a failure
        pass


class _Stages:
    """A sequence of stages shown by one watcher thread: on a terminal one bar (n of total,
    the current stage as its description, elapsed time), erased at the end; otherwise the
    line of each stage that lasts AFTER_S seconds, printed once."""

    def __init__(self, stream: TextIO, total: int | None) -> None:
        self.stream, self.total = stream, total
        self.tty = _is_tty(stream)
        self.lock = threading.Lock()
        self.text, self.n = "", 0
        self.started = self.step_started = time.perf_counter()
        self.printed = True  # nothing to print before the first stage
        self.ended = threading.Event()
        self.bar: Any = None
        self.drawn = 0.0
        self.thread: threading.Thread | None = None
        if AFTER_S > 0 or self.tty:
            self.thread = threading.Thread(target=self._watch, name="intervet-progress")
            self.thread.daemon = True
            self.thread.start()

    def begin(self, text: str) -> None:
        """The next stage starts (the previous one, if any, is done)."""
        with self.lock:
            if self.text:
                self.n += 1
            self.text, self.step_started, self.printed = text, time.perf_counter(), False
            if not self.tty and AFTER_S <= 0:
                self.printed = True
                _say(self.stream, text)

    def _watch(self) -> None:
        while not self.ended.wait(TICK_S):
            with self.lock:
                if self.ended.is_set():
                    return
                now = time.perf_counter()
                if self.tty:
                    if now - self.started >= AFTER_S and self.text:
                        self._draw()
                elif not self.printed and now - self.step_started >= AFTER_S:
                    self.printed = True
                    _say(self.stream, self.text)

    def _draw(self) -> None:
        from tqdm import tqdm

        if self.bar is None:
            fmt = "{desc}  {bar:20} {elapsed}" if self.total else "{desc}  {elapsed}"
            self.bar = tqdm(
                total=self.total,
                desc=self.text,
                file=self.stream,
                leave=False,
                bar_format=fmt,
                dynamic_ncols=True,
            )
            self.bar.start_t -= time.perf_counter() - self.started  # tqdm's clock is time()
        elif (self.bar.n, self.bar.desc) == (self.n, self.text) and time.perf_counter() < (
            self.drawn + REDRAW_S
        ):
            return
        self.bar.n = self.n
        self.bar.set_description_str(self.text, refresh=False)
        self.bar.refresh()
        self.drawn = time.perf_counter()

    def close(self) -> None:
        with self.lock:
            self.ended.set()
            if self.bar is not None:
                self.bar.close()
        if self.thread is not None:
            self.thread.join()


@contextmanager
def stages(total: int | None = None) -> Iterator[Callable[[str], None]]:
    """A sequence of ``total`` stages; the block calls the function it gets with each stage's
    text as the stage starts (``begin("solving level 1 of 6: placements")``)."""
    if _stream is None:
        yield lambda _text: None
        return
    s = _Stages(_stream, total)
    try:
        yield s.begin
    finally:
        s.close()


@contextmanager
def stage(text: str) -> Iterator[None]:
    """One stage of a command (``stage("writing the report")``)."""
    with stages() as begin:
        begin(text)
        yield


class Counter:
    """Things done one by one (the runs of a batch): on a terminal a tqdm bar, otherwise a
    line as each one is done (``batch: 2 of 5 runs done (baseline: optimal)``)."""

    def __init__(self, stream: TextIO | None, desc: str, total: int, unit: str) -> None:
        self.stream, self.desc, self.total, self.unit = stream, desc, total, unit
        self.n = 0
        self.bar: Any = None
        if stream is not None and _is_tty(stream):
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=desc, unit=unit, file=stream)

    def done(self, note: str = "") -> None:
        """One more is done; ``note`` says which and how it ended."""
        self.n += 1
        if self.bar is not None:
            self.bar.set_postfix_str(note, refresh=False)
            self.bar.update(1)
        elif self.stream is not None:
            units = self.unit if self.total == 1 else f"{self.unit}s"
            tail = f" ({note})" if note else ""
            _say(self.stream, f"{self.desc}: {self.n} of {self.total} {units} done{tail}")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def counter(desc: str, total: int, unit: str) -> Counter:
    """A :class:`Counter` on the stream progress is shown on (silent when off)."""
    return Counter(_stream, desc, total, unit)
