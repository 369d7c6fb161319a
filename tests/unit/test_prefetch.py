"""Work started as a page is drawn, collected on a click: once per key, bounded, errors kept."""

import threading

import pytest

from advisor.ui import prefetch


@pytest.fixture(autouse=True)
def _fresh():
    prefetch.clear()
    yield
    prefetch.clear()


def test_the_same_key_does_the_work_once():
    calls = []

    def work():
        calls.append(1)
        return "report"

    first = prefetch.start(("a", 1), work)
    second = prefetch.start(("a", 1), work)
    assert first() == second() == "report"
    assert len(calls) == 1
    assert prefetch.start(("a", 2), work)() == "report"
    assert len(calls) == 2


def test_at_most_kept_results_are_kept():
    calls = []
    for i in range(prefetch.KEPT + 1):
        prefetch.start(i, lambda i=i: calls.append(i))()
    prefetch.start(0, lambda: calls.append("again"))()  # the oldest was forgotten
    prefetch.start(prefetch.KEPT, lambda: calls.append("not again"))()
    assert calls == [*range(prefetch.KEPT + 1), "again"]


def test_the_click_waits_for_work_still_running_and_gets_its_error():
    release = threading.Event()

    def slow():
        release.wait(10)
        return 42

    result = prefetch.start("slow", slow)
    release.set()
    assert result() == 42

    def broken():
        raise ValueError("no figures")

    with pytest.raises(ValueError, match="no figures"):
        prefetch.start("broken", broken)()
