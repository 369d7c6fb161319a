"""Evidence from a team's own exports: flow, SEI, DORA and DX Core 4 figures, where work
waits, and how long the backlog will take.

limits       the bounds on files and work (the same in the app, the server and the CLI)
arrow_csv    Arrow's one-pass reads of the CSV exports (no pandas, so they can start early)
times        timestamps parsed in linear time, range-checked, in UTC
reading      transitions CSV, deployments (rows sharing an id merged), incidents, survey
jira         Jira's REST JSON: issues with their changelog, and Jira's status list
statuses     status -> stage and active/waiting (per project, Jira's category); type -> item
status_map   the user's own status map file (YAML), validated
window       the observation window: rates and whole weeks
prepare      rows cleaned and laid out as stays and items (arrays)
groups       sums, counts and medians by code
flow         Flow Framework and SEI figures
rules        DORA rule sets as data (catalog/dora-rules.yaml)
dora         DORA's metrics under a rule set, 2024 clusters, Quick Check scores
dx           DX Core 4's four figures and their stand-ins
bottleneck   each stage's share of waiting inside flow time
forecast     Monte Carlo from weekly throughput
readiness    what the data can support, per platform category
registry     one label, unit, format and definition per figure
models       the typed report and its JSON Schema
sample       a seeded organisation with a planted bottleneck
analysis     all of it together

The names below load their module on first use: importing the package costs nothing, so
the command line can start reading a large file before pandas, pydantic and YAML load.
"""

from importlib import import_module

_WHERE = {
    "Evidence": "analysis",
    "analyse_evidence": "analysis",
    "json_safe": "analysis",
    "Deployments": "reading",
    "ItemsRead": "reading",
    "SetAside": "reading",
    "items_from_upload": "reading",
    "read_deployments": "reading",
    "read_incidents": "reading",
    "read_items": "reading",
    "read_survey": "reading",
    "StatusMap": "status_map",
    "load_status_map": "status_map",
    "parse_status_map": "status_map",
}
__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{_WHERE[name]}"), name)
    globals()[name] = value
    return value
