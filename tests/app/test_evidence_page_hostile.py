"""The Evidence page's readers against the files that once crashed the command line: the
page raises nothing, shows an error naming the file, and keeps the good file it had."""

import json

import pytest

from tests.app.conftest import assert_clean, figures, shown, upload
from tests.unit.test_fuzz_evidence import (
    ALL_FAILED,
    INCIDENTS,
    ITEMS,
    _issue,
    _names_csv,
    _wide,
)

PAGE = "advisor/ui/evidence_page.py"


def _open(app):
    app.switch_page(PAGE).run()
    assert_clean(app)
    return app


def _in_use(at) -> str:
    return " ".join(shown(c) for c in at.caption if shown(c).startswith("In use:"))


def _with_good_items(app):
    at = _open(app)
    upload(at, "evidence_up_items", ("good.csv", ITEMS.encode(), "text/csv"))
    assert not at.error
    assert "Flow time" in figures(at)
    return at


BAD_ITEMS = {
    "wide.csv": (_wide().encode(), "the header line is longer than 65,536 bytes"),
    "twice.csv": (
        b"key,type,from_status,to_status,changed_at,KEY\nA-1,Story,,To Do,2026-01-05,x\n",
        "is named twice in the header",
    ),
    "latin1.csv": (ITEMS.replace("Team B", "\xe9quipe").encode("latin-1"), "not UTF-8 text"),
    "nul.csv": (b"\x00" + ITEMS.encode(), "nul.csv"),
    "far.csv": (
        b"key,type,from_status,to_status,changed_at\nA-1,Story,,To Do,0001-01-01T00:00:00Z\n",
        "no row has both a key and a readable time",
    ),
    "statuses.csv": (_names_csv("status", 6_000).encode(), "names 6,000 statuses"),
    "empty.csv": (b"", "empty.csv"),
    "no-status.json": (  # once an empty status table the page could not draw
        json.dumps(
            [{"key": "A-1", "fields": {"created": "2026-01-05T09:00:00.000+0000"}}]
        ).encode(),
        "no row names a status",
    ),
    "set-aside.csv": (  # refused by the reader, so the good file stays
        b"key,type,from_status,to_status,changed_at\n"
        b"A-1,Story,,,2026-01-05T09:00:00Z\nA-1,Story,,Done,not a time\n",
        "no row that can be used names a status",
    ),
    "before-created.csv": (
        b"key,type,from_status,to_status,changed_at,created_at\n"
        b"A-1,Story,,To Do,2026-01-05T09:00:00Z,2026-02-05T09:00:00Z\n",
        "no row can be used",
    ),
    "jira.json": (json.dumps({"issues": [{"key": 5, "fields": 7}]}).encode(), "jira.json"),
    "number.json": (b'{"issues": [{"fields": {"created": ' + b"9" * 5000 + b"}}]}", "not JSON"),
}


@pytest.mark.parametrize("name", BAD_ITEMS)
def test_a_bad_items_file_is_refused_and_the_good_one_kept(app, name):
    at = _with_good_items(app)
    data, words = BAD_ITEMS[name]
    kind = "application/json" if name.endswith(".json") else "text/csv"
    upload(at, "evidence_up_items", (name, data, kind))
    error = " ".join(shown(e) for e in at.error)
    assert name in error and words in error
    assert "good.csv" in _in_use(at) and name not in _in_use(at)
    assert "Flow time" in figures(at), "the good file stays"


@pytest.mark.parametrize(
    "name, data",
    [
        (
            "all-done.csv",
            b"key,type,from_status,to_status,changed_at\n"
            b"A-1,Story,To Do,Done,2026-01-06T09:00:00Z\n",
        ),
        (
            "no-changes.json",
            json.dumps(
                [
                    {
                        "key": "A-1",
                        "fields": {"created": "2026-01-05T09:00:00.000+0000", "status": "Open"},
                    }
                ]
            ).encode(),
        ),
        ("teams.csv", _names_csv("team", 2_000).encode()),
        (
            "wrong-types.json",
            json.dumps(
                {"issues": [{**_issue(), "changelog": {"histories": [{"items": 3}, 7]}}, _issue()]}
            ).encode(),
        ),
    ],
)
def test_items_that_once_crashed_are_measured(app, name, data):
    at = _open(app)
    kind = "application/json" if name.endswith(".json") else "text/csv"
    upload(at, "evidence_up_items", (name, data, kind))
    assert not at.error, [shown(e) for e in at.error]
    assert name in _in_use(at)


def test_every_deployment_failed_with_incidents_on_the_page(app):
    at = _with_good_items(app)
    upload(at, "evidence_up_deployments", ("failed.csv", ALL_FAILED.encode(), "text/csv"))
    upload(at, "evidence_up_incidents", ("incidents.csv", INCIDENTS.encode(), "text/csv"))
    assert not at.error
    assert figures(at)["Change fail rate"] == "100.0%"


def test_a_bad_deployments_file_is_refused_and_the_good_one_kept(app):
    at = _with_good_items(app)
    upload(at, "evidence_up_deployments", ("failed.csv", ALL_FAILED.encode(), "text/csv"))
    bad = b"id,deployed_at,commit_at,status,status\nd1,2026-01-06,,success,failed\n"
    upload(at, "evidence_up_deployments", ("twice.csv", bad, "text/csv"))
    assert "twice.csv" in shown(at.error[0]) and "named twice" in shown(at.error[0])
    assert "failed.csv" in _in_use(at)
    assert figures(at)["Change fail rate"] == "100.0%"
