"""Pull requests as evidence: one history written three ways (tests/data/pulls: GitHub JSON,
GitLab JSON, CSV) gives the same figures, each worked by hand below.

The history (window 2026-03-02 00:00 to 2026-03-30 00:00 UTC: 28 days, 4 weeks):
  shop#1  alice   commit 03-02 08:00, opened 03-02 10:00, bob reviews 03-02 14:00,
                  merged 03-03 10:00, +100 -20, merge commit aaa1 (deployment d1 names it,
                  03-04 10:00)
  shop#2  bob     commit 03-03 09:00, opened 03-04 09:00 (bob's own comment 03-04 10:00 is
                  no review), alice reviews 03-05 09:00, merged 03-06 09:00, +30 -10; no
                  deployment names bbb2: the first successful one after, d2 03-06 12:00
  search#7 carol  opened 03-09 10:00, merged 03-09 12:00 unreviewed, no line counts; d3
                  (03-10 12:00) failed, so d4 03-11 12:00 ships it
  search#8 dave   commit 03-10 08:00, opened 03-10 10:00, carol reviews 03-12 10:00, alice
                  03-13 10:00, merged 03-13 12:00, +200 -100; d5 (03-16 12:00) names ddd4,
                  though d6 (03-14 12:00) is the first after the merge
  shop#3  alice   "Revert ..." merged 03-16 11:00          (a revert)
  shop#4  bob     closed unmerged 03-21                     (closed)
  search#9 carol  draft, open                               (a draft)
  shop#5  a bot   merged 03-23                              (a bot)
  search#10 dave  opened 03-26, open, no review             (waiting for review)
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pandas as pd
import pytest

from advisor.errors import EvidenceError
from advisor.evidence import (
    SetAside,
    analyse_evidence,
    load_status_map,
    read_deployments,
    read_items,
)
from advisor.evidence.pulls import pull_figures, pulls_from_upload, read_pulls
from advisor.evidence.window import Window, iso_ns
from tests.conftest import ROOT

DATA = ROOT / "tests" / "data" / "pulls"
FORMS = ("pulls.csv", "github.json", "gitlab.json")
WINDOW = Window(iso_ns("2026-03-02T00:00"), iso_ns("2026-03-30T00:00"))
TEAMS = {"acme/shop": "Payments", "acme/search": "Search"}
# the people's logins, and the bots' (the bot pattern itself is printed, as it is a rule)
LOGINS = ("alice", "bob", "carol", "dave", "dependabot[bot]", "renovate[bot]", "renovate-bot")


def _deployments():
    return read_deployments(DATA / "deployments.csv", "deployments.csv", SetAside())


def _figures(form: str, engineers=None) -> dict:
    return pull_figures(read_pulls(DATA / form), WINDOW, _deployments(), engineers, TEAMS)


@pytest.fixture(scope="module")
def figures() -> dict:
    return _figures("github.json")


def _without_source(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if k != "source"}


def test_the_three_forms_give_identical_figures():
    github, gitlab, csv = (_without_source(_figures(f)) for f in FORMS)
    assert github == csv
    assert gitlab == csv


def test_cycle_time_split_worked_by_hand(figures):
    c = figures["cycle_time"]
    h = 1 / 24
    # coding: shop#1 2 h, shop#2 24 h, search#8 2 h (search#7 has no commits): sorted
    # [2h, 2h, 1d]; median 2 h; P85 at rank 0.85 x 2 = 1.7: 2h + 0.7 x (24h - 2h) = 0.725 d
    assert c["coding"]["count"] == 3
    assert c["coding"]["median"] == pytest.approx(2 * h)
    assert c["coding"]["p85"] == pytest.approx(0.725)
    assert c["coding"]["unit"] == "days"
    # pickup: shop#1 4 h, shop#2 1 d (bob's own comment is no review), search#8 2 d:
    # median 1 d; P85 = 1 + 0.7 x (2 - 1) = 1.7 d
    assert (c["pickup"]["count"], c["pickup"]["median"]) == (3, pytest.approx(1.0))
    assert c["pickup"]["p85"] == pytest.approx(1.7)
    # review: shop#1 20 h, shop#2 1 d, search#8 26 h (03-12 10:00 to 03-13 12:00):
    # sorted [20h, 24h, 26h]; median 1 d; P85 = 24h + 0.7 x 2h = 25.4 h
    assert c["review"]["median"] == pytest.approx(1.0)
    assert c["review"]["p85"] == pytest.approx(25.4 * h)
    # deploy: shop#1 by commit d1 24 h; shop#2 by time d2 3 h; search#7 by time d4 2 d (d3
    # failed); search#8 by commit d5 3 d (not d6, the first after its merge): sorted
    # [0.125, 1, 2, 3]; median (1 + 2) / 2 = 1.5; P85 at rank 2.55: 2 + 0.55 x 1 = 2.55
    assert c["deploy"]["count"] == 4
    assert c["deploy"]["median"] == pytest.approx(1.5)
    assert c["deploy"]["p85"] == pytest.approx(2.55)
    assert c["deploy"]["by_commit"] == 2
    # total, first commit (else the opening) to merge: 26 h, 3 d, 2 h, 3 d 4 h: sorted
    # [2h, 26h, 3d, 3d4h]; median (26h + 3d) / 2 = 2.0417 d; P85 = 3 + 0.55 x 4h = 3.0917 d
    assert c["total"]["median"] == pytest.approx((26 * h + 3) / 2)
    assert c["total"]["p85"] == pytest.approx(3 + 0.55 * 4 * h)
    assert "merge commit" in c["deploy"]["rule"]


def test_size_rate_and_unreviewed_worked_by_hand(figures):
    # size: 120, 40, 300 lines (search#7 gives none): median 120; P85 = 120 + 0.7 x 180
    assert (figures["size"]["median"], figures["size"]["p85"]) == (120.0, pytest.approx(246.0))
    assert figures["size"]["not_measured"] == 1
    # merged in the window, the revert too: 5; / 4 weeks = 1.25 a week; / 4 authors
    # (alice, bob, carol, dave) = 0.3125
    m = figures["merged_per_engineer_week"]
    assert (m["value"], m["engineers"], m["engineers_source"]) == (0.3125, 4, "authors")
    # search#7 of the 4 measured: 1, 25%
    u = figures["merged_without_review"]
    assert (u["count"], u["value"], u["n"]) == (1, 0.25, 4)


def test_engineers_given_replace_the_authors():
    m = _figures("pulls.csv", engineers=5)["merged_per_engineer_week"]
    assert (m["value"], m["engineers_source"]) == (pytest.approx(1.25 / 5), "given")


def test_review_load_by_group_never_by_person(figures):
    load = figures["review_load"]
    # reviews: bob on shop#1, alice on shop#2, carol and alice on search#8 (carol's second
    # review is the same person): 4 in 4 weeks = 1 a week; search#10 waits for review at the
    # end (search#9 is a draft)
    assert (load["reviews"], load["reviews_per_week"], load["waiting_for_review"]) == (4, 1.0, 1)
    # Payments' reviewers are bob and alice, Search's carol and alice: 2 each, fewer than 3,
    # so neither group is shown; together they are bob, alice and carol, 3 people, so the
    # overall keeps them (tests/unit/test_pulls_privacy.py works the other case)
    assert load["groups"] == {"Payments": None, "Search": None}
    assert (load["hidden_groups"], load["left_out_of_overall"]) == (2, False)


def test_bots_drafts_reverts_and_unmerged_are_counted(figures):
    reasons = figures["set_aside"]
    assert sorted(reasons.values()) == [1, 1, 1, 1]
    text = " ".join(reasons)
    for word in ("bots", "drafts", "closed without merging", "reverts"):
        assert word in text
    assert figures["counts"] == {
        "pull_requests": 8,  # the bot's is not read into the table
        "merged_in_window": 5,
        "reverts_merged_in_window": 1,
        "measured": 4,
        "open_at_end": 2,
        "reviews": 4,
    }


def test_per_team_figures_of_two_authors_are_not_shown(figures):
    # Payments' measured pull requests are alice's and bob's, Search's carol's and dave's:
    # 2 authors each, fewer than 3. The overall less the teams shown is all four people, so
    # the overall keeps them (5 merged, as in test_bots_drafts_reverts_and_unmerged...).
    assert figures["teams"] == {"Payments": None, "Search": None}
    privacy = figures["privacy"]
    assert (privacy["hidden_teams"], privacy["left_out_of_overall"]) == (2, False)
    assert privacy["min_authors"] == 3
    assert "not shown: 2" in privacy["note"] and "keep them" in privacy["note"]
    assert figures["counts"]["merged_in_window"] == 5


def test_a_bot_pattern_of_ones_own(tmp_path):
    # alice counted as a bot: shop#1 and shop#3 left out as well
    read = read_pulls(DATA / "pulls.csv", bots=r"^alice$|\[bot\]")
    assert len(read.pulls) == 6
    with pytest.raises(EvidenceError, match="--pull-bots"):
        read_pulls(DATA / "pulls.csv", bots="([")


def test_no_name_reaches_the_table_or_the_output():
    read = read_pulls(DATA / "github.json")
    assert read.pulls["author"].dtype.kind == "i" and read.reviews["reviewer"].dtype.kind == "i"
    out = subprocess.run(
        [sys.executable, "-m", "advisor", "evidence", str(DATA / "transitions.csv"),
         "--statuses", str(DATA / "statuses.yaml"), "--deployments",
         str(DATA / "deployments.csv"), "--pulls", str(DATA / "github.json"), "--json"],
        capture_output=True, text=True, check=True, cwd=ROOT,
    ).stdout  # fmt: skip
    text = subprocess.run(
        [sys.executable, "-m", "advisor", "evidence", str(DATA / "transitions.csv"),
         "--pulls", str(DATA / "gitlab.json")],
        capture_output=True, text=True, check=True, cwd=ROOT,
    ).stdout  # fmt: skip
    for login in LOGINS:
        assert login not in out.lower()
        assert login not in text.lower()
    assert "Speed is measured from merged pull requests" in text
    assert json.loads(out)["pulls"]["counts"]["measured"] == 4


def _evidence(pulls=None, statuses="statuses.yaml", engineers=None):
    aside = SetAside()
    items = read_items(DATA / "transitions.csv", aside)
    return analyse_evidence(
        items,
        aside,
        load_status_map(DATA / statuses),
        read_deployments(DATA / "deployments.csv", "deployments.csv", aside),
        engineers=engineers,
        pulls=pulls,
    ).to_json()


def test_dx_speed_switches_source():
    without = _evidence(engineers=2)
    assert without["dx_core_4"]["speed"]["source"] == "items"
    assert without["dx_core_4"]["speed"]["stand_in"]
    assert "pulls" not in without
    given = _evidence(read_pulls(DATA / "pulls.csv"), engineers=2)
    speed = given["dx_core_4"]["speed"]
    # 5 merged / 4 weeks / 2 engineers given
    assert (speed["source"], speed["value"], speed["stand_in"]) == ("pull_requests", 0.625, None)
    assert speed["unit"] == "merged pull requests per engineer per week"
    checks = {c["id"]: c["status"] for c in given["readiness"]["sei"]["checks"]}
    assert checks["pull_requests"] == "met"


def test_the_review_wait_joins_development_when_no_status_waits_there(tmp_path):
    doc = _evidence(read_pulls(DATA / "github.json"))
    wait = doc["bottleneck_detail"]["review_wait"]
    # the items wait 3 days in deployment (S-2, Ready for Release 03-27 to 03-30); no status
    # of development waits, so pickup 4 h + 1 d + 2 d = 3.1667 days joins development:
    # 3.1667 / 6.1667 = 0.51351 x 16,384 = 8,413.4 and 7,970.6 -> the spare unit goes to
    # the larger remainder (deployment): 8,413 / 16,384 and 7,971 / 16,384
    assert wait["added"] and wait["waiting_days"] == pytest.approx(19 / 6)
    assert (wait["median"], wait["p85"], wait["count"]) == (1.0, 1.7, 3)
    assert doc["bottlenecks"] == {"development": 8413 / 16384, "deployment": 7971 / 16384}
    assert sum(doc["bottlenecks"].values()) == 1.0
    assert any("added to development" in w for w in doc["warnings"])
    # with a review status in development the wait is already there: shown, not added
    # (S-2 waits in Code Review 03-25 to 03-27: 2 days of development, 3 of deployment:
    # 2/5 x 16,384 = 6,553.6, 3/5 x 16,384 = 9,830.4; the spare unit to 6,553's remainder)
    queue = tmp_path / "statuses.yaml"
    review_status = "statuses:\n  Code Review: {stage: development, active: false}\n"
    queue.write_text((DATA / "statuses.yaml").read_text().replace("statuses:\n", review_status))
    items = tmp_path / "transitions.csv"
    items.write_text(
        (DATA / "transitions.csv")
        .read_text()
        .replace(
            "In Progress,Ready for Release,2026-03-27",
            "In Progress,Code Review,2026-03-25T00:00:00Z\n"
            "S-2,Story,Search,Code Review,Ready for Release,2026-03-27",
        )
    )
    aside = SetAside()
    kept = analyse_evidence(
        read_items(items, aside),
        aside,
        load_status_map(queue),
        pulls=read_pulls(DATA / "github.json"),
    ).to_json()
    assert kept["bottleneck_detail"]["review_wait"]["added"] is False
    assert kept["bottlenecks"] == {"development": 6554 / 16384, "deployment": 9830 / 16384}


def test_pull_request_times_widen_the_window():
    aside = SetAside()
    items = read_items(DATA / "transitions.csv", aside)
    late = (
        b"id,repo,opened_at,merged_at,closed_at,first_commit_at,first_review_at,additions,"
        b"deletions\nx#1,x,2026-03-20T00:00:00Z,2026-04-10T00:00:00Z,,,,1,1\n"
    )
    doc = analyse_evidence(items, aside, pulls=pulls_from_upload([("p.csv", late)])).to_json()
    assert doc["window"]["to"] == "2026-04-10T00:00:00Z"


@pytest.mark.parametrize(
    "name, data, where",
    [
        ("p.json", b'[{"number": 1, "user": {"login": "a"}}]', "pulls[0].created_at: is missing"),
        (
            "p.json",
            b'[{"number": 1, "user": {"login": "a"}, "created_at": "2026-03-02T10:00:00Z"},'
            b' {"number": 2, "user": {"login": "a"}, "created_at": "soon"}]',
            "pulls[1].created_at: not a date and time: 'soon'",
        ),
        (
            "p.json",
            b'[{"number": 1, "user": {"login": "a"}, "created_at": "2026-03-02T10:00:00Z",'
            b' "reviews": [{"state": "APPROVED", "submitted_at": 5}]}]',
            "pulls[0].reviews[0].submitted_at: not a date and time",
        ),
        (
            "p.json",
            b'[{"iid": 1, "author": {"username": "a"}, "created_at": "2026-03-02T10:00:00Z",'
            b' "additions": -3}]',
            "pulls[0].additions: expected a whole number of lines",
        ),
        ("p.json", b'{"issues": []}', "not a pull-request export"),
        ("p.json", b"[{", "p.json:1: not JSON"),
        (
            "p.csv",
            b"id,repo,opened_at,merged_at,closed_at,first_commit_at,first_review_at,"
            b"additions,deletions\n1,r,2026-03-02T10:00:00Z,,,,,ten,1\n",
            "p.csv: row 2: additions: expected a whole number of lines, not 'ten'",
        ),
        ("p.csv", b"id,repo,opened_at\n1,r,2026-03-02\n", "merged_at: required column is missing"),
        (
            "p.csv",
            b"id,repo,opened_at,merged_at,closed_at,first_commit_at,first_review_at,"
            b"additions,deletions,draft\n1,r,2026-03-02T10:00:00Z,,,,,1,1,maybe\n",
            "p.csv: row 2: draft: expected true or false",
        ),
    ],
)
def test_bad_files_are_named_with_the_row_or_pull_and_field(name, data, where):
    with pytest.raises(EvidenceError) as caught:
        pulls_from_upload([(name, data)])
    assert where in str(caught.value)


def test_rows_that_cannot_be_used_are_counted():
    data = (
        b"id,repo,opened_at,merged_at,closed_at,first_commit_at,first_review_at,additions,"
        b"deletions\n"
        b"1,r,2026-03-02T10:00:00Z,2026-03-01T10:00:00Z,,,,1,1\n"  # merged before opened
        b"2,r,,2026-03-03T10:00:00Z,,,,1,1\n"  # no opening
        b"3,r,2026-03-02T10:00:00Z,2026-03-03T10:00:00Z,,,2026-03-01T00:00:00Z,1,1\n"
    )
    read = pulls_from_upload([("p.csv", data)])
    reasons = read.aside.as_dict()
    assert len(read.pulls) == 1
    assert any("before they were opened" in r and "first: 1" in r for r in reasons)
    assert any(r.startswith("opened_at: empty") for r in reasons)
    assert any("first reviews before the opening" in r for r in reasons)


def test_a_folder_of_json_files_reads_as_one(tmp_path):
    pulls = json.loads((DATA / "github.json").read_text())
    (tmp_path / "a.json").write_text(json.dumps(pulls[:4]))
    (tmp_path / "b.json").write_text(json.dumps(pulls[4:]))
    folder = pull_figures(read_pulls(tmp_path), WINDOW, _deployments(), None, TEAMS)
    assert _without_source(folder) == _without_source(_figures("github.json"))


def test_the_readme_example_measures_and_bad_arguments_exit_2(capsys):
    from advisor.cli import main

    sample = ROOT / "examples" / "evidence"
    args = [
        "evidence",
        str(sample / "transitions.csv"),
        "--statuses",
        str(sample / "statuses.yaml"),
    ]
    assert main([*args, "--pulls", str(sample / "pulls.csv"), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    # every merge lies inside the sample's span; the bot's are set aside
    rows = pd.read_csv(sample / "pulls.csv", keep_default_na=False)
    people = rows[rows["author"] != "renovate[bot]"]
    assert doc["pulls"]["counts"]["merged_in_window"] == (people["merged_at"] != "").sum()
    assert (
        doc["pulls"]["counts"]["reverts_merged_in_window"]
        == (people["title"].str.startswith("Revert ") & (people["merged_at"] != "")).sum()
    )
    # the planted review wait (Code Review 5 to 12 days; the first review comes 60-90% of
    # the way through it, so 3 to 10.8 days) is the pull requests' pickup time
    assert 3.0 <= doc["pulls"]["cycle_time"]["pickup"]["median"] <= 10.8
    # five authors a team: every team's figures are shown
    assert all(doc["pulls"]["teams"].values()) and doc["pulls"]["privacy"]["hidden_teams"] == 0
    assert doc["dx_core_4"]["speed"]["source"] == "pull_requests"
    assert main([*args, "--pull-bots", "x"]) == 2
    assert "--pull-bots: needs --pulls" in capsys.readouterr().err
    assert main([*args, "--pulls", str(DATA / "deployments.csv")]) == 2
    assert "opened_at: required column is missing" in capsys.readouterr().err


def test_the_downloaded_status_map_keeps_its_repositories():
    from advisor.evidence import parse_status_map
    from advisor.evidence.status_map import status_map_yaml
    from advisor.evidence.statuses import resolve

    given = load_status_map(DATA / "statuses.yaml")
    again = parse_status_map(status_map_yaml(resolve(["Done"], ["Story"], given)))
    assert again.repositories == {"acme/shop": "Payments", "acme/search": "Search"}


def test_the_sample_files_are_what_the_generator_gives(tmp_path):
    from advisor.evidence.sample import generate, write

    write(generate("review", seed=7, teams=3, items_per_team=60), tmp_path)
    sample = ROOT / "examples" / "evidence"
    for name in ("transitions.csv", "deployments.csv", "incidents.csv", "survey.csv", "pulls.csv"):
        assert (tmp_path / name).read_text() == (sample / name).read_text(), name


def test_business_days_count_weekday_time_only():
    read = read_pulls(DATA / "github.json")
    doc = pull_figures(read, WINDOW, _deployments(), None, TEAMS, business_days=True)
    deploy = doc["cycle_time"]["deploy"]
    # 2026-03-02 is a Monday. Only search#8 crosses a weekend: merged Fri 03-13 12:00,
    # shipped by d5 Mon 03-16 12:00: 3 calendar days, half of Friday + half of Monday = 1
    # weekday. The rest: shop#1 Tue 10:00 -> Wed 10:00 = 1; shop#2 Fri 09:00 -> 12:00 =
    # 0.125; search#7 Mon 12:00 -> Wed 12:00 = 2. Sorted [0.125, 1, 1, 2]: median 1;
    # P85 at rank 2.55: 1 + 0.55 x (2 - 1) = 1.55 (calendar: 1.5 and 2.55)
    assert deploy["median"] == pytest.approx(1.0)
    assert deploy["p85"] == pytest.approx(1.55)
    assert deploy["unit"] == "business days"
    # no other part crosses a weekend: the same as in calendar days
    calendar = _figures("github.json")["cycle_time"]
    for part in ("total", "coding", "pickup", "review"):
        assert doc["cycle_time"][part]["median"] == pytest.approx(calendar[part]["median"])


def test_the_command_line_says_pull_request_times_are_in_business_days(capsys):
    from advisor.cli import main

    args = ["evidence", str(DATA / "transitions.csv"), "--statuses", str(DATA / "statuses.yaml")]
    args += ["--deployments", str(DATA / "deployments.csv"), "--pulls", str(DATA / "pulls.csv")]
    assert main([*args, "--business-days"]) == 0
    text = capsys.readouterr().out
    assert "pull-request times in business days" in text
    assert re.search(r"Deploy time +1\.0 business days", text), text
    assert main(args) == 0
    assert re.search(r"Deploy time +1\.5 days", capsys.readouterr().out)
