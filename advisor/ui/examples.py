"""The bundled examples in examples/: the pages start from these files, not from copies."""

from __future__ import annotations

from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def example_path(name: str) -> Path:
    return EXAMPLES / name


# An example scenario that comes with the exports it was measured on: opening it (a button,
# the sidebar or a link) puts them in use when none are, so the loop closes in one click.
EXPORTS = {
    "northwind-platform.yaml": (
        "realised",
        {
            "items": "transitions.csv",
            "statuses": "statuses.yaml",
            "deployments": "deployments.csv",
            "incidents": "incidents.csv",
        },
    )
}
