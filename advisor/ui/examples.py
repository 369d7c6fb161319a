"""The bundled examples in examples/: the pages start from these files, not from copies."""

from __future__ import annotations

from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def example_path(name: str) -> Path:
    return EXAMPLES / name
