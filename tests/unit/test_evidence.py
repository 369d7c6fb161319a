"""Evidence: hand-computed figures, Jira against CSV, planted bottlenecks, bad files."""

import json
import time

import numpy as np
import pytest

from advisor.cli import main
from advisor.errors import EvidenceError
from advisor.evidence import SetAside, analyse_evidence, read_deployments, read_incidents
from advisor.evidence.jira import read_jira
from advisor.evidence.reading import transitions_from_csv
from advisor.evidence.sample import PLANTS, generate, jira_json
from tests.conftest import ROOT

DATA = ROOT / "tests" / "data" / "evidence"


def _evidence(incidents: bool = False):
    aside = SetAside()
    items = transitions_from_csv(DATA / "items.csv", "items.csv", aside)
    deploys = read_deployments(DATA / "deployments.csv", "deployments.csv", aside)
    linked = read_incidents(DATA / "incidents.csv", "incidents.csv", aside) if incidents else None
    return analyse_evidence(items, aside, deployments=deploys, incidents=linked, engineers=2)


def test_flow_figures_by_hand():
    ev = _evidence()
    # A: in progress 01-06 to done 01-11 = 5 days, 2 active (40%); B: 01-07 to 01-12 = 5
    # days, 1 active (20%); C is not finished.
    assert ev.flow["flow_time_days"]["median"] == pytest.approx(5.0)
    assert ev.flow["flow_efficiency"]["median"] == pytest.approx(0.3)
    assert ev.flow["flow_efficiency"]["overall"] == pytest.approx(3 / 10)
    assert ev.counts["finished"] == 2 and ev.counts["unfinished"] == 1
    # Waiting inside flow time: development 2 (A) + 4 (B) days, deployment 1 day (A).
    assert ev.bottlenecks == {
        "development": pytest.approx(6 / 7, abs=1e-4),
        "deployment": pytest.approx(1 / 7, abs=1e-4),
    }
    assert ev.flow["flow_distribution"]["feature"] == 0.5
    assert ev.flow["flow_distribution"]["defect"] == 0.5
    assert ev.sei["wip"] == 1


def test_dora_figures_and_quick_check_score_by_hand():
    d = _evidence().dora
    # Lead time of the successful deployments: 1 day (d1) and 2 days (d3) -> median 1.5.
    assert d["change_lead_time"]["value"] == pytest.approx(1.5)
    assert d["change_lead_time"]["cluster"] == "high"
    assert d["change_fail_rate"]["value"] == pytest.approx(0.5)  # d2 and d4 of four
    assert d["failed_deployment_recovery_time"]["value"] == pytest.approx(3 / 24)  # 2 h, 4 h
    assert d["deployment_rework_rate"]["value"] == pytest.approx(0.25)  # d3
    # Quick Check: lead time 1 day-1 week = option 4 -> 6; 2 successful deploys in the
    # window (d1's first commit 01-04 10:00 to B's done 01-12 09:00, 7.96 days) = 1.8 a week,
    # option 4 -> 6; recovery under a day = option 5 -> 8; fail 50% -> 5; rework 25% -> 7.5.
    scores = [
        d[k]["score"]
        for k in (
            "change_lead_time",
            "deployment_frequency",
            "failed_deployment_recovery_time",
            "change_fail_rate",
            "deployment_rework_rate",
        )
    ]
    assert scores == pytest.approx([6, 6, 8, 5, 7.5])
    assert d["score"]["throughput"] == pytest.approx(20 / 3)
    assert d["score"]["instability"] == pytest.approx(6.25)
    assert d["score"]["overall"] == pytest.approx(6.5)


def test_an_incident_counts_against_the_last_successful_deployment_before_it():
    d = _evidence(incidents=True).dora
    # i1 at 01-07 12:00 falls after d3 (01-07 10:00): d3 fails too, recovered 8 h later.
    assert d["change_fail_rate"]["value"] == pytest.approx(0.75)
    assert d["failed_deployment_recovery_time"]["value"] == pytest.approx(4 / 24)


def test_jira_json_and_the_same_history_as_csv_give_identical_figures(tmp_path):
    sample = generate("review", seed=3, teams=2, items_per_team=30)
    t = sample.transitions
    # Jira keeps milliseconds: give the CSV the same precision.
    t = t.assign(
        changed_at=t["changed_at"].dt.floor("ms"), created_at=t["created_at"].dt.floor("ms")
    )
    csv_path = tmp_path / "items.csv"
    t.assign(
        changed_at=t["changed_at"].dt.strftime("%Y-%m-%dT%H:%M:%S.%f%z"),
        created_at=t["created_at"].dt.strftime("%Y-%m-%dT%H:%M:%S.%f%z"),
    ).to_csv(csv_path, index=False)
    doc = json.dumps(jira_json(t)).encode()
    from_csv = analyse_evidence(transitions_from_csv(csv_path, "items.csv", SetAside()), SetAside())
    from_jira = analyse_evidence(read_jira([("jira.json", doc)], SetAside()), SetAside())
    a, b = from_jira.to_json(), from_csv.to_json()
    assert a.pop("source") == "jira.json" and b.pop("source") == "work items"
    assert a == b


@pytest.mark.parametrize("plant", PLANTS)
def test_the_planted_bottleneck_is_found(plant):
    sample = generate(plant, seed=11)
    t = sample.transitions.rename(columns={"changed_at": "at", "created_at": "created"})
    ev = analyse_evidence(t, SetAside())
    expected = {"review": "development", "release": "deployment", "approval": "ideation"}[plant]
    assert ev.bottleneck_detail["top"] == expected
    assert ev.bottlenecks[expected] > 0.5
    assert sum(ev.bottlenecks.values()) == 1


def test_bottlenecks_are_given_per_team_and_never_per_person():
    t = generate("review", seed=5).transitions.rename(
        columns={"changed_at": "at", "created_at": "created"}
    )
    ev = analyse_evidence(t, SetAside())
    assert set(ev.teams) == {"Team A", "Team B", "Team C"}
    assert all(
        max(t["bottlenecks"], key=t["bottlenecks"].get) == "development" for t in ev.teams.values()
    )
    assert all(t["flow_time_median_days"] > 0 and t["finished"] > 0 for t in ev.teams.values())
    assert "assignee" not in json.dumps(ev.to_json())


def test_the_forecast_answers_both_questions():
    t = generate("review", seed=5).transitions.rename(
        columns={"changed_at": "at", "created_at": "created"}
    )
    f = analyse_evidence(t, SetAside(), forecast_items=40, forecast_weeks=4).forecast
    w, n = f["weeks_for_items"], f["items_by_weeks"]
    assert w["p50"] <= w["p85"] <= w["p95"]
    assert n["p50"] >= n["p85"] >= n["p95"]  # more confidence, fewer items promised


def _run(tmp_path, capsys, items: str, *args: str, name: str = "items.csv"):
    path = tmp_path / name
    path.write_text(items)
    code = main(["evidence", str(path), *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


HEADER = "key,type,from_status,to_status,changed_at\n"


def test_cli_json_has_the_contract_keys(capsys):
    args = [
        "evidence",
        str(DATA / "items.csv"),
        "--deployments",
        str(DATA / "deployments.csv"),
        "--json",
    ]
    assert main(args) == 0
    doc = json.loads(capsys.readouterr().out)
    for key in (
        "counts",
        "statuses",
        "flow",
        "sei",
        "dora",
        "dx_core_4",
        "bottlenecks",
        "forecast",
        "warnings",
    ):
        assert key in doc
    assert doc["dora"]["score"]["overall"] == pytest.approx(6.5)


@pytest.mark.parametrize(
    "text, words",
    [
        (
            "key,type,to_status,changed_at\nA,Story,Done,2026-01-05T09:00:00Z\n",
            "from_status: required column is missing",
        ),
        ("", "is empty: the first line should be the header"),
        (HEADER, "has a header but no rows"),
        (HEADER + ",Story,,To Do,2026-01-05T09:00:00Z\n", "no row has both a key and a readable"),
        (HEADER + "A,Story,,To Do,soon\nB,Story,,To Do,\n", "1 changed_at: not a date"),
    ],
)
def test_bad_item_files_exit_2_naming_file_and_column(tmp_path, capsys, text, words):
    code, _, err = _run(tmp_path, capsys, text)
    assert code == 2 and words in err and "items.csv" in err and "Traceback" not in err


def test_two_date_formats_and_mixed_time_zones_are_read(tmp_path, capsys):
    text = HEADER + (
        "A,Story,,In Progress,2026-01-05T09:00:00Z\n"
        "A,Story,In Progress,Done,2026-01-06 10:00:00+01:00\n"
        "B,Story,,In Progress,2026/01/05 09:00\n"
        "B,Story,In Progress,Done,not a date\n"
    )
    code, out, err = _run(tmp_path, capsys, text, "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["flow"]["flow_time_days"]["median"] == pytest.approx(1.0)  # 09:00Z to 09:00Z
    assert any("not a date" in k and v == 1 for k, v in doc["counts"]["set_aside"].items())


def test_a_status_nobody_mapped_is_listed_not_dropped(tmp_path, capsys):
    text = HEADER + (
        "A,Story,,In Progress,2026-01-05T09:00:00Z\n"
        "A,Story,In Progress,Waiting for Legal,2026-01-06T09:00:00Z\n"
        "A,Story,Waiting for Legal,Done,2026-01-09T09:00:00Z\n"
    )
    code, out, _ = _run(tmp_path, capsys, text, "--json")
    doc = json.loads(out)
    assert code == 0 and doc["statuses"]["unmapped"] == ["Waiting for Legal"]
    assert any("Waiting for Legal" in w for w in doc["warnings"])


def test_reopened_duplicate_and_backwards_rows_are_counted(tmp_path, capsys):
    text = "key,type,from_status,to_status,changed_at,created_at\n" + (
        "A,Story,,In Progress,2026-01-05T09:00:00Z,2026-01-05T09:00:00Z\n"
        "A,Story,In Progress,Done,2026-01-06T09:00:00Z,2026-01-05T09:00:00Z\n"
        "A,Story,In Progress,Done,2026-01-06T09:00:00Z,2026-01-05T09:00:00Z\n"
        "A,Story,Done,In Progress,2026-01-07T09:00:00Z,2026-01-05T09:00:00Z\n"
        "A,Story,In Progress,Done,2026-01-08T09:00:00Z,2026-01-05T09:00:00Z\n"
        "A,Story,To Do,In Progress,2026-01-01T09:00:00Z,2026-01-05T09:00:00Z\n"
    )
    code, out, _ = _run(tmp_path, capsys, text, "--json")
    doc = json.loads(out)
    assert code == 0
    file = tmp_path / "items.csv"
    assert doc["counts"]["set_aside"] == {  # each with the line of the first one
        f"duplicate rows (first at {file} row 4)": 1,
        f"status changes dated before the item was created (first at {file} row 7)": 1,
    }
    assert doc["counts"]["reopened_items"] == 1
    assert doc["flow"]["flow_time_days"]["median"] == pytest.approx(3.0)  # to the final done


def test_a_deployment_recovered_before_it_was_deployed_is_set_aside(tmp_path, capsys):
    deploys = tmp_path / "d.csv"
    deploys.write_text(
        "id,deployed_at,commit_at,status,recovered_at\n"
        "d1,2026-01-05T10:00:00Z,2026-01-04T10:00:00Z,failed,2026-01-05T08:00:00Z\n"
        "d2,2026-01-06T10:00:00Z,2026-01-05T10:00:00Z,success,\n"
    )
    code, out, err = _run(
        tmp_path, capsys, (DATA / "items.csv").read_text(), "--deployments", str(deploys), "--json"
    )
    assert code == 0, err
    doc = json.loads(out)
    aside = doc["counts"]["set_aside"]
    assert aside == {
        "deployments recovered before they were deployed, read as empty (first at "
        f"{deploys} row 2)": 1
    }


def test_a_json_file_that_is_not_jira_is_refused(tmp_path, capsys):
    code, _, err = _run(tmp_path, capsys, '{"hello": "world"}', name="x.json")
    assert code == 2 and "not a Jira response" in err


def test_fifty_megabytes_of_garbage_is_refused_quickly(tmp_path, capsys):
    path = tmp_path / "junk.csv"
    chunk = bytes(range(256)) * 4096
    with path.open("wb") as handle:
        for _ in range(50):
            handle.write(chunk)
    started = time.perf_counter()
    assert main(["evidence", str(path)]) == 2
    err = capsys.readouterr().err
    assert time.perf_counter() - started < 20
    assert "junk.csv" in err and "Traceback" not in err


def test_bad_deployments_name_row_and_column():
    with pytest.raises(EvidenceError, match="row 3: status"):
        read_deployments(
            "id,deployed_at,commit_at,status\nd1,2026-01-05T10:00:00Z,,success\n"
            "d2,2026-01-06T10:00:00Z,,maybe\n",
            "d.csv",
            SetAside(),
        )


def test_business_days_leave_out_the_weekend(tmp_path, capsys):
    # Friday 09:00 to Tuesday 09:00: 4 calendar days, 2 weekdays (Friday, Monday).
    text = HEADER + (
        "A,Story,,In Progress,2026-01-09T09:00:00Z\nA,Story,In Progress,Done,2026-01-13T09:00:00Z\n"
    )
    code, out, _ = _run(tmp_path, capsys, text, "--json")
    assert json.loads(out)["flow"]["flow_time_days"]["median"] == pytest.approx(4.0)
    code, out, _ = _run(tmp_path, capsys, text, "--json", "--business-days")
    assert code == 0 and json.loads(out)["flow"]["flow_time_days"]["median"] == 2


def test_weeks_the_data_begins_or_ends_in_are_left_out_of_the_weekly_series(tmp_path, capsys):
    """Data from Wednesday 7 January to Wednesday 28 January 2026: the weeks of 5 and 26
    January are cut short. Done per week: 1, 2, 4, 1; the series' statistics and the forecast use
    the whole weeks (2, 4); the rate uses the whole window, as deployment frequency does."""
    done_days = ["08", "13", "14", "20", "21", "22", "23", "27"]
    rows = ["X,Story,,In Progress,2026-01-07T09:00:00Z\n"]
    for i, day in enumerate(done_days):
        rows.append(f"I{i},Story,,In Progress,2026-01-07T10:00:00Z\n")
        rows.append(f"I{i},Story,In Progress,Done,2026-01-{day}T10:00:00Z\n")
    rows.append("X,Story,In Progress,Code Review,2026-01-28T09:00:00Z\n")
    code, out, err = _run(tmp_path, capsys, HEADER + "".join(rows), "--engineers", "2", "--json")
    assert code == 0, err
    doc = json.loads(out)
    velocity = doc["flow"]["velocity_per_week"]
    assert velocity["series"] == {
        "2026-01-05": 1.0,
        "2026-01-12": 2.0,
        "2026-01-19": 4.0,
        "2026-01-26": 1.0,
    }
    assert velocity["median"] == 3.0 and velocity["weeks"] == 2
    assert velocity["weeks_left_out"] == ["2026-01-05", "2026-01-26"]
    assert doc["sei"]["throughput_per_week"]["mean"] == 3.0  # the whole weeks' spread
    # the rate counts every item finished in the window: 8 in 21 days, 8 / 3 a week
    assert doc["sei"]["throughput_per_week"]["value"] == pytest.approx(8 / 3)
    assert doc["dx_core_4"]["speed"]["value"] == pytest.approx(8 / 3 / 2)  # over 2 engineers
    assert doc["forecast"]["sample_weeks"] == 2


@pytest.mark.parametrize(
    "first, second, flow_days",
    [
        ("05/01/2026 09:00", "17/01/2026 21:00", 12.5),  # 17 is no month: day first
        ("01/05/2026 09:00", "01/17/2026 21:00", 12.5),  # 17 is no month: month first
    ],
)
def test_a_date_order_the_data_settles_is_read_that_way(tmp_path, capsys, first, second, flow_days):
    text = HEADER + f"A,Story,,In Progress,{first}\nA,Story,In Progress,Done,{second}\n"
    code, out, err = _run(tmp_path, capsys, text, "--json")
    assert code == 0, err
    assert json.loads(out)["flow"]["flow_time_days"]["median"] == pytest.approx(flow_days)


def test_a_date_order_nothing_settles_is_refused_not_guessed(tmp_path, capsys):
    """05/01/2026 and 07/01/2026 read month first would be May to July: 61.5 days, not 2.5.
    No value says which, so none is read."""
    text = (
        HEADER
        + "A,Story,,In Progress,05/01/2026 09:00\nA,Story,In Progress,Done,07/01/2026 21:00\n"
    )
    code, _, err = _run(tmp_path, capsys, text, "--json")
    assert code == 2
    assert "day and month could be either way round, as in 05/01/2026 09:00" in err
    assert "write dates as 2026-01-31" in err


def test_each_row_set_aside_is_counted_once_with_its_reason(tmp_path, capsys):
    text = HEADER + (
        "A,Story,,In Progress,2026-01-05T09:00:00Z\n"
        "A,Story,In Progress,Done,0001-01-01T00:00:00Z\n"
        "B,Story,,In Progress,\n"
        ",Story,,In Progress,2026-01-06T09:00:00Z\n"
        "A,Story,In Progress,Done,2026-01-07T09:00:00Z\n"
    )
    code, out, err = _run(tmp_path, capsys, text, "--json")
    assert code == 0, err
    assert json.loads(out)["counts"]["set_aside"] == {
        f"changed_at: outside 1970-2199 (first at {tmp_path / 'items.csv'} row 3)": 1,
        f"changed_at: empty (first at {tmp_path / 'items.csv'} row 4)": 1,
        f"transitions without a key (first at {tmp_path / 'items.csv'} row 5)": 1,
    }


def test_identical_deployment_rows_are_one_and_are_counted(tmp_path, capsys):
    deploys = tmp_path / "d.csv"
    deploys.write_text(
        "id,deployed_at,commit_at,status\n"
        ",2026-01-05T10:00:00Z,2026-01-04T10:00:00Z,success\n"
        ",2026-01-05T10:00:00Z,2026-01-04T10:00:00Z,success\n"
        ",2026-01-06T10:00:00Z,2026-01-05T10:00:00Z,failed\n"
    )
    code, out, err = _run(
        tmp_path, capsys, (DATA / "items.csv").read_text(), "--deployments", str(deploys), "--json"
    )
    assert code == 0, err
    doc = json.loads(out)
    assert doc["dora"]["read"] == 2 and doc["dora"]["change_fail_rate"]["value"] == 0.5
    assert doc["counts"]["set_aside"] == {
        f"duplicate deployment rows (first at {deploys} row 3)": 1
    }


@pytest.mark.parametrize(
    "content, words",
    [
        ("key;type;from_status;to_status;changed_at\nA;Story;;To Do;2026-01-05\n", "by ';'"),
        ("key\ttype\tfrom_status\tto_status\tchanged_at\nA\tStory\t\tTo Do\t2026-01-05\n", "tabs"),
    ],
)
def test_a_csv_not_separated_by_commas_says_so(tmp_path, capsys, content, words):
    code, _, err = _run(tmp_path, capsys, content)
    assert code == 2 and words in err and "save it with commas" in err


def test_a_utf16_csv_says_so(tmp_path, capsys):
    path = tmp_path / "items.csv"
    path.write_bytes((HEADER + "A,Story,,To Do,2026-01-05T09:00:00Z\n").encode("utf-16"))
    assert main(["evidence", str(path)]) == 2
    assert "is UTF-16 text: save it as UTF-8" in capsys.readouterr().err


def test_a_csv_with_nul_bytes_and_no_byte_order_mark_says_so(tmp_path, capsys):
    path = tmp_path / "items.csv"
    path.write_bytes((HEADER + "A,Story,,To Do,2026-01-05T09:00:00Z\n").encode("utf-16-le"))
    assert main(["evidence", str(path)]) == 2
    assert "row 1: holds a NUL byte" in capsys.readouterr().err
    # one NUL further down, inside a status name, is refused with its line too
    text = HEADER + "A,Story,,To Do,2026-01-05T09:00:00Z\nA,Story,To Do,Code\x00Review,"
    path.write_bytes((text + "2026-01-06T09:00:00Z\n").encode())
    assert main(["evidence", str(path)]) == 2
    assert "row 3: holds a NUL byte" in capsys.readouterr().err


def test_utf16_jira_and_status_map_files_say_so(tmp_path, capsys):
    issues = tmp_path / "issues.json"
    issues.write_bytes(json.dumps({"issues": []}).encode("utf-16"))
    assert main(["evidence", str(issues)]) == 2
    assert "is UTF-16 text: save it as UTF-8" in capsys.readouterr().err
    items = tmp_path / "items.csv"
    items.write_text(HEADER + "A,Story,,To Do,2026-01-05T09:00:00Z\n")
    mapping = tmp_path / "map.yaml"
    mapping.write_bytes("statuses: {}\n".encode("utf-16"))
    assert main(["evidence", str(items), "--statuses", str(mapping)]) == 2
    assert "is UTF-16 text: save it as UTF-8" in capsys.readouterr().err


@pytest.mark.parametrize(
    "status, stage",
    [
        ("Won't Fix", "done"),
        ("Duplicate", "done"),
        ("Reopened", "development"),
        ("On Hold", "development"),
        ("Triage", "backlog"),
        ("In Deployment", "deployment"),
        ("In Testing", "development"),
        ("UAT", "development"),
        ("Ready for Review", "development"),
        ("Awaiting Deployment", "deployment"),
        ("Merged", "deployment"),
        ("Cannot Reproduce", "done"),
        ("Deployed", "done"),
    ],
)
def test_common_status_names_have_a_default(tmp_path, capsys, status, stage):
    text = HEADER + "A,Story,,In Progress,2026-01-05T09:00:00Z\n"
    text += f"A,Story,In Progress,{status},2026-01-06T09:00:00Z\n"
    code, out, _ = _run(tmp_path, capsys, text, "--json")
    rule = json.loads(out)["statuses"]["rules"][status]
    assert code == 0 and rule == {**rule, "stage": stage, "source": "default"}


def test_rules_without_deployments_say_why_there_is_no_table(tmp_path, capsys):
    code, out, _ = _run(tmp_path, capsys, (DATA / "items.csv").read_text(), "--rules", "--json")
    doc = json.loads(out)
    assert code == 0 and "rules" not in doc
    assert any("need a deployments file" in w for w in doc["warnings"])


def test_one_mistyped_year_stretching_the_window_is_warned_about(tmp_path, capsys):
    """The window is the span of every timestamp; a recovery typed as 2046 makes it 20
    years, and every rate small. The figures stay as defined; the warning names the column."""
    deploys = tmp_path / "d.csv"
    deploys.write_text(
        "id,deployed_at,commit_at,status,recovered_at\n"
        "d1,2026-01-05T10:00:00Z,2026-01-04T10:00:00Z,failed,2046-01-05T12:00:00Z\n"
    )
    code, out, err = _run(
        tmp_path, capsys, (DATA / "items.csv").read_text(), "--deployments", str(deploys), "--json"
    )
    assert code == 0, err
    warning = next(w for w in json.loads(out)["warnings"] if w.startswith("The window ends"))
    assert "2046-01-05" in warning and "deployments' recovered_at" in warning


def test_days_with_a_deployment_are_never_more_than_seven_a_week(tmp_path, capsys):
    """One deployment a day at 23:30 for eight days, 5 to 12 January: the window runs from
    the 5th 09:00 to the 12th 23:30 (7.6 days), so 8 days over 7.6 / 7 weeks read 7.4 a
    week, more days than a week has. Every day had one: 7 a week."""
    items = HEADER + "A,Story,,In Progress,2026-01-05T09:00:00Z\n"
    items += "A,Story,In Progress,Done,2026-01-12T09:00:00Z\n"
    deploys = tmp_path / "d.csv"
    deploys.write_text(
        "id,deployed_at,commit_at,status\n"
        + "".join(
            f"d{i},2026-01-{5 + i:02d}T23:30:00Z,2026-01-{5 + i:02d}T20:00:00Z,success\n"
            for i in range(8)
        )
    )
    code, out, err = _run(tmp_path, capsys, items, "--deployments", str(deploys), "--json")
    assert code == 0, err
    days = json.loads(out)["dora"]["deployment_days"]
    assert days["value"] == 7


def test_jira_rows_set_aside_name_their_issue(tmp_path, capsys):
    history = {"field": "status", "fromString": "To Do", "toString": "In Progress"}
    issue = {
        "key": "PAY-1",
        "fields": {"issuetype": {"name": "Story"}, "created": "2026-01-05T09:00:00.000+0000"},
        "changelog": {
            "total": 3,
            "histories": [
                {"created": "2026-01-06T09:00:00.000+0000", "items": [history]},
                {"created": "2026-01-06T09:00:00.000+0000", "items": [history]},
                {"created": "2026-01-01T09:00:00.000+0000", "items": [history]},
            ],
        },
    }
    code, out, _ = _run(tmp_path, capsys, json.dumps({"issues": [issue]}), "--json", name="j.json")
    file = tmp_path / "j.json"
    assert code == 0 and json.loads(out)["counts"]["set_aside"] == {
        f"status changes dated before the item was created (first at {file}, issue PAY-1)": 1,
        f"duplicate rows (first at {file}, issue PAY-1)": 1,
    }


def test_items_finished_are_a_rate_over_the_window_as_deployments_are(tmp_path, capsys):
    """Two items finished in a 30-day window are 2 / (30 / 7) = 0.4667 a week, even when one
    finishes in a week the window covers only in part (a mean of the whole weeks said 0.33)."""
    text = HEADER + (
        "A,Story,,In Progress,2026-01-01T00:00:00Z\n"
        "A,Story,In Progress,Done,2026-01-05T12:00:00Z\n"
        "B,Story,,In Progress,2026-01-02T00:00:00Z\n"
        "B,Story,In Progress,Done,2026-01-31T00:00:00Z\n"
    )
    code, out, err = _run(tmp_path, capsys, text, "--engineers", "2", "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["window"]["days"] == 30.0
    for figure in (doc["flow"]["velocity_per_week"], doc["sei"]["throughput_per_week"]):
        assert figure["value"] == pytest.approx(2 / (30 / 7))
        assert figure["statistic"] == "rate" and figure["n"] == 2
    assert doc["dx_core_4"]["speed"]["value"] == pytest.approx(2 / (30 / 7) / 2)


def test_jira_oddities_are_set_aside_by_issue_not_merged_or_emptied(tmp_path, capsys):
    """An issue given twice (overlapping search pages) keeps its fuller copy; a change to a
    status that is no text is set aside, not read as an empty status; a time out of range
    names its issue (JSON has no rows)."""

    def change(day: str, frm: str, to) -> dict:
        item = {"field": "status", "fromString": frm, "toString": to}
        return {"created": f"{day}T09:00:00.000+0000", "items": [item]}

    def issue(key: str, *histories: dict) -> dict:
        fields = {"issuetype": {"name": "Story"}, "created": "2026-01-05T09:00:00.000+0000"}
        return {"key": key, "fields": fields, "changelog": {"histories": list(histories)}}

    start = change("2026-01-06", "To Do", "In Progress")
    done = change("2026-01-08", "In Progress", "Done")
    doc = {
        "issues": [
            issue("A-1", done, start),
            issue("A-1", start),
            issue("B-1", change("2026-01-09", "Done", {"name": "?"}), done, start),
            issue("C-1", change("0001-01-09", "Done", "Done"), start),
        ]
    }
    code, out, err = _run(tmp_path, capsys, json.dumps(doc), "--json", name="j.json")
    assert code == 0, err
    counts = json.loads(out)["counts"]
    file = tmp_path / "j.json"
    assert counts["set_aside"] == {
        f"status changes whose toString is not a status name (first at {file}, issue B-1)": 1,
        "issues given more than once, the copy with the most status changes kept "
        f"(first at {file}, issue A-1)": 1,
        f"histories[].created: outside 1970-2199 (first at {file}, issue C-1)": 1,
    }
    assert counts["items"] == 3 and counts["finished"] == 2  # A-1 and B-1, done on 8 January


def test_a_deployment_row_set_aside_still_counts_as_a_row_with_an_id(tmp_path, capsys):
    deploys = tmp_path / "d.csv"
    deploys.write_text(
        "id,deployed_at,commit_at,status\n"
        "d1,2026-01-05T10:00:00Z,2026-01-04T10:00:00Z,success\n"
        "d1,2026-01-07T10:00:00Z,2026-01-04T10:00:00Z,success\n"  # d1 again, another time
        "d2,2026-01-06T10:00:00Z,2026-01-05T10:00:00Z,failed\n"
        "d3,2026-01-08T10:00:00Z,2026-01-07T10:00:00Z,success\n"
    )
    items = (DATA / "items.csv").read_text()
    code, out, _ = _run(tmp_path, capsys, items, "--deployments", str(deploys), "--json")
    checks = {c["id"]: c for c in json.loads(out)["readiness"]["dora"]["checks"]}
    assert code == 0 and checks["deployment_ids"]["figure"] == "rows with an id: 4 of 4"
    assert checks["deployment_ids"]["status"] == "met"


def test_a_survey_lists_every_answer_that_is_not_1_to_5(tmp_path, capsys):
    survey = tmp_path / "survey.csv"
    survey.write_text("team,focus_time,code_review\nA,0,3\nA,x,3\nA,3.5,9\nA,4,3\n")
    items = tmp_path / "items.csv"
    items.write_text((DATA / "items.csv").read_text())
    assert main(["evidence", str(items), "--survey", str(survey)]) == 2
    err = capsys.readouterr().err
    for row, column, value in (
        (2, "focus_time", "0"),
        (3, "focus_time", "x"),
        (4, "focus_time", "3.5"),
        (4, "code_review", "9"),
    ):
        assert f"row {row}: {column}: answers must be 1 to 5, not '{value}'" in err
    assert "row 5" not in err


@pytest.mark.parametrize(
    "flag, given, expected",
    [
        (None, "statuses.yaml", "(this looks like JSON or YAML, not a CSV)"),
        ("--deployments", "jira.json", "(this looks like JSON or YAML, not a CSV)"),
        ("--deployments", "incidents.csv", "(this looks like an incidents file)"),
        ("--survey", "transitions.csv", "not a survey: this looks like a work-items"),
    ],
)
def test_a_file_of_another_kind_is_named_for_what_it_looks_like(capsys, flag, given, expected):
    example = ROOT / "examples" / "evidence"
    args = [str(example / given)] if flag is None else [str(example / "transitions.csv")]
    args += [flag, str(example / given)] if flag else []
    assert main(["evidence", *args]) == 2
    err = capsys.readouterr().err
    assert expected in err and "cells where the header has" not in err


@pytest.mark.parametrize(
    "start, end, hours",
    [
        ("2026-05-04T10:00", "2026-05-04T17:00", 7.0),  # a Monday's afternoon
        ("2026-05-08T17:00", "2026-05-11T09:00", 16.0),  # Friday evening to Monday morning
        ("2026-05-09T10:00", "2026-05-10T17:00", 0.0),  # a weekend
        ("2026-05-04T00:00", "2026-05-18T00:00", 240.0),  # two weeks: ten weekdays
    ],
)
def test_business_days_count_weekday_time_to_the_hour(start, end, hours):
    from advisor.evidence.prepare import span_days

    def ns(text: str) -> np.ndarray:
        return np.array([np.datetime64(text, "ns").astype(np.int64)])

    assert span_days(ns(start), ns(end), True)[0] * 24 == pytest.approx(hours)


def test_a_same_day_history_in_business_days_keeps_its_hours(tmp_path, capsys):
    text = HEADER + (
        "A,Story,,To Do,2026-05-04T08:00:00Z\n"
        "A,Story,To Do,In Progress,2026-05-04T10:00:00Z\n"
        "A,Story,In Progress,Code Review,2026-05-04T12:00:00Z\n"
        "A,Story,Code Review,Done,2026-05-04T17:00:00Z\n"
    )
    code, out, _ = _run(tmp_path, capsys, text, "--business-days", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["flow"]["flow_time_days"]["median"] == pytest.approx(7 / 24)
    assert doc["flow"]["flow_efficiency"]["median"] == pytest.approx(2 / 7)
    assert doc["bottlenecks"]["development"] == 1.0
