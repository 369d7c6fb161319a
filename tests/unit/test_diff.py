"""`scenario diff`: each changed input named in words, and its effect on NPV, IRR, payback and
the top category, checked by hand."""

import json
import re

import numpy_financial as npf
import pytest

from advisor.cli import main
from advisor.money import monthly_rate
from advisor.scenario import load_scenario_file, scenario_to_yaml
from tests.conftest import ROOT

EXAMPLE = ROOT / "examples" / "scenarios" / "northwind-platform.yaml"


def test_a_diff_names_each_change_and_its_effect_by_hand(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 's.db'}"
    v1 = load_scenario_file(EXAMPLE).model_copy(update={"realised": None, "approval": None})
    roi = v1.roi.model_dump(mode="json", exclude_none=True)
    roi["team"][0]["count"] = 3  # one more platform engineer at 170,000 a year
    answers = v1.answers.model_dump() | {"engineers": 120}
    data = v1.model_dump(mode="json", exclude_none=True) | {"roi": roi, "answers": answers}
    paths = []
    for n, body in enumerate((scenario_to_yaml(v1), data), start=1):
        path = tmp_path / f"v{n}.yaml"
        path.write_text(body if isinstance(body, str) else json.dumps(body))
        paths.append(path)
        assert main(["scenario", "save", str(path), "--store", url]) == 0
    capsys.readouterr()
    assert main(["scenario", "diff", v1.name, "1", "2", "--store", url, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    labels = {c["label"]: (c["before"], c["after"]) for c in doc["changes"]}
    assert labels == {
        "Engineers measured": (95, 120),
        "ROI: team role Platform engineer: count": (2, 3),
    }
    # the engineer costs 170,000 / 12 a month for 24 months, discounted monthly at 10% a year
    extra = npf.npv(monthly_rate(0.10), [170_000 / 12] * 24)
    npv = doc["effect"]["npv"]
    assert npv["change"] == pytest.approx(-extra)
    assert npv["after"] == pytest.approx(npv["before"] - extra)
    assert set(doc["effect"]) == {"npv", "irr_annual", "payback_month", "top_category"}
    assert set(doc["effect"]["top_category"]) == {"before", "after"}
    assert main(["scenario", "diff", v1.name, "1", "2", "--store", url]) == 0
    out = capsys.readouterr().out
    assert "Engineers measured: 95 -> 120" in out and "NPV:" in out
    # the Review page's words: the category by name, money with its currency, and the change
    assert re.search(r"^NPV: [-\d,]+ \w{3} -> [-\d,]+ \w{3} \(", out, re.M), out
    assert re.search(r"^Top category: [A-Z][a-z]+ .* -> ", out, re.M), out


def test_a_diff_of_a_version_that_does_not_exist_is_refused(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 's.db'}"
    assert main(["scenario", "save", str(EXAMPLE), "--store", url]) == 0
    capsys.readouterr()
    name = "Northwind - Delivery platform"
    assert main(["scenario", "diff", name, "1", "4", "--store", url]) == 2
    assert "no version 4" in capsys.readouterr().err
