"""Small groups in the pull-request figures: a team's figures need 3 distinct authors, a
reviewer group's load 3 distinct reviewers, and what subtraction would reveal stays out of
the overall. Worked by hand on the history below.

Window 2026-03-02 00:00 to 2026-03-30 00:00 UTC (28 days, 4 weeks); all merged in it:
  Payments  p1 ann  opened 03-02 10:00, reviewed by bo 14:00 (4 h), merged 03-03 10:00, 10 lines
            p2 bo   opened 03-04 10:00, reviewed by cy 16:00 (6 h), merged 03-05 10:00, 20 lines
            p3 cy   opened 03-06 10:00, reviewed by ann 12:00 (2 h), merged 03-07 10:00, 30 lines
  Solo      s1 sol  opened 03-09 10:00, reviewed by ann 03-11 10:00 (2 d), merged 03-12 10:00,
                    100 lines
            s2 sol  opened 03-16 10:00, merged 12:00 unreviewed, 200 lines
"""

from __future__ import annotations

import json

import pytest

from advisor.cli import main
from advisor.evidence.pulls import pull_figures, read_pulls
from advisor.evidence.window import Window, iso_ns
from tests.conftest import ROOT

DATA = ROOT / "tests" / "data" / "pulls"
WINDOW = Window(iso_ns("2026-03-02T00:00"), iso_ns("2026-03-30T00:00"))
HEADER = (
    "id,repo,team,author,title,draft,opened_at,merged_at,closed_at,first_commit_at,"
    "first_review_at,additions,deletions,merge_commit,reviewers"
)
ROWS = [
    ("p1", "Payments", "ann", "03-02T10", "03-03T10", "03-02T14", 10, "bo"),
    ("p2", "Payments", "bo", "03-04T10", "03-05T10", "03-04T16", 20, "cy"),
    ("p3", "Payments", "cy", "03-06T10", "03-07T10", "03-06T12", 30, "ann"),
    ("s1", "Solo", "sol", "03-09T10", "03-12T10", "03-11T10", 100, "ann"),
    ("s2", "Solo", "sol", "03-16T10", "03-16T12", "", 200, ""),
]
LOGINS = ("ann", "bo", "cy", "sol")


def _at(text: str) -> str:
    return f"2026-{text}:00:00Z" if text else ""


def _csv(tmp_path, rows=ROWS):
    lines = [HEADER]
    for pr, team, who, opened, merged, review, lines_changed, reviewers in rows:
        lines.append(
            f"{pr},acme/{team.lower()},{team},{who},Work,false,{_at(opened)},{_at(merged)},"
            f"{_at(merged)},{_at(opened)},{_at(review)},{lines_changed},0,,{reviewers}"
        )
    path = tmp_path / "pulls.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def doc(tmp_path):
    return pull_figures(read_pulls(_csv(tmp_path)), WINDOW)


def test_a_team_of_one_author_is_hidden_and_left_out_of_the_overall(doc):
    assert doc["teams"]["Solo"] is None
    pay = doc["teams"]["Payments"]
    # Payments: 3 merged / 4 weeks / 3 authors = 0.25; pickup 4 h, 6 h, 2 h: median 4 h
    assert pay["merged_per_engineer_week"]["value"] == pytest.approx(0.25)
    assert pay["cycle_time"]["pickup"]["median"] == pytest.approx(4 / 24)
    # Solo alone is what the overall less Payments gives: one person, so it is left out of
    # the overall too. With it the overall would be 5 merged, 1 of 5 unreviewed (20%), sizes
    # 10, 20, 30, 100, 200 (median 30); without it 3 merged, 0 unreviewed, median 20 lines.
    assert doc["privacy"] == {
        "min_authors": 3,
        "min_reviewers": 3,
        "hidden_teams": 1,
        "left_out_of_overall": True,
        "note": doc["privacy"]["note"],
    }
    assert "not shown: 1" in doc["privacy"]["note"] and "left out" in doc["privacy"]["note"]
    assert doc["counts"]["merged_in_window"] == 3 and doc["counts"]["measured"] == 3
    assert doc["merged_without_review"]["count"] == 0
    assert doc["merged_without_review"]["value"] == 0.0
    assert doc["size"]["median"] == 20.0
    assert doc["merged_per_engineer_week"]["value"] == pytest.approx(0.25)
    # nothing shown differs from Payments' own figures: the subtraction gives nothing
    assert doc["size"] == pay["size"]


def test_a_group_of_one_reviewer_is_hidden_and_left_out_of_the_overall(doc):
    load = doc["review_load"]
    # Payments' reviews by bo, cy and ann: 3 people, 3 reviews / 4 weeks = 0.75 a week
    assert load["groups"]["Payments"] == {
        "reviews": 3,
        "reviews_per_week": 0.75,
        "waiting_for_review": 0,
    }
    # Solo's one review is ann's: one reviewer, hidden, and left out of the overall (which
    # would be 4 reviews, 1 a week, with it)
    assert load["groups"]["Solo"] is None
    assert (load["reviews"], load["reviews_per_week"]) == (3, 0.75)
    assert (load["hidden_groups"], load["left_out_of_overall"]) == (1, True)
    assert "reviewer groups" in load["privacy_note"].lower()


def test_the_overall_keeps_hidden_teams_of_three_people_together(tmp_path):
    # a second small team of two authors: Solo (sol) and Duo (dan, dee) are hidden; together
    # they are 3 people, so the overall keeps them: 3 + 2 + 2 = 7 merged
    rows = [
        *ROWS,
        ("d1", "Duo", "dan", "03-10T10", "03-10T12", "", 5, ""),
        ("d2", "Duo", "dee", "03-11T10", "03-11T12", "", 5, ""),
    ]
    doc = pull_figures(read_pulls(_csv(tmp_path, rows)), WINDOW)
    assert doc["teams"]["Duo"] is None and doc["teams"]["Solo"] is None
    assert doc["privacy"]["hidden_teams"] == 2
    assert doc["privacy"]["left_out_of_overall"] is False
    assert doc["counts"]["merged_in_window"] == 7


def test_the_command_line_says_what_is_hidden_and_names_no_one(tmp_path, capsys):
    path = _csv(tmp_path)
    args = ["evidence", str(DATA / "transitions.csv"), "--pulls", str(path)]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "Solo: not shown (fewer than 3 reviewers)" in text
    assert "Small groups: Teams with fewer than 3 authors, not shown: 1" in text
    assert main([*args, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)["pulls"]
    assert out["teams"]["Solo"] is None and out["review_load"]["groups"]["Solo"] is None
    assert out["privacy"]["left_out_of_overall"] is True
    for login in LOGINS:
        assert f'"{login}"' not in json.dumps(out) and f" {login} " not in text
