"""Evidence from a team's own exports: flow, SEI, DORA and DX Core 4 figures, where work
waits, and how long the backlog will take.

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
"""

from advisor.evidence.analysis import Evidence, analyse_evidence, json_safe
from advisor.evidence.reading import (
    SetAside,
    items_from_upload,
    read_deployments,
    read_incidents,
    read_items,
    read_survey,
)

_STATUS_MAP = ("StatusMap", "load_status_map", "parse_status_map")


def __getattr__(name: str):
    """The status-map file's names load pydantic and YAML: only when first asked for."""
    if name in _STATUS_MAP:
        from advisor.evidence import status_map

        return getattr(status_map, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Evidence",
    "SetAside",
    "StatusMap",
    "analyse_evidence",
    "items_from_upload",
    "json_safe",
    "load_status_map",
    "parse_status_map",
    "read_deployments",
    "read_incidents",
    "read_items",
    "read_survey",
]
