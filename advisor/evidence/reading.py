"""Reading a team's exports: work-item transitions (CSV or Jira REST JSON, see jira.py),
deployments, incidents and a survey. Every problem names the file, row and column; rows that
cannot be used are set aside and counted with the reason.

Transitions become one frame: key, type, team, from_status, to_status, at (UTC), created (UTC)
and, from Jira, project and partial. Only regular files are read, each within the size
limits of limits.py, checked before a byte is read.
"""

from __future__ import annotations

import csv
import io
import os
import re
import stat
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from advisor.errors import EvidenceError, Problem
from advisor.evidence.arrow_csv import (
    DEPLOYMENT_TIMES,
    INCIDENT_TIMES,
    TEXT_COLUMNS,
    TRANSITION_COLUMNS,
    header,
    source,
    transitions_table,
    typed_table,
)
from advisor.evidence.limits import (
    MAX_COLUMNS,
    MAX_FILE_BYTES,
    MAX_FILES,
    MAX_HEADER_BYTES,
    MAX_JSON_BYTES,
    MAX_SMALL_BYTES,
    MAX_STATUSES,
    MAX_TOTAL_BYTES,
    MAX_TYPES,
    MB,
)
from advisor.evidence.statuses import Categories
from advisor.evidence.times import count_empty, in_range, parse_times

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


@dataclass
class ItemsRead:
    """Work items as read: the transitions frame, where they came from, and what the files
    say beside the rows (Jira's status categories, changelogs cut short)."""

    frame: pd.DataFrame
    source: str
    categories: Categories = field(default_factory=Categories)
    truncated: dict[str, tuple[int, int]] = field(default_factory=dict)  # key -> (held, total)
    files: list[str] = field(default_factory=list)
    rows: object = None  # prepare.Rows when the rows were already cleaned (set aside counted)


def _size(limit: int) -> str:
    return f"{limit / MB:,.0f} MB" if limit >= MB else f"{limit:,} bytes"


def checked_file(path: Path, limit: int = MAX_FILE_BYTES) -> int:
    """The size of a regular file within `limit`, checked before it is read. A folder, a
    device, a pipe or a link to one is refused: it could be endless."""
    try:
        info = os.stat(path)
    except OSError as exc:
        raise EvidenceError([Problem(str(path), f"cannot be read ({exc.strerror})")]) from None
    if stat.S_ISDIR(info.st_mode):
        raise EvidenceError([Problem(str(path), "is a folder, not a file")])
    if not stat.S_ISREG(info.st_mode):
        raise EvidenceError([Problem(str(path), "is not a regular file (a device or a pipe)")])
    if info.st_size > limit:
        raise EvidenceError([Problem(str(path), f"file is larger than {_size(limit)}")])
    return info.st_size


def read_bytes(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """A regular file's bytes, never more than `limit` (a file that grows while it is read
    is refused)."""
    checked_file(path, limit)
    with path.open("rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise EvidenceError([Problem(str(path), f"file is larger than {_size(limit)}")])
    return data


def _size_checked(data: bytes | str | Path, file: str = "", limit: int = MAX_FILE_BYTES) -> None:
    """Refuse a file (by its size on disk, before reading) or data larger than `limit`."""
    if isinstance(data, Path):
        checked_file(data, limit)
    elif len(data) > limit:
        raise EvidenceError([Problem(file, f"file is larger than {_size(limit)}")])


def check_total(sizes: dict[str, int]) -> None:
    """Every file of one measurement together within MAX_TOTAL_BYTES."""
    total = sum(sizes.values())
    if total > MAX_TOTAL_BYTES:
        raise EvidenceError(
            [
                Problem(
                    ", ".join(sizes)[:200],
                    f"the files come to {total / MB:,.0f} MB; at most {_size(MAX_TOTAL_BYTES)} "
                    "are read for one measurement",
                )
            ]
        )


def _first_nul_line(data: bytes | str | Path) -> int | None:
    """The line of the first NUL byte, or None: a scan at memory speed (about 16 ms for
    100 MB, a file mapped rather than read); lines are counted only when one is found."""
    if isinstance(data, str):
        data = data.encode()
    if isinstance(data, bytes):
        at = data.find(b"\x00")
        return None if at < 0 else data.count(b"\n", 0, at) + 1
    import mmap

    with data.open("rb") as f:
        if os.fstat(f.fileno()).st_size == 0:
            return None
        with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
            at = mapped.find(b"\x00")
            return None if at < 0 else mapped[:at].count(b"\n") + 1


def _check_header(data: bytes | str | Path, file: str, required: tuple[str, ...] = ()) -> None:
    """A header the readers can take: not too long, not too wide, no column named twice,
    every `required` column there (else what kind of file it looks like)."""
    if isinstance(data, Path):
        with data.open("rb") as f:
            first = f.readline(MAX_HEADER_BYTES + 1)
    else:
        raw = data.encode() if isinstance(data, str) else data
        first = raw[: MAX_HEADER_BYTES + 1].split(b"\n", 1)[0]
    if len(first) > MAX_HEADER_BYTES and not first.endswith(b"\n"):
        raise EvidenceError(
            [Problem(file, f"the header line is longer than {MAX_HEADER_BYTES:,} bytes")]
        )
    if not first.strip(b"\r\n\t \xef\xbb\xbf"):
        raise EvidenceError([Problem(file, "is empty: the first line should be the header")])
    if first.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise EvidenceError([Problem(file, "is UTF-16 text: save it as UTF-8 (CSV UTF-8)")])
    line = _first_nul_line(data)
    if line is not None:
        raise EvidenceError(
            [
                Problem(
                    file,
                    "holds a NUL byte, which no text export has (UTF-16 text, or a damaged "
                    "file?): save it as UTF-8 (CSV UTF-8)",
                    row=line,
                )
            ]
        )
    names = header(first)
    if len(names) == 1 and any(sep in names[0] for sep in (";", "\t", "|")):
        sep = next(s for s in (";", "\t", "|") if s in names[0])
        shown = "tabs" if sep == "\t" else repr(sep)
        raise EvidenceError(
            [Problem(file, f"its columns are separated by {shown}: save it with commas", row=1)]
        )
    if len(names) > MAX_COLUMNS:
        raise EvidenceError(
            [
                Problem(
                    file, f"the header has {len(names):,} columns; at most {MAX_COLUMNS} are read"
                )
            ]
        )
    seen: set[str] = set()
    for name in names:
        if name and name in seen:
            raise EvidenceError([Problem(file, "is named twice in the header", name, row=1)])
        seen.add(name)
    missing = [c for c in required if c not in seen]
    if missing:  # before any row is read: a file of another kind fails here, not at row 3
        found = (", ".join(names[:12]) or "none")[:200]
        kind = _kind_of(seen)
        raise EvidenceError(
            [Problem(file, "required column is missing", c) for c in missing]
            + [Problem(file, f"columns found: {found}" + (f" ({kind})" if kind else ""))]
        )


KIND_COLUMNS = {  # what a header with these columns most likely is
    "a work-items (transitions) file": {"key", "from_status", "to_status", "changed_at"},
    "a deployments file": {"deployed_at", "commit_at"},
    "an incidents file": {"created_at", "resolved_at"},
}


def _kind_of(names: set[str]) -> str:
    for kind, columns in KIND_COLUMNS.items():
        if columns <= names:
            return f"this looks like {kind}"
    if any(n.startswith(("{", "[", "#", "statuses:")) for n in names):
        return "this looks like JSON or YAML, not a CSV"
    return ""


def _read_csv(
    data: bytes | str | Path,
    file: str,
    required: tuple[str, ...],
    times: tuple[str, ...] = (),
    table=None,
    limit: int = MAX_FILE_BYTES,
    checked: bool = False,
) -> pd.DataFrame:
    """A CSV as text columns (and `times` as UTC times when every one has a zone), its size
    and header checked (every `required` column there) unless the caller `checked` them; the
    header is row 1, data starts at row 2. `table`: the file as Arrow already read it
    (arrow_csv.typed_table)."""
    if not checked:
        _size_checked(data, file, limit)
        _check_header(data, file, required)
    if table is None and times:
        table = typed_table(data, times)
    if table is not None:
        frame = table.to_pandas()
    else:
        try:
            # UTF-8 (Arrow skips a BOM): another encoding would make Arrow call Python's
            # codec from its own threads, which can hang at exit (see arrow_csv.source).
            with source(data) as stream:
                frame = pd.read_csv(stream, dtype=str, keep_default_na=False, engine="pyarrow")
        except Exception as exc:  # pyarrow and pandas raise many kinds for a broken CSV
            raise EvidenceError([_unreadable(data, file, exc)]) from None
        frame.columns = [str(c).strip().lower() for c in frame.columns]
    if frame.empty:
        raise EvidenceError([Problem(file, "has a header but no rows")])
    return frame


def _unreadable(data: bytes | str | Path, file: str, exc: Exception) -> Problem:
    """Why Arrow could not read a CSV, in words, with the line where that can be found."""
    reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
    if "straddl" in reason:  # Arrow reads 1 MB blocks; no export writes such a row
        return Problem(file, "not a readable CSV (a row is longer than 1 MB)")
    line = _first_line_not_utf8(data) if "utf" in reason.lower() else None
    if line is not None:
        return Problem(file, f"line {line} is not UTF-8 text: save the file as UTF-8")
    wide = re.search(r"Expected (\d+) columns, got (\d+)", reason)
    row = _first_row_of_width(data, int(wide[1])) if wide else None
    if row is not None:
        hint = " (a quote opens there and is not closed on its line)" if row[2] else ""
        return Problem(file, f"{row[1]:,} cells where the header has {wide[1]}{hint}", row=row[0])
    return Problem(file, f"not a readable CSV ({reason})")


def _first_row_of_width(data: bytes | str | Path, width: int) -> tuple[int, int, bool] | None:
    """The first row (the header is row 1; blank lines are not rows, as Arrow skips them)
    whose number of cells is not `width`, that number, and whether a quoted cell ran on past
    its line; read a row at a time."""
    raw = data.open("rb") if isinstance(data, Path) else io.BytesIO(_as_bytes(data))
    with raw, io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="") as text:
        try:
            rows = (r for r in csv.reader(text) if r)
            for number, cells in enumerate(rows, 1):
                if len(cells) != width:
                    return number, len(cells), any("\n" in c for c in cells)
        except csv.Error:  # a NUL byte, say
            return None
    return None


def _as_bytes(data: bytes | str) -> bytes:
    return data.encode() if isinstance(data, str) else data


def _first_line_not_utf8(data: bytes | str | Path) -> int | None:
    """The first line (from 1) that is not UTF-8, read a line at a time."""
    if isinstance(data, str):
        return None
    with data.open("rb") if isinstance(data, Path) else io.BytesIO(data) as handle:
        for number, line in enumerate(handle, 1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return None


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


def _fast_transitions(
    data: bytes | str | Path, file: str, aside: SetAside, table=None
) -> pd.DataFrame | None:
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
            "at": in_range(_required(table["changed_at"], file, aside), file, "changed_at", aside),
        }
    )
    if "project" in parts:
        frame["project"] = _categorical(*parts["project"][:2], np.unique(parts["project"][1]))
    frame["created"] = (
        in_range(table["created_at"].to_pandas(), file, "created_at", aside, optional=True)
        if "created_at" in names
        else pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns, UTC]")
    )
    return frame


def _distinct(frame: pd.DataFrame, columns: tuple[str, ...]) -> int:
    """Distinct non-empty texts over `columns` (of a category column, those in use)."""
    names: set = set()
    for column in columns:
        values = frame[column]
        if isinstance(values.dtype, pd.CategoricalDtype):
            codes = values.cat.codes.to_numpy()
            used = np.bincount(codes[codes >= 0], minlength=len(values.cat.categories)) > 0
            names.update(values.cat.categories[used])
        else:
            names.update(pd.unique(values.to_numpy(dtype=object)))
    return sum(1 for name in names if isinstance(name, str) and name)


def _required(column, file: str, aside: SetAside) -> pd.Series:
    """An Arrow time column as pandas, its empty cells counted (their rows are set aside)."""
    times = column.to_pandas()
    if column.null_count:
        count_empty(times.isna().to_numpy(dtype=bool), file, "changed_at", aside)
    return times


def usable(frame: pd.DataFrame, file: str, aside: SetAside) -> pd.DataFrame:
    """The transitions, refused when no row has both a key and a readable time, when no
    row names a status, or when they name more than MAX_STATUSES statuses or MAX_TYPES
    types (each needs a rule: such a column holds something else)."""
    key = frame["key"]
    if isinstance(key.dtype, pd.CategoricalDtype):  # by code: no hashing of every key
        blank = np.append(key.cat.categories == "", True)[key.cat.codes.to_numpy()]
    else:
        blank = (key == "").to_numpy()
    if not (frame["at"].notna().to_numpy() & ~blank).any():
        why = "; ".join(f"{n:,} {reason}" for reason, n in aside.reasons.items())
        message = "no row has both a key and a readable time" + (f" ({why})" if why else "")
        raise EvidenceError([Problem(file, message)])
    jira = "partial" in frame
    for columns, limit, what, field_name in (
        (("from_status", "to_status"), MAX_STATUSES, "statuses", "status" if jira else "to_status"),
        (("type",), MAX_TYPES, "issue types", "issuetype" if jira else "type"),
    ):
        found = _distinct(frame, columns)
        if not found and what == "statuses":
            raise EvidenceError([Problem(file, "no row names a status", field_name)])
        if found > limit:
            raise EvidenceError(
                [
                    Problem(
                        file,
                        f"names {found:,} {what}; at most {limit:,} are read (does the "
                        f"column hold {what}?)",
                        field_name,
                    )
                ]
            )
    return frame


@dataclass
class Early:
    """Transitions Arrow read early (arrow_csv.EarlyReads), already made a frame, and the
    rows that set aside."""

    frame: pd.DataFrame
    aside: SetAside
    rows: object = None  # prepare.Rows, cleaned on the same thread

    @classmethod
    def of(cls, table, file: str) -> Early:
        from advisor.evidence.prepare import clean

        aside = SetAside()
        frame = _fast_transitions(None, file, aside, table)
        try:
            usable(frame, file, aside)
            rows = clean(frame, aside, file)
        except EvidenceError:  # the usual read reports it
            rows = None
        return cls(frame, aside, rows)


def transitions_from_csv(
    data: bytes | str | Path, file: str, aside: SetAside, table=None
) -> pd.DataFrame:
    _size_checked(data, file)
    _check_header(data, file, TRANSITION_COLUMNS)
    if isinstance(table, Early):
        aside.reasons.update(table.aside.reasons)
        return usable(table.frame, file, aside)
    fast = _fast_transitions(data, file, aside, table)
    if fast is not None:
        return usable(fast, file, aside)
    frame = _read_csv(data, file, TRANSITION_COLUMNS, checked=True)  # checked above
    out = pd.DataFrame(
        {
            "key": frame["key"].str.strip(),
            "type": frame["type"].str.strip(),
            "team": frame["team"].str.strip() if "team" in frame else "",
            "from_status": frame["from_status"].str.strip(),
            "to_status": frame["to_status"].str.strip(),
        }
    )
    if "project" in frame:
        out["project"] = frame["project"].str.strip()
    out["at"] = parse_times(frame["changed_at"], file, "changed_at", aside, required=True)
    created = frame["created_at"] if "created_at" in frame else pd.Series([""] * len(frame))
    out["created"] = parse_times(created, file, "created_at", aside, optional=True)
    return usable(out, file, aside)


def _cleaned(read: ItemsRead, aside: SetAside) -> ItemsRead:
    """The rows cleaned as they are read (prepare.clean): a file none of whose rows can be
    used is refused by the reader, before it takes the place of a good one."""
    from advisor.evidence.prepare import clean

    if read.rows is None:
        read.rows = clean(read.frame, aside, read.source)
    return read


def read_items(path: str | Path, aside: SetAside, table=None) -> ItemsRead:
    """Work items from a transitions CSV, a Jira JSON file, or a folder of Jira JSON files
    (issues, and Jira's status list, which gives each status's category), their rows
    cleaned. `table`: the CSV as Arrow already read it (arrow_csv.EarlyReads)."""
    from advisor.evidence import jira

    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.glob("*.json"))
        if not files:
            raise EvidenceError([Problem(str(path), "folder holds no .json files")])
        if len(files) > MAX_FILES:
            raise EvidenceError([Problem(str(path), f"more than {MAX_FILES} files")])
        check_total({str(f): checked_file(f, MAX_JSON_BYTES) for f in files})
        read = jira.read_jira([(str(f), read_bytes(f, MAX_JSON_BYTES)) for f in files], aside)
        return _cleaned(read, aside)
    if path.suffix.lower() == ".json":
        read = jira.read_jira([(str(path), read_bytes(path, MAX_JSON_BYTES))], aside)
        return _cleaned(read, aside)
    frame = transitions_from_csv(path, str(path), aside, table)
    rows = table.rows if isinstance(table, Early) else None
    return _cleaned(ItemsRead(frame, str(path), files=[str(path)], rows=rows), aside)


def items_from_upload(files: list[tuple[str, bytes]], aside: SetAside) -> ItemsRead:
    """Uploaded work items: one transitions CSV, or Jira JSON files (issues and status
    lists), as the command line reads a file or a folder, their rows cleaned."""
    from advisor.evidence import jira

    if not files:
        raise EvidenceError([Problem("work items", "no file was given")])
    check_total({name: len(data) for name, data in files})
    if all(name.lower().endswith(".json") for name, _ in files):
        for name, data in files:
            _size_checked(data, name, MAX_JSON_BYTES)
        return _cleaned(jira.read_jira(files, aside), aside)
    if len(files) > 1:
        raise EvidenceError(
            [Problem(files[0][0], "several files are read only as Jira JSON; give one CSV")]
        )
    name, data = files[0]
    return _cleaned(ItemsRead(transitions_from_csv(data, name, aside), name, files=[name]), aside)


# ---------------------------------------------------------------- deployments and incidents


def _flag(values: pd.Series, file: str, column: str) -> pd.Series:
    text = values.str.strip().str.lower()
    truthy = text.isin(["true", "yes", "1", "y"])
    known = truthy | text.isin(["false", "no", "0", "n", ""])
    if not known.all():
        row = int(np.flatnonzero(~known.to_numpy())[0]) + 2
        raise EvidenceError([Problem(file, "expected true or false", column, row=row)])
    return truthy


@dataclass
class Deployments:
    """Deployments as read: one row per deployment (rows sharing an id merged), one row per
    change shipped (each row of the export), and what the merge did."""

    frame: pd.DataFrame  # id, failed, deployed_at, commit_at, recovered_at, unplanned, changes
    changes: pd.DataFrame  # deployment (a row of `frame`), deployed_at, commit_at
    rows: int
    merged_rows: int = 0  # rows read as part of another row's deployment
    merged_ids: list[str] = field(default_factory=list)
    file: str = ""
    rows_with_id: int | None = None  # rows read that name an id (None: every kept row's)


def read_deployments(
    data: bytes | str | Path, file: str, aside: SetAside, table=None
) -> Deployments:
    """Deployments; rows sharing an `id` are one deployment (one row per change shipped is a
    common export): its earliest first commit, failed when any row failed, unplanned when
    any row is, recovered at the latest recovery. Rows sharing an id but not its deployment
    time are set aside, by row. `table`: the file as Arrow already read it."""
    frame = _read_csv(data, file, DEPLOYMENT_COLUMNS, DEPLOYMENT_TIMES, table)
    status = frame["status"].str.strip().str.lower()
    bad = ~status.isin(["success", "failed"])
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0]) + 2
        raise EvidenceError(
            [
                Problem(
                    file,
                    f"{frame['status'].iloc[row - 2]!r} is not success or failed"[:200],
                    "status",
                    row=row,
                )
            ]
        )
    out = pd.DataFrame({"id": frame["id"].str.strip(), "failed": (status == "failed").to_numpy()})
    # optional: the commit a row shipped, which pull requests' merge commits are matched to
    out["commit"] = frame["commit"].str.strip().str.lower() if "commit" in frame else ""
    out["deployed_at"] = parse_times(
        frame["deployed_at"], file, "deployed_at", aside, required=True
    )
    out["commit_at"] = parse_times(frame["commit_at"], file, "commit_at", aside, optional=True)
    recovered = frame["recovered_at"] if "recovered_at" in frame else pd.Series([""] * len(frame))
    out["recovered_at"] = parse_times(recovered, file, "recovered_at", aside, optional=True)
    unplanned = frame["unplanned"] if "unplanned" in frame else pd.Series([""] * len(frame))
    out["unplanned"] = _flag(unplanned, file, "unplanned").to_numpy()
    out["row"] = np.arange(2, len(out) + 2)
    out = out[out["deployed_at"].notna()]  # counted as they were read
    twice = out.drop(columns="row").duplicated()
    _count_rows(aside, "duplicate deployment rows", out, twice, file)
    out = out[~twice]
    early = out["commit_at"].notna() & (out["commit_at"] > out["deployed_at"])
    _count_rows(
        aside,
        "deployments whose first commit is after the deployment, read as empty",
        out,
        early,
        file,
    )
    out.loc[early, "commit_at"] = pd.NaT
    out, rows, merged, ids = _merge_ids(out, file, aside)
    backwards = out["recovered_at"].notna() & (out["recovered_at"] < out["deployed_at"])
    _count_rows(
        aside,
        "deployments recovered before they were deployed, read as empty",
        out,
        backwards,
        file,
    )
    out.loc[backwards, "recovered_at"] = pd.NaT
    if out.empty:
        why = "; ".join(f"{n:,} {reason}" for reason, n in aside.reasons.items())
        raise EvidenceError(
            [
                Problem(
                    file, "no deployment has a readable deployed_at" + (f" ({why})" if why else "")
                )
            ]
        )
    out = out.sort_values("deployed_at", kind="stable").reset_index(drop=True)
    position = pd.Series(out.index, index=out["row"].to_numpy())
    changes = pd.DataFrame(
        {
            "deployment": position.loc[rows["group"].to_numpy()].to_numpy(),
            "deployed_at": rows["deployed_at"].array,  # .array keeps the zone; no objects
            "commit_at": rows["commit_at"].array,
            "commit": rows["commit"].to_numpy(dtype=object),
        }
    )
    named = int((frame["id"].str.strip() != "").sum())
    return Deployments(out, changes, len(frame), merged, ids, file, named)


def _count_rows(aside: SetAside, reason: str, frame: pd.DataFrame, mask, file: str) -> None:
    """Count the rows of `frame` where `mask` holds, naming the first by its file row."""
    mask = np.asarray(mask, dtype=bool)
    if mask.any():
        row = int(frame["row"].to_numpy()[mask].min())
        aside.add(f"{reason} (first at {file} row {row})", int(mask.sum()))


def _merge_ids(out: pd.DataFrame, file: str, aside: SetAside):
    """One row per deployment id (a blank id is a deployment of its own). Returns the
    deployments, the rows kept (each with `group`, its deployment's first row), the number
    of rows merged into another and the first ids merged."""
    repeated = (out["id"] != "") & out["id"].duplicated(keep=False)
    if not repeated.any():
        return out.assign(changes=1), out.assign(group=out["row"]), 0, []
    first_time = out[repeated].groupby("id")["deployed_at"].transform("min")
    clash = pd.Series(False, index=out.index)
    clash[repeated] = out.loc[repeated, "deployed_at"] != first_time
    if clash.any():
        row = int(out.loc[clash, "row"].iloc[0])
        aside.add(
            "deployment rows whose id is already used by a deployment at another time "
            f"(first at {file} row {row})",
            int(clash.sum()),
        )
        out = out[~clash]
        repeated = (out["id"] != "") & out["id"].duplicated(keep=False)
    same = out[repeated]
    merged = same.groupby("id", sort=False).agg(
        failed=("failed", "any"),
        deployed_at=("deployed_at", "first"),
        commit_at=("commit_at", "min"),
        recovered_at=("recovered_at", "max"),
        unplanned=("unplanned", "any"),
        commit=("commit", "first"),
        row=("row", "min"),
        changes=("row", "size"),
    )
    merged = merged.reset_index()
    single = out[~repeated].assign(changes=1)
    whole = pd.concat([single, merged[single.columns]], ignore_index=True)
    whole = whole.sort_values("row", kind="stable").reset_index(drop=True)
    group = out["row"].where(~repeated, out["id"].map(merged.set_index("id")["row"]))
    rows = out.assign(group=group.astype(np.int64))
    return whole, rows, int(len(same) - len(merged)), [str(i) for i in merged["id"].head(10)]


def read_incidents(data: bytes | str | Path, file: str, aside: SetAside) -> pd.DataFrame:
    frame = _read_csv(data, file, INCIDENT_COLUMNS, INCIDENT_TIMES)
    out = pd.DataFrame({"id": frame["id"].str.strip()})
    out["created_at"] = parse_times(frame["created_at"], file, "created_at", aside, required=True)
    out["resolved_at"] = parse_times(
        frame["resolved_at"], file, "resolved_at", aside, optional=True
    )
    out["deployment_id"] = frame["deployment_id"].str.strip() if "deployment_id" in frame else ""
    out["row"] = np.arange(2, len(out) + 2)
    out = out[out["created_at"].notna()]  # counted as they were read
    backwards = out["resolved_at"].notna() & (out["resolved_at"] < out["created_at"])
    _count_rows(
        aside, "incidents resolved before they were created, read as empty", out, backwards, file
    )
    out.loc[backwards, "resolved_at"] = pd.NaT
    return out.drop(columns="row").reset_index(drop=True)


def read_survey(data: bytes | str | Path, file: str) -> pd.DataFrame:
    """One row per answer: a team column and one column per driver, answers 1-5; a
    hand-made file, up to MAX_SMALL_BYTES (each of up to 199 drivers is checked on its own)."""
    frame = _read_csv(data, file, ("team",), limit=MAX_SMALL_BYTES)
    drivers = [c for c in frame.columns if c != "team"]
    kind = _kind_of(set(frame.columns))
    if kind:
        raise EvidenceError([Problem(file, f"not a survey: {kind}")])
    if not drivers:
        raise EvidenceError([Problem(file, "needs at least one driver column beside team")])
    from advisor.yamlio import MAX_PROBLEMS  # here: measuring without a survey loads no YAML

    out = {"team": frame["team"].str.strip()}
    problems, more = [], 0
    for column in drivers:
        values = pd.to_numeric(frame[column].str.strip().replace("", np.nan), errors="coerce")
        bad = values.notna() & ~values.isin([1, 2, 3, 4, 5])
        bad |= values.isna() & (frame[column].str.strip() != "")
        for at in np.flatnonzero(bad.to_numpy()):  # every one, up to MAX_PROBLEMS
            if len(problems) == MAX_PROBLEMS:
                more += 1
                continue
            shown = str(frame[column].iloc[at])[:20]
            problems.append(
                Problem(file, f"answers must be 1 to 5, not {shown!r}", column, row=int(at) + 2)
            )
        out[column] = values
    if problems:
        if more:
            problems.append(Problem(file, f"... and {more:,} more answers that are not 1 to 5"))
        raise EvidenceError(problems)
    return pd.DataFrame(out)  # at once: a column at a time fragments the frame
