"""The Cost of delay page's durations from the team's throughput forecast."""

import pytest

from advisor.delay_io import load_backlog
from advisor.probable_delay import probable_delay, throughput_from_files
from tests.app.conftest import assert_clean, shown, upload
from tests.conftest import ROOT

PAGE = "advisor/ui/delay_page.py"
ITEMS = ROOT / "examples" / "evidence" / "transitions.csv"
OPTION = "Durations from the team's throughput forecast"


def _open(app):
    app.switch_page(PAGE).run()
    assert_clean(app)
    return app


def _orders_table(at):
    return next(d.value for d in at.dataframe if "expected cost" in d.value.columns)


def _finish_table(at):
    return next(d.value for d in at.dataframe if "finish P85 (weeks)" in d.value.columns)


def _captions(at) -> str:
    return " ".join(shown(c) for c in at.caption)


def _on(at):
    at.toggle(key="delay_probable").set_value(True).run()
    assert_clean(at)
    return at


def test_an_items_file_gives_each_orders_p50_and_p85_and_the_expected_best(app):
    at = _open(app)
    assert not at.toggle, "no throughput yet: no option"
    assert "Measure the team's throughput on the Evidence page" in _captions(at)
    upload(at, "delay_tp_upload", [("transitions.csv", ITEMS.read_bytes(), "text/csv")])
    assert [t.label for t in at.toggle] == [OPTION]
    assert not any("expected cost" in d.value.columns for d in at.dataframe), "off by default"
    _on(at)
    table = _orders_table(at).set_index("order")
    # the figures the domain gives for the example backlog and that file's weeks
    weekly = throughput_from_files([("transitions.csv", ITEMS.read_bytes())]).weekly
    expected = probable_delay(load_backlog(ROOT / "examples" / "backlog.yaml"), weekly)
    assert table.loc["Your order", "expected cost"] == pytest.approx(expected.orders["given"].mean)
    assert table.loc["CD3", "P85 cost"] == pytest.approx(expected.orders["cd3"].p85)
    # every money column names the currency; the chosen order is said, with its figures
    config = next(d for d in at.dataframe if "expected cost" in d.value.columns).proto
    assert "expected cost (USD)" in str(config) and "%,.0f USD" in str(config)
    best = shown(at.success[0])
    assert best.startswith("Best order on the expected cost (")
    assert f"{expected.orders[expected.best].mean:,.0f} USD" in best
    assert "Chosen on the expected cost over 10,000 trials of the team's throughput" in (
        _captions(at)
    )
    assert "the file uploaded here (transitions.csv)" in _captions(at)
    finish = _finish_table(at)
    assert list(finish["item"]) == [
        next(it.name for it in load_backlog(ROOT / "examples" / "backlog.yaml").items if it.id == x)
        for x in expected.best_order
    ]
    assert any("No size_items for onboarding" in shown(w) for w in at.warning)


def test_a_size_typed_in_the_table_is_used_and_no_longer_warned(app):
    at = _open(app)
    upload(at, "delay_tp_upload", [("transitions.csv", ITEMS.read_bytes(), "text/csv")])
    _on(at)
    key = f"delay_items_v{at.session_state['delay_v']}"
    at.session_state[key] = {
        "edited_rows": {0: {"size_items": 3}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert_clean(at)
    finish = _finish_table(at).set_index("item")
    assert finish.loc["Self-serve onboarding", "size (work items)"] == 3
    assert finish.loc["Self-serve onboarding", "size from"] == "size_items"
    warning = next(shown(w) for w in at.warning if "No size_items" in shown(w))
    assert "onboarding," not in warning and "metrics-platform" in warning


def test_a_bad_items_file_is_refused_and_the_last_good_throughput_stays(app):
    at = _open(app)
    upload(at, "delay_tp_upload", [("transitions.csv", ITEMS.read_bytes(), "text/csv")])
    _on(at)
    before = _orders_table(at)
    upload(at, "delay_tp_upload", [("broken.csv", b"key,type\nA-1,Story\n", "text/csv")])
    error = shown(at.error[0])
    assert "broken.csv" in error and "from_status" in error
    assert _orders_table(at).equals(before)
    assert "the file uploaded here (transitions.csv)" in _captions(at)


def test_the_evidence_pages_throughput_is_offered_here(app):
    at = app.switch_page("advisor/ui/evidence_page.py").run()
    at.button(key="evidence_sample").click().run()
    assert_clean(at)
    _on(_open(at))
    assert "Throughput from the Evidence page's files" in _captions(at)
    assert "each future week drawn from the last 12 whole weeks" in _captions(at)
    # an upload here as well: both are offered, the Evidence page's first
    upload(at, "delay_tp_upload", [("transitions.csv", ITEMS.read_bytes(), "text/csv")])
    radio = at.radio(key="delay_tp_source")
    assert radio.value == "evidence"
    radio.set_value("upload").run()
    assert_clean(at)
    assert "the file uploaded here (transitions.csv)" in _captions(at)
