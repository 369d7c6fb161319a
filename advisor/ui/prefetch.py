"""Work started when a page is drawn and collected when the user clicks.

A download built on click makes the user wait for all of it (the HTML report: its figures,
its template and three charts drawn as SVG, 0.15-0.8 s). Started as the page is drawn, on
one worker thread a process, it is usually done before the click. Results are kept by a key
naming everything the work reads, so sessions share only what is the same for both, and at
most `KEPT` of them are kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
KEPT = 8  # results kept (an HTML report is 0.1-0.3 MB)

_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="prefetch")
_lock = threading.Lock()
_started: OrderedDict[Hashable, Future] = OrderedDict()


def start(key: Hashable, work: Callable[[], T]) -> Callable[[], T]:
    """Start `work` unless work under `key` is started or done; return what waits for it.

    `key` must name everything `work` reads (the scenario's text, the catalog's key, the
    date...). The returned callable gives the result, or raises what the work raised."""
    with _lock:
        future = _started.get(key)
        if future is None:
            future = _pool.submit(work)
            _started[key] = future
            while len(_started) > KEPT:
                _started.popitem(last=False)
        else:
            _started.move_to_end(key)
    return future.result


def clear() -> None:
    """Forget every result (tests start from nothing)."""
    with _lock:
        _started.clear()
