"""Plan against actual wherever a scenario is shown: the HTML and Markdown reports, the
workbook's "Value realised" sheet, and Compare. Every figure here is worked by hand from the
summary below (a scenario's `realised` part as the value realised analysis writes it)."""

from __future__ import annotations

import copy
import json
import re

import pytest
import yaml

from advisor.cli import main
from advisor.compare import compare, compare_table
from advisor.report import build_html, build_markdown, build_workbook
from advisor.scenario import load_scenario_file, scenario_from_data
from tests.conftest import ROOT

EXAMPLES = ROOT / "examples" / "scenarios"
EVIL = "<script>alert(1)</script> [x](http://evil.example/x.png)"

# Levers: A planned 1,000 realised 1,500 (variance +500); B planned 2,000 realised 1,200
# (variance -800); C planned 300, not measured. Measured: planned 3,000, realised 2,700,
# variance -300. Forecast at completion = 2,700 + 12,000 - (3,000 + 300) = 11,400.
REALISED = {
    "currency": "USD",
    "plan": {
        "version": 3,
        "approved_by": "finance@example.org",
        "approved_at": "2026-05-15T09:30:00+00:00",
        "start": "2026-05-15",
    },
    "since": "2026-05-15T00:00:00+00:00",
    "as_of": "2026-07-30T02:42:30+00:00",
    "months_to_date": 2.5,
    "levers": [
        {
            "name": "Downtime avoided",
            "kind": "downtime_avoided",
            "status": "measured",
            "planned_annual": 4800.0,
            "realised_annual": 7200.0,
            "planned_to_date": 1000.0,
            "realised_to_date": 1500.0,
            "variance": 500.0,
            "how": "(52 deploys x 10% failed x 8 h before - 60 x 5% x 4 h after) x 100 USD",
        },
        {
            "name": EVIL,
            "kind": "capacity_freed",
            "status": "measured",
            "planned_annual": 9600.0,
            "realised_annual": 5760.0,
            "planned_to_date": 2000.0,
            "realised_to_date": 1200.0,
            "variance": -800.0,
            "how": '=HYPERLINK("http://evil.example") staff x cost x time saved',
        },
        {
            "name": "Revenue kept",
            "kind": "annual_value",
            "status": "not_measured",
            "planned_annual": 1440.0,
            "realised_annual": None,
            "planned_to_date": 300.0,
            "realised_to_date": None,
            "variance": None,
            "how": "not measured: no measured figure is linked",
        },
    ],
    "total": {
        "planned_to_date": 3000.0,
        "realised_to_date": 2700.0,
        "variance": -300.0,
        "planned_to_date_not_measured": 300.0,
        "forecast_at_completion": 11400.0,
        "planned_benefit": 12000.0,
        "forecast_at_completion_npv": 4600.0,
        "planned_npv": 5000.0,
    },
    "outcomes": [
        {
            "item": "a",
            "name": "Faster releases",
            "label": "Change lead time",
            "target": 2.0,
            "actual": 1.5,
            "unit": "days",
            "status": "met",
            "source": "measured",
        },
        {
            "item": "b",
            "name": "Fewer failures",
            "label": "Change fail rate",
            "target": 0.1,
            "actual": None,
            "unit": "share of deployments",
            "status": "too_early",
            "source": "measured",
        },
        {
            "item": "c",
            "name": "Happier customers",
            "label": "NPS",
            "target": "+5 points",
            "actual": "+3 points, survey of June",
            "unit": None,
            "status": "typed",
            "source": "typed",
        },
    ],
    # 52 items a year x wait in weeks x 1,000 a week: 2 / 3.5 / 7 days give 14,857 / 26,000 /
    # 52,000 a year; each week removed is worth 52 x 1,000 = 52,000 a year.
    "bottleneck_price": {
        "stage": "development",
        "status": "Code Review",
        "waiting_days_median": 3.5,
        "waiting_days": {"low": 2.0, "likely": 3.5, "high": 7.0},
        "items_per_year": 52.0,
        "cost_of_delay_per_item_week": 1000.0,
        "cost_of_delay_source": "backlog",
        "per_week_removed": 52000.0,
        "value_per_year": {"low": 52 * 2 / 7 * 1000, "likely": 26000.0, "high": 52000.0},
        "currency": "USD",
    },
    "findings": ["Change lead time fell from 2.5 days to 1.5 days (40 before, 44 after)."],
    "warnings": [f"Not measured, so counted as nothing to date: Revenue kept. {EVIL}"],
}


def _scenario(realised: dict | None = REALISED, **changes):
    data = yaml.safe_load((EXAMPLES / "startup.yaml").read_text())
    data.update(changes)
    if realised is not None:
        data["realised"] = copy.deepcopy(realised)
    return scenario_from_data(data)


def _write(tmp_path, name: str = "with-realised.yaml", **changes):
    path = tmp_path / name
    s = _scenario(**changes)
    path.write_text(yaml.safe_dump(s.model_dump(mode="json", exclude_none=True)))
    return path


# ---------------------------------------------------------------- reports


def _cells(html: str, first: str) -> list[str]:
    """The cells of the HTML table row whose first cell is `first`."""
    row = re.search(rf"<tr><td>{re.escape(first)}</td>(.*?)</tr>", html, re.S)
    assert row, first
    return re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)


def test_the_html_report_shows_plan_against_actual(catalog):
    html = build_html(_scenario(), catalog)
    section = html[html.index("<h2>Value realised</h2>") :]
    assert (
        "The approved plan: version 3, approved by finance@example.org on 2026-05-15 09:30 UTC; "
        "the plan started on 2026-05-15." in section
    )
    assert "split at 2026-05-15; data as of 2026-07-30, 2.5 months of the plan to date" in section
    assert _cells(section, "Downtime avoided")[:4] == [
        "measured",
        "1,000 USD",
        "1,500 USD",
        "500 USD",
    ]
    assert _cells(section, "Revenue kept")[:4] == [
        "not measured",
        "300 USD",
        "not measured",
        "not measured",
    ]
    assert _cells(section, "Variance to date")[0] == "-300 USD"
    assert _cells(section, "Planned to date, levers not measured")[0] == "300 USD"
    assert _cells(section, "Forecast at completion")[0] == "11,400 USD"
    assert _cells(section, "Planned NPV")[0] == "5,000 USD"
    assert _cells(section, "NPV at completion, forecast")[0] == "4,600 USD"
    assert _cells(section, "NPV against the plan")[0] == "-400 USD"
    assert _cells(section, "Faster releases") == [
        "Change lead time",
        "2.0 days",
        "1.5 days",
        "measured from the exports",
        "met",
    ]
    assert _cells(section, "Fewer failures")[1:] == [
        "10.0%",
        "nothing measured yet",
        "measured from the exports",
        "too early to tell",
    ]
    assert _cells(section, "Happier customers")[-2:] == ["typed by the owner", "typed"]
    assert "costs 26,000 USD a year (14,857 USD to 52,000 USD)" in section
    assert _cells(section, "Each week of waiting removed")[0] == "52,000 USD a year"
    assert _cells(section, "Wait, low / likely / high")[0] == "2.0 days / 3.5 days / 7.0 days"
    assert "<li>Change lead time fell from 2.5 days to 1.5 days" in section
    assert '<p class="warn">Not measured, so counted as nothing to date' in section
    # user text is text: the lever's name and the warning are escaped, nothing runs or loads
    assert "<script" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in section
    assert not re.findall(r"(?:src|href)\s*=\s*[\"']?https?:", html)


def test_the_markdown_report_shows_plan_against_actual_escaped(catalog):
    md = build_markdown(_scenario(), catalog)
    section = md[md.index("## Value realised") :]
    assert "| Downtime avoided | measured | 1,000 USD | 1,500 USD | 500 USD |" in section
    assert "| Revenue kept | not measured | 300 USD | not measured | not measured |" in section
    assert "| Variance to date | -300 USD |" in section
    assert "| Forecast at completion | 11,400 USD |" in section
    assert "| NPV at completion, forecast | 4,600 USD |" in section
    assert "| Planned NPV | 5,000 USD |" in section
    assert "| Faster releases | Change lead time | 2.0 days | 1.5 days |" in section
    assert "too early to tell" in section and "| typed |" in section
    assert "26,000 USD a year" in section and "52,000 USD a year" in section
    assert "- Change lead time fell from 2.5 days to 1.5 days" in section
    assert "> Not measured\\, so counted as nothing to date" in section  # escaped: user text
    assert "<script>" not in md and "\\<script\\>" in section
    assert "](http" not in md, "no link renders"


def test_a_scenario_without_realised_shows_no_section(catalog):
    s = _scenario(realised=None)
    assert "Value realised" not in build_html(s, catalog)
    assert "Value realised" not in build_markdown(s, catalog)


def test_the_cli_report_carries_the_section(tmp_path, capsys):
    path = _write(tmp_path)
    for suffix in ("html", "md"):
        out = tmp_path / f"r.{suffix}"
        assert main(["report", str(path), "--out", str(out)]) == 0
        assert "Value realised" in out.read_text() and "11,400 USD" in out.read_text()


# ---------------------------------------------------------------- the workbook


def _solved(path) -> dict[str, object]:
    formulas = pytest.importorskip("formulas")
    solution = formulas.ExcelModel().loads(str(path)).finish().calculate()
    return {k.split("!")[1]: v.value[0][0] for k, v in solution.items() if "VALUE REALISED" in k}


def _row_of(sheet, label: str) -> int:
    return next(r[0].row for r in sheet.iter_rows() if r[0].value == label)


def test_the_workbook_variance_and_totals_are_formulas_giving_the_hand_figures(tmp_path, catalog):
    from openpyxl import load_workbook

    out = tmp_path / "w.xlsx"
    build_workbook(_scenario(), catalog, out)
    sheet = load_workbook(out)["Value realised"]
    values = _solved(out)
    a, b, c = (_row_of(sheet, n) for n in ("Downtime avoided", EVIL, "Revenue kept"))
    assert sheet[f"F{a}"].value == f"=E{a}-D{a}"
    assert float(values[f"F{a}"]) == pytest.approx(500)
    assert float(values[f"F{b}"]) == pytest.approx(-800)
    assert sheet[f"C{c}"].value == "not measured"
    assert sheet[f"E{c}"].value is None and sheet[f"F{c}"].value is None, "never a number"
    measured = _row_of(sheet, "Measured levers")
    assert sheet[f"E{measured}"].value.startswith("=SUM(")
    assert float(values[f"D{measured}"]) == pytest.approx(3000)
    assert float(values[f"E{measured}"]) == pytest.approx(2700)
    assert float(values[f"F{measured}"]) == pytest.approx(-300)
    assert float(values[f"D{_row_of(sheet, 'Levers not measured')}"]) == pytest.approx(300)
    assert float(values[f"D{_row_of(sheet, 'Every lever')}"]) == pytest.approx(3300)
    fac = _row_of(sheet, "Forecast at completion")
    assert sheet[f"B{fac}"].value.startswith("=")
    assert float(values[f"B{fac}"]) == pytest.approx(11400)  # the summary's own figure
    assert float(values[f"B{_row_of(sheet, 'NPV against the plan')}"]) == pytest.approx(-400)
    top = {r[0].value: r[1].value for r in sheet.iter_rows(max_row=9)}
    assert top["Approved plan"] == "version 3" and top["Approved by"] == "finance@example.org"
    assert top["Split at"] == "2026-05-15" and top["Data as of"] == "2026-07-30"
    assert top["Currency"] == "USD" and top["Months to date"] == 2.5
    texts = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert sheet[f"G{b}"].value.startswith("'=HYPERLINK"), "user text is defused"
    assert not [t for t in texts if t.startswith("=") and "HYPERLINK" in t]


def test_every_formula_cell_of_the_workbook_holds_its_cached_value(tmp_path, catalog):
    """A viewer that does not recalculate reads cached values: the new sheet's too."""
    formulas = pytest.importorskip("formulas")
    from openpyxl import load_workbook

    out = tmp_path / "w.xlsx"
    build_workbook(_scenario(), catalog, out)
    cached = load_workbook(out, data_only=True)
    with_formulas = load_workbook(out)
    solved = formulas.ExcelModel().loads(str(out)).finish().calculate()
    checked = 0
    for sheet in ("Results", "Monthly", "Inputs", "Value realised"):
        for row in with_formulas[sheet].iter_rows():
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
                checked += 1 if sheet == "Value realised" else 0
    assert checked == 9  # two variances, five totals, the forecast, NPV against the plan


def test_a_workbook_without_realised_has_no_such_sheet(tmp_path, catalog):
    from openpyxl import load_workbook

    out = tmp_path / "w.xlsx"
    build_workbook(_scenario(realised=None), catalog, out)
    assert "Value realised" not in load_workbook(out).sheetnames


@pytest.fixture(scope="module")
def measured() -> dict:
    """A `realised` part as the analysis writes it: the example exports against a plan of
    three levers (one not measured), split at 2026-05-15."""
    import datetime as dt

    from advisor.evidence import (
        SetAside,
        analyse_evidence,
        load_status_map,
        read_deployments,
        read_incidents,
        read_items,
    )
    from advisor.realise import realise

    folder = ROOT / "examples" / "evidence"
    aside = SetAside()
    items = read_items(str(folder / "transitions.csv"), aside)
    deploys = read_deployments(folder / "deployments.csv", "deployments.csv", aside)
    incidents = read_incidents(folder / "incidents.csv", "incidents.csv", aside)
    evidence = analyse_evidence(
        items, aside, load_status_map(folder / "statuses.yaml"), deploys, incidents
    )
    data = yaml.safe_load((EXAMPLES / "startup.yaml").read_text())
    data["roi"]["benefits"] = [
        {
            "name": "Downtime",
            "downtime_avoided": {
                "deploys_per_year_before": 12,
                "deploys_per_year_after": 52,
                "change_fail_rate_before": 0.3,
                "change_fail_rate_after": 0.15,
                "recovery_hours_before": 24,
                "recovery_hours_after": 8,
                "cost_per_hour": 5000,
            },
        },
        {
            "name": "Capacity",
            "capacity_freed": {"staff": 40, "annual_cost": 150000, "time_saved": 0.05},
        },
        {"name": "Revenue", "annual_value": 100000},
    ]
    plan = scenario_from_data(data)
    return realise(plan, evidence, deploys, incidents, since=dt.date(2026, 5, 15)).summary()


def test_the_forecast_formula_gives_what_the_analysis_gives(tmp_path, catalog, measured):
    """On a summary the analysis wrote: the workbook's forecast at completion, recomputed from
    its cells (realised + planned benefit - plan to date), equals the analysis's figure, and
    its totals equal the analysis's totals."""
    from openpyxl import load_workbook

    assert {lv["status"] for lv in measured["levers"]} == {"measured", "not_measured"}
    out = tmp_path / "w.xlsx"
    build_workbook(_scenario(measured), catalog, out)
    sheet = load_workbook(out)["Value realised"]
    values = _solved(out)
    total = measured["total"]
    fac = _row_of(sheet, "Forecast at completion")
    assert float(values[f"B{fac}"]) == pytest.approx(total["forecast_at_completion"], rel=1e-9)
    row = _row_of(sheet, "Measured levers")
    for col, key in (("D", "planned_to_date"), ("E", "realised_to_date"), ("F", "variance")):
        assert float(values[f"{col}{row}"]) == pytest.approx(total[key], rel=1e-9)


# ---------------------------------------------------------------- compare


def test_compare_json_gives_plan_against_actual_or_null(tmp_path, capsys):
    files = [str(_write(tmp_path)), str(EXAMPLES / "scaleup.yaml")]
    assert main(["compare", *files, "--json"]) == 0
    with_, without = json.loads(capsys.readouterr().out)["scenarios"]
    assert with_["realised_to_date"] == pytest.approx(2700)
    assert with_["planned_to_date"] == pytest.approx(3000)
    assert with_["realised_variance"] == pytest.approx(-300)
    assert with_["planned_to_date_not_measured"] == pytest.approx(300)
    assert with_["realised_as_of"] == "2026-07-30T02:42:30+00:00"
    for key in ("realised_to_date", "planned_to_date", "realised_variance", "realised_as_of"):
        assert without[key] is None
    for key in ("name", "team", "version", "top_category", "scores", "npv", "irr_annual"):
        assert key in with_ and key in without, "the contract's keys stay"


def test_compare_converts_realised_money_like_npv_and_adds_rows(catalog):
    s, other = _scenario(), _scenario(realised=None, name="Without")
    doc = compare([(s, None), (other, None)], catalog, "EUR")
    row = doc["scenarios"][0]
    assert row["currency"] == "EUR" and doc["rates"] == {"USD": pytest.approx(1 / 1.08)}
    assert row["realised_to_date"] == pytest.approx(2700 / 1.08)  # hand: 1 EUR = 1.08 USD
    assert row["planned_to_date"] == pytest.approx(3000 / 1.08)
    assert row["realised_variance"] == pytest.approx(-300 / 1.08)
    _, rows = compare_table(doc, catalog)
    table = dict(rows)
    assert table["Realised to date"] == ["2,500 EUR", "-"]
    assert table["Plan to date"] == ["2,778 EUR (and 278 EUR on levers not measured)", "-"]
    assert table["Variance to date"] == ["-278 EUR", "-"]
    assert table["Realised, data as of"] == ["2026-07-30", "-"]
    in_usd = dict(compare_table(compare([(s, None), (other, None)], catalog, "USD"), catalog)[1])
    assert in_usd["Realised to date"] == ["2,700 USD", "-"]


def test_the_compare_table_has_no_realised_rows_when_no_scenario_has_them(catalog):
    plain = _scenario(realised=None)
    _, rows = compare_table(compare([(plain, None), (plain, 1)], catalog), catalog)
    assert "Realised to date" not in dict(rows) and "Plan to date" not in dict(rows)


def test_a_realised_part_in_another_currency_is_converted_or_refused(catalog):
    from advisor.errors import ScenarioError

    eur = _scenario({**REALISED, "currency": "EUR"})
    doc = compare([(eur, None), (_scenario(realised=None), None)], catalog, "USD")
    assert doc["scenarios"][0]["realised_to_date"] == pytest.approx(2700 * 1.08)
    yen = _scenario({**REALISED, "currency": "JPY"})
    with pytest.raises(ScenarioError, match="no exchange rate from JPY to USD"):
        compare([(yen, None), (eur, None)], catalog, "USD")


def test_a_stored_scenario_keeps_its_realised_part(tmp_path):
    path = _write(tmp_path)
    assert load_scenario_file(path).realised.total["forecast_at_completion"] == 11400
