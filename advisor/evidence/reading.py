"""Reading a team's exports: work-item transitions (CSV or Jira REST JSON), a status map,
deployments, incidents and a survey. Every problem names the file, row and column; rows that
cannot be used are set aside and counted with the reason.

Transitions become one frame: key, type, team, from_status, to_status, at (UTC), created (UTC).
Jira: status changes are the changelog items whose field is "status"; histories are sorted by
time (Jira lists them newest first); the first status is the first change's `fromString`, or
the current status when nothing changed; times like 2021-06-18T18:41:29.398+0000.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from advisor.errors import EvidenceError, Problem
from advisor.evidence.arrow_csv import (
    DEPLOYMENT_TIMES,
    INCIDENT_TIMES,
    MAX_BYTES,
    TEXT_COLUMNS,
    TRANSITION_COLUMNS,
    source,
    transitions_table,
    typed_table,
)

MAX_JSON_BYTES = 50_000_000  # Jira JSON is parsed whole in memory
MAX_FILES = 2_000  # JSON files in a folder
DEPLOYMENT_COLUMNS = ("id", "deployed_at", "commit_at", "status")
INCIDENT_COLUMNS = ("id", "created_at", "resolved_at")


@dataclass
class SetAside:
    """Rows that could not be used, counted by reason (never dropped silently)."""

    reasons: Counter = field(default_factory=Counter)

    def add(self, reason: str, count: int) -> None:
        if count:
            self.reasons[reason] += int(count)

    def as_dict(self) -> dict[str, int]:
        return dict(self.reasons)


def _size_checked(data: bytes | str | Path, file: str = "", limit: int = MAX_BYTES) -> None:
    """Refuse a file (by its size on disk, before reading) or data larger than `limit`."""
    if isinstance(data, Path):
        try:
            size, file = data.stat().st_size, str(data)
        except OSError as exc:
            raise EvidenceError([Problem(str(data), f"cannot be read ({exc.strerror})")]) from None
    else:
        size = len(data)
    if size > limit:
        raise EvidenceError([Problem(file, f"file is larger than {limit:,} bytes")])


def _read_csv(
    data: bytes | str | Path,
    file: str,
    required: tuple[str, ...],
    times: tuple[str, ...] = (),
    table=None,
) -> pd.DataFrame:
    """A CSV as text columns (and `times` as UTC times when every one has a zone), its header
    checked; the header is row 1, data starts at row 2. `table`: the file as Arrow already
    read it (arrow_csv.typed_table)."""
    _size_checked(data, file)
    if table is None and times:
        table = typed_table(data, times)
    if table is not None:
        frame = table.to_pandas()
    else:
        try:
            frame = pd.read_csv(
                source(data),
                dtype=str,
                keep_default_na=False,
                encoding="utf-8-sig",
                engine="pyarrow",
            )
        except Exception as exc:  # pyarrow and pandas raise many kinds for a broken CSV
            reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
            raise EvidenceError([Problem(file, f"not a readable CSV ({reason})")]) from None
        frame.columns = [str(c).strip().lower() for c in frame.columns]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        found = ", ".join(map(str, frame.columns[:12])) or "none"
        raise EvidenceError(
            [Problem(file, "required column is missing", c) for c in missing]
            + [Problem(file, f"columns found: {found}")]
        )
    if frame.empty:
        raise EvidenceError([Problem(file, "has a header but no rows")])
    return frame


def parse_times(
    values: pd.Series, file: str, column: str, aside: SetAside, first_row: int = 2
) -> pd.Series:
    """Timestamps to UTC; a value without an offset is taken as UTC. Unreadable values become
    NaT and are counted; one readable format per column is expected, several are accepted."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return values.dt.tz_convert("UTC")  # read typed: every value had a zone
    text = values.astype("string").str.strip()
    blank = text.isna() | (text == "")
    parsed = pd.to_datetime(text.where(~blank), utc=True, errors="coerce", format="ISO8601")
    retry = parsed.isna() & ~blank
    if retry.any():  # a second format in the same column: parse those values one by one
        parsed[retry] = pd.to_datetime(text[retry], utc=True, errors="coerce", format="mixed")
    bad = parsed.isna() & ~blank
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0]) + first_row
        aside.add(f"{column}: not a date and time (first at {file} row {row})", int(bad.sum()))
    return parsed


# ---------------------------------------------------------------- work items


def _dictionary(column) -> tuple[np.ndarray, np.ndarray, bool]:
    """An Arrow dictionary column as its indices and distinct values, trimmed, and whether
    trimming changed any value (then two values may have become one)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    trimmed = pc.utf8_trim_whitespace(array.dictionary)
    changed = not trimmed.equals(array.dictionary)
    names = trimmed.to_numpy(zero_copy_only=False).astype(object)
    indices = array.indices
    if indices.null_count:  # none with strings_can_be_null=False; read as "" all the same
        indices, names = indices.fill_null(len(names)), np.append(names, "")
    return indices.to_numpy(zero_copy_only=False), names, changed


def _categorical(indices: np.ndarray, names: np.ndarray, categories: np.ndarray):
    """Indices into `names` as a Categorical over `categories` (sorted, holding every name)."""
    codes = np.searchsorted(categories, names)[indices]
    return pd.Categorical.from_codes(codes, pd.Index(categories, dtype=object), validate=False)


def _fast_transitions(data: bytes | str | Path, table=None) -> pd.DataFrame | None:
    """The common case read by Arrow in one pass (arrow_csv.transitions_table, or `table`
    when it was read early): text as categories, times in UTC. None when Arrow cannot take
    the file: the careful path then reads it. Statuses, types and teams are sorted; keys
    keep the order they first appear in."""
    table = transitions_table(data) if table is None else table
    if table is None:
        return None
    names = table.column_names
    parts = {c: _dictionary(table[c]) for c in TEXT_COLUMNS if c in names}
    if "team" not in parts:
        parts["team"] = (np.zeros(table.num_rows, dtype=np.int8), np.array([""], object), False)
    indices, keys, changed = parts["key"]
    statuses = np.unique(np.concatenate([parts["from_status"][1], parts["to_status"][1]]))
    frame = pd.DataFrame(
        {
            "key": _categorical(indices, keys, np.unique(keys))
            if changed
            else pd.Categorical.from_codes(indices, pd.Index(keys, dtype=object), validate=False),
            "type": _categorical(*parts["type"][:2], np.unique(parts["type"][1])),
            "team": _categorical(*parts["team"][:2], np.unique(parts["team"][1])),
            "from_status": _categorical(*parts["from_status"][:2], statuses),
            "to_status": _categorical(*parts["to_status"][:2], statuses),
            "at": table["changed_at"].to_pandas(),
        }
    )
    frame["created"] = (
        table["created_at"].to_pandas()
        if "created_at" in names
        else pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns, UTC]")
    )
    return frame


def _usable(frame: pd.DataFrame, file: str, aside: SetAside) -> pd.DataFrame:
    """The transitions, refused when no row has both a key and a readable time."""
    key = frame["key"]
    if isinstance(key.dtype, pd.CategoricalDtype):  # by code: no hashing of every key
        blank = np.append(key.cat.categories == "", True)[key.cat.codes.to_numpy()]
    else:
        blank = (key == "").to_numpy()
    if not (frame["at"].notna().to_numpy() & ~blank).any():
        why = "; ".join(f"{n:,} {reason}" for reason, n in aside.reasons.items())
        message = "no row has both a key and a readable time" + (f" ({why})" if why else "")
        raise EvidenceError([Problem(file, message)])
    return frame


def transitions_from_csv(
    data: bytes | str | Path, file: str, aside: SetAside, table=None
) -> pd.DataFrame:
    _size_checked(data, file)
    fast = _fast_transitions(data, table)
    if fast is not None:
        return _usable(fast, file, aside)
    frame = _read_csv(data, file, TRANSITION_COLUMNS)
    out = pd.DataFrame(
        {
            "key": frame["key"].str.strip(),
            "type": frame["type"].str.strip(),
            "team": frame["team"].str.strip() if "team" in frame else "",
            "from_status": frame["from_status"].str.strip(),
            "to_status": frame["to_status"].str.strip(),
        }
    )
    out["at"] = parse_times(frame["changed_at"], file, "changed_at", aside)
    created = frame["created_at"] if "created_at" in frame else pd.Series([""] * len(frame))
    out["created"] = parse_times(created, file, "created_at", aside)
    return _usable(out, file, aside)


def _jira_issues(doc, file: str) -> list[dict]:
    if isinstance(doc, dict) and isinstance(doc.get("issues"), list):
        issues = doc["issues"]
    elif isinstance(doc, list):
        issues = doc
    elif isinstance(doc, dict) and "fields" in doc:
        issues = [doc]
    else:
        raise EvidenceError(
            [
                Problem(
                    file,
                    'not a Jira response: expected a search result {"issues": [...]}, a list '
                    'of issues, or one issue with "fields"',
                )
            ]
        )
    bad = [i for i, x in enumerate(issues) if not (isinstance(x, dict) and "fields" in x)]
    if bad:
        raise EvidenceError(
            [Problem(file, f'issue {bad[0] + 1} has no "fields": not a Jira issue', "issues")]
        )
    return issues


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def transitions_from_jira(paths: list[tuple[str, bytes]], aside: SetAside) -> pd.DataFrame:
    """Jira REST JSON (search results with the changelog expanded) as transition rows."""
    rows = []
    for file, data in paths:
        _size_checked(data, file, MAX_JSON_BYTES)
        try:
            doc = json.loads(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
            raise EvidenceError([Problem(file, f"not JSON ({str(exc)[:120]})")]) from None
        for issue in _jira_issues(doc, file):
            fields = issue.get("fields") or {}
            key = _text(issue.get("key")) or _text(issue.get("id"))
            kind = _text((fields.get("issuetype") or {}).get("name"))
            created = _text(fields.get("created"))
            team = _team(fields)
            changes = []
            histories = (issue.get("changelog") or {}).get("histories") or []
            for h in histories if isinstance(histories, list) else []:
                if not isinstance(h, dict):
                    continue
                for item in h.get("items") or []:
                    if isinstance(item, dict) and item.get("field") == "status":
                        changes.append(
                            (
                                _text(h.get("created")),
                                _text(item.get("fromString")),
                                _text(item.get("toString")),
                            )
                        )
            changes.sort(key=lambda c: c[0])  # Jira lists histories newest first
            first = changes[0][1] if changes else _text((fields.get("status") or {}).get("name"))
            rows.append((key, kind, team, "", first, created, created))
            rows.extend((key, kind, team, frm, to, at, created) for at, frm, to in changes)
    frame = pd.DataFrame(
        rows, columns=["key", "type", "team", "from_status", "to_status", "at", "created"]
    )
    if frame.empty:
        raise EvidenceError([Problem(paths[0][0] if paths else "jira", "holds no issues")])
    file = paths[0][0] if len(paths) == 1 else f"{len(paths)} Jira files"
    frame["at"] = parse_times(frame["at"], file, "created", aside)
    frame["created"] = parse_times(frame["created"], file, "fields.created", aside)
    return _usable(frame, file, aside)


def _team(fields: dict) -> str:
    for name in ("team", "customfield_team"):
        value = fields.get(name)
        if isinstance(value, str):
            return value
        if isinstance(value, dict) and isinstance(value.get("name"), str):
            return value["name"]
    return ""


def read_items(path: str | Path, aside: SetAside, table=None) -> tuple[pd.DataFrame, str]:
    """Work items from a transitions CSV, a Jira JSON file, or a folder of Jira JSON files.
    `table`: the CSV as Arrow already read it (arrow_csv.EarlyReads)."""
    path = Path(path)
    if path.is_dir():
        files = sorted(path.glob("*.json"))
        if not files:
            raise EvidenceError([Problem(str(path), "folder holds no .json files")])
        if len(files) > MAX_FILES:
            raise EvidenceError([Problem(str(path), f"more than {MAX_FILES} files")])
        for f in files:
            _size_checked(f, limit=MAX_JSON_BYTES)
        return transitions_from_jira([(str(f), f.read_bytes()) for f in files], aside), str(path)
    if path.suffix.lower() == ".json":
        _size_checked(path, limit=MAX_JSON_BYTES)
        return transitions_from_jira([(str(path), path.read_bytes())], aside), str(path)
    return transitions_from_csv(path, str(path), aside, table), str(path)


def items_from_upload(name: str, data: bytes, aside: SetAside) -> pd.DataFrame:
    if name.lower().endswith(".json"):
        return transitions_from_jira([(name, data)], aside)
    return transitions_from_csv(data, name, aside)


# ---------------------------------------------------------------- deployments and incidents


def _flag(values: pd.Series, file: str, column: str) -> pd.Series:
    text = values.str.strip().str.lower()
    truthy = text.isin(["true", "yes", "1", "y"])
    known = truthy | text.isin(["false", "no", "0", "n", ""])
    if not known.all():
        row = int(np.flatnonzero(~known.to_numpy())[0]) + 2
        raise EvidenceError([Problem(file, "expected true or false", column, row=row)])
    return truthy


def read_deployments(
    data: bytes | str | Path, file: str, aside: SetAside, table=None
) -> pd.DataFrame:
    """Deployments; `table`: the file as Arrow already read it (arrow_csv.EarlyReads)."""
    frame = _read_csv(data, file, DEPLOYMENT_COLUMNS, DEPLOYMENT_TIMES, table)
    status = frame["status"].str.strip().str.lower()
    bad = ~status.isin(["success", "failed"])
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0]) + 2
        raise EvidenceError(
            [
                Problem(
                    file,
                    f"{frame['status'].iloc[row - 2]!r} is not success or failed",
                    "status",
                    row=row,
                )
            ]
        )
    out = pd.DataFrame({"id": frame["id"].str.strip(), "failed": status == "failed"})
    out["deployed_at"] = parse_times(frame["deployed_at"], file, "deployed_at", aside)
    out["commit_at"] = parse_times(frame["commit_at"], file, "commit_at", aside)
    recovered = frame["recovered_at"] if "recovered_at" in frame else pd.Series([""] * len(frame))
    out["recovered_at"] = parse_times(recovered, file, "recovered_at", aside)
    unplanned = frame["unplanned"] if "unplanned" in frame else pd.Series([""] * len(frame))
    out["unplanned"] = _flag(unplanned, file, "unplanned").to_numpy()
    undated = out["deployed_at"].isna()
    aside.add("deployments without a readable deployed_at", int(undated.sum()))
    out = out[~undated]
    backwards = out["recovered_at"].notna() & (out["recovered_at"] < out["deployed_at"])
    aside.add("deployments recovered before they were deployed", int(backwards.sum()))
    out.loc[backwards, "recovered_at"] = pd.NaT
    early = out["commit_at"].notna() & (out["commit_at"] > out["deployed_at"])
    aside.add("deployments whose first commit is after the deployment", int(early.sum()))
    out.loc[early, "commit_at"] = pd.NaT
    if out.empty:
        raise EvidenceError([Problem(file, "no deployment has a readable deployed_at")])
    return out.sort_values("deployed_at", kind="stable").reset_index(drop=True)


def read_incidents(data: bytes | str | Path, file: str, aside: SetAside) -> pd.DataFrame:
    frame = _read_csv(data, file, INCIDENT_COLUMNS, INCIDENT_TIMES)
    out = pd.DataFrame({"id": frame["id"].str.strip()})
    out["created_at"] = parse_times(frame["created_at"], file, "created_at", aside)
    out["resolved_at"] = parse_times(frame["resolved_at"], file, "resolved_at", aside)
    out["deployment_id"] = frame["deployment_id"].str.strip() if "deployment_id" in frame else ""
    undated = out["created_at"].isna()
    aside.add("incidents without a readable created_at", int(undated.sum()))
    return out[~undated].reset_index(drop=True)


def read_survey(data: bytes | str | Path, file: str) -> pd.DataFrame:
    """One row per answer: a team column and one column per driver, answers 1-5."""
    frame = _read_csv(data, file, ("team",))
    drivers = [c for c in frame.columns if c != "team"]
    if not drivers:
        raise EvidenceError([Problem(file, "needs at least one driver column beside team")])
    out = pd.DataFrame({"team": frame["team"].str.strip()})
    for column in drivers:
        values = pd.to_numeric(frame[column].str.strip().replace("", np.nan), errors="coerce")
        bad = values.notna() & ~values.isin([1, 2, 3, 4, 5])
        bad |= values.isna() & (frame[column].str.strip() != "")
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0]) + 2
            raise EvidenceError([Problem(file, "answers must be 1 to 5", column, row=row)])
        out[column] = values
    return out
