"""Evidence from a team's own exports: flow, SEI, DORA and DX Core 4 figures, where work
waits, and how long the backlog will take.

arrow_csv    Arrow's one-pass reads of the CSV exports (no pandas, so they can start early)
reading      transitions CSV or Jira REST JSON, deployments, incidents, survey
statuses     status -> stage and active/waiting; issue type -> flow item
status_map   the user's own status map file (YAML), validated
prepare      rows cleaned and laid out as stays and items (arrays)
groups       sums, counts and medians by code
flow         Flow Framework and SEI figures
dora         DORA's metrics, 2024 clusters, Quick Check scores; DX Core 4
bottleneck   each stage's share of waiting inside flow time
forecast     Monte Carlo from weekly throughput
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
