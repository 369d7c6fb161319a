"""`realise`, `scenario approve` and `scenario history` on the command line: the DESIGN.md
keys, the bundled example closing the loop, and bad input named."""

import json

import pytest

from advisor.cli import main
from tests.conftest import ROOT

EXAMPLE = ROOT / "examples" / "scenarios" / "northwind-platform.yaml"
DATA = ROOT / "examples" / "realised"
FILES = [
    str(DATA / "transitions.csv"),
    "--statuses",
    str(DATA / "statuses.yaml"),
    "--deployments",
    str(DATA / "deployments.csv"),
    "--incidents",
    str(DATA / "incidents.csv"),
]


def _json(capsys, *args) -> dict:
    assert main([*args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_the_bundled_example_closes_the_loop_with_the_contracts_keys(capsys):
    doc = _json(capsys, "realise", str(EXAMPLE), *FILES)
    assert doc["plan"]["version"] == 2
    assert doc["plan"]["approved_by"] == "finance@northwind.example"
    assert doc["plan"]["approved_at"].startswith("2026-06-01T09:30")
    lever_keys = {"name", "kind", "planned_to_date", "realised_to_date", "variance", "status"}
    for lever in doc["levers"]:
        assert lever_keys <= set(lever)
        for figure in lever["figures"].values():
            assert {"before", "after", "unit", "n_before", "n_after", "interval", "p_value"} <= set(
                figure
            )
    statuses = {lv["name"]: lv["status"] for lv in doc["levers"]}
    assert statuses["Downtime avoided"] == "measured"
    assert statuses["Hiring avoided"] == "not_measured"
    assert {
        "planned_to_date",
        "realised_to_date",
        "variance",
        "forecast_at_completion_npv",
        "planned_npv",
    } <= set(doc["total"])
    # the example shows every status a card can have
    assert {o["status"] for o in doc["outcomes"]} == {"met", "missed", "too_early", "typed"}
    price = doc["bottleneck_price"]
    assert {"stage", "waiting_days_median", "value_per_year", "currency"} <= set(price)
    assert price["value_per_year"]["low"] <= price["value_per_year"]["likely"]
    # the planted change of the example is found: reviews got shorter from 2026-06-01
    cycle = doc["figures"]["cycle_time"]
    assert cycle["after"] < cycle["before"] and cycle["real"] is True


def test_text_output_names_the_plan_and_each_lever(capsys):
    assert main(["realise", str(EXAMPLE), *FILES]) == 0
    out = capsys.readouterr().out
    assert "approved by finance@northwind.example" in out
    assert "Hiring avoided: planned" in out and "not measured" in out
    assert "Forecast at completion" in out and "USD" in out
    assert "95% interval of the change:" in out and "points" in out  # shares in points


def test_approve_a_stored_version_and_measure_against_it(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 's.db'}"
    plain = tmp_path / "plan.yaml"
    text = EXAMPLE.read_text()
    start, end = text.index("approval:"), text.index("answers:")
    plain.write_text(text[:start] + text[end:])  # the file without its own approval
    for _ in range(2):
        assert main(["scenario", "save", str(plain), "--store", url]) == 0
    name = "Northwind - Delivery platform"
    capsys.readouterr()
    # not approved yet and no date: refused, and said how to fix it
    assert main(["realise", name, *FILES, "--store", url]) == 2
    assert "approve a version" in capsys.readouterr().err
    assert (
        main(["scenario", "approve", name, "--version", "1", "--store", url, "--user", "fin@x.org"])
        == 0
    )
    assert "version 1 approved by fin@x.org" in capsys.readouterr().out
    # approved today, after the data ends: nothing to measure after it yet
    assert main(["realise", name, *FILES, "--store", url]) == 2
    assert "nothing is measured on both sides of the approval" in capsys.readouterr().err
    doc = _json(capsys, "realise", name, *FILES, "--store", url, "--since", "2026-06-01")
    assert doc["plan"]["version"] == 1 and doc["plan"]["approved_by"] == "fin@x.org"
    history = _json(capsys, "scenario", "history", name, "--store", url)
    assert [(h["version"], h["event"]) for h in history] == [
        (1, "save"),
        (2, "save"),
        (1, "approve"),
    ]
    assert history[-1]["user"] == "fin@x.org" and history[-1]["at"].endswith("+00:00")
    # a later approval of version 2 supersedes version 1's, and says so when 1 is measured
    assert (
        main(["scenario", "approve", name, "--version", "2", "--store", url, "--user", "b@x"]) == 0
    )
    capsys.readouterr()
    doc = _json(
        capsys, "realise", name, *FILES, "--store", url, "--version", "1", "--since", "2026-06-01"
    )
    assert doc["plan"]["version"] == 1 and doc["plan"]["approved_by"] == "fin@x.org"
    assert "supersedes it" in doc["warnings"][0]
    doc = _json(capsys, "realise", name, *FILES, "--store", url, "--since", "2026-06-01")
    assert doc["plan"]["version"] == 2 and doc["plan"]["approved_by"] == "b@x"
    # a version never approved, measured explicitly, carries no approval
    assert main(["scenario", "save", str(plain), "--store", url]) == 0
    capsys.readouterr()
    doc = _json(
        capsys, "realise", name, *FILES, "--store", url, "--version", "3", "--since", "2026-06-01"
    )
    assert doc["plan"]["version"] is None and doc["plan"]["approved_by"] is None


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--since", "2026-13-01"], "--since: expected a date"),
        (["--since", "2030-01-01"], "--since: 2030-01-01 leaves nothing on one side"),
        (["--version", "2"], "--version: applies to a stored scenario"),
        (["--cost-of-delay", "-5"], "--cost-of-delay: must be 0"),
    ],
)
def test_bad_arguments_are_named(capsys, extra, message):
    assert main(["realise", str(EXAMPLE), *FILES, *extra]) == 2
    assert message in capsys.readouterr().err


def test_approving_a_version_that_does_not_exist_is_refused(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 's.db'}"
    assert main(["scenario", "save", str(EXAMPLE), "--store", url]) == 0
    capsys.readouterr()
    code = main(
        ["scenario", "approve", "Northwind - Delivery platform", "--version", "5", "--store", url]
    )
    assert code == 2 and "no version 5" in capsys.readouterr().err


def test_the_example_exports_are_what_the_seeded_generator_writes(tmp_path):
    from advisor.realise.sample import write

    write(tmp_path)
    for name in ("transitions.csv", "deployments.csv", "incidents.csv"):
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name


def test_compare_shows_what_a_scenario_realised(tmp_path, capsys):
    doc = _json(capsys, "realise", str(EXAMPLE), *FILES)
    from advisor.evidence import SetAside, analyse_evidence, read_deployments, read_items
    from advisor.evidence.status_map import load_status_map
    from advisor.realise import realise
    from advisor.scenario import RealisedSummary, load_scenario_file, scenario_to_yaml

    aside = SetAside()
    deploys = read_deployments(DATA / "deployments.csv", "deployments.csv", aside)
    ev = analyse_evidence(
        read_items(str(DATA / "transitions.csv"), aside),
        aside,
        load_status_map(DATA / "statuses.yaml"),
        deploys,
    )
    plan = load_scenario_file(EXAMPLE)
    summary = RealisedSummary.model_validate(realise(plan, ev, deploys).summary())
    kept = plan.model_copy(update={"realised": summary})
    path = tmp_path / "kept.yaml"
    path.write_text(scenario_to_yaml(kept))
    other = str(ROOT / "examples" / "scenarios" / "team-payments.yaml")
    assert main(["compare", str(path), other]) == 0
    out = capsys.readouterr().out
    assert "realised to date" in out and "planned" in out
    rows = _json(capsys, "compare", str(path), other)["scenarios"]
    assert rows[0]["realised_to_date"] > 0 and rows[1]["realised_to_date"] is None
    assert doc["name"] == rows[0]["name"]


def test_the_examples_kept_realised_part_is_what_its_exports_give():
    """The example carries what value realised measures on its exports, so a report or
    Compare of the file shows it; after a change of the analysis, refresh it with
    `python -m advisor.realise.sample --scenario`."""
    from advisor.realise.sample import example_summary
    from advisor.scenario import RealisedSummary, load_scenario_file

    kept = load_scenario_file(EXAMPLE).realised
    assert kept == RealisedSummary.model_validate(example_summary())


def test_the_examples_report_and_compare_show_what_it_realised(tmp_path, capsys):
    out = tmp_path / "r.md"
    assert main(["report", str(EXAMPLE), "--out", str(out)]) == 0
    assert "Value realised" in out.read_text()
    html = tmp_path / "r.html"
    assert main(["report", str(EXAMPLE), "--out", str(html)]) == 0
    text = html.read_text()
    assert ">None<" not in text  # an outcome card's empty field reads as missing
    # the board sees which money rests on changes that could be chance, as the page does
    assert "could be chance: Deployment rework rate" in text
    assert "Realised to date, clear of chance" in text
    other = str(ROOT / "examples" / "scenarios" / "team-payments.yaml")
    capsys.readouterr()
    rows = _json(capsys, "compare", str(EXAMPLE), other)["scenarios"]
    assert rows[0]["realised_to_date"] == pytest.approx(724_066.85, abs=0.01)
    assert rows[0]["realised_clear_of_chance"] == pytest.approx(290_959.15, abs=0.01)


def test_a_returned_version_is_no_longer_the_plan_and_the_trail_keeps_every_event(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 's.db'}"
    assert main(["scenario", "save", str(EXAMPLE), "--store", url]) == 0
    assert main(["scenario", "save", str(EXAMPLE), "--store", url]) == 0
    name = "Northwind - Delivery platform"
    run = lambda *a: main(["scenario", *a, "--store", url])  # noqa: E731
    assert run("approve", name, "--version", "1", "--user", "fin@x") == 0
    assert run("approve", name, "--version", "2", "--user", "fin@x") == 0
    assert (
        run(
            "comment", name, "--version", "2", "--text", "<b>Why</b> 52 deploys?", "--user", "cfo@x"
        )
        == 0
    )
    assert (
        run(
            "return",
            name,
            "--version",
            "2",
            "--reason",
            "Rework share unsupported",
            "--user",
            "cfo@x",
        )
        == 0
    )
    from advisor.store import Store

    plan = Store(url).approval(name)
    assert plan.version == 1  # version 2 was returned: the approval of 1 stands again
    capsys.readouterr()
    history = _json(capsys, "scenario", "history", name, "--store", url)
    assert [(h["version"], h["event"], h["user"]) for h in history][2:] == [
        (1, "approve", "fin@x"),
        (2, "approve", "fin@x"),
        (2, "comment", "cfo@x"),
        (2, "return", "cfo@x"),
    ]
    assert history[4]["note"] == "<b>Why</b> 52 deploys?"  # kept as text
    assert run("return", name, "--version", "1", "--reason", " ") == 2
    assert "with a reason" in capsys.readouterr().err
