"""The `evidence --json` contract: the shipped JSON Schema is current and validates the
output of every example; every figure has a unit; the bottleneck weights sum to exactly 1;
readiness and, with --rules, the rule-set table are present."""

from __future__ import annotations

import json
import math

import jsonschema
import pytest

from advisor.cli import main
from advisor.evidence.models import SCHEMA_FILE, json_schema
from tests.conftest import ROOT

EXAMPLE = ROOT / "examples" / "evidence"
CASES = ROOT / "tests" / "data" / "evidence" / "cases"
FIGURE_PARTS = ("flow", "sei", "dora", "dx_core_4", "teams", "forecast", "rules")

RUNS = {
    "the sample, every file, every rule set": [
        str(EXAMPLE / "transitions.csv"),
        "--statuses",
        str(EXAMPLE / "statuses.yaml"),
        "--deployments",
        str(EXAMPLE / "deployments.csv"),
        "--incidents",
        str(EXAMPLE / "incidents.csv"),
        "--survey",
        str(EXAMPLE / "survey.csv"),
        "--engineers",
        "30",
        "--rules",
    ],
    "the sample as Jira JSON": [str(EXAMPLE / "jira.json")],
    "the sample in a window": [
        str(EXAMPLE / "transitions.csv"),
        "--deployments",
        str(EXAMPLE / "deployments.csv"),
        "--from",
        "2026-04-01",
        "--to",
        "2026-05-31",
        "--rules",
    ],
}


def _case_args(case) -> list[str] | None:
    """The case's own command (expected.json) with its paths made absolute, else its items
    file and deployments; None for a folder with neither."""
    expected = case / "expected.json"
    if expected.exists():
        command = json.loads(expected.read_text()).get("command") or []
        args = [
            str((case / a).resolve()) if (case / a).exists() and a.strip() else a
            for a in command
            if a != "--json"
        ]
        return [*args, "--rules"] if "--rules" not in args else args
    items = next(iter([*case.glob("items.csv"), *case.glob("jira.json")]), None)
    if items is None:
        return None
    deployments = case / "deployments.csv"
    return [
        str(items),
        *(["--deployments", str(deployments)] if deployments.exists() else []),
        "--rules",
    ]


RUNS.update(
    {
        f"case {case.name}": args
        for case in sorted(CASES.iterdir())
        if case.is_dir() and (args := _case_args(case))
    }
)


def _evidence(capsys, args: list[str]) -> dict:
    assert main(["evidence", *args, "--json"]) == 0, capsys.readouterr().err
    return json.loads(capsys.readouterr().out)


def test_the_shipped_schema_is_the_one_the_models_give():
    assert SCHEMA_FILE.read_text() == json_schema(), "run `make schema`"


@pytest.mark.parametrize("name", RUNS)
def test_every_example_validates_against_the_schema(capsys, name):
    doc = _evidence(capsys, RUNS[name])
    jsonschema.validate(doc, json.loads(SCHEMA_FILE.read_text()))
    assert "readiness" in doc and set(doc["readiness"]) == {"dora", "dx_core_4", "sei", "vsm"}
    if "--rules" in RUNS[name] and doc["dora"] is not None:
        assert "platform-advisor" in doc["rules"] and "apache-devlake" in doc["rules"]


def _figures(value, path=""):
    """Every object under the figure parts that holds a number as its value or median."""
    if isinstance(value, dict):
        if any(k in value for k in ("value", "median", "p50")):
            yield path, value
        for k, v in value.items():
            yield from _figures(v, f"{path}/{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _figures(v, f"{path}/{i}")


@pytest.mark.parametrize("name", RUNS)
def test_every_figure_has_a_unit(capsys, name):
    doc = _evidence(capsys, RUNS[name])
    figures = [f for part in FIGURE_PARTS for f in _figures(doc.get(part), part)]
    assert figures
    missing = [path for path, figure in figures if not figure.get("unit")]
    assert not missing


@pytest.mark.parametrize("name", RUNS)
def test_the_weights_sum_to_exactly_one(capsys, name):
    doc = _evidence(capsys, RUNS[name])
    for weights in [doc["bottlenecks"], *(t["bottlenecks"] for t in doc["teams"].values())]:
        if weights:
            assert sum(weights.values()) == 1.0 and math.fsum(weights.values()) == 1.0
            assert all((w * 16_384).is_integer() for w in weights.values())  # exact parts
