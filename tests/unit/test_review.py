"""advisor.review: a diff and a trail worded for the Review and Trail pages, each figure with
its unit; the trail's CSV safe in a spreadsheet; a review's address read back as written."""

import csv
import doctest
import io
from urllib.parse import parse_qsl, urlsplit

import pytest

from advisor import review
from advisor.report import undefuse
from advisor.scenario import load_scenario_file
from tests.conftest import ROOT


def test_the_docstring_examples_hold():
    result = doctest.testmod(review)
    assert result.attempted > 0 and result.failed == 0


def _effect(npv=(1000.0, 1500.0), irr=(0.1, 0.125), payback=(14, 12), top=("sei", "vsm")):
    def fig(pair):
        out = {"before": pair[0], "after": pair[1]}
        if all(isinstance(v, int | float) for v in pair):
            out["change"] = pair[1] - pair[0]
        return out

    return {
        "npv": fig(npv),
        "irr_annual": fig(irr),
        "payback_month": fig(payback),
        "top_category": {"before": top[0], "after": top[1]},
    }


def _rows(*args, **kw):
    return {r["Figure"]: r for r in review.effect_rows(*args, **kw)}


def test_each_figure_has_its_unit_and_its_change():
    rows = _rows(_effect(), ("EUR", "EUR"), names={"sei": "SEI", "vsm": "VSM"})
    assert rows["NPV"] == {
        "Figure": "NPV",
        "Unit": "EUR",
        "Before": "1,000 EUR",
        "After": "1,500 EUR",
        "Change": "+500 EUR",
    }
    assert rows["IRR (annual)"]["Unit"] == "% a year"
    assert rows["IRR (annual)"]["Change"] == "+2.5 percentage points"
    assert (rows["Payback"]["Before"], rows["Payback"]["Change"]) == ("14 months", "-2 months")
    assert (rows["Top category"]["Before"], rows["Top category"]["After"]) == ("SEI", "VSM")
    assert rows["Top category"]["Change"] == "changed"


def test_a_loss_reads_as_a_loss_and_no_change_as_none():
    rows = _rows(_effect(npv=(1500.0, -250.0), irr=(0.1, 0.1), payback=(1, 1)), ("USD", "USD"))
    assert rows["NPV"]["After"] == "-250 USD" and rows["NPV"]["Change"] == "-1,750 USD"
    assert rows["IRR (annual)"]["Change"] == "+0.0 percentage points"
    assert rows["Payback"]["Before"] == "1 month" and rows["Payback"]["Change"] == "the same"
    tiny = _rows(_effect(npv=(100.0, 99.7)), ("USD", "USD"))
    assert tiny["NPV"]["Change"] == "0 USD"  # never "-0 USD"


def test_money_in_two_currencies_is_not_subtracted():
    rows = _rows(_effect(), ("USD", "EUR"))
    assert rows["NPV"]["Before"] == "1,000 USD" and rows["NPV"]["After"] == "1,500 EUR"
    assert rows["NPV"]["Change"] == "not comparable: USD, then EUR"
    assert rows["NPV"]["Unit"] == "USD, then EUR"


def test_undefined_figures_and_a_missing_roi_model_are_said_apart():
    rows = _rows(_effect(irr=(None, 0.2), payback=(None, 10)), ("USD", "USD"))
    assert rows["IRR (annual)"]["Before"] == "undefined"
    assert rows["IRR (annual)"]["Change"] == "-"
    assert rows["Payback"]["Before"] == "beyond the horizon"
    assert rows["Payback"]["Change"] == "now pays back"
    none = _effect(npv=(None, 5.0), irr=(None, 0.2), payback=(None, 3))
    rows = _rows(none, ("USD", "USD"), (False, True))
    assert rows["NPV"]["Before"] == review.NO_MODEL
    assert rows["Payback"]["Before"] == review.NO_MODEL and rows["Payback"]["Change"] == "-"


def test_changes_read_as_words():
    rows = review.changes_rows(
        [
            {"label": "Engineers measured", "before": 180, "after": 1200},
            {"label": "ROI: discount rate (annual)", "before": 0.1, "after": 0.125},
            {"label": "Backlog item X", "before": "none", "after": "present"},
            {"label": "Notes", "before": None, "after": "**x**"},
        ]
    )
    assert [(r["Before"], r["After"]) for r in rows] == [
        ("180", "1,200"),
        ("0.1", "0.125"),
        ("none", "present"),
        ("none", "**x**"),
    ]


HISTORY = [
    {"version": 1, "event": "save", "user": "ana", "at": "2026-11-01T09:00:00+00:00", "note": ""},
    {
        "version": 1,
        "event": "comment",
        "user": "fin",
        "at": "2026-11-02T10:00:00+00:00",
        "note": "a",
    },
    {"version": 2, "event": "save", "user": "ana", "at": "2026-11-03T10:00:00+01:00", "note": ""},
    {
        "version": 2,
        "event": "return",
        "user": "fin",
        "at": "2026-11-04T10:00:00+00:00",
        "note": "b",
    },
]


def test_a_history_reads_newest_first_with_its_zone():
    rows = review.trail_rows(review.newest_first(HISTORY))
    assert [r["Event"] for r in rows] == ["returned", "saved", "commented", "saved"]
    assert rows[1]["When"] == "2026-11-03 09:00 UTC"  # converted from +01:00
    assert "Scenario" not in rows[0]  # a history is one scenario's
    assert [r["Note"] for r in review.trail_rows(review.newest_first(HISTORY, version=1))] == [
        "a",
        "",
    ]
    only = review.newest_first(HISTORY, users=["fin"], kinds=["comment"])
    assert [e["note"] for e in only] == ["a"]


def test_the_trail_csv_is_safe_in_a_spreadsheet_and_reads_back():
    events = [
        {
            "name": "=cmd|' /C calc'!A0",
            "organisation": "Northwind",
            "team": "+Payments",
            "version": 3,
            "event": "comment",
            "user": "@fin",
            "at": "2026-11-04T10:00:00+00:00",
            "note": "fine\n-1+1\r=SUM(A1)",
        }
    ]
    text = review.trail_csv(events)
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert len(rows) == 1
    row = rows[0]
    for key in ("name", "team", "user"):
        assert row[key].startswith("'")  # a spreadsheet shows it as text
        assert undefuse(row[key]) == events[0][key]
    assert all(not line.startswith(("=", "+", "-", "@")) for line in row["note"].splitlines())
    assert undefuse(row["note"]) == events[0]["note"]
    assert row["version"] == "3" and row["at"] == "2026-11-04T10:00:00+00:00"
    assert list(row) == ["at", "name", "organisation", "team", "version", "event", "user", "note"]


@pytest.mark.parametrize(
    "name", ["Northwind - Payments", "a&b=c?d#e/f", "Zahlungen · Team ü", "100% <sure>"]
)
def test_a_link_reads_back_as_written(name):
    address = review.link(name, 12, 3)
    assert address.startswith("review?")
    params = dict(parse_qsl(urlsplit(address).query))
    assert set(params) == {"review", "of", "against"}
    assert review.read_address(params) == (name, 12, 3)
    assert review.read_address(dict(parse_qsl(urlsplit(review.link(name, 4)).query))) == (
        name,
        4,
        None,
    )


@pytest.mark.parametrize(
    "params",
    [
        {"review": "x", "of": "0"},
        {"review": "x", "of": "1e3"},
        {"review": "x", "of": "٣"},  # a digit to Python, not to an address
        {"review": "x", "of": "99999999999"},
        {"review": "x", "of": "2", "against": "-1"},
        {"review": "x" * 201, "of": "1"},
        {"review": ["x", "y"], "of": "1"},
    ],
)
def test_an_address_that_does_not_read_is_no_such_scenario_or_version(params):
    assert review.read_address(params) == review.NO_SUCH


def test_an_address_without_a_scenario_is_not_a_review():
    assert review.read_address({}) is None
    assert review.read_address({"version": "2"}) is None
    assert review.read_address({"review": "x"}) == ("x", None, None)


def test_the_example_diffs_through_the_words(catalog):
    from advisor.diff import diff

    v1 = load_scenario_file(ROOT / "examples" / "scenarios" / "scaleup.yaml")
    v2 = v1.model_copy(update={"answers": v1.answers.model_copy(update={"engineers": 250})})
    doc = diff(v1, v2, catalog)
    assert review.changes_rows(doc["changes"]) == [
        {"Input": "Engineers measured", "Before": "180", "After": "250"}
    ]
    rows = _rows(doc["effect"], ("USD", "USD"))
    assert rows["NPV"]["Change"] == "0 USD"  # the head count moves no money in this model
