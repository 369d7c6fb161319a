"""The issue's binding requirement: "The pulled files then give the same figures as the same
history written by hand." One small history is served by the local GitHub (and GitLab),
pulled with `pull_github` (`pull_gitlab`), and measured by `evidence --pulls OUT/pulls
--deployments OUT/deployments.csv --json`; the same history written by hand as a pull-request
CSV and a deployments CSV must give the same `pulls` figures, worked out below.

The history (days after Wednesday 2025-01-01 00:00 UTC, "d1 10:00" = 2025-01-02 10:00; the
window is --from 2025-01-01 --to 2025-01-14: 14 days, 2 weeks):
  1  ana   commit d0 08:00, opened d0 10:00, ben comments d0 14:00 and approves d1 09:00,
           merged d1 10:00, +100 -20; deployment 1 of its merge commit succeeds d2 10:00
  2  ben   commits d1 09:00 and d1 07:00 (listed in that order), opened d2 09:00, ben's own
           comment d2 10:00 (no review), ana approves d3 09:00, cy d3 11:00, merged
           d3 12:00, +30 -10; deployment 2 of it fails d3 14:00, deployment 3 succeeds d4 09:00
  3  cy    commit d4 09:30, opened d4 10:00, merged d4 12:00 unreviewed (dee's review was
           never submitted), +5 -0; deployment 4 succeeds d4 14:00
  4  dee   commit d5 09:00, opened d5 10:00, closed unmerged d6 10:00, +10 -0
  5  ana   draft, commit d6 08:00, opened d6 09:00, still open, +1 -1
  6  ben   'Revert "Change 1"', commit d7 10:00, opened d7 10:05, merged d7 10:30, +20 -100
  7  dependabot[bot]  commit d7 10:59, opened d7 11:00, merged d7 12:00, +2 -2 (a bot)
  8  cy    commit d8 09:00, opened d8 10:00, still open and waiting for review, +40 -4

The figures, by hand (merged and measured: 1, 2 and 3; the revert 6 counts as merged only):
  coding  (first commit to opening): 1: 2 h, 2: d1 07:00 -> d2 09:00 = 26 h, 3: 0.5 h;
          median 2 h = 0.0833 days
  pickup  (opening to the first review by another person): 1: 4 h, 2: d2 09:00 -> d3 09:00
          = 24 h (ben's own comment is no review); median of 2 = 14 h = 0.5833 days
  review  (first review to merge): 1: d0 14:00 -> d1 10:00 = 20 h, 2: 3 h; median 11.5 h
  deploy  (merge to the deployment of its commit): 1: 24 h, 2: d3 12:00 -> d4 09:00 = 21 h
          (deployment 2 failed), 3: 2 h; median 21 h = 0.875 days
  total   (first commit to merge): 1: 26 h, 2: d1 07:00 -> d3 12:00 = 53 h, 3: 2.5 h;
          median 26 h = 1.0833 days
  size    120, 40, 5 lines: median 40
  merged per engineer a week: 4 merged (1, 2, 3, 6) / 2 weeks / 3 authors = 0.667
  merged without review: 1 (pull 3) of 3 = 0.333
"""

from __future__ import annotations

import json

import pytest

from advisor.cli import main
from advisor.connectors.fakes import FakeGitHub, FakeGitLab
from advisor.connectors.github import pull_github
from advisor.connectors.gitlab import pull_gitlab
from tests.unit.connectors_support import TOKEN, Sleeps

DAY, HOUR = 24 * 60, 60


def m(day: int, hour: int, minute: int = 0) -> int:
    """Minutes after 2025-01-01 00:00 UTC."""
    return day * DAY + hour * HOUR + minute


def t(day: int, hour: int, minute: int = 0) -> str:
    return FakeGitHub.at(m(day, hour, minute))


# number: author, title, draft, commits, opened, merged, closed, size, reviews (who, state, at)
HISTORY = {
    1: ("ana", None, False, [m(0, 8)], m(0, 10), m(1, 10), None, (100, 20),
        [("ben", "COMMENTED", m(0, 14)), ("ben", "APPROVED", m(1, 9))]),
    2: ("ben", None, False, [m(1, 9), m(1, 7)], m(2, 9), m(3, 12), None, (30, 10),
        [("ben", "COMMENTED", m(2, 10)), ("ana", "APPROVED", m(3, 9)),
         ("cy", "APPROVED", m(3, 11))]),
    3: ("cy", None, False, [m(4, 9, 30)], m(4, 10), m(4, 12), None, (5, 0),
        [("dee", "PENDING", 0)]),
    4: ("dee", None, False, [m(5, 9)], m(5, 10), None, m(6, 10), (10, 0), []),
    5: ("ana", None, True, [m(6, 8)], m(6, 9), None, None, (1, 1), []),
    6: ("ben", 'Revert "Change 1"', False, [m(7, 10)], m(7, 10, 5), m(7, 10, 30), None,
        (20, 100), []),
    7: ("dependabot[bot]", None, False, [m(7, 10, 59)], m(7, 11), m(7, 12), None, (2, 2), []),
    8: ("cy", None, False, [m(8, 9)], m(8, 10), None, None, (40, 4), []),
}  # fmt: skip

# The same history by hand: the CSV's first_review_at is the first review by another person.
PULLS_CSV = f"""\
id,repo,author,title,draft,opened_at,merged_at,closed_at,first_commit_at,first_review_at,\
additions,deletions,merge_commit,reviewers
{{pid}}1,{{repo}},ana,Change 1,false,{t(0, 10)},{t(1, 10)},{{closed1}},{t(0, 8)},{t(0, 14)},\
100,20,{1:040x},ben
{{pid}}2,{{repo}},ben,Change 2,false,{t(2, 9)},{t(3, 12)},{{closed2}},{t(1, 7)},{t(3, 9)},\
30,10,{2:040x},ana;cy
{{pid}}3,{{repo}},cy,Change 3,false,{t(4, 10)},{t(4, 12)},{{closed3}},{t(4, 9, 30)},,5,0,\
{3:040x},
{{pid}}4,{{repo}},dee,Change 4,false,{t(5, 10)},,{t(6, 10)},{t(5, 9)},,10,0,,
{{pid}}5,{{repo}},ana,Change 5,true,{t(6, 9)},,,{t(6, 8)},,1,1,,
{{pid}}6,{{repo}},ben,{{revert}},false,{t(7, 10, 5)},{t(7, 10, 30)},{{closed6}},\
{t(7, 10)},,20,100,{6:040x},
{{pid}}7,{{repo}},dependabot[bot],Change 7,false,{t(7, 11)},{t(7, 12)},{{closed7}},\
{t(7, 10, 59)},,2,2,{7:040x},
{{pid}}8,{{repo}},cy,Change 8,false,{t(8, 10)},,,{t(8, 9)},,40,4,,
"""
DEPLOYMENTS_CSV = f"""\
id,deployed_at,commit_at,status,commit
1,{t(2, 10)},{t(0, 8)},success,{1:040x}
2,{t(3, 14)},{t(1, 7)},failed,{2:040x}
3,{t(4, 9)},{t(1, 7)},success,{2:040x}
4,{t(4, 14)},{t(4, 9, 30)},success,{3:040x}
"""
REVERT = '"Revert ""Change 1"""'  # the title as a CSV cell
ITEMS_CSV = f"""\
key,type,from_status,to_status,changed_at,created_at
A,Story,,To Do,{t(0, 9)},{t(0, 9)}
A,Story,To Do,In Progress,{t(1, 9)},{t(0, 9)}
A,Story,In Progress,Done,{t(3, 9)},{t(0, 9)}
"""


def _evidence(tmp_path, capsys, pulls, deployments) -> dict:
    items = tmp_path / "items.csv"
    items.write_text(ITEMS_CSV)
    args = ["evidence", str(items), "--pulls", str(pulls), "--deployments", str(deployments)]
    assert main([*args, "--from", "2025-01-01", "--to", "2025-01-14", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)["pulls"]
    doc.pop("source")
    return doc


def _by_hand(tmp_path, capsys, repo: str, pid: str, closed_when_merged: bool) -> dict:
    merged = {n: h[5] for n, h in HISTORY.items()}
    closed = {
        f"closed{n}": FakeGitHub.at(at) if at is not None and closed_when_merged else ""
        for n, at in merged.items()
    }
    hand = tmp_path / "hand"
    hand.mkdir()
    (hand / "pulls.csv").write_text(PULLS_CSV.format(repo=repo, pid=pid, revert=REVERT, **closed))
    (hand / "deployments.csv").write_text(DEPLOYMENTS_CSV)
    return _evidence(tmp_path, capsys, hand / "pulls.csv", hand / "deployments.csv")


def _check_worked_figures(doc: dict) -> None:
    """The figures worked out by hand in the module's docstring."""
    ct = doc["cycle_time"]
    assert ct["coding"]["median"] == pytest.approx(2 / 24)
    assert ct["pickup"]["median"] == pytest.approx(14 / 24)
    assert ct["review"]["median"] == pytest.approx(11.5 / 24)
    assert ct["deploy"]["median"] == pytest.approx(21 / 24)
    assert ct["total"]["median"] == pytest.approx(26 / 24)
    assert [ct[k]["count"] for k in ("coding", "pickup", "review", "deploy", "total")] == [
        3,
        2,
        2,
        3,
        3,
    ]
    assert (doc["size"]["median"], doc["size"]["count"]) == (40.0, 3)
    assert doc["merged_per_engineer_week"]["value"] == pytest.approx(4 / 2 / 3)
    assert doc["merged_without_review"]["value"] == pytest.approx(1 / 3)
    assert doc["counts"]["merged_in_window"] == 4


@pytest.fixture
def tokens(monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("GITLAB_TOKEN", TOKEN)


def test_a_github_pull_gives_the_figures_of_the_same_history_by_hand(
    httpserver, tokens, tmp_path, capsys
):
    github = FakeGitHub("acme/app", per_page_max=3)  # 8 pulls: 3 pages
    for n, (who, title, draft, commits, opened, merged, closed, size, reviews) in HISTORY.items():
        github.put_pull(
            n,
            author=who,
            title=title,
            draft=draft,
            commits=commits,
            opened=opened,
            merged=merged,
            closed=closed,
            additions=size[0],
            deletions=size[1],
            reviews=reviews,
            teams=(),  # a CSV has no requested teams
        )
    # each status a minute after its deployment is created: deployed at the status's time
    github.add_deployment(1, n=1, states=["success"], minute=m(2, 10) - 1)
    github.add_deployment(2, n=2, states=["failure"], minute=m(3, 14) - 1)
    github.add_deployment(3, n=2, states=["success"], minute=m(4, 9) - 1)
    github.add_deployment(4, n=3, states=["in_progress", "success"], minute=m(4, 14) - 2)
    github.install(httpserver)
    out = tmp_path / "out"
    pull_github("acme/app", out=out, api_url=httpserver.url_for(""), sleep=Sleeps())

    pulled = _evidence(tmp_path, capsys, out / "pulls", out / "deployments.csv")
    hand = _by_hand(tmp_path, capsys, "acme/app", "acme/app#", closed_when_merged=True)
    _check_worked_figures(hand)
    assert pulled == hand
    # the pull's folder itself, as --pulls, reads the same
    assert _evidence(tmp_path, capsys, out, out / "deployments.csv") == hand


def test_a_gitlab_pull_gives_the_figures_of_the_same_history_by_hand(
    httpserver, tokens, tmp_path, capsys
):
    gitlab = FakeGitLab(per_page_max=3)
    for n, (who, title, draft, commits, opened, merged, closed, size, reviews) in HISTORY.items():
        # GitLab: a comment is a note, an approval an "approved this merge request" note
        # with the approvers endpoint naming its author; a draft review does not exist
        gitlab.put_mr(
            n,
            author=who,
            title=title,
            draft=draft,
            commits=commits,
            opened=opened,
            merged=merged,
            closed=closed,
            additions=size[0],
            deletions=size[1],
            comments=[(u, at) for u, kind, at in reviews if kind == "COMMENTED"],
            approvals=[(u, at) for u, kind, at in reviews if kind == "APPROVED"],
        )
    shipped = ((1, 1, "success", m(2, 10)), (2, 2, "failed", m(3, 14)),
               (3, 2, "success", m(4, 9)), (4, 3, "success", m(4, 14)))  # fmt: skip
    for d, sha, status, at in shipped:
        gitlab.deployments.append(
            {
                "id": d,
                "sha": f"{sha:040x}",
                "status": status,
                "created_at": FakeGitLab.at(at - 30),
                "updated_at": FakeGitLab.at(at),
                "deployable": {"finished_at": FakeGitLab.at(at)},
            }
        )
    gitlab.install(httpserver)
    out = tmp_path / "out"
    pull_gitlab("42", url=httpserver.url_for("").rstrip("/"), out=out, sleep=Sleeps())

    pulled = _evidence(tmp_path, capsys, out / "merge_requests", out / "deployments.csv")
    # GitLab leaves closed_at empty on a merged merge request; a hand-written CSV may too
    hand = _by_hand(tmp_path, capsys, "42", "42!", closed_when_merged=False)
    _check_worked_figures(hand)
    assert pulled == hand
    assert _evidence(tmp_path, capsys, out, out / "deployments.csv") == hand
