"""The measurement of the exports in use (the Evidence page's files), computed once per set
of files and options and shared read-only by the pages that read it (Evidence, Value
realised): the same bytes give the same figures whoever sent them."""

from __future__ import annotations

import hashlib

import streamlit as st

from advisor.evidence import (
    SetAside,
    analyse_evidence,
    items_from_upload,
    parse_status_map,
    read_deployments,
    read_incidents,
    read_survey,
)
from advisor.evidence.rules import DEFAULT_INCIDENT_WINDOW_HOURS
from advisor.ui import workspace

# No window, calendar days, incidents linked within the default hours, no rule-set table:
# how value realised measures (the Evidence page's defaults, but for its rule-set table).
PLAIN = (None, False, None, None, DEFAULT_INCIDENT_WINDOW_HOURS, False)


def map_text() -> str:
    """The status map in use: the page's edits, else the uploaded map file, else none."""
    edits = st.session_state.get("evidence_map_edits", "")
    files = workspace.files()
    if not edits and "statuses" in files:
        edits = files["statuses"][0].data.decode("utf-8", "replace")
    return edits


def key_of(edits: str, options: tuple) -> str:
    return hashlib.sha256(f"{workspace.files_digest()}|{edits}|{options}".encode()).hexdigest()


@st.cache_resource(max_entries=6, ttl=3600, show_spinner="Measuring...")
def measure(key: str, _files: dict, map_yaml: str, options: tuple):
    """The analysis, computed once per set of files (by digest) and options, and shared
    read-only: the same bytes give the same figures whoever sent them."""
    engineers, business, start, end, window_hours, with_rules = options
    aside = SetAside()
    items = items_from_upload([(u.name, u.data) for u in _files["items"]], aside)
    status_map = parse_status_map(map_yaml, "the status table") if map_yaml else None

    def one(kind, reader):
        if kind not in _files:
            return None
        u = _files[kind][0]
        return reader(u.data, u.name, aside) if kind != "survey" else reader(u.data, u.name)

    rule_sets = None
    if with_rules:
        from advisor.evidence.rules import bundled_rules, with_incident_window

        rule_sets = [
            with_incident_window(rs, window_hours) if rs.id == "platform-advisor" else rs
            for rs in bundled_rules().rule_sets
        ]
    pulls = None
    if "pulls" in _files:
        from advisor.evidence.pulls import pulls_from_upload

        pulls = pulls_from_upload([(u.name, u.data) for u in _files["pulls"]])
    return analyse_evidence(
        items,
        aside,
        status_map,
        one("deployments", read_deployments),
        one("incidents", read_incidents),
        one("survey", read_survey),
        engineers,
        business,
        start=start,
        end=end,
        incident_window_hours=window_hours,
        rule_sets=rule_sets,
        pulls=pulls,
    )


def in_use():
    """The exports in use measured under PLAIN, or None when there are none or they do not
    read (the page that took them said why)."""
    from advisor.errors import InputError

    files = workspace.files()
    if "items" not in files:
        return None
    edits = map_text()
    try:
        return measure(key_of(edits, PLAIN), files, edits, PLAIN)
    except InputError:
        return None
