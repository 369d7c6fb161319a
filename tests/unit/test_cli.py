import json
import shutil
import subprocess
import sys

from advisor.catalog import DEFAULT_DIR
from advisor.cli import main
from tests.conftest import ROOT


def test_recommend_json_matches_the_library(tmp_path, capsys, catalog):
    path = tmp_path / "a.yaml"
    path.write_text(
        "engineers: 80\nbudget_per_year: 15000\nbottlenecks: {deployment: 1}\n"
        "maturity: low\nleadership_readiness: medium\nsentiment_priority: low\n"
    )
    assert main(["recommend", str(path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["ranking"][0]["category"] == "dora"
    for entry in doc["ranking"]:
        assert abs(entry["score"] - sum(c["points"] for c in entry["contributions"])) < 1e-9


def test_recommend_text_shows_contributions(capsys):
    assert main(["recommend", str(ROOT / "examples" / "answers.yaml")]) == 0
    out = capsys.readouterr().out
    assert "1. Software Engineering Intelligence (SEI) [sei]" in out
    assert "Bottleneck fit:" in out and "What would change the answer" in out
    # the pair and the roadmap name categories as the page does (they printed `sei + dx_core_4`)
    assert "Best pair: SEI + DX Core 4" in out
    assert "  now    SEI: " in out and "sei + dx_core_4" not in out


def test_roi_lines_name_the_vendor(capsys):
    """The licence's line, its setup and its ranges read `LinearB`, not the id `linearb`."""
    assert main(["roi", str(ROOT / "examples" / "roi-platform.yaml")]) == 0
    out = capsys.readouterr().out
    assert "Licence: LinearB" in out and "LinearB: price per seat-month" in out
    assert "linearb" not in out


def test_bad_answers_exit_2_naming_each_field(tmp_path, capsys):
    path = tmp_path / "bad.yaml"
    path.write_text("engineers: -3\nbudget_per_year: lots\nbottlenecks: {deploy: 1}\n")
    assert main(["recommend", str(path)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"{path}:1: engineers: Input should be greater than or equal to 1",
        f"{path}:2: budget_per_year: Input should be a valid number, unable to parse string "
        "as a number",
        f"{path}:3: bottlenecks: unknown location 'deploy'; use ideation, development, "
        "deployment, operations, support",
    ]


def test_missing_and_broken_files_exit_2(tmp_path, capsys):
    assert main(["recommend", str(tmp_path / "nope.yaml")]) == 2
    broken = tmp_path / "broken.yaml"
    broken.write_text("engineers: [\n")
    assert main(["recommend", str(broken)]) == 2
    err = capsys.readouterr().err
    assert "cannot be read" in err and f"{broken}:2: not valid YAML" in err
    assert "Traceback" not in err


def test_catalog_validate_good_and_bad(tmp_path, capsys):
    assert main(["catalog", "validate"]) == 0
    assert "valid, 4 categories" in capsys.readouterr().out
    shutil.copy(DEFAULT_DIR / "categories.yaml", tmp_path)
    text = (DEFAULT_DIR / "vendors.yaml").read_text()
    (tmp_path / "vendors.yaml").write_text(
        text.replace("category: vsm", "category: vsn", 1).replace("id: jellyfish", "id: dx")
    )
    assert main(["catalog", "validate", str(tmp_path)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2
    assert any(": category: 'vsn' is not one of dora, dx_core_4, sei, vsm" in e for e in err)
    assert any(": id: 'dx' is used twice" in e for e in err)


def test_module_entry_point_runs_as_a_process():
    result = subprocess.run(
        [sys.executable, "-m", "advisor", "catalog", "validate"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
