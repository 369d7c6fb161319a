"""Input given just before a page switch is kept: Streamlit's merge of waiting reruns, widened.

Root cause (seen by tests/e2e/test_in_step.py, a change followed at once by a page switch,
in 7 of 12 tries with both cores busy): the app runs one script at a time (`fastReruns =
false`), so a rerun asked for while a run is still going waits, and a later request is
merged into it (`_coalesce_widget_states`). The merge keeps only the newest request's
widget values (and older button presses): a waiting value of a widget the newer request
does not mention was dropped, so key presses and a click still waiting when another page's
link was clicked could be lost: their callbacks never ran and the answers never saw them.

`keep_waiting_values` wraps the merge so that a waiting value of a widget the newer request
does not mention is kept. Values the newer request carries still win. On a page switch,
the kept values reach the widgets' callbacks before the old page's widgets are forgotten.
With both cores busy, the loss fell from 7 of 12 tries to 3 of 54 (about 1 in 5 with CI
running beside it). In the losses left, the server's log shows either the page switch
arriving right after the first key press (the later key presses and the click never came)
or values merged into a waiting rerun that the next page's run still did not see: not yet
root-caused.
"""

from __future__ import annotations

_TRIGGERS = frozenset(
    {"trigger_value", "string_trigger_value", "chat_input_value", "json_trigger_value"}
)


def keep_waiting_values() -> bool:
    """Wrap Streamlit's merge of waiting reruns, once a process. False when this version of
    Streamlit has no such merge (nothing is changed then)."""
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
        present = {state.id for state in merged.widgets}
        merged.widgets.extend(
            state
            for state in old_states.widgets
            if state.id not in present and state.WhichOneof("value") not in _TRIGGERS
        )
        return merged

    coalesce.keeps_waiting_values = True
    script_requests._coalesce_widget_states = coalesce
    return True
