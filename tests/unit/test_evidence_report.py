"""The evidence a scenario keeps reads the same in the HTML and Markdown reports as on the
page and in the CLI: labels and units from the registry, never an id or a raw float."""

from __future__ import annotations

import contextlib
import io
import json
import re

import pytest
import yaml

from advisor.catalog import load_catalog
from advisor.cli import main
from advisor.evidence import figures, registry
from advisor.evidence.figures import MISSING, report_view, rows, summary
from advisor.report import build_html, build_markdown
from advisor.scenario import parse_scenario_file
from tests.conftest import ROOT

EXAMPLE = ROOT / "examples" / "evidence"


@pytest.fixture(scope="module")
def measured() -> dict:
    out = io.StringIO()
    args = [
        "evidence",
        str(EXAMPLE / "transitions.csv"),
        "--statuses",
        str(EXAMPLE / "statuses.yaml"),
        "--deployments",
        str(EXAMPLE / "deployments.csv"),
        "--incidents",
        str(EXAMPLE / "incidents.csv"),
        "--rules",
        "--json",
    ]
    with contextlib.redirect_stdout(out):
        assert main(args) == 0
    return json.loads(out.getvalue())


@pytest.fixture(scope="module")
def scenario(measured):
    data = yaml.safe_load((ROOT / "examples" / "scenarios" / "scaleup.yaml").read_text())
    data["evidence"] = summary(measured)
    return parse_scenario_file(yaml.safe_dump(data), "scaleup.yaml")


def test_the_summary_round_trips_through_a_scenario_file(scenario, measured):
    assert scenario.evidence.bottlenecks == measured["bottlenecks"]
    assert (
        scenario.evidence.dora["change_fail_rate"] == measured["dora"]["change_fail_rate"]["value"]
    )
    assert "Apache DevLake (2023 rules)" in scenario.evidence.rules


@pytest.mark.parametrize("build", [build_html, build_markdown])
def test_both_reports_print_labels_and_units_as_the_page_does(scenario, measured, build):
    text = build(scenario, load_catalog())
    plain = re.sub(r"\\(.)", r"\1", text)  # Markdown's escapes
    plain = re.sub(r"<svg.*?</svg>", "", plain, flags=re.S)  # charts' drawing coordinates
    for section in ("flow", "sei", "dora", "dx_core_4"):
        for row in rows(measured, section):
            # the page's table has a note column saying why a figure is missing; a report says it
            shown = "not enough data" if row.shown == MISSING else row.shown
            assert f"{row.label} | {shown}" in plain or (
                f'<td>{row.label}</td><td class="n">{shown}</td>' in plain
            ), row
    assert "Measured evidence" in plain and "Apache DevLake (2023 rules)" in plain
    assert "not public" in plain  # Jellyfish publishes no formula
    for raw in ("change_fail_rate", "dx_core_4", "flow_time", "deployment_frequency"):
        assert raw not in plain
    assert not re.search(r"\d\.\d{6,}", plain), "no raw floats"


def test_summaries_written_before_the_registry_read_with_labels():
    from advisor.scenario import EvidenceSummary

    old = EvidenceSummary(
        source="jira.json",
        bottlenecks={"development": 0.8, "deployment": 0.2},
        dora={"change_lead_time": 1.180011574074074, "score": 6.5},
        flow={"flow_time_median_days": 5.0, "velocity_per_week_median": 3.0},
    )
    view = report_view(old)
    shown = dict(view["figures"])
    assert shown["Change lead time"] == "1.2 days"
    assert shown["Flow time"] == "5.0 days"
    assert shown["Quick Check score"] == "6.5 of 10"
    assert view["window"] == "the span of the files"


def test_every_registry_entry_has_a_label_unit_definition_and_source():
    for m in registry.METRICS.values():
        assert m.label and m.unit and m.definition and m.source and m.short
    assert registry.show("deployment_frequency", 1.18) == "1.2 a week"
    assert registry.show("change_fail_rate", 0.268) == "26.8%"
    assert registry.show("failed_deployment_recovery_time", 0.375) == "9.0 hours"
    assert registry.show("dx_speed", 0.5) == "0.5 per engineer a week"
    assert registry.show("flow_load", 3) == "3"


def test_the_markdown_report_prints_figures_plainly_and_escapes_what_could_render(scenario):
    text = build_markdown(scenario, load_catalog())
    shown = report_view(scenario.evidence)["figures"]
    days = next(value for _, value in shown if value.endswith(" days"))
    assert f"| {days} |" in text  # "1.2 days", not "1\.2 days"
    hostile = scenario.model_copy(
        update={"name": "www.evil.example **now**", "notes": "1. [click](http://x)"}
    )
    text = build_markdown(hostile, load_catalog())
    assert "# www\\.evil\\.example \\*\\*now\\*\\*" in text
    assert "1\\. \\[click\\]\\(http\\:\\/\\/x\\)" in text
    assert "](http" not in text and "**now**" not in text


def test_the_team_table_and_forecast_read_alike_on_page_and_in_reports(measured, scenario):
    header, rows = figures.team_table(figures.team_figures(measured["teams"]))
    view = report_view(scenario.evidence)
    assert view["team_header"] == header and view["teams"] == rows
    assert all(c.endswith("%") for _, cells in rows for c in cells[: len(header) - 5])
    assert re.match(r"\d[\d,]* items take ", view["forecast"])  # a count, not "20.0 items"


@pytest.mark.parametrize("build", [build_html, build_markdown])
def test_reports_say_how_many_teams_a_scenario_did_not_keep(measured, build):
    many = dict(measured)
    team = next(iter(measured["teams"].values()))
    many["teams"] = {f"Team {i:02}": team for i in range(60)}
    data = yaml.safe_load((ROOT / "examples" / "scenarios" / "scaleup.yaml").read_text())
    data["evidence"] = summary(many)
    scenario = parse_scenario_file(yaml.safe_dump(data), "scaleup.yaml")
    assert len(scenario.evidence.teams) == 50 and scenario.evidence.teams_not_kept == 10
    text = build(scenario, load_catalog())
    assert "The first 50 teams; 10 more were measured and are on the Evidence page" in text


def test_times_in_weekdays_say_business_days_everywhere_and_dora_stays_calendar(capsys):
    args = ["evidence", str(EXAMPLE / "transitions.csv"), "--business-days"]
    args += ["--deployments", str(EXAMPLE / "deployments.csv")]
    assert main([*args, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["flow"]["flow_time_days"]["unit"] == "business days"
    assert doc["sei"]["cycle_time_days"]["unit"] == "business days"
    assert doc["dora"]["change_lead_time"]["unit"] == "days"  # DORA keeps calendar time
    assert main(args) == 0
    assert re.search(r"Flow time +\d+\.\d business days", capsys.readouterr().out)
    rows_shown = {r.label: r.shown for r in rows(doc, "flow") + rows(doc, "dora")}
    assert rows_shown["Flow time"].endswith(" business days")
    assert not rows_shown["Change lead time"].endswith("business days")
    data = yaml.safe_load((ROOT / "examples" / "scenarios" / "scaleup.yaml").read_text())
    data["evidence"] = summary(doc)
    scenario = parse_scenario_file(yaml.safe_dump(data), "scaleup.yaml")
    view = report_view(scenario.evidence)
    assert ("Flow time", rows_shown["Flow time"]) in view["figures"]
    assert all(c.endswith("business days") for _, cells in view["teams"] for c in cells[-4:-2])


@pytest.mark.parametrize("build", [build_html, build_markdown])
def test_reports_carry_the_caveats_the_page_shows_beside_the_figures(scenario, build):
    text = re.sub(r"\\(.)", r"\1", build(scenario, load_catalog()))
    # a stand-in, or why a figure is missing, as on the page
    assert "stand-in: the feature share of finished items" in text
    assert "not enough data: give the number of engineers" in text
    assert "Spread: Deployment frequency: from" in text  # the rule sets' spread
    assert "What the data can support" in text
    assert "missing: Pull-request data" in text  # the checks not met, per category


def _with_pulls() -> dict:
    out = io.StringIO()
    args = [
        "evidence",
        str(EXAMPLE / "transitions.csv"),
        "--statuses",
        str(EXAMPLE / "statuses.yaml"),
        "--deployments",
        str(EXAMPLE / "deployments.csv"),
        "--pulls",
        str(EXAMPLE / "pulls.csv"),
        "--json",
    ]
    with contextlib.redirect_stdout(out):
        assert main(args) == 0
    return json.loads(out.getvalue())


@pytest.mark.parametrize("build", [build_html, build_markdown])
def test_the_pull_request_headline_is_kept_and_reported_only_when_given(measured, build):
    doc = _with_pulls()
    kept = summary(doc)["pulls"]
    p = doc["pulls"]
    assert kept == {
        **{f"pr_{part}_time": p["cycle_time"][part]["median"] for part in figures.PULL_PARTS},
        "pr_merged_per_engineer": p["merged_per_engineer_week"]["value"],
        "pr_merged_without_review": p["merged_without_review"]["value"],
    }
    assert "pulls" not in summary(measured)  # no pull requests: no section, no empty rows
    data = yaml.safe_load((ROOT / "examples" / "scenarios" / "scaleup.yaml").read_text())
    data["evidence"] = summary(doc)
    with_pulls = parse_scenario_file(yaml.safe_dump(data), "scaleup.yaml")
    plain = re.sub(r"\\(.)", r"\1", build(with_pulls, load_catalog()))
    for r in figures.pull_rows(p):
        if r.label in ("PR size", "Reviews given", "Waiting for review"):
            assert r.label not in plain  # not in the headline
            continue
        # e.g. "Pickup time | 6.4 days", units from the registry as on the page
        assert f"{r.label} | {r.shown}" in plain or (
            f'<td>{r.label}</td><td class="n">{r.shown}</td>' in plain
        ), r
    assert "Pull requests" in plain
    # in the page's order, though the scenario file sorts its keys
    places = [plain.index(r.label) for r in figures.pull_rows(p)[:5]]
    assert places == sorted(places)
    data["evidence"] = summary(measured)
    without = parse_scenario_file(yaml.safe_dump(data), "scaleup.yaml")
    assert "Pickup time" not in build(without, load_catalog())
