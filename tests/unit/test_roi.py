import json
import math

import numpy as np
import numpy_financial as npf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from advisor.cli import main
from advisor.errors import ScenarioError
from advisor.money import discount_factors, irr_annual, irr_roots, monthly_rate
from advisor.roi import analyse, compare, parse_scenario, scenario_from_dict
from tests.conftest import ROOT

EXAMPLE = ROOT / "examples" / "roi.yaml"

HAND = """
name: Hand-worked
currency: USD
horizon_months: 3
discount_rate: 0.12682503013196977   # (1.01)^12 - 1: exactly 1% a month
team:
  - {role: Engineer, count: 1, annual_cost: 120000}
benefits:
  - {name: Value, annual_value: 240000, start_month: 1}
"""


def test_hand_worked_example():
    r = analyse(parse_scenario(HAND))
    assert r.monthly_rate == pytest.approx(0.01, abs=1e-12)
    assert [m.net for m in r.monthly] == pytest.approx([-10000, 10000, 10000])
    # -10000 + 10000/1.01 + 10000/1.01^2
    assert r.npv == pytest.approx(-10000 + 10000 / 1.01 + 10000 / 1.0201, abs=1e-6)
    assert r.npv == pytest.approx(9703.950593079, abs=1e-6)
    # x + x^2 = 1 with x = 1/(1+irr): the golden ratio
    golden = (1 + math.sqrt(5)) / 2
    assert r.irr_annual == pytest.approx(golden**12 - 1, rel=1e-9)
    assert r.payback_month == 1
    assert r.roi == pytest.approx((40000 - 30000) / 30000, abs=1e-12)
    assert [m.cumulative for m in r.monthly] == pytest.approx([-10000, 0, 10000])


def test_results_agree_with_numpy_financial_directly(catalog):
    s = parse_scenario(EXAMPLE.read_text(), catalog=catalog)
    r = analyse(s, catalog)
    net = np.array([m.net for m in r.monthly])
    rate = (1 + s.discount_rate) ** (1 / 12) - 1
    assert r.npv == pytest.approx(npf.npv(rate, net), abs=1e-6)
    monthly_irr = npf.irr(net)
    assert r.irr_annual == pytest.approx((1 + monthly_irr) ** 12 - 1, abs=1e-6)
    assert npf.npv(monthly_irr, net) == pytest.approx(0, abs=1e-3)
    assert r.total_cost == pytest.approx(sum(m.cost for m in r.monthly), abs=1e-6)
    assert r.roi == pytest.approx((r.total_benefit - r.total_cost) / r.total_cost, abs=1e-9)
    cumulative = np.cumsum(net)
    assert r.payback_month == int(np.flatnonzero(cumulative >= 0)[0])


def test_matrix_discounting_matches_npf_npv_row_by_row():
    rng = np.random.default_rng(3)
    flows = rng.normal(0, 1000, size=(50, 60))
    disc = discount_factors(0.08, 60)
    by_matrix = flows @ disc
    for row, value in zip(flows, by_matrix, strict=True):
        assert value == pytest.approx(npf.npv(monthly_rate(0.08), row), abs=1e-6)


def test_ramp_and_windows():
    s = scenario_from_dict(
        {
            "name": "Ramp",
            "horizon_months": 8,
            "discount_rate": 0,
            "team": [
                {"role": "Temp", "count": 2, "annual_cost": 12000, "start_month": 1, "end_month": 3}
            ],
            "benefits": [{"name": "B", "annual_value": 12000, "start_month": 2, "ramp_months": 4}],
            "one_off_costs": [{"name": "Kit", "amount": 500, "month": 7}],
        }
    )
    r = analyse(s)
    assert [m.cost for m in r.monthly] == pytest.approx([0, 2000, 2000, 0, 0, 0, 0, 500])
    assert [m.benefit for m in r.monthly] == pytest.approx([0, 0, 250, 500, 750, 1000, 1000, 1000])


def test_dora_levers_follow_their_formulas():
    s = scenario_from_dict(
        {
            "name": "Levers",
            "horizon_months": 12,
            "discount_rate": 0,
            "benefits": [
                {
                    "name": "Capacity",
                    "capacity_freed": {"staff": 10, "annual_cost": 100000, "time_saved": 0.05},
                },
                {
                    "name": "Downtime",
                    "downtime_avoided": {
                        "deploys_per_year": 200,
                        "change_fail_rate_before": 0.2,
                        "change_fail_rate_after": 0.1,
                        "recovery_hours_before": 8,
                        "recovery_hours_after": 2,
                        "cost_per_hour": 5000,
                    },
                },
                {
                    "name": "Rework",
                    "rework_avoided": {
                        "staff": 10,
                        "annual_cost": 100000,
                        "rework_share_before": 0.3,
                        "rework_share_after": 0.2,
                    },
                },
            ],
        }
    )
    totals = {ln.label: ln.total for ln in analyse(s).lines}
    assert totals["Capacity"] == pytest.approx(10 * 100000 * 0.05)
    assert totals["Downtime"] == pytest.approx(200 * (0.2 * 8 - 0.1 * 2) * 5000)
    assert totals["Rework"] == pytest.approx(10 * 100000 * 0.1)


def test_platform_price_from_catalog_and_quote(catalog):
    base = {"name": "P", "horizon_months": 12, "discount_rate": 0}
    s = scenario_from_dict(
        {**base, "platform": {"vendor": "linearb", "seats": 100}}, catalog=catalog
    )
    assert analyse(s, catalog).total_cost == pytest.approx(100 * 19 * 12)
    quoted = {
        **base,
        "platform": {
            "vendor": "jellyfish",
            "seats": 100,
            "price_per_seat_month": 40,
            "setup_cost": 5000,
        },
    }
    r = analyse(scenario_from_dict(quoted, catalog=catalog), catalog)
    assert r.total_cost == pytest.approx(100 * 40 * 12 + 5000)
    euro = scenario_from_dict(
        {**base, "currency": "EUR", "platform": {"vendor": "linearb", "seats": 100}},
        catalog=catalog,
    )
    rate = catalog.exchange_rates.rates["EUR"]
    assert analyse(euro, catalog).total_cost == pytest.approx(100 * 19 / rate * 12)


def test_same_seed_same_answer_and_p50_near_deterministic(catalog):
    s = scenario_from_dict(
        {
            "name": "Symmetric",
            "horizon_months": 24,
            "discount_rate": 0.1,
            "team": [{"role": "Eng", "count": 3, "annual_cost": 150000}],
            "benefits": [
                {
                    "name": "Value",
                    "start_month": 2,
                    "ramp_months": 3,
                    "annual_value": {"low": 400000, "likely": 700000, "high": 1000000},
                }
            ],
        }
    )
    first = analyse(s, simulations=10000, seed=42)
    again = analyse(s, simulations=10000, seed=42)
    other = analyse(s, simulations=10000, seed=43)
    assert np.array_equal(first.simulation.npv_samples, again.simulation.npv_samples)
    assert first.simulation.npv_p50 != other.simulation.npv_p50
    assert first.simulation.npv_p50 == pytest.approx(first.npv, rel=0.02)
    sim = first.simulation
    assert sim.npv_p10 < sim.npv_p50 < sim.npv_p90
    assert 0 < sim.prob_loss < 1
    assert sim.payback_p10 <= sim.payback_p50 <= sim.payback_p90
    samples = np.array(sim.npv_samples)
    assert sim.prob_loss == pytest.approx(np.mean(samples < 0))


def test_tornado_bars_are_the_npv_at_each_end(catalog):
    s = parse_scenario(EXAMPLE.read_text())
    r = analyse(s, catalog)
    swings = [b.swing for b in r.tornado]
    assert swings == sorted(swings, reverse=True)
    top = r.tornado[0]
    assert top.path == "benefits[0].drivers.retention_gain"
    data = s.model_dump()
    data["benefits"][0]["drivers"]["retention_gain"] = top.low
    assert analyse(scenario_from_dict(data), catalog).npv == pytest.approx(top.npv_at_low)


@pytest.mark.parametrize(
    ("flows", "words"),
    [([-1, -2, -3], "never change sign"), ([5, 5], "never change sign"), ([0, 0], "never")],
)
def test_irr_is_undefined_not_nan(flows, words):
    value, note = irr_annual(np.array(flows, dtype=float))
    assert value is None and words in note


def test_two_rates_that_make_npv_zero_are_both_named_and_no_irr_is_given():
    """-100 + 230 x - 132 x^2 = 0 for x = 1 / (1 + r): x = (230 -+ 10) / 264 = 5/6 or 10/11,
    r = 20% and 10% a month: (1.1)^12 - 1 = 213.8% and (1.2)^12 - 1 = 791.6% a year."""
    flows = np.array([-100, 230, -132], dtype=float)
    assert irr_roots(flows) == pytest.approx([0.10, 0.20])
    value, note = irr_annual(flows)
    assert value is None and "change sign 2 times and 2 rates make NPV zero" in note
    assert "(10% and 20% a month: 213.8% and 791.6% a year)" in note and "read MIRR" in note


def test_finance_cases_give_what_their_readme_says():
    """../shared/cases/finance: a real root numpy-financial misses (100.43% a month), and
    two roots (-76.9% and +185.4% a month) where the app says undefined."""
    missed = np.array([-1678.87, 771.96, 1814.05, 3520.30, 3552.95, 3584.99, 4789.91, -1])
    value, note = irr_annual(missed)
    assert (1 + value) ** (1 / 12) - 1 == pytest.approx(1.0043, abs=5e-5)
    assert value == pytest.approx(4201.18, rel=1e-4) and "MIRR is the figure to read" in note
    value, note = irr_annual(np.array([-50, -100, 600, 300, -100], dtype=float))
    assert value is None and "2 rates make NPV zero (-76.9% and 185.4% a month: -100% and " in note


def test_irr_roots_reads_long_horizons_without_overflow():
    flows = np.r_[-1000.0, np.full(239, 10.0)]  # 240 months: (1 + r)^-239 overflows naively
    (root,) = irr_roots(flows)
    assert npf.npv(root, flows) == pytest.approx(0, abs=1e-6)
    assert root == pytest.approx(npf.irr(flows), abs=1e-10)


def test_a_scenario_that_never_pays_back_says_so(capsys, tmp_path):
    path = tmp_path / "loss.yaml"
    path.write_text(
        "name: Loss\nhorizon_months: 12\ndiscount_rate: 0.1\n"
        "team: [{role: A, count: 1, annual_cost: 100000}]\n"
    )
    assert main(["roi", str(path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["irr_annual"] is None and doc["payback_month"] is None
    assert "NaN" not in json.dumps(doc)
    assert main(["roi", str(path)]) == 0
    out = capsys.readouterr().out
    assert "does not pay back within the horizon" in out and "nan" not in out.lower()


BAD = [
    ("discount_rate: -1", "discount_rate", "greater than -1"),
    ("horizon_months: 241", "horizon_months", "less than or equal to 240"),
    ("team: [{role: A, count: -2, annual_cost: 1}]", "count", "at least 0"),
    (
        "benefits: [{name: B, annual_value: {low: 9, likely: 5, high: 12}}]",
        "annual_value",
        "low (9) is above likely (5)",
    ),
    ("platform: {vendor: nosuch, seats: 10}", "platform.vendor", "unknown vendor 'nosuch'"),
    ("benefits: [{name: B}]", "benefits.[0]", "exactly one of"),
]


@pytest.mark.parametrize(("line", "field", "words"), BAD)
def test_bad_scenarios_exit_2_naming_the_field(tmp_path, capsys, catalog, line, field, words):
    text = "name: Bad\nhorizon_months: 12\ndiscount_rate: 0.1\n"
    key = line.split(":")[0]
    text = "\n".join(x for x in text.splitlines() if not x.startswith(key + ":")) + "\n" + line
    path = tmp_path / "bad.yaml"
    path.write_text(text + "\n")
    assert main(["roi", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:" in err and words in err, err
    with pytest.raises(ScenarioError) as exc:
        parse_scenario(text, "bad.yaml", catalog)
    assert exc.value.problems[0].line is not None


def test_build_versus_buy(catalog):
    s = scenario_from_dict(
        {
            "name": "BvB",
            "horizon_months": 24,
            "discount_rate": 0,
            "build_vs_buy": {
                "buy": {
                    "vendor": "linearb",
                    "seats": 100,
                    "setup_cost": 10000,
                    "admin_fte": 0.5,
                    "fte_annual_cost": 120000,
                },
                "build": {
                    "team": 3,
                    "annual_cost": 160000,
                    "build_months": 12,
                    "upkeep_fte": 1,
                    "infrastructure_per_month": 1000,
                },
            },
        },
        catalog=catalog,
    )
    result = compare(s, s.build_vs_buy, catalog)
    assert result.buy.total == pytest.approx(24 * (100 * 19 + 0.5 * 120000 / 12) + 10000)
    assert result.build.total == pytest.approx(12 * 3 * 160000 / 12 + 12 * (160000 / 12 + 1000))
    assert result.cheaper == "buy"
    assert result.build.first_insight_month == 12
    assert "no insight for the first 12 months" in result.text


@settings(max_examples=40, deadline=None)
@given(st.floats(0, 2e6), st.floats(0, 2e6), st.floats(-0.5, 0.5))
def test_more_benefit_never_lowers_npv(value, extra, rate):
    def npv_for(v):
        return analyse(
            scenario_from_dict(
                {
                    "name": "H",
                    "horizon_months": 24,
                    "discount_rate": rate,
                    "team": [{"role": "A", "count": 1, "annual_cost": 100000}],
                    "benefits": [{"name": "B", "annual_value": v, "ramp_months": 3}],
                }
            )
        ).npv

    assert npv_for(value + extra) >= npv_for(value) - 1e-6


@pytest.mark.parametrize(
    "case, irr",
    [("irr-real-root-missed.yaml", 4201.18), ("irr-two-roots-roi.yaml", None)],
)
def test_the_workbook_says_what_the_app_says_about_irr(tmp_path, case, irr):
    """A spreadsheet's IRR starts from a guess; with two sign changes engines disagreed
    (-100% and +29,255,603% for the same cells). Evaluated, the workbook gives the app's."""
    import formulas

    from advisor.catalog import load_catalog
    from advisor.report import build_workbook
    from advisor.roi import analyse

    path = ROOT / "tests" / "data" / "finance" / case
    scenario = parse_scenario(path.read_text(), case)
    out = tmp_path / "w.xlsx"
    build_workbook(scenario, load_catalog(), out)
    solved = formulas.ExcelModel().loads(str(out)).finish().calculate()
    cells = {k.split("!")[1]: v.value[0][0] for k, v in solved.items() if "RESULTS" in k}
    app = analyse(scenario, load_catalog())
    assert float(cells["B4"]) == pytest.approx(app.npv, rel=1e-9)
    if irr is None:
        assert app.irr_annual is None and cells["B5"] == app.irr_note
        assert "read MIRR" in cells["B5"]
    else:
        assert app.irr_annual == pytest.approx(irr, rel=1e-4)
        assert float(cells["B5"]) == pytest.approx(app.irr_annual, rel=1e-6)
        assert float(cells["B10"]) == pytest.approx(0, abs=1e-6)  # NPV at that rate
    assert float(cells["B6"]) == pytest.approx(app.mirr_annual, rel=1e-9)


@pytest.mark.parametrize(
    "flows, monthly",
    [
        ([-100000, 202200, -102212], [0.010, 0.012]),  # closer than a grid step
        ([-100, 200, -100], [0.0]),  # NPV touches zero without changing sign
    ],
)
def test_irr_roots_finds_rates_no_change_of_sign_shows(flows, monthly):
    """-100,000 + 202,200 x - 102,212 x^2: discriminant 200^2, x = 0.99011 or 0.98815, r = 1.0%
    and 1.2% a month; -100 (1 - x)^2 has its double root at x = 1, r = 0."""
    assert irr_roots(np.array(flows, dtype=float)) == pytest.approx(monthly, abs=1e-9)


def test_rates_read_alike_everywhere():
    from advisor.wording import rate

    assert rate(49.903) == "4,990.3%" and rate(-0.0001) == "0.0%" and rate(0.125) == "12.5%"


@pytest.mark.parametrize(
    "case",
    ["irr-real-root-missed.yaml", "irr-two-roots-roi.yaml", "../../../examples/roi.yaml"],
)
def test_the_workbook_holds_cached_values_equal_to_its_formulas(tmp_path, case):
    """A viewer that does not recalculate reads the cached values: they must be there, and be
    what the formulas give when a spreadsheet does recalculate."""
    import formulas
    from openpyxl import load_workbook

    from advisor.catalog import load_catalog
    from advisor.report import build_workbook

    path = ROOT / "tests" / "data" / "finance" / case
    out = tmp_path / "w.xlsx"
    build_workbook(parse_scenario(path.read_text(), case), load_catalog(), out)
    cached = load_workbook(out, data_only=True)
    formulas_of = load_workbook(out)
    solved = formulas.ExcelModel().loads(str(out)).finish().calculate()
    checked = 0
    for sheet in ("Results", "Monthly", "Inputs"):
        for row in formulas_of[sheet].iter_rows():
            for c in row:
                if not (isinstance(c.value, str) and c.value.startswith("=")):
                    continue
                value = cached[sheet][c.coordinate].value
                assert value is not None, f"{sheet}!{c.coordinate} has no cached value"
                key = next(k for k in solved if k.endswith(f"{sheet.upper()}'!{c.coordinate}"))
                expected = solved[key].value[0][0]
                if isinstance(value, str):
                    assert value == expected
                else:
                    assert value == pytest.approx(float(expected), rel=1e-9, abs=1e-6)
                checked += 1
    assert checked > 50  # every formula cell of three sheets
