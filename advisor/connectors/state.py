"""`pull-state.json` in a pull's output folder: what was fetched and up to when (the watermark
of the next incremental pull), and where an interrupted pull stopped (its resume point)."""

from __future__ import annotations

import json
import os
import tempfile
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from advisor.connectors.http import BAD_INPUT, ConnectorError

STATE_FILE = "pull-state.json"
MAX_STATE_BYTES = 10_000_000  # the state lists file names and a cursor: far below this


class PullState(BaseModel):
    """One output folder's pull state.

    provider: jira, github or gitlab; target: the site, OWNER/NAME or project id pulled (a
    folder holds one target); query: the JQL or filter, when there is one; since: the earliest
    creation/update asked for (`--since`), or None; updated_to: the watermark, an aware
    datetime: every item updated up to it is in the folder (the next pull asks only for later
    updates); cursor: the resume point of an unfinished pull (provider-specific JSON, e.g.
    `{"next": URL, "page": 3}`), None when finished; run_to: the watermark the unfinished run
    will record when it completes; complete: the last pull finished; files: the data files
    written, relative to the folder; fetched: counts per kind of item (e.g. `{"pulls": 120}`).
    """

    model_config = ConfigDict(extra="forbid")

    version: Literal[1] = 1
    provider: Literal["jira", "github", "gitlab"]
    target: str
    query: str | None = None
    since: date | None = None
    updated_to: AwareDatetime | None = None
    cursor: dict[str, Any] | None = None
    run_to: AwareDatetime | None = None
    complete: bool = False
    files: list[str] = Field(default_factory=list)
    fetched: dict[str, int] = Field(default_factory=dict)


def load_state(out: Path) -> PullState | None:
    """The state saved in folder `out`, or None when there is none. Raises ConnectorError
    (exit 2) naming the file and field when it cannot be read."""
    path = Path(out) / STATE_FILE
    if not path.is_file():
        return None
    if path.stat().st_size > MAX_STATE_BYTES:
        raise ConnectorError(f"{path}: larger than {MAX_STATE_BYTES:,} bytes", BAD_INPUT)
    try:
        return PullState.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConnectorError(f"{path}: cannot be read ({exc})", BAD_INPUT) from None
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "(the document)"
        raise ConnectorError(
            f"{path}: {field}: {first['msg']} (delete the file to pull everything again)",
            BAD_INPUT,
        ) from None


def write_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` through a temporary file in the same folder and os.replace, so a
    reader (or an interrupted pull) sees the old file or the new one, never half of one."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_state(out: Path, state: PullState) -> None:
    """Save `state` as `out/pull-state.json`, atomically."""
    document = json.loads(state.model_dump_json())
    write_atomic(Path(out) / STATE_FILE, json.dumps(document, indent=2) + "\n")
