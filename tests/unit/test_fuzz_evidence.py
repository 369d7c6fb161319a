"""The evidence command against ordinary and hostile files: exit 0 with figures or exit 2
with a message naming the file, within seconds, never a traceback.

A seeded generator mutates the bundled exports (rows dropped, repeated or swapped, cells
made empty, huge, out of range or of another type, bytes flipped, BOMs, NULs, CRLF and
quoted newlines added) and runs each through the command line, the way a user would. The
explicit tests below build each kind of file that was reported to crash, hang or take
minutes.
"""

import copy
import json
import os
import random
import time
from pathlib import Path

import pytest

from advisor.cli import main
from tests.conftest import ROOT

# A warning would reach a user's terminal beside the figures: none is expected.
pytestmark = [
    pytest.mark.filterwarnings("error::RuntimeWarning"),
    pytest.mark.filterwarnings("error::UserWarning"),
    pytest.mark.filterwarnings("error::pandas.errors.PerformanceWarning"),
]
EXAMPLES = ROOT / "examples" / "evidence"
SEEDS = range(int(os.environ.get("FUZZ_SEEDS", "40")))  # more seeds: FUZZ_SEEDS=2000
LIMIT_S = 10  # any one run, hostile or not

ITEMS = (
    "key,type,team,from_status,to_status,changed_at,created_at\n"
    "A-1,Story,Team A,,To Do,2026-01-05T09:00:00Z,2026-01-05T09:00:00Z\n"
    "A-1,Story,Team A,To Do,In Progress,2026-01-06T09:00:00Z,2026-01-05T09:00:00Z\n"
    "A-1,Story,Team A,In Progress,Code Review,2026-01-08T09:00:00Z,2026-01-05T09:00:00Z\n"
    "A-1,Story,Team A,Code Review,Done,2026-01-20T09:00:00Z,2026-01-05T09:00:00Z\n"
    "A-2,Bug,Team A,,To Do,2026-01-07T09:00:00Z,2026-01-07T09:00:00Z\n"
    "A-2,Bug,Team A,To Do,In Progress,2026-01-09T09:00:00Z,2026-01-07T09:00:00Z\n"
    "A-2,Bug,Team A,In Progress,Done,2026-01-26T09:00:00Z,2026-01-07T09:00:00Z\n"
    "A-3,Task,Team B,,To Do,2026-01-12T09:00:00Z,2026-01-12T09:00:00Z\n"
    "A-3,Task,Team B,To Do,In Progress,2026-01-13T09:00:00Z,2026-01-12T09:00:00Z\n"
)
UNFINISHED = (
    "key,type,team,from_status,to_status,changed_at,created_at\n"
    "A-1,Story,Team A,,To Do,2026-01-05T09:00:00Z,2026-01-05T09:00:00Z\n"
    "A-1,Story,Team A,To Do,In Progress,2026-01-06T09:00:00Z,2026-01-05T09:00:00Z\n"
    "A-2,Bug,Team A,,To Do,2026-01-07T09:00:00Z,2026-01-07T09:00:00Z\n"
)
DEPLOYS = (
    "id,deployed_at,commit_at,status,recovered_at,unplanned\n"
    "d1,2026-01-06T10:00:00Z,2026-01-05T10:00:00Z,success,,false\n"
    "d2,2026-01-08T10:00:00Z,2026-01-07T10:00:00Z,failed,2026-01-08T12:00:00Z,false\n"
    "d3,2026-01-13T10:00:00Z,2026-01-12T10:00:00Z,success,,true\n"
    "d4,2026-01-20T10:00:00Z,2026-01-19T10:00:00Z,success,,false\n"
)
ALL_FAILED = (
    "id,deployed_at,commit_at,status,recovered_at,unplanned\n"
    "d1,2026-01-06T10:00:00Z,2026-01-05T10:00:00Z,failed,,false\n"
    "d2,2026-01-08T10:00:00Z,2026-01-07T10:00:00Z,failed,2026-01-08T12:00:00Z,false\n"
    "d3,2026-01-13T10:00:00Z,2026-01-12T10:00:00Z,failed,,true\n"
)
INCIDENTS = (
    "id,created_at,resolved_at,deployment_id\n"
    "i1,2026-01-06T12:00:00Z,2026-01-06T20:00:00Z,\n"
    "i2,2026-01-13T12:00:00Z,2026-01-14T12:00:00Z,d3\n"
)
SURVEY = "team,focus,tooling\n" + "Team A,4,5\n" * 6 + "Team B,2,3\n" * 2
STATUSES = (
    "statuses:\n"
    "  To Do: {stage: backlog}\n"
    "  In Progress: {stage: development, active: true}\n"
    "  Code Review: {stage: development}\n"
    "  Done: {stage: done}\n"
    "types: {Story: feature, Bug: defect, Task: debt}\n"
)


def _issue(key="A-1", created="2026-01-05T09:00:00.000+0000"):
    return {
        "key": key,
        "fields": {
            "issuetype": {"name": "Story"},
            "created": created,
            "status": {"name": "Done", "statusCategory": {"key": "done"}},
            "project": {"key": "A", "id": "10"},
        },
        "changelog": {
            "total": 2,
            "histories": [
                {
                    "id": "2",
                    "created": "2026-01-09T09:00:00.000+0000",
                    "items": [{"field": "status", "fromString": "In Progress", "toString": "Done"}],
                },
                {
                    "id": "1",
                    "created": "2026-01-06T09:00:00.000+0000",
                    "items": [
                        {"field": "status", "fromString": "To Do", "toString": "In Progress"}
                    ],
                },
            ],
        },
    }


def _jira(*issues) -> str:
    return json.dumps({"issues": list(issues) or [_issue("A-1"), _issue("A-2")]})


@pytest.fixture
def cli(capsys):
    """Run `evidence ARGS --json`; return (exit code, stdout, stderr), checking the contract
    every run keeps: 0 or 2, no traceback, a message naming why when 2, within LIMIT_S."""

    def run(*argv, limit: float = LIMIT_S):
        started = time.perf_counter()
        try:
            code = main(["evidence", *map(str, argv), "--json"])
        except SystemExit as exc:  # argparse refusing an argument
            code = exc.code
        took = time.perf_counter() - started
        out, err = capsys.readouterr()
        assert code in (0, 2), (argv, code, err)
        assert "Traceback" not in err
        if code == 2:
            assert err.strip(), "a refusal says why"
        else:
            json.loads(out)
        assert took < limit, (argv, took)
        return code, out, err

    return run


def _write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", errors="surrogateescape")
    return path


# ---------------------------------------------------------------- the mutation fuzzer

NASTY = [
    "",
    " ",
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z",
    "1677-09-21T00:12:43Z",
    "2262-04-11T23:47:16Z",
    "0000-00-00",
    "2026-02-30T09:00:00Z",
    "2026-01-05T09:00:00+2500",
    "2026-01-05 09:00",
    "2026-01-05T09:00:00.123456789Z",
    "2026-01-05T09:00:00." + "1" * 30,
    "05/01/2026 09:00",
    "Jan 5 2026",
    "1e308",
    "-1",
    "nan",
    "NaT",
    "null",
    "true",
    "success",
    "failed",
    '"a,b"',
    '"x\ny"',
    "=cmd|' /C calc'!A0",
    "\x00",
    "\ufeff",
    "\udcff\udcfe",
    "9" * 5000,
    "2026-01-05T09:00:00Z" * 200,
]


def _mutate_csv(text: str, rnd: random.Random) -> str:
    """One to three changes, mostly to data rows: a cell replaced, a row dropped, repeated
    or swapped, a character flipped, a cell added; rarely the header (a BOM, a column
    named twice, nothing but the header). Lines end in LF or CRLF."""
    lines = text.splitlines()
    for _ in range(rnd.randint(1, 3)):
        choice = rnd.random()
        i = rnd.randrange(1, len(lines)) if len(lines) > 1 else 0
        if choice < 0.45:
            cells = lines[i].split(",")
            cells[rnd.randrange(len(cells))] = rnd.choice(NASTY)
            lines[i] = ",".join(cells)
        elif choice < 0.55:
            del lines[i]
            lines = lines or [""]
        elif choice < 0.65:
            lines.insert(i, lines[rnd.randrange(len(lines))])
        elif choice < 0.75:
            j = rnd.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif choice < 0.85:
            chars = list(lines[i])
            if chars:
                chars[rnd.randrange(len(chars))] = rnd.choice(',"\r\n\x00\t;\ufeff\udcff')
            lines[i] = "".join(chars)
        elif choice < 0.9:
            lines[i] = lines[i] + ","
        elif choice < 0.93:
            lines = lines[:1]  # a header and nothing else
        elif choice < 0.97:
            lines[0] = "\ufeff" + lines[0]
        else:
            cells = lines[0].split(",")
            cells[rnd.randrange(len(cells))] = rnd.choice(cells)  # a column named twice
            lines[0] = ",".join(cells)
    return rnd.choice(["\n", "\r\n"]).join(lines) + rnd.choice(["\n", "", "\r\n"])


JSON_NASTY = [
    None,
    0,
    -1,
    2**70,
    1.5,
    True,
    "",
    "x",
    "0001-01-01T00:00:00.000+0000",
    "9999-12-31T23:59:59.999+0000",
    "2026-13-45T99:99:99.000+0000",
    [],
    [None],
    [1, 2],
    {},
    {"name": 5},
    {"name": ["x"]},
    {"key": {}},
]


def _mutate_json(doc, rnd: random.Random):
    """One to three values inside the issues replaced by a value of another type, or their
    key dropped; rarely the whole document."""
    doc = copy.deepcopy(doc)
    if rnd.random() < 0.03:
        return copy.deepcopy(rnd.choice(JSON_NASTY))
    for _ in range(rnd.randint(1, 3)):
        node, path = doc["issues"], []
        while isinstance(node, dict | list) and node and (len(path) < 2 or rnd.random() < 0.8):
            step = rnd.choice(list(node)) if isinstance(node, dict) else rnd.randrange(len(node))
            path.append((node, step))
            node = node[step]
        if not path:
            break
        parent, step = path[-1]
        if isinstance(parent, dict) and rnd.random() < 0.2:
            del parent[step]
        else:
            parent[step] = copy.deepcopy(rnd.choice(JSON_NASTY))
    return doc


def _mutate_yaml(text: str, rnd: random.Random) -> str:
    lines = text.splitlines()
    i = rnd.randrange(len(lines))
    choice = rnd.random()
    if choice < 0.5 and ":" in lines[i]:
        lines[i] = lines[i].split(":", 1)[0] + ": " + rnd.choice(["~", "[]", "7", "{stage: x}"])
    elif choice < 0.75:
        del lines[i]
    else:
        lines.insert(i, rnd.choice(["  X: {stage: done, active: maybe}", "\t:", "&a [*a]"]))
    return "\n".join(lines) + "\n"


def _head(name: str, lines: int | None = None) -> str:
    text = (EXAMPLES / name).read_text(encoding="utf-8")
    return "".join(text.splitlines(keepends=True)[:lines]) if lines else text


@pytest.fixture(scope="module")
def bundled():
    jira = json.loads(_head("jira.json"))
    return {
        "transitions.csv": _head("transitions.csv", 200),
        "deployments.csv": _head("deployments.csv"),
        "incidents.csv": _head("incidents.csv"),
        "survey.csv": _head("survey.csv"),
        "statuses.yaml": _head("statuses.yaml"),
        "jira": {"issues": jira["issues"][:4]},
    }


@pytest.mark.parametrize("seed", SEEDS)
def test_mutated_exports_exit_0_or_2_quickly(seed, bundled, tmp_path, cli):
    rnd = random.Random(seed)
    names = ["transitions.csv", "deployments.csv", "incidents.csv", "survey.csv"]
    names += ["statuses.yaml", "jira"]
    mutated = set(rnd.sample(names, rnd.choice([1, 1, 1, 2, 3])))
    files = {}
    for name in names[:4]:
        text = _mutate_csv(bundled[name], rnd) if name in mutated else bundled[name]
        files[name] = _write(tmp_path, name, text)
    statuses = bundled["statuses.yaml"]
    statuses = _mutate_yaml(statuses, rnd) if "statuses.yaml" in mutated else statuses
    files["statuses.yaml"] = _write(tmp_path, "statuses.yaml", statuses)
    jira = _mutate_json(bundled["jira"], rnd) if "jira" in mutated else bundled["jira"]
    files["jira.json"] = _write(tmp_path, "jira.json", json.dumps(jira))
    as_jira = "jira" in mutated or ("transitions.csv" not in mutated and rnd.random() < 0.3)
    items = files["jira.json"] if as_jira else files["transitions.csv"]
    extra = rnd.choice([[], ["--rules"], ["--business-days"], ["--incident-window", "none"]])
    extra += rnd.choice(
        [[], ["--from", "2026-03-01"], ["--to", "2026-05-01"], ["--engineers", "7"]]
    )
    code, _out, err = cli(
        items,
        "--statuses",
        files["statuses.yaml"],
        "--deployments",
        files["deployments.csv"],
        "--incidents",
        files["incidents.csv"],
        "--survey",
        files["survey.csv"],
        *extra,
    )
    if code == 2:  # a refusal names the file (or the window the flags gave)
        assert err.startswith((str(tmp_path), "the window")), err


# ---------------------------------------------------------------- figures on thin data


def test_a_team_with_no_finished_item_gets_figures_with_notes(tmp_path, cli):
    items = _write(tmp_path, "items.csv", UNFINISHED)
    deploys = _write(tmp_path, "d.csv", DEPLOYS)
    survey = _write(tmp_path, "s.csv", SURVEY)
    code, out, _ = cli(items, "--deployments", deploys, "--survey", survey, "--engineers", "3")
    assert code == 0
    doc = json.loads(out)
    assert doc["counts"]["finished"] == 0
    assert doc["flow"]["flow_time_days"]["value"] is None
    assert doc["flow"]["flow_time_days"]["note"]
    assert any("No item finished" in w for w in doc["warnings"])
    assert doc["bottlenecks"] == {}


def test_every_item_done_from_its_first_row(tmp_path, cli):
    text = "key,type,from_status,to_status,changed_at\nA-1,Story,To Do,Done,2026-01-06T09:00:00Z\n"
    code, out, _ = cli(_write(tmp_path, "items.csv", text))
    assert code == 0
    assert json.loads(out)["counts"]["items"] == 1


def test_every_deployment_failed_with_incidents(tmp_path, cli):
    items = _write(tmp_path, "items.csv", ITEMS)
    deploys = _write(tmp_path, "d.csv", ALL_FAILED)
    incidents = _write(tmp_path, "i.csv", INCIDENTS)
    code, out, _ = cli(items, "--deployments", deploys, "--incidents", incidents, "--rules")
    assert code == 0
    dora = json.loads(out)["dora"]
    assert dora["change_fail_rate"]["value"] == 1.0
    assert dora["change_lead_time"]["value"] is None and dora["change_lead_time"]["note"]
    assert dora["deployment_frequency"]["value"] == 0


def test_incidents_naming_deployments_that_do_not_exist(tmp_path, cli):
    incidents = "id,created_at,resolved_at,deployment_id\ni1,2026-01-06T12:00:00Z,,nope\n"
    code, out, _ = cli(
        _write(tmp_path, "items.csv", ITEMS),
        "--deployments",
        _write(tmp_path, "d.csv", DEPLOYS),
        "--incidents",
        _write(tmp_path, "i.csv", incidents),
        "--rules",
    )
    assert code == 0
    doc = json.loads(out)
    assert doc["dora"]["incidents"]["dangling"] == 1
    assert any("nope" in w for w in doc["warnings"])


@pytest.mark.parametrize("same_time", [True, False])
def test_deployment_rows_that_all_share_one_id(tmp_path, cli, same_time):
    rows = "".join(
        f"d1,2026-01-{6 if same_time else 6 + i:02d}T10:00:00Z,2026-01-05T10:00:00Z,"
        f"{'failed' if i == 1 else 'success'},,false\n"
        for i in range(5)
    )
    deploys = _write(
        tmp_path, "d.csv", "id,deployed_at,commit_at,status,recovered_at,unplanned\n" + rows
    )
    incidents = _write(tmp_path, "i.csv", INCIDENTS.replace(",d3", ",d1"))
    code, out, _ = cli(
        _write(tmp_path, "items.csv", ITEMS), "--deployments", deploys, "--incidents", incidents
    )
    assert code == 0
    doc = json.loads(out)
    assert doc["dora"]["rows"] == 5
    if not same_time:
        assert any("already used" in r for r in doc["counts"]["set_aside"])


# ---------------------------------------------------------------- times out of range

FAR = ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "0001-01-01", "9999-12-31 23:59:59"]
TIME_COLUMNS = [
    ("items", ITEMS, "changed_at"),
    ("items", ITEMS, "created_at"),
    ("deployments", DEPLOYS, "deployed_at"),
    ("deployments", DEPLOYS, "commit_at"),
    ("deployments", DEPLOYS, "recovered_at"),
    ("incidents", INCIDENTS, "created_at"),
    ("incidents", INCIDENTS, "resolved_at"),
]


def _with_cell(text: str, column: str, value: str, rows=(1,)) -> str:
    lines = text.splitlines()
    at = lines[0].split(",").index(column)
    for i in rows:
        cells = lines[i].split(",")
        cells[at] = value
        lines[i] = ",".join(cells)
    return "\n".join(lines) + "\n"


def _run_kind(tmp_path, cli, kind: str, text: str | bytes, *extra, limit: float = LIMIT_S):
    """The four CSV files, one of them `text`, through the command line."""
    files = {"items": ITEMS, "deployments": DEPLOYS, "incidents": INCIDENTS, "survey": SURVEY}
    files[kind] = text
    paths = {k: _write(tmp_path, f"{k}.csv", v) for k, v in files.items()}
    return cli(
        paths["items"],
        "--deployments",
        paths["deployments"],
        "--incidents",
        paths["incidents"],
        "--survey",
        paths["survey"],
        *extra,
        limit=limit,
    )


@pytest.mark.parametrize("value", FAR)
@pytest.mark.parametrize("kind, text, column", TIME_COLUMNS)
@pytest.mark.parametrize("every_row", [False, True])
def test_times_outside_the_range_are_set_aside_or_refused(
    tmp_path, cli, kind, text, column, value, every_row
):
    rows = range(1, len(text.splitlines())) if every_row else (1,)
    code, out, err = _run_kind(
        tmp_path, cli, kind, _with_cell(text, column, value, rows), "--rules"
    )
    if code == 2:
        assert f"{kind}.csv" in err
    else:
        reasons = " ".join(json.loads(out)["counts"]["set_aside"])
        assert column in reasons and "1970-2199" in reasons


@pytest.mark.parametrize("value", [FAR[0][:-1] + ".000+0000", "9999-12-31T23:59:59.999+0000"])
@pytest.mark.parametrize("where", ["fields.created", "histories.created", "both"])
def test_jira_times_outside_the_range(tmp_path, cli, value, where):
    issues = [_issue("A-1"), _issue("A-2")]
    for issue in issues[:1] if where != "both" else issues:
        if where in ("fields.created", "both"):
            issue["fields"]["created"] = value
        if where in ("histories.created", "both"):
            for history in issue["changelog"]["histories"]:
                history["created"] = value
    code, out, err = cli(_write(tmp_path, "jira.json", _jira(*issues)))
    if code == 2:
        assert "jira.json" in err
    else:
        assert "1970-2199" in " ".join(json.loads(out)["counts"]["set_aside"])
    assert (code == 2) == (where == "both")


# Fractions ISO 8601 refuses but the one-by-one parser reads (in microseconds, while the
# column ISO 8601 left empty was in seconds): once "Invalid value ... for dtype".
LONG_FRACTION = "2026-01-{day:02d}T10:00:00." + "1" * 30


@pytest.mark.parametrize("kind, text, column", TIME_COLUMNS)
def test_times_only_the_one_by_one_parser_reads(tmp_path, cli, kind, text, column):
    lines = text.splitlines()
    rows = range(1, len(lines))
    for i in rows:
        lines = _with_cell("\n".join(lines), column, LONG_FRACTION.format(day=5 + i), [i])
        lines = lines.splitlines()
    code, _out, err = _run_kind(tmp_path, cli, kind, "\n".join(lines) + "\n")
    assert code == 0, err


def test_jira_times_only_the_one_by_one_parser_reads(tmp_path, cli):
    issues = [_issue("A-1", LONG_FRACTION.format(day=5)), _issue("A-2")]
    for history in issues[0]["changelog"]["histories"]:
        history["created"] = LONG_FRACTION.format(day=9)
    code, out, _err = cli(_write(tmp_path, "jira.json", _jira(*issues)))
    assert code == 0
    assert json.loads(out)["counts"]["set_aside"] == {}


def test_parse_times_joins_steps_of_different_units():
    import pandas as pd

    from advisor.evidence.reading import SetAside
    from advisor.evidence.times import parse_times

    aside = SetAside()
    values = pd.Series(
        [
            "2026-01-05T10:00:00Z",  # ISO 8601, seconds
            "2026-01-05T10:00:00.123456789Z",  # ISO 8601, nanoseconds
            "13/01/2026 10:00:00.5",  # a guessed format (day first: there is no month 13)
            LONG_FRACTION.format(day=7),  # one by one, microseconds
            "0001-01-01T00:00:00Z",  # out of range
            "9999-12-31",
            "not a time",
            "",
            "2026" * 20,  # longer than a time
        ]
    )
    got = parse_times(values, "f.csv", "at", aside)
    assert str(got.dtype) == "datetime64[ns, UTC]"
    assert got.iloc[1].nanosecond == 789 and got.iloc[3].microsecond == 111111
    assert got.notna().tolist() == [True] * 4 + [False] * 5
    assert aside.as_dict() == {
        "at: not a date and time (first at f.csv row 8)": 2,
        "at: outside 1970-2199 (first at f.csv row 6)": 2,
    }


# ---------------------------------------------------------------- Jira fields of another type

WRONG = [None, 0, 7, -1, 2**70, 1.5, True, "", "text", [], [1, "x"], {}, {"name": 3}, [{}]]
JIRA_PLACES = {
    "issue": lambda doc, v: doc["issues"].__setitem__(0, v),
    "key": lambda doc, v: doc["issues"][0].__setitem__("key", v),
    "fields": lambda doc, v: doc["issues"][0].__setitem__("fields", v),
    "issuetype": lambda doc, v: doc["issues"][0]["fields"].__setitem__("issuetype", v),
    "issuetype.name": lambda doc, v: doc["issues"][0]["fields"]["issuetype"].__setitem__("name", v),
    "status": lambda doc, v: doc["issues"][0]["fields"].__setitem__("status", v),
    "statusCategory": lambda doc, v: doc["issues"][0]["fields"]["status"].__setitem__(
        "statusCategory", v
    ),
    "project": lambda doc, v: doc["issues"][0]["fields"].__setitem__("project", v),
    "team": lambda doc, v: doc["issues"][0]["fields"].__setitem__("team", v),
    "created": lambda doc, v: doc["issues"][0]["fields"].__setitem__("created", v),
    "changelog": lambda doc, v: doc["issues"][0].__setitem__("changelog", v),
    "total": lambda doc, v: doc["issues"][0]["changelog"].__setitem__("total", v),
    "histories": lambda doc, v: doc["issues"][0]["changelog"].__setitem__("histories", v),
    "history": lambda doc, v: doc["issues"][0]["changelog"]["histories"].__setitem__(0, v),
    "history.id": lambda doc, v: doc["issues"][0]["changelog"]["histories"][0].__setitem__("id", v),
    "history.created": lambda doc, v: doc["issues"][0]["changelog"]["histories"][0].__setitem__(
        "created", v
    ),
    "items": lambda doc, v: doc["issues"][0]["changelog"]["histories"][0].__setitem__("items", v),
    "item": lambda doc, v: doc["issues"][0]["changelog"]["histories"][0]["items"].__setitem__(0, v),
    "item.field": lambda doc, v: doc["issues"][0]["changelog"]["histories"][0]["items"][
        0
    ].__setitem__("field", v),
    "item.toString": lambda doc, v: doc["issues"][0]["changelog"]["histories"][0]["items"][
        0
    ].__setitem__("toString", v),
    "issues": lambda doc, v: doc.__setitem__("issues", v),
}


@pytest.mark.parametrize("place", JIRA_PLACES)
def test_jira_fields_of_an_unexpected_type(tmp_path, cli, place):
    for value in WRONG:
        doc = json.loads(_jira())
        JIRA_PLACES[place](doc, copy.deepcopy(value))
        code, _out, err = cli(_write(tmp_path, "jira.json", json.dumps(doc)), "--rules")
        if code == 2:
            assert "jira.json" in err, (place, value, err)


@pytest.mark.parametrize(
    "doc",
    [None, 0, "x", [], [None], [[]], {}, {"issues": {}}, {"values": [1]}, [{"statusCategory": 1}]],
)
def test_jira_documents_of_an_unexpected_shape(tmp_path, cli, doc):
    code, _out, err = cli(_write(tmp_path, "jira.json", json.dumps(doc)))
    assert code == 2 and "jira.json" in err


def test_a_jira_status_list_of_an_unexpected_type(tmp_path, cli):
    folder = tmp_path / "jira"
    folder.mkdir()
    _write(folder, "issues.json", _jira())
    for value in WRONG:
        statuses = [{"name": value, "statusCategory": {"key": "done"}, "scope": value}]
        _write(folder, "statuses.json", json.dumps(statuses))
        cli(folder)
        _write(folder, "statuses.json", json.dumps({"values": [value, {"name": "x"}]}))
        cli(folder)


def test_jira_issues_none_of_which_changed_status(tmp_path, cli):
    issue = {"key": "A-1", "fields": {"created": "2026-01-05T09:00:00.000+0000", "status": "To Do"}}
    code, out, _ = cli(_write(tmp_path, "jira.json", json.dumps([issue])))
    assert code == 0
    assert json.loads(out)["counts"]["items"] == 1


@pytest.mark.parametrize(
    "name, text",
    [
        ("items.csv", "key,type,from_status,to_status,changed_at\nA-1,Story,,,2026-01-05\n"),
        ("jira.json", json.dumps([{"key": "A-1", "fields": {"created": "2026-01-05"}}])),
    ],
)
def test_items_naming_no_status_are_refused(tmp_path, cli, name, text):
    code, _out, err = cli(_write(tmp_path, name, text))
    assert code == 2 and f"{name}:" in err and "no row names a status" in err


def test_items_whose_usable_rows_name_no_status_are_refused(tmp_path, cli):
    """The only status is on a row set aside: once an empty status table the page could
    not draw."""
    text = (
        "key,type,from_status,to_status,changed_at\n"
        "A-1,Story,,,2026-01-05T09:00:00Z\n"
        "A-1,Story,,Done,not a time\n"
    )
    code, _out, err = cli(_write(tmp_path, "items.csv", text))
    assert code == 2 and "items.csv: no row that can be used names a status" in err


def test_a_jira_history_id_of_digits_int_cannot_read(tmp_path, cli):
    doc = json.loads(_jira())
    doc["issues"][0]["changelog"]["histories"][0]["id"] = "²"
    assert cli(_write(tmp_path, "jira.json", json.dumps(doc)))[0] == 0


def test_a_long_jira_status_list_with_a_bad_entry_late(tmp_path, cli):
    folder = tmp_path / "jira"
    folder.mkdir()
    _write(folder, "issues.json", _jira())
    statuses = [{"name": f"S{i}", "statusCategory": {"key": "done"}} for i in range(60)]
    _write(folder, "statuses.json", json.dumps([*statuses, 5, None, "x"]))
    assert cli(folder)[0] == 0


@pytest.mark.parametrize("number", ["9" * 5000, "1e999999", "NaN", "-Infinity"])
def test_jira_numbers_python_cannot_hold(tmp_path, cli, number):
    text = _jira().replace('"2026-01-05T09:00:00.000+0000"', number, 1)
    code, _out, err = cli(_write(tmp_path, "jira.json", text))
    if code == 2:
        assert "jira.json" in err


# ---------------------------------------------------------------- headers, sizes, encodings

KINDS = {"items": ITEMS, "deployments": DEPLOYS, "incidents": INCIDENTS, "survey": SURVEY}


@pytest.mark.parametrize("kind", KINDS)
def test_a_column_named_twice_is_refused_naming_it(tmp_path, cli, kind):
    text = KINDS[kind]
    name = text.split(",", 2)[1]
    lines = text.splitlines()
    lines[0] += "," + name.upper()  # the same name, in another case
    lines[1:] = [line + ",x" for line in lines[1:]]
    code, _out, err = _run_kind(tmp_path, cli, kind, "\n".join(lines) + "\n")
    assert code == 2
    assert f"{kind}.csv: row 1: {name}: is named twice in the header" in err


@pytest.mark.parametrize("kind, column", [(k, c) for k, _t, c in TIME_COLUMNS])
def test_a_cell_of_one_and_a_half_megabytes_in_a_time_column(tmp_path, cli, kind, column):
    text = _with_cell(KINDS[kind], column, "2026-01-05T09:00:00Z" + "9" * 1_500_000)
    code, out, err = _run_kind(tmp_path, cli, kind, text, limit=5)
    if code == 2:  # Arrow reads in 1 MB blocks: a longer row may straddle two
        assert f"{kind}.csv: not a readable CSV (a row is longer than 1 MB)" in err
    else:
        assert "not a date and time" in " ".join(json.loads(out)["counts"]["set_aside"])


@pytest.mark.parametrize("kind, column", [(k, c) for k, _t, c in TIME_COLUMNS])
def test_a_cell_just_under_a_megabyte_is_not_a_time(tmp_path, cli, kind, column):
    for cell in ("2026-01-05T09:00:00Z" + "9" * 900_000, "2026-01-05 " * 90_000):
        code, out, _err = _run_kind(
            tmp_path, cli, kind, _with_cell(KINDS[kind], column, cell), limit=5
        )
        if code == 0:
            assert "not a date and time" in " ".join(json.loads(out)["counts"]["set_aside"])


@pytest.mark.parametrize("where", ["fields.created", "histories.created"])
def test_a_jira_time_of_one_and_a_half_megabytes(tmp_path, cli, where):
    doc = json.loads(_jira())
    issue = doc["issues"][0]
    long = "2026-01-05T09:00:00.000+0000" * 55_000
    if where == "fields.created":
        issue["fields"]["created"] = long
    else:
        issue["changelog"]["histories"][0]["created"] = long
    code, out, _err = cli(_write(tmp_path, "jira.json", json.dumps(doc)), limit=5)
    assert code == 0
    assert "not a date and time" in " ".join(json.loads(out)["counts"]["set_aside"])


def _wide(columns: int = 100_000) -> str:
    return ",".join(f"c{i}" for i in range(columns)) + "\n" + "1," * 10 + "\n"


WIDE = {
    "a 0.7 MB header of 100,000 names": _wide(),
    "65,001 empty names": "," * 65_000 + "\n" + "," * 65_000 + "\n",
    "one quoted 0.8 MB header cell": '"' + "a," * 400_000 + '"\n1\n',
    "a row of 100,000 cells": "key,type,from_status,to_status,changed_at\n" + "," * 100_000 + "\n",
}


@pytest.mark.parametrize("kind", ["items", "deployments", "incidents", "survey"])
@pytest.mark.parametrize("shape", WIDE)
def test_a_file_of_100000_columns_is_refused_fast(tmp_path, cli, kind, shape):
    started = time.perf_counter()
    code, _out, err = _run_kind(tmp_path, cli, kind, WIDE[shape], limit=5)
    assert code == 2 and f"{kind}.csv" in err
    assert time.perf_counter() - started < 5


def test_a_file_of_100000_columns_is_refused_without_a_gigabyte(tmp_path):
    """In a process of its own: the peak memory of the whole run, Arrow's early read too."""
    import subprocess
    import sys

    wide = _write(tmp_path, "wide.csv", _wide())
    if not Path("/proc/self/status").exists():
        pytest.skip("reads the peak from /proc (Linux)")
    # VmHWM is this process's own peak; ru_maxrss would carry the parent's over exec.
    script = (
        "import re, sys\n"
        "from advisor.cli import main\n"
        "code = main(['evidence', sys.argv[1], '--deployments', sys.argv[1]])\n"
        "status = open('/proc/self/status').read()\n"
        "print(code, re.search(r'VmHWM:\\s+(\\d+)', status).group(1))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(wide)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    code, peak_kb = map(int, done.stdout.split())
    assert code == 2 and "wide.csv" in done.stderr
    assert peak_kb < 400_000, f"{peak_kb / 1024:.0f} MB"


def _sparse(path: Path, size: int) -> Path:
    with path.open("wb") as handle:
        handle.truncate(size)
    return path


def test_a_folder_of_json_files_has_no_total_cap_and_is_read_file_by_file(tmp_path, cli):
    """Five files of 50 MB less a byte (250 MB, over the old 200 MB total): not refused for
    their total; the first file is read and refused for what it holds (NUL bytes)."""
    from advisor.evidence.limits import MAX_JSON_BYTES

    folder = tmp_path / "jira"
    folder.mkdir()
    for i in range(5):
        _sparse(folder / f"part{i}.json", MAX_JSON_BYTES - 1)  # each within its own limit
    code, _out, err = cli(folder, limit=3)
    assert code == 2 and "part0.json: is UTF-16 text" in err
    assert "budget" not in err


def test_a_folder_of_json_files_over_the_memory_budget_is_refused_before_reading(
    tmp_path, cli, monkeypatch
):
    """Budget 500 MB; one 50 MB file parsed whole (x10 = 500 MB) + the changes kept (x1 =
    50 MB) + the libraries (250 MB) = 800 MB > 500 MB."""
    from advisor.evidence.limits import MAX_JSON_BYTES

    monkeypatch.setenv("PLATFORM_ADVISOR_MEMORY_MB", "500")
    folder = tmp_path / "jira"
    folder.mkdir()
    _sparse(folder / "part0.json", MAX_JSON_BYTES - 1)
    code, _out, err = cli(folder, limit=3)
    assert code == 2 and "about 800 MB of memory, more than the budget of 500 MB" in err
    assert "--memory-mb" in err and "PLATFORM_ADVISOR_MEMORY_MB" in err


def test_one_json_file_over_its_limit_in_a_folder(tmp_path, cli):
    from advisor.evidence.limits import MAX_JSON_BYTES

    folder = tmp_path / "jira"
    folder.mkdir()
    _write(folder, "a.json", _jira())
    _sparse(folder / "b.json", MAX_JSON_BYTES + 1)
    code, _out, err = cli(folder, limit=3)
    assert code == 2 and "b.json: file is larger than 50 MB" in err


def test_files_read_whole_over_the_memory_budget_given_on_the_command_line(tmp_path, cli):
    """Deployments and incidents are read whole: 10x their size. 50 MB of deployments need
    500 MB + the libraries' 250 = 750 MB (within 1,024); 50 MB of incidents more make
    1,250 MB, over the default budget: refused before either is read."""
    items = _write(tmp_path, "items.csv", ITEMS)
    deploys = _sparse(tmp_path / "d.csv", 50 * 1024 * 1024)
    incidents = _sparse(tmp_path / "i.csv", 50 * 1024 * 1024)
    code, _out, err = cli(items, "--deployments", deploys, "--incidents", incidents, limit=5)
    assert code == 2 and "i.csv: read whole, its 50 MB" in err
    assert "about 1,250 MB of memory, more than the budget of 1,024 MB" in err


def test_a_transitions_file_over_the_memory_budget_names_the_budget_and_the_flag(tmp_path, cli):
    """A 280 MB budget leaves 30 MB beside the libraries' 250: 30 MB / 64 bytes a row is
    491,520 rows. 700,000 rows of 38 bytes (25 MB) are counted as they are read and
    refused; the message gives the rows, the estimate and how to raise the budget."""
    row = "K-1,Story,,To Do,2026-01-05T09:00:00Z\n"  # 38 bytes
    path = tmp_path / "big.csv"
    path.write_text("key,type,from_status,to_status,changed_at\n" + row * 700_000)
    code, _out, err = cli(path, "--memory-mb", "280", limit=10)
    assert code == 2 and "big.csv" in err and "more than the budget of 280 MB" in err
    assert "--memory-mb" in err
    code, _out, _err = cli(path, "--memory-mb", "300", limit=10)
    assert code == 0  # 250 + 700,000 x 64 / 2**20 = 292.7 MB: within 300


# ---------------------------------------------------------------- endless files


@pytest.fixture
def no_hang():
    """A run that blocks (a FIFO opened with no writer, /dev/zero read to its end) fails the
    test after 20 s instead of hanging the suite."""
    import signal

    def hung(*_):
        raise TimeoutError("the run hung on an endless file")

    old = signal.signal(signal.SIGALRM, hung)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


ENDLESS = ["/dev/zero", "/dev/urandom", "fifo"]
SLOTS = ["items.csv", "items.json", "folder", "deployments", "incidents", "survey", "statuses"]


@pytest.mark.parametrize("slot", SLOTS)
@pytest.mark.parametrize("target", ENDLESS)
@pytest.mark.parametrize("linked", [True, False])
def test_an_endless_file_is_refused_not_read(tmp_path, cli, no_hang, slot, target, linked):
    """A link to a device or a FIFO, or the FIFO or device itself, in every place a file
    is read."""
    if not hasattr(os, "mkfifo") or not Path(target if target != "fifo" else "/").exists():
        pytest.skip("needs a POSIX system")
    name = {"items.json": "x.json", "folder": "x.json", "statuses": "x.yaml"}.get(slot, "x.csv")
    where = tmp_path / "folder" if slot == "folder" else tmp_path
    where.mkdir(exist_ok=True)
    if target == "fifo":
        os.mkfifo(tmp_path / "pipe")
    endless = tmp_path / "pipe" if target == "fifo" else Path(target)
    if linked:
        path = where / name
        path.symlink_to(endless)
    elif target == "fifo":
        path = (tmp_path / "pipe").rename(where / name)
    elif slot == "folder":
        pytest.skip("a device is not made in a folder without root; a link stands for it")
    else:
        path = endless
    files = {
        "items": _write(tmp_path, "items.csv", ITEMS),
        "deployments": _write(tmp_path, "d.csv", DEPLOYS),
        "incidents": _write(tmp_path, "i.csv", INCIDENTS),
        "survey": _write(tmp_path, "s.csv", SURVEY),
        "statuses": _write(tmp_path, "st.yaml", STATUSES),
    }
    if slot == "folder":
        _write(where, "a.json", _jira())
        files["items"] = where
    else:
        files[slot.split(".")[0]] = path
    code, _out, err = cli(
        files["items"],
        *("--deployments", files["deployments"], "--incidents", files["incidents"]),
        *("--survey", files["survey"], "--statuses", files["statuses"]),
        limit=5,
    )
    assert code == 2
    assert f"{path}: is not a regular file" in err


def test_a_folder_given_as_a_file(tmp_path, cli):
    for flag in ("--deployments", "--incidents", "--survey", "--statuses"):
        code, _out, err = cli(_write(tmp_path, "items.csv", ITEMS), flag, tmp_path)
        assert code == 2 and "is a folder" in err


# ---------------------------------------------------------------- bytes: empty, BOM, NUL, ...


def _bytes_variants(text: str) -> dict[str, bytes]:
    raw = text.encode()
    header, _, body = raw.partition(b"\n")
    first, _, rest = body.partition(b"\n")
    cells = first.split(b",")
    return {
        "empty": b"",
        "blank lines": b"\n\n\n",
        "header only": header + b"\n",
        "header without a newline": header,
        "BOM": b"\xef\xbb\xbf" + raw,
        "CRLF": raw.replace(b"\n", b"\r\n"),
        "CR only": raw.replace(b"\n", b"\r"),
        "NUL in a cell": header
        + b"\n"
        + b",".join([cells[0] + b"\x00", *cells[1:]])
        + b"\n"
        + rest,
        "NUL in the header": b"\x00" + raw,
        "NUL everywhere": raw.replace(b",", b"\x00"),
        "quoted newline": header
        + b"\n"
        + b",".join([b'"' + cells[0] + b'\nmore"', *cells[1:]])
        + b"\n"
        + rest,
        "an unclosed quote": header + b'\n"' + body,
        "Latin-1": raw.replace(cells[0], cells[0] + b"\xe9", 1),
        "not UTF-8 in the header": header
        + b",\xff\xfe\r\n"
        + b"".join(line + b",\r\n" for line in body.splitlines()),
        "UTF-16": text.encode("utf-16"),
        "bytes 0x80-0xff": bytes(range(128, 256)) * 10,
        "a row too short": header + b"\n" + b",".join(cells[:2]) + b"\n" + rest,
        "a row too long": header + b"\n" + first + b",x,y\n" + rest,
    }


VARIANTS = list(_bytes_variants(ITEMS))
KEEP = {"BOM", "CRLF", "quoted newline"}  # a file a tool wrote: read as it is


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("kind", KINDS)
def test_bytes_of_every_kind(tmp_path, cli, kind, variant):
    data = _bytes_variants(KINDS[kind])[variant]
    code, _out, err = _run_kind(tmp_path, cli, kind, data)
    if code == 2:
        assert f"{kind}.csv" in err, err
    if variant in KEEP:
        assert code == 0, err
    if variant in ("empty", "header only", "Latin-1", "UTF-16", "NUL in the header"):
        assert code == 2
    if variant.startswith("NUL"):  # anywhere in the file, with its line
        assert code == 2 and "holds a NUL byte" in err
    if variant == "not UTF-8 in the header":  # once a UnicodeDecodeError from Arrow's names
        assert code == 2 and f"{kind}.csv: line 1 is not UTF-8 text" in err


def test_a_latin_1_file_is_refused_naming_its_line(tmp_path, cli):
    text = DEPLOYS.replace("d3,", "d\xe9,").encode("latin-1")
    code, _out, err = _run_kind(tmp_path, cli, "deployments", text)
    assert code == 2 and "deployments.csv: line 4 is not UTF-8 text" in err


@pytest.mark.parametrize(
    "data",
    [b"", b"\n", b"\xef\xbb\xbf" + _jira().encode(), b"\x00", _jira().encode("utf-16"), b"\xff{"],
)
def test_jira_bytes(tmp_path, cli, data):
    code, _out, err = cli(_write(tmp_path, "jira.json", data))
    if data.startswith(b"\xef\xbb\xbf"):
        assert code == 0
    else:
        assert code == 2 and "jira.json" in err


@pytest.mark.parametrize(
    "data",
    [b"", b"\xef\xbb\xbf" + STATUSES.encode(), b"\x00", b"\xff\xfe", b"statuses: 7\n", b"- 1\n"],
)
def test_status_map_bytes(tmp_path, cli, data):
    items = _write(tmp_path, "items.csv", ITEMS)
    code, _out, err = cli(items, "--statuses", _write(tmp_path, "st.yaml", data))
    if code == 2:
        assert "st.yaml" in err


def test_arrow_reads_only_its_own_streams():
    """Never a Python file object (see arrow_csv.source): after a failed read of one, the
    interpreter could hang at exit."""
    import pyarrow as pa

    from advisor.evidence.arrow_csv import source

    for data in (b"a\n1\n", "a\n1\n", EXAMPLES / "survey.csv"):
        with source(data) as stream:
            assert isinstance(stream, pa.NativeFile)


def test_a_row_longer_than_a_block_exits_every_time(tmp_path):
    """Run as a user would, in processes of their own: a failed Arrow read once hung the
    interpreter at exit one run in fifteen."""
    import subprocess
    import sys

    big = "2026-01-05T09:00:00Z" + "9" * 1_500_000
    text = ITEMS.replace("2026-01-05T09:00:00Z", big, 2)
    path = _write(tmp_path, "items.csv", text)
    for _ in range(3):
        done = subprocess.run(
            [sys.executable, "-m", "advisor", "evidence", str(path)],
            capture_output=True,
            text=True,
            timeout=30,
            cwd=ROOT,
        )
        assert done.returncode == 2 and "longer than 1 MB" in done.stderr


# ---------------------------------------------------------------- the window and its flags


@pytest.mark.parametrize(
    "flags, words",
    [
        (["--from", "2030-01-01"], "the window ends before it starts"),
        (["--to", "2020-01-01"], "the window ends before it starts"),
        (["--from", "2026-02-01", "--to", "2026-01-01"], "must be after --from"),
        (["--from", "2026-01-10", "--to", "2026-01-10"], None),
        (["--from", "2020-01-01", "--to", "2030-12-31"], None),
        (["--from", "1970-01-01", "--to", "1970-01-01"], "holds no status change"),
        (["--from", "1900-01-01"], "between 1970 and 2199"),
        (["--to", "2300-01-01"], "between 1970 and 2199"),
        (["--from", "0001-01-01"], "between 1970 and 2199"),
        (["--from", "2026-02-30"], "expected a date"),
        (["--from", "yesterday"], "expected a date"),
        (["--from", "2026-01-10T12:00+14:00"], None),
        (["--to", "2026-01-06T00:00:00"], None),
    ],
)
def test_window_flags(tmp_path, cli, flags, words):
    code, _out, err = cli(
        _write(tmp_path, "items.csv", ITEMS),
        "--deployments",
        _write(tmp_path, "d.csv", DEPLOYS),
        "--incidents",
        _write(tmp_path, "i.csv", INCIDENTS),
        "--rules",
        *flags,
    )
    if words is None:
        assert code == 0, err
    else:
        assert code == 2 and words in err


def test_to_the_last_day_python_can_hold(tmp_path, cli):
    code, _out, err = cli(_write(tmp_path, "items.csv", ITEMS), "--to", "9999-12-31")
    assert code == 2 and "between 1970 and 2199" in err


@pytest.mark.parametrize(
    "hours, ok",
    [
        ("0", False),
        ("-5", False),
        ("0.0001", False),
        ("0.1", True),
        ("87600", True),
        ("87601", False),
        ("1e9", False),
        ("1e400", False),
        ("inf", False),
        ("nan", False),
        ("none", True),
        ("NONE", True),
        ("", False),
        ("12h", False),
    ],
)
def test_incident_window_values(tmp_path, cli, hours, ok):
    code, _out, err = cli(
        _write(tmp_path, "items.csv", ITEMS),
        "--deployments",
        _write(tmp_path, "d.csv", ALL_FAILED if hours == "none" else DEPLOYS),
        "--incidents",
        _write(tmp_path, "i.csv", INCIDENTS),
        "--rules",
        f"--incident-window={hours}",
    )
    assert code == (0 if ok else 2), err
    if not ok:
        assert "--incident-window" in err


# ---------------------------------------------------------------- work that grows too fast


def test_many_projects_and_statuses(tmp_path, cli):
    """20,000 issues, each in a project of its own, 5,000 statuses, one status in two
    projects with different categories (so rules differ by project), and no
    `fields.project`: the project comes from each key. Once quadratic (projects x
    statuses: about 100 s and 3 GB at 40,000 of each)."""
    issues = [
        {
            "key": f"P{i}-1",
            "fields": {
                "created": "2026-01-05T09:00:00.000+0000",
                "status": {
                    "name": "X" if i < 2 else f"S{i % 4_999}",
                    "statusCategory": {"key": "done" if (i if i < 2 else i % 4_999) % 2 else "new"},
                },
            },
        }
        for i in range(20_000)
    ]
    code, out, _ = cli(_write(tmp_path, "jira.json", json.dumps(issues)), limit=8)
    assert code == 0
    rules = json.loads(out)["statuses"]["by_project"]
    assert len(rules) == 1 and rules[0]["project"] in ("P0", "P1")


def test_one_status_in_20000_projects_whose_categories_disagree(tmp_path, cli):
    """The rule most projects follow, found once (it was counted for each project)."""
    issues = [
        {
            "key": f"P{i}-1",
            "fields": {
                "created": "2026-01-05T09:00:00.000+0000",
                "status": {"name": "X", "statusCategory": {"key": "done" if i % 3 else "new"}},
            },
        }
        for i in range(20_000)
    ]
    code, out, _ = cli(_write(tmp_path, "jira.json", json.dumps(issues)), limit=8)
    assert code == 0
    doc = json.loads(out)["statuses"]
    assert doc["rules"]["X"]["stage"] == "done"
    assert len(doc["by_project"]) == 6_667


def _names_csv(column: str, count: int) -> str:
    rows = [
        f"A-{i},{f'T{i}' if column == 'type' else 'Story'},"
        f"{f'Team {i}' if column == 'team' else 'Team A'},,"
        f"{f'S{i}' if column == 'status' else 'In Progress'},2026-01-05T09:00:00Z\n"
        for i in range(count)
    ]
    return "key,type,team,from_status,to_status,changed_at\n" + "".join(rows)


@pytest.mark.parametrize(
    "column, words",
    [
        ("status", "to_status: names 100,000 statuses; at most 5,000"),
        ("type", "type: names 100,000 issue types; at most 1,000"),
    ],
)
def test_a_column_of_a_name_per_row_is_refused(tmp_path, cli, column, words):
    code, _out, err = cli(_write(tmp_path, "items.csv", _names_csv(column, 100_000)), limit=8)
    assert code == 2 and "items.csv:" in err and words in err


def test_a_team_per_row_gives_no_team_figures(tmp_path, cli):
    """100,000 teams (and a window of 230 years): once 80 s and 19 GB, one team at a time
    over every week."""
    text = _names_csv("team", 100_000)
    text += "B-1,Story,Team B,,To Do,1970-01-02T00:00:00Z\n"
    text += "B-2,Story,Team B,,To Do,2199-12-30T00:00:00Z\n"
    code, out, _ = cli(_write(tmp_path, "items.csv", text), limit=8)
    assert code == 0
    doc = json.loads(out)
    assert doc["teams"] == {}
    assert any("100,001 teams" in w for w in doc["warnings"])


def test_a_survey_of_12000_teams(tmp_path, cli):
    """Counted for every team at once (once a pandas group at a time: 10 s at 20,000)."""
    survey = "team,a,b\n" + "".join(f"t{i // 5},4,{1 + i % 5}\n" for i in range(60_000))
    code, out, _ = cli(
        _write(tmp_path, "items.csv", ITEMS),
        "--survey",
        _write(tmp_path, "s.csv", survey),
        limit=8,
    )
    assert code == 0
    effectiveness = json.loads(out)["dx_core_4"]["effectiveness"]
    assert effectiveness["value"] == pytest.approx(0.7)  # a: all 4; b: 4 and 5 of 1-5
    assert effectiveness["respondents"]["t0"] == 5


def test_a_survey_is_a_small_file(tmp_path, cli):
    """A survey is hand-made: over MAX_SMALL_BYTES it is refused (100 MB of 199 drivers
    took about 20 s and 2.5 GB); at the limit it answers in seconds."""
    from advisor.evidence.limits import MAX_SMALL_BYTES

    items = _write(tmp_path, "items.csv", ITEMS)
    header = "team," + ",".join(f"d{i}" for i in range(199)) + "\n"
    row = "Team A," + ",".join(str(1 + i % 5) for i in range(199)) + "\n"
    rows = (MAX_SMALL_BYTES - len(header)) // len(row)
    code, out, _ = cli(items, "--survey", _write(tmp_path, "s.csv", header + row * rows), limit=6)
    assert code == 0
    assert json.loads(out)["dx_core_4"]["effectiveness"]["respondents"]["Team A"] == rows
    code, _out, err = cli(items, "--survey", _write(tmp_path, "s.csv", header + row * (rows + 1)))
    assert code == 2 and "s.csv: file is larger than 1,000,000 bytes" in err


@pytest.mark.parametrize("kind", KINDS)
def test_a_row_of_another_width_is_named(tmp_path, cli, kind):
    """Arrow says only "Expected 4 columns, got 5": the row is found and named."""
    lines = KINDS[kind].splitlines()
    first, rest = lines[1].split(",", 1)
    lines[1] = f'"{first}\nmore",{rest}'  # a quoted newline: still row 2
    lines.insert(2, "")  # a blank line is not a row
    lines[3] += ",one too many"  # row 3
    code, _out, err = _run_kind(tmp_path, cli, kind, "\n".join(lines) + "\n")
    width = len(lines[0].split(","))
    assert code == 2
    assert f"{kind}.csv: row 3: {width + 1} cells where the header has {width}" in err
