"""Evidence from a team's own exports: flow, SEI, DORA and DX Core 4 figures, where work
waits, and how long the backlog will take.

reading      transitions CSV or Jira REST JSON, deployments, incidents, survey
statuses     status -> stage and active/waiting; issue type -> flow item
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
from advisor.evidence.statuses import StatusMap, load_status_map, parse_status_map

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
