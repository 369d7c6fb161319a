"""Waiting reruns merged: a value of a widget the newer request does not mention is kept."""

from streamlit.proto.WidgetStates_pb2 import WidgetStates
from streamlit.runtime.scriptrunner_utils import script_requests

from advisor.ui.reruns import keep_waiting_values


def _states(**values) -> WidgetStates:
    states = WidgetStates()
    for key, value in values.items():
        state = states.widgets.add()
        state.id = key
        if isinstance(value, bool):
            state.trigger_value = value
        else:
            state.string_value = value
    return states


def test_a_page_switch_keeps_the_waiting_values_of_the_page_left():
    assert keep_waiting_values()
    assert keep_waiting_values(), "wrapping twice changes nothing"
    merge = script_requests._coalesce_widget_states
    waiting = _states(q_maturity="high", q_team="Red")
    switch = _states(q_team="Blue")  # the newer request: another page's link
    merged = {w.id: w.string_value for w in merge(waiting, switch).widgets}
    assert merged == {"q_team": "Blue", "q_maturity": "high"}, "the newer value wins"
    assert merge(None, switch) is switch and merge(waiting, None) is waiting
