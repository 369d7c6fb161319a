"""Compare: money in one chosen currency at the catalog's stated rates (the rate shown), and
teams grouped only when every scenario names the same organisation. Before, each scenario's
money was shown in its own currency with no word, and any set of scenarios was read as the
teams of one organisation."""

from __future__ import annotations

import json

import pytest
import yaml

from advisor.catalog import bundled_catalog
from advisor.cli import main
from advisor.compare import compare
from advisor.roi import analyse
from advisor.scenario import load_scenario_file
from tests.conftest import ROOT

EXAMPLES = ROOT / "examples" / "scenarios"


def _in_eur(tmp_path):
    data = yaml.safe_load((EXAMPLES / "scaleup.yaml").read_text())
    for part in ("answers", "roi", "backlog"):
        data[part]["currency"] = "EUR"
    data["name"] = "Scale-up in euros"
    path = tmp_path / "eur.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_money_is_converted_to_the_chosen_currency_at_the_catalogs_rate(tmp_path):
    catalog = bundled_catalog()
    usd = load_scenario_file(EXAMPLES / "startup.yaml")
    eur = load_scenario_file(_in_eur(tmp_path))
    doc = compare([(usd, None), (eur, None)], catalog, "USD")
    own = analyse(eur.roi, catalog)
    row = doc["scenarios"][1]
    assert doc["currency"] == "USD" and doc["rates"] == {"EUR": pytest.approx(1.08)}
    assert row["currency"] == "USD" and row["converted_from"] == "EUR"
    assert row["npv"] == pytest.approx(own.npv * 1.08)  # hand: 1 EUR = 1.08 USD
    assert row["npv_p10"] == pytest.approx(own.simulation.npv_p10 * 1.08)
    assert "converted_from" not in doc["scenarios"][0]
    in_euros = compare([(usd, None), (eur, None)], catalog, "EUR")
    assert in_euros["scenarios"][1]["npv"] == pytest.approx(own.npv)
    assert in_euros["scenarios"][0]["npv"] == pytest.approx(doc["scenarios"][0]["npv"] / 1.08)


def test_the_cli_says_the_rate_and_refuses_an_unknown_currency(tmp_path, capsys):
    files = [str(EXAMPLES / "startup.yaml"), str(_in_eur(tmp_path))]
    assert main(["compare", *files]) == 0
    out = capsys.readouterr().out
    assert "Money in USD; converted at 1 EUR = 1.08 USD" in out
    assert main(["compare", *files, "--currency", "JPY"]) == 2
    assert "--currency: 'JPY': use one of USD, EUR, GBP" in capsys.readouterr().err


def test_teams_are_grouped_only_when_they_name_one_organisation(capsys):
    teams = [str(p) for p in sorted(EXAMPLES.glob("team-*.yaml"))]
    assert main(["compare", *teams, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["organisation"] == "Northwind" and doc["shared"]["categories"]
    others = [str(EXAMPLES / "startup.yaml"), str(EXAMPLES / "scaleup.yaml")]
    assert main(["compare", *others, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["organisation"] is None and doc["shared"] is None
    assert main(["compare", *others]) == 0
    assert "not as teams" in capsys.readouterr().out
    assert main(["compare", teams[0], others[0]]) == 0  # one names Northwind, one nothing
    assert "not as teams" in capsys.readouterr().out


def test_a_stored_scenario_named_like_an_example_gets_its_own_column():
    from advisor.compare import compare_table

    s = load_scenario_file(EXAMPLES / "team-payments.yaml")
    doc = compare([(s, None), (s, 1), (s, 1)], bundled_catalog())
    header, _ = compare_table(doc, bundled_catalog())
    assert len(set(header)) == 3
    assert header[0].endswith("(example)") and header[1].endswith("(v1)")


def test_the_compare_text_reads_names_and_no_none(capsys):
    files = [str(EXAMPLES / "team-payments.yaml"), str(EXAMPLES / "startup.yaml")]
    assert main(["compare", *files]) == 0
    out = capsys.readouterr().out
    assert "None" not in out and "top sei" not in out
    assert "top Software Engineering Intelligence (SEI); NPV -; payback -" in out
    assert "payback month 9" in out
