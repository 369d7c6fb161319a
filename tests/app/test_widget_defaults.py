"""Every widget that holds its value in the session state has that value as its own default.

The browser shows a widget's own default whenever it draws the widget from a run that did not
send the held value (a run stopped part-way while the page loads on a busy machine), and
sends that default back as the user's input: the Advisor's answers fell to each widget's
minimum (1 engineer, no budget, no bottleneck), and opening an example then asked about
unsaved changes nobody made (a browser test failed on it about one run in twenty)."""

import pytest

from tests.app.conftest import assert_clean

PAGES = {
    "advisor": "advisor/ui/advisor_page.py",
    "roi": "advisor/ui/roi_page.py",
    "delay": "advisor/ui/delay_page.py",
}
HELD = ("q_", "roi_w_", "delay_w_", "scn_")  # the widgets the pages seed from the state
PICKED = {"scn_example", "scn_stored", "scn_version"}  # chosen in the browser, never seeded


def _default_shown(w):
    """What the browser shows for `w` when it has nothing but the widget's own default."""
    p = w.proto
    kind = type(w).__name__
    if kind in ("Selectbox", "Radio"):
        return w.options[p.default] if p.HasField("default") else None
    if kind == "Slider":
        return list(p.default)
    return p.default


def _held(w):
    value = w.value
    if type(w).__name__ == "Selectbox":
        return w.format_func(value) if value is not None else None
    if type(w).__name__ == "Radio":
        return w.format_func(value)
    if type(w).__name__ == "Slider":
        return [float(v) for v in (value if isinstance(value, tuple) else (value,))]
    return value


def _mismatches(at) -> list:
    out = []
    for kind in ("number_input", "slider", "selectbox", "radio", "text_input", "text_area"):
        for w in getattr(at, kind):
            if not str(w.key).startswith(HELD) or w.key in PICKED or w.value is None:
                continue
            if _default_shown(w) != _held(w):
                out.append((w.key, _default_shown(w), _held(w)))
    for w in at.checkbox:
        if str(w.key).startswith(HELD) and w.proto.default != w.value:
            out.append((w.key, w.proto.default, w.value))
    return out


@pytest.mark.parametrize("page", PAGES)
def test_a_fresh_tab_and_an_opened_example_draw_each_held_value_as_its_default(app, page):
    app.switch_page(PAGES[page]).run()
    assert_clean(app)
    assert not _mismatches(app)
    app.selectbox(key="scn_example").set_value("scaleup.yaml").run()
    app.button(key="scn_open_example").click().run()
    assert_clean(app)
    assert app.session_state["answers"]["engineers"] == 180  # the example's, not the start's
    assert not _mismatches(app)


def test_a_changed_value_becomes_the_default_the_browser_falls_back_to(app):
    app.switch_page(PAGES["advisor"]).run()
    app.number_input(key="q_engineers").set_value(250).run()
    app.slider(key="q_bn_ideation").set_value(40).run()
    app.radio(key="q_maturity").set_value("high").run()
    assert_clean(app)
    assert not _mismatches(app)
    assert app.number_input(key="q_engineers").proto.default == 250
