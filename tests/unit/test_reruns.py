"""Waiting reruns merged: a value of a widget the newer request does not mention is kept."""

import sys

import pytest
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


def test_a_request_arriving_while_a_run_goes_carries_the_values_that_run_took():
    """The run took the key press's request but may stop before applying it; the page switch
    that stops it then carries the key press's values (its own win; no button press twice)."""
    from streamlit.runtime.scriptrunner_utils.script_requests import (
        RerunData,
        ScriptRequests,
        ScriptRequestType,
    )

    assert keep_waiting_values()
    requests = ScriptRequests()
    key_press = _states(q_maturity="high", q_team="Red", q_go=True)
    assert requests.request_rerun(RerunData(widget_states=key_press, page_script_hash="advisor"))
    taken = requests.on_scriptrunner_ready()
    assert taken.type == ScriptRequestType.RERUN
    switch = _states(q_team="Blue")
    assert requests.request_rerun(RerunData(widget_states=switch, page_script_hash="roi"))
    waiting = requests.on_scriptrunner_yield()
    assert waiting.rerun_data.page_script_hash == "roi"
    values = {w.id: w.WhichOneof("value") for w in waiting.rerun_data.widget_states.widgets}
    assert values == {"q_team": "string_value", "q_maturity": "string_value"}
    kept = {w.id: w.string_value for w in waiting.rerun_data.widget_states.widgets}
    assert kept == {"q_team": "Blue", "q_maturity": "high"}
    assert [w.id for w in switch.widgets] == ["q_team"], "the browser's own request is not changed"


def _copy_app(wrapped: bool) -> None:
    """A box whose callback finds a newer rerun request already waiting (as when a key press
    arrives while the callbacks of the one before still run) and then copies the box."""
    import streamlit as st
    from streamlit.runtime.scriptrunner_utils.script_requests import RerunData
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    from advisor.ui.reruns import uninterrupted

    def copy() -> None:
        ctx = get_script_run_ctx()
        waiting = RerunData(query_string=ctx.query_string, page_script_hash=ctx.page_script_hash)
        ctx.script_requests.request_rerun(waiting)
        st.session_state["copied"] = st.session_state["box"]

    st.text_input("Box", key="box", on_change=uninterrupted(copy) if wrapped else copy)


@pytest.fixture
def main_module_kept():
    """A script run makes its script `__main__`; a test after this one that starts processes
    with "spawn" would start each in that deleted script (a pool then waits forever)."""
    kept = sys.modules["__main__"]
    yield
    sys.modules["__main__"] = kept


def test_a_callback_runs_whole_when_a_newer_request_is_waiting(main_module_kept):
    from streamlit.testing.v1 import AppTest

    bare = AppTest.from_function(_copy_app, args=(False,)).run()
    bare.text_input(key="box").input("hello").run()
    assert "copied" not in bare.session_state, "Streamlit stops a bare callback half-way"

    whole = AppTest.from_function(_copy_app, args=(True,)).run()
    whole.text_input(key="box").input("hello").run()
    assert whole.session_state["copied"] == "hello"
    assert not whole.exception


def test_every_callback_of_the_app_runs_whole():
    """Each on_change / on_click given a function in advisor/ui is wrapped by uninterrupted."""
    import ast
    import importlib
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    found = []
    for path in sorted((root / "advisor" / "ui").rglob("*.py")):
        module = importlib.import_module(".".join(path.relative_to(root).with_suffix("").parts))
        for node in ast.walk(ast.parse(path.read_text())):
            pairs = []
            if isinstance(node, ast.keyword) and node.arg in ("on_change", "on_click"):
                pairs.append(node.value)
            if isinstance(node, ast.Dict):
                pairs += [
                    v
                    for k, v in zip(node.keys, node.values, strict=True)
                    if isinstance(k, ast.Constant) and k.value in ("on_change", "on_click")
                ]
            for value in pairs:
                if isinstance(value, ast.Constant):
                    continue  # "ignore": no callback
                if isinstance(value, ast.Call) and ast.unparse(value.func) == "uninterrupted":
                    found.append((path.name, ast.unparse(value)))
                    continue  # wrapped where it is given
                target = module
                for part in ast.unparse(value).split("."):
                    target = getattr(target, part)
                found.append((path.name, ast.unparse(value)))
                assert getattr(target, "uninterrupted", False), f"{path.name}: {ast.unparse(value)}"
    assert len(found) >= 7, found
