"""One figure, one value: the scenario's simulation settings (`roi.simulation: {runs, seed}`)
give the same P10 / P50 / P90 on the page (analyse), in both reports, on Compare and in the
workbook. Before, the page drew 10,000 or 50,000 futures and the rest 2,000."""

from __future__ import annotations

import json

import pytest
import yaml
from openpyxl import load_workbook

from advisor.catalog import bundled_catalog
from advisor.cli import main
from advisor.compare import compare as compare_scenarios
from advisor.report import build_markdown, build_workbook
from advisor.roi import DEFAULT_RUNS, analyse
from advisor.scenario import load_scenario_file
from advisor.wording import money
from tests.conftest import ROOT

EXAMPLES = ROOT / "examples" / "scenarios"


def _with_settings(tmp_path, name: str, runs: int | None, seed: int | None):
    data = yaml.safe_load((EXAMPLES / name).read_text())
    if runs is not None:
        data["roi"]["simulation"] = {"runs": runs, "seed": seed}
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def _workbook_values(path) -> dict:
    sheet = load_workbook(path)["Results"]
    return {row[0].value: row[1].value for row in sheet.iter_rows() if row[0].value}


@pytest.mark.parametrize(("runs", "seed"), [(3_000, 7), (None, None)])
def test_page_report_compare_and_workbook_give_the_same_percentiles(tmp_path, runs, seed):
    catalog = bundled_catalog()
    a = load_scenario_file(_with_settings(tmp_path, "startup.yaml", runs, seed))
    b = load_scenario_file(_with_settings(tmp_path, "scaleup.yaml", runs, seed))
    page = analyse(a.roi, catalog).simulation  # what the ROI page computes
    assert page.runs == (runs or DEFAULT_RUNS) and page.seed == (seed or 0)

    row = compare_scenarios([(a, 1), (b, 1)], catalog)["scenarios"][0]
    assert [row["npv_p10"], row["npv_p50"], row["npv_p90"]] == pytest.approx(
        [page.npv_p10, page.npv_p50, page.npv_p90], rel=1e-12
    )

    report = build_markdown(a, catalog)
    for p in (page.npv_p10, page.npv_p50, page.npv_p90):
        assert money(p, "USD") in report
    assert f"{page.runs:,} simulated futures, seed {page.seed}" in report

    build_workbook(a, catalog, tmp_path / "w.xlsx")
    cells = _workbook_values(tmp_path / "w.xlsx")
    assert cells["Simulated futures"] == page.runs and cells["Seed"] == page.seed
    # the same draws; a matrix product may round the last bit differently from run to run
    assert [cells["NPV P10"], cells["NPV P50"], cells["NPV P90"]] == pytest.approx(
        [page.npv_p10, page.npv_p50, page.npv_p90], rel=1e-12
    )


def test_zero_runs_means_no_simulation_anywhere(tmp_path):
    catalog = bundled_catalog()
    s = load_scenario_file(_with_settings(tmp_path, "startup.yaml", 0, 0))
    assert analyse(s.roi, catalog).simulation is None
    assert "No simulation" in build_markdown(s, catalog)
    row = compare_scenarios([(s, 1), (s, 2)], catalog)["scenarios"][0]
    assert row["npv_p10"] is None and row["npv"] is not None


def test_the_cli_uses_the_files_settings_and_its_flags_override_them(tmp_path, capsys):
    roi = yaml.safe_load((EXAMPLES / "startup.yaml").read_text())["roi"]
    roi["simulation"] = {"runs": 1_500, "seed": 3}
    path = tmp_path / "roi.yaml"
    path.write_text(yaml.safe_dump(roi))
    assert main(["roi", str(path), "--json"]) == 0
    sim = json.loads(capsys.readouterr().out)["simulation"]
    assert (sim["runs"], sim["npv_p10"]) == (
        1_500,
        analyse(
            load_scenario_file(_with_settings(tmp_path, "startup.yaml", 1_500, 3)).roi,
            bundled_catalog(),
        ).simulation.npv_p10,
    )
    assert main(["roi", str(path), "--json", "--simulations", "0"]) == 0
    assert json.loads(capsys.readouterr().out)["simulation"] is None


def test_roi_given_a_whole_scenario_file_points_to_report(capsys):
    assert main(["roi", str(EXAMPLES / "startup.yaml")]) == 2
    err = capsys.readouterr().err
    assert "whole scenario file" in err and "platform-advisor report" in err


@pytest.mark.parametrize("part", ["roi", "backlog"])
def test_a_scenario_mixing_currencies_is_refused_with_the_part_named(tmp_path, capsys, part):
    data = yaml.safe_load((EXAMPLES / "startup.yaml").read_text())
    data[part]["currency"] = "GBP"  # answers stay USD
    path = tmp_path / "mixed.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    line = next(
        i
        for i, text in enumerate(path.read_text().splitlines(), 1)
        if text.strip() == "currency: GBP"
    )
    for command in (
        ["report", str(path), "--out", str(tmp_path / "r.md")],
        ["compare", str(path), str(path)],
    ):
        assert main(command) == 2
        err = capsys.readouterr().err
        assert f"mixed.yaml:{line}: {part}.currency: is GBP" in err
        assert "answers.currency) is USD" in err
    assert not (tmp_path / "r.md").exists()


def test_the_platform_example_states_its_simulation_and_runs_it(capsys):
    assert main(["roi", str(ROOT / "examples" / "roi-platform.yaml"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["simulation"]["runs"] == DEFAULT_RUNS


@pytest.mark.parametrize("out", ["missing/x.md", "folder.xlsx"])
def test_report_to_a_path_it_cannot_write_says_why(tmp_path, capsys, out):
    (tmp_path / "folder.xlsx").mkdir()
    assert main(["report", str(EXAMPLES / "startup.yaml"), "--out", str(tmp_path / out)]) == 2
    err = capsys.readouterr().err
    assert "--out:" in err and ("is a folder" in err or "does not exist" in err)


def test_scenario_names_are_stripped_and_a_blank_one_is_refused(tmp_path, capsys):
    data = yaml.safe_load((EXAMPLES / "startup.yaml").read_text())
    data["name"] = "Sim test "
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data))
    assert load_scenario_file(path).name == "Sim test"  # not a second, look-alike scenario
    data["name"] = "   "
    path.write_text(yaml.safe_dump(data))
    url = f"sqlite:///{tmp_path / 'c.db'}"
    assert main(["scenario", "save", str(path), "--store", url]) == 2
    assert "name:" in capsys.readouterr().err


def test_a_part_without_a_currency_is_said_to_take_the_default(tmp_path, capsys):
    data = yaml.safe_load((EXAMPLES / "startup.yaml").read_text())
    for part in ("answers",):
        data[part]["currency"] = "GBP"
    data["backlog"]["currency"] = "GBP"
    del data["roi"]["currency"]  # so the roi part is USD, the default
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data))
    assert main(["report", str(path), "--out", str(tmp_path / "r.md")]) == 2
    assert "roi.currency: is not given, so it is the default, USD" in capsys.readouterr().err
