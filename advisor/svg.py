"""Vega-Lite charts drawn as SVG by vl-convert, in this process or in a worker that leaves.

vl-convert draws in a JavaScript engine that starts with the first chart (0.6 s, 60 MB) and
whose heap grows with use to about 170 MB more, never given back while the process lives.
A command draws in its own process, which ends soon after. The app calls `in_worker()` once:
its charts are then drawn by one worker process (`python -m advisor.svg`, which imports
vl-convert and nothing of the app) that exits after `IDLE_SECONDS` without a chart, taking
that memory with it, and is started again for the next one (the Report page builds its
report before the click, so the start is rarely waited for).

The worker reads requests on its standard input and answers on its standard output, each
message a 4-byte big-endian length and that many bytes of UTF-8; an answer starts with
"ok " or "error ". It ends at the end of its input, so it never outlives the app.
"""

from __future__ import annotations

import functools
import struct
import subprocess
import sys
import threading

IDLE_SECONDS = 60.0
KEPT = 32  # drawings kept by their spec (an SVG is 20-60 KB)
_LENGTH = struct.Struct(">I")


def draw_here(spec: str) -> str:
    """The chart's SVG, drawn in this process. `spec`: Vega-Lite JSON with its data inline."""
    import vl_convert as vlc

    return vlc.vegalite_to_svg(spec)


def _send(stream, text: str) -> None:
    data = text.encode("utf-8")
    stream.write(_LENGTH.pack(len(data)) + data)
    stream.flush()


def _receive(stream) -> str | None:
    head = stream.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        return None
    (size,) = _LENGTH.unpack(head)
    data = stream.read(size)
    if len(data) < size:
        return None
    return data.decode("utf-8")


class WorkerError(RuntimeError):
    """The worker could not draw the chart (its message says why), or it died."""


class _Worker:
    """One worker process at most, started on demand, stopped after `idle` seconds idle."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.enabled = False
        self.idle = IDLE_SECONDS
        self.process: subprocess.Popen | None = None
        self.timer: threading.Timer | None = None

    def draw(self, spec: str) -> str:
        with self.lock:  # one chart at a time: the engine draws one at a time anyway
            if self.timer is not None:
                self.timer.cancel()
                self.timer = None
            if self.process is None or self.process.poll() is not None:
                self.process = subprocess.Popen(
                    [sys.executable, "-m", "advisor.svg"],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                )
            try:
                _send(self.process.stdin, spec)
                answer = _receive(self.process.stdout)
            except OSError as exc:
                answer = None
                self._stop()
                raise WorkerError(f"the chart worker stopped: {exc}") from exc
            if answer is None:
                self._stop()
                raise WorkerError("the chart worker stopped without an answer")
            self.timer = threading.Timer(self.idle, self.stop_when_idle)
            self.timer.daemon = True
            self.timer.start()
        kind, _, text = answer.partition(" ")
        if kind != "ok":
            raise WorkerError(text)
        return text

    def _stop(self) -> None:
        process, self.process = self.process, None
        if process is not None:
            process.stdin.close()  # the worker ends at the end of its input
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            process.stdout.close()

    def stop_when_idle(self) -> None:
        with self.lock:
            self.timer = None
            self._stop()

    @property
    def running(self) -> bool:
        with self.lock:
            return self.process is not None and self.process.poll() is None


_worker = _Worker()


def in_worker(idle_seconds: float = IDLE_SECONDS) -> None:
    """Draw from now on in a worker process that exits after `idle_seconds` without work."""
    with _worker.lock:
        _worker.enabled, _worker.idle = True, idle_seconds


@functools.lru_cache(maxsize=KEPT)
def draw(spec: str) -> str:
    """The chart's SVG, kept by its whole spec (data included): a report built again for the
    same figures draws nothing. Drawn in the worker once `in_worker` was called.

    Raises WorkerError when the worker fails; vl-convert's own errors in this process."""
    return _worker.draw(spec) if _worker.enabled else draw_here(spec)


def worker_running() -> bool:
    """Whether a worker process is alive."""
    return _worker.running


def _serve() -> None:
    """The worker's loop: a spec in, its SVG (or why not) out, until the input ends."""
    requests, answers = sys.stdin.buffer, sys.stdout.buffer
    while (spec := _receive(requests)) is not None:
        try:
            _send(answers, "ok " + draw_here(spec))
        except Exception as exc:  # any failure is the caller's to report
            _send(answers, f"error {type(exc).__name__}: {exc}")


if __name__ == "__main__":
    _serve()
