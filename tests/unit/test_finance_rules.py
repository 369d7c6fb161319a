"""Finance definitions against hand-worked figures (DESIGN.md, ROI section)."""

import json

import numpy as np
import numpy_financial as npf
import pytest

from advisor.cli import main
from advisor.errors import ScenarioError
from advisor.money import (
    discounted_payback_month,
    irr_annual,
    mirr_annual,
    monthly_rate,
    payback_month,
)
from advisor.roi import analyse, parse_scenario, scenario_from_dict
from tests.conftest import ROOT


def test_payback_on_an_exact_tie_is_that_month():
    # -300 + 100 + 200 = 0 exactly in month 2 (floats may give -1.8e-12): paid back there.
    flows = np.array([-0.1, -0.2, 0.3]) * 1000
    assert payback_month(flows) == 2
    assert payback_month([-300.0, 100.0, 200.0]) == 2


def test_payback_waits_for_the_last_dip_under_water():
    # Cumulative: -100, 50, -50, 10, 30: above zero in month 1, under again in month 2.
    flows = [-100, 150, -100, 60, 20]
    assert payback_month(flows) == 3


def test_payback_is_zero_only_when_never_under_water_and_none_when_it_ends_under():
    assert payback_month([0, 10, 5]) == 0
    assert payback_month([0, -10, 5]) is None  # nothing spent in month 0, never recovers
    assert payback_month([0, 0, 0]) == 0


def test_discounted_payback_comes_later_than_plain_payback():
    # 1% a month: -100, then +50 a month. Plain: cumulative 0 at month 2 -> 2.
    # Discounted: -100 + 50/1.01 + 50/1.0201 = -1.47 < 0, + 50/1.030301 > 0 -> month 3.
    annual = 1.01**12 - 1
    flows = [-100, 50, 50, 50]
    assert payback_month(flows) == 2
    assert discounted_payback_month(flows, annual) == 3


def test_mirr_matches_numpy_financial_and_a_spreadsheet_example():
    # Excel's MIRR example: -120,000 then 39,000 30,000 21,000 37,000 46,000; finance 10%,
    # reinvest 12% -> 12.61%. Here both rates are one monthly rate, so check npf itself.
    assert npf.mirr([-120000, 39000, 30000, 21000, 37000, 46000], 0.10, 0.12) == pytest.approx(
        0.126094, abs=1e-6
    )
    flows = np.array([-1000.0, 300, 300, 300, 300])
    annual = 0.10
    i = monthly_rate(annual)
    value, _ = mirr_annual(flows, annual)
    # By hand: FV of inflows at i to month 4, PV of outflows = 1000; MIRR = (FV/PV)^(1/4) - 1
    fv = sum(300 * (1 + i) ** (4 - m) for m in range(1, 5))
    assert value == pytest.approx(((fv / 1000) ** (1 / 4)) ** 12 - 1, rel=1e-9)


def test_irr_with_several_sign_changes_is_never_a_meaningless_rate():
    # Two sign changes; numpy-financial's nearest root is about -100% a year.
    flows = np.array([-100.0, 1000.0, -1000.0, 0.5])
    value, note = irr_annual(flows)
    assert value is None or value > -0.99
    assert "MIRR" in note


def test_downtime_is_costed_per_state():
    s = scenario_from_dict(
        {
            "name": "downtime",
            "horizon_months": 12,
            "discount_rate": 0,
            "benefits": [
                {
                    "name": "Downtime avoided",
                    "downtime_avoided": {
                        "deploys_per_year_before": 12,
                        "deploys_per_year_after": 365,
                        "change_fail_rate_before": 0.45,
                        "change_fail_rate_after": 0.15,
                        "recovery_hours_before": 168,
                        "recovery_hours_after": 4,
                        "cost_per_hour": 10000,
                    },
                }
            ],
        }
    )
    r = analyse(s)
    # (12 x 0.45 x 168 - 365 x 0.15 x 4) x 10,000 = (907.2 - 219) x 10,000
    assert r.total_benefit == pytest.approx(6_882_000)


def test_deploys_per_year_is_shorthand_for_both_states():
    lever = {
        "deploys_per_year": 100,
        "change_fail_rate_before": 0.2,
        "change_fail_rate_after": 0.1,
        "recovery_hours_before": 6,
        "recovery_hours_after": 2,
        "cost_per_hour": 1000,
    }
    s = scenario_from_dict(
        {
            "name": "d",
            "horizon_months": 12,
            "discount_rate": 0,
            "benefits": [{"name": "b", "downtime_avoided": lever}],
        }
    )
    assert analyse(s).total_benefit == pytest.approx(100 * (0.2 * 6 - 0.1 * 2) * 1000)
    with pytest.raises(ScenarioError, match="not both"):
        scenario_from_dict(
            {
                "name": "d",
                "horizon_months": 12,
                "discount_rate": 0,
                "benefits": [
                    {"name": "b", "downtime_avoided": {**lever, "deploys_per_year_after": 5}}
                ],
            }
        )


def test_the_licence_is_priced_at_the_plan_picked(catalog):
    base = {"name": "p", "horizon_months": 12, "discount_rate": 0}
    entry = analyse(
        scenario_from_dict(
            {**base, "platform": {"vendor": "linearb", "seats": 10}}, catalog=catalog
        ),
        catalog,
    )
    top = analyse(
        scenario_from_dict(
            {**base, "platform": {"vendor": "linearb", "tier": "Enterprise", "seats": 10}},
            catalog=catalog,
        ),
        catalog,
    )
    assert entry.total_cost == 10 * 19 * 12 and "Essentials" in entry.price_basis
    assert top.total_cost == 10 * 59 * 12 and "Enterprise" in top.price_basis
    assert top.lines[0].working.startswith("seats 10, price per seat month 59 -> 590 USD")
    with pytest.raises(ScenarioError, match="no plan 'Gold'"):
        scenario_from_dict(
            {**base, "platform": {"vendor": "linearb", "tier": "Gold", "seats": 1}},
            catalog=catalog,
        )


def test_every_line_shows_its_numbers():
    s = scenario_from_dict(
        {
            "name": "w",
            "horizon_months": 24,
            "discount_rate": 0.1,
            "team": [{"role": "Engineer", "count": 2, "annual_cost": 120000}],
        }
    )
    line = analyse(s).lines[0]
    assert line.working == (
        "count 2, annual cost 120,000 -> 20,000 USD a month x 24 months = 480,000 USD"
    )


def test_implausible_inputs_warn_and_valid_ones_do_not():
    base = {
        "name": "w",
        "horizon_months": 6,
        "team": [{"role": "E", "count": 1, "annual_cost": 1}],
        "productivity_dip": {"people": 1, "annual_cost": 1, "share_lost": 0.1, "months": 12},
    }
    warned = analyse(scenario_from_dict({**base, "discount_rate": -0.05})).warnings
    assert any("negative" in w for w in warned) and any("past the horizon" in w for w in warned)
    assert any(
        "100%" in w for w in analyse(scenario_from_dict({**base, "discount_rate": 2})).warnings
    )


def test_the_tornado_equals_a_full_recomputation(catalog):
    s = parse_scenario((ROOT / "examples" / "roi.yaml").read_text(), catalog=catalog)
    r = analyse(s, catalog)
    data = s.model_dump()
    for bar in r.tornado:
        from advisor.roi.cashflows import steps

        *parents, last = steps(bar.path)
        for end, expected in ((bar.low, bar.npv_at_low), (bar.high, bar.npv_at_high)):
            copy = json.loads(json.dumps(data))
            node = copy
            for step in parents:
                node = node[step]
            node[last] = end
            again = analyse(scenario_from_dict(copy, catalog=catalog), catalog).npv
            assert again == pytest.approx(expected, rel=1e-9, abs=1e-6)


@pytest.mark.parametrize(
    "body, field",
    [
        ("team: [{role: E, count: 1e200, annual_cost: 1e200}]", "count"),
        ("benefits: [{name: B, drivers: {a: 1e14, b: 1e14, c: 1e14}}]", "benefits[0]"),
        ("discount_rate: .nan", "discount_rate"),
        ("team: [{role: E, count: " + "4" * 400 + ", annual_cost: 1}]", "count"),
    ],
)
def test_overflowing_inputs_exit_2_naming_the_field(tmp_path, capsys, body, field):
    text = "name: x\nhorizon_months: 12\n"
    if "discount_rate" not in body:
        text += "discount_rate: 0.1\n"
    path = tmp_path / "s.yaml"
    path.write_text(text + body + "\n")
    assert main(["roi", str(path), "--json"]) == 2
    err = capsys.readouterr().err
    assert field in err and "Traceback" not in err


@pytest.mark.parametrize(
    "args, words",
    [
        (["--seed", "-1"], "seed"),
        (["--simulations", str(2**63)], "simulations"),
        (["--simulations", "-5"], "simulations"),
        (["--simulations", "lots"], "whole number"),
    ],
)
def test_bad_cli_arguments_exit_2(capsys, args, words):
    with pytest.raises(SystemExit) as stop:
        code = main(["roi", "examples/roi.yaml", *args])
        raise SystemExit(code)
    assert stop.value.code == 2
    assert words in capsys.readouterr().err


def test_json_never_holds_nan_or_infinity(capsys):
    assert main(["roi", "examples/roi.yaml", "--json", "--simulations", "1000"]) == 0
    text = capsys.readouterr().out
    assert "NaN" not in text and "Infinity" not in text
    doc = json.loads(text)
    for key in ("mirr_annual", "discounted_payback_month", "warnings"):
        assert key in doc
