"""`evidence --pulls` on the folder a pull wrote, whichever of its folders is named: the pull's
--out folder (its pulls/ or merge_requests/ folder is read) or that folder itself; the pull's
own files (pull-state.json, Jira's files, temporary files) are skipped; a folder without pull
requests is refused with the folder named."""

from __future__ import annotations

import json

import pytest

from advisor.errors import EvidenceError
from advisor.evidence.pulls import pull_figures, pulls_from_upload, read_pulls
from tests.unit.test_pulls import DATA, TEAMS, WINDOW, _deployments, _without_source

STATE = {"provider": "github", "target": "acme/app", "complete": True, "files": []}


def _figures(path) -> dict:
    return _without_source(pull_figures(read_pulls(path), WINDOW, _deployments(), None, TEAMS))


def _pulled(out, form: str, sub: str, prefix: str):
    """The history of tests/data/pulls as a pull writes it: two page files in OUT/sub, the
    pull's state and a temporary file beside them, deployments.csv in OUT."""
    listed = json.loads((DATA / form).read_text())
    (out / sub).mkdir(parents=True)
    (out / sub / f"{prefix}-00001.json").write_text(json.dumps(listed[:5]))
    (out / sub / f"{prefix}-00002.json").write_text(json.dumps(listed[5:]))
    (out / sub / f".{prefix}-00003.json.x1y2.tmp").write_text("half a pag")
    (out / "pull-state.json").write_text(json.dumps(STATE))
    (out / "deployments.csv").write_text((DATA / "deployments.csv").read_text())
    return out


@pytest.mark.parametrize(
    ("form", "sub", "prefix"),
    [("github.json", "pulls", "pulls"), ("gitlab.json", "merge_requests", "merge_requests")],
)
def test_the_out_folder_and_its_pull_request_folder_read_as_the_file(tmp_path, form, sub, prefix):
    out = _pulled(tmp_path / "out", form, sub, prefix)
    expected = _figures(DATA / form)
    # not vacuous: 9 pull requests in the file less the bot's = 8; merged in the window: shop#1,
    # #2, #3, search#7, #8 (the bot's shop#5 is set aside)
    assert (expected["counts"]["pull_requests"], expected["counts"]["merged_in_window"]) == (8, 5)
    assert _figures(out) == expected
    assert _figures(out / sub) == expected
    read = read_pulls(out)
    assert [p.rsplit("/", 1)[-1] for p in read.files] == [
        f"{prefix}-00001.json",
        f"{prefix}-00002.json",
    ]  # no pull-state.json, no temporary file


def test_pull_state_beside_the_pull_requests_is_skipped(tmp_path):
    listed = json.loads((DATA / "github.json").read_text())
    (tmp_path / "pulls.json").write_text(json.dumps(listed))
    (tmp_path / "pull-state.json").write_text(json.dumps(STATE))
    assert _figures(tmp_path) == _figures(DATA / "github.json")


def test_uploads_skip_the_pulls_state(tmp_path):
    data = (DATA / "github.json").read_bytes()
    both = pulls_from_upload([("pulls-00001.json", data), ("pull-state.json", b"{}")])
    alone = pulls_from_upload([("pulls-00001.json", data)])
    assert both.files == ["pulls-00001.json"]
    assert both.pulls.equals(alone.pulls)
    with pytest.raises(EvidenceError, match="none of the files holds pull requests"):
        pulls_from_upload([("pull-state.json", b"{}")])


def test_a_folder_without_pull_requests_is_named(tmp_path):
    (tmp_path / "pull-state.json").write_text(json.dumps(STATE))
    (tmp_path / "deployments.csv").write_text("id,deployed_at\n")
    with pytest.raises(EvidenceError) as caught:
        read_pulls(tmp_path)
    problem = caught.value.problems[0]
    assert problem.file == str(tmp_path)
    assert "holds no pull requests" in problem.message and "merge_requests/" in problem.message


def test_a_jira_pull_given_as_pull_requests_says_where_it_goes(tmp_path, capsys):
    from advisor.cli import main

    (tmp_path / "jira-issues-00001.json").write_text('{"issues": []}')
    (tmp_path / "jira-statuses.json").write_text("[]")
    (tmp_path / "pull-state.json").write_text(json.dumps(STATE))
    items = DATA.parent / "evidence"
    csv = next(items.glob("*.csv"))
    assert main(["evidence", str(csv), "--pulls", str(tmp_path)]) == 2
    said = capsys.readouterr().err
    assert str(tmp_path) in said and "Jira's work items, not pull requests" in said
