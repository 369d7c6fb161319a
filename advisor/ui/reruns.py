"""Input given just before a page switch is kept: Streamlit's handling of reruns, widened.

The app runs one script at a time (`fastReruns = false`): a rerun asked for while a run is going
waits, and later requests are merged into it. A page switch is the one request that does not
carry every widget's value: the browser sends only the widgets of the page it goes to, so any
value of the page being left that the server has not yet applied must come from an earlier
request. A server log of every request, run and callback (tests/e2e/test_in_step.py, both cores
busy, a key press or click followed at once by a page switch; lost in about 1 run in 5) showed
three ways such a value was lost, each now closed here:

1. *Merged away.* Merging a waiting request into a newer one keeps only the newer one's values
   (`_coalesce_widget_states`). `keep_waiting_values` keeps a waiting value of a widget the
   newer request does not mention; values the newer request carries still win.
2. *Taken but never applied.* A run takes its request, then stops for a newer request before
   it sets the widget values (the first check for waiting requests comes before that, and a
   busy machine can take hundreds of milliseconds to get there). If the newer request is the
   page switch, nothing carries those values any more. `keep_waiting_values` also remembers
   the values of the request the current run took and fills them into a request arriving
   while that run goes, with the same rule (the newer request's values win, button presses
   are never carried).
3. *Callback stopped half-way.* Streamlit runs widget callbacks at the start of a run, and
   every `st.session_state` access is a point where a waiting request is taken: it raises
   Streamlit's rerun signal inside the callback, which Streamlit takes for the callback's own
   `st.rerun()` and swallows. The callback dies before it writes, and the next run sees no
   change left to call back for. `uninterrupted` runs a callback whole; the waiting request is
   taken right after the callbacks.

With all three, the test passed 60 of 60 runs with both cores busy (before: 49 of 60 with only
the first and third).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable

_TRIGGERS = frozenset(
    {"trigger_value", "string_trigger_value", "chat_input_value", "json_trigger_value"}
)


def _fill(older, newer):
    """`newer` with each value of `older` for a widget `newer` does not mention (button presses
    and other one-shot triggers excepted): the newer request's values win."""
    present = {state.id for state in newer.widgets}
    newer.widgets.extend(
        state
        for state in older.widgets
        if state.id not in present and state.WhichOneof("value") not in _TRIGGERS
    )
    return newer


def keep_waiting_values() -> bool:
    """Widen Streamlit's rerun requests, once a process (1 and 2 of the module's text).
    False when this version of Streamlit has no such merge (nothing is changed then)."""
    try:
        from streamlit.runtime.scriptrunner_utils import script_requests
    except ImportError:
        return False
    original = getattr(script_requests, "_coalesce_widget_states", None)
    if original is None:
        return False
    if getattr(original, "keeps_waiting_values", False):
        return True

    def coalesce(old_states, new_states):
        merged = original(old_states, new_states)
        if not old_states or not new_states or merged is None:
            return merged
        return _fill(old_states, merged)

    coalesce.keeps_waiting_values = True
    script_requests._coalesce_widget_states = coalesce
    _carry_taken_values(script_requests)
    return True


def _carry_taken_values(module) -> None:
    """A request arriving while a run goes also carries the values of the request that run
    took (2 of the module's text): that run may stop before it applies them."""
    requests = getattr(module, "ScriptRequests", None)
    kinds = getattr(module, "ScriptRequestType", None)
    needed = ("_request_rerun_locked", "on_scriptrunner_yield", "on_scriptrunner_ready")
    if requests is None or kinds is None or not all(hasattr(requests, n) for n in needed):
        return
    request, on_yield, on_ready = (getattr(requests, n) for n in needed)

    def _request_rerun_locked(self, new_data):
        taken = getattr(self, "_taken_widget_states", None)
        if (
            self._state == kinds.CONTINUE
            and taken is not None
            and new_data.widget_states is not None
            and not new_data.fragment_id
            and not getattr(new_data, "fragment_id_queue", None)
        ):
            carried = type(new_data.widget_states)()
            carried.CopyFrom(new_data.widget_states)
            new_data = dataclasses.replace(new_data, widget_states=_fill(taken, carried))
        return request(self, new_data)

    def taking(method):
        @functools.wraps(method)
        def take(self):
            got = method(self)
            if got is not None and got.type == kinds.RERUN and not got.rerun_data.fragment_id_queue:
                self._taken_widget_states = got.rerun_data.widget_states
            return got

        return take

    requests._request_rerun_locked = _request_rerun_locked
    requests.on_scriptrunner_yield = taking(on_yield)
    requests.on_scriptrunner_ready = taking(on_ready)


def _no_yield() -> None:
    """Stands in for Streamlit's check for waiting rerun requests while a callback runs."""


def uninterrupted(callback: Callable[..., None]) -> Callable[..., None]:
    """A widget callback that runs whole, even when a newer rerun request is already waiting.

    Streamlit checks for waiting requests at every `st.session_state` access; inside a
    callback that check stops the callback (see the module's text). The wrapper turns the
    check off for the callback's duration, on the session's own state only, and puts it back
    afterwards; the waiting request is taken at the next check, right after the callbacks.
    Outside a script run (a plain call in a test), the callback simply runs.
    """

    @functools.wraps(callback)
    def run(*args, **kwargs) -> None:
        from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

        ctx = get_script_run_ctx(suppress_warning=True)
        safe = getattr(ctx, "session_state", None)
        check = getattr(safe, "_yield_callback", None)
        if check is None:
            callback(*args, **kwargs)
            return
        object.__setattr__(safe, "_yield_callback", _no_yield)
        try:
            callback(*args, **kwargs)
        finally:
            object.__setattr__(safe, "_yield_callback", check)

    run.uninterrupted = True
    return run
