"""Reading a team's exports: work-item transitions (CSV or Jira REST JSON, see jira.py),
deployments, incidents and a survey. Every problem names the file, row and column; rows that
cannot be used are set aside and counted with the reason.

Transitions become one frame: key, type, team, from_status, to_status, at (UTC), created (UTC)
and, from Jira, project and partial. Only regular files are read. A transitions CSV of any
size is read in batches within the memory budget (budget.py); a Jira JSON file within its
size cap, checked before a byte is read.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from advisor.errors import EvidenceError, Problem
from advisor.evidence.arrow_csv import (
    DEPLOYMENT_TIMES,
    INCIDENT_TIMES,
    NAT,
    TRANSITION_COLUMNS,
    TransitionColumns,
    code_dtype,
    header,
    source,
    transition_columns,
    typed_table,
)
from advisor.evidence.budget import Budget
from advisor.evidence.files import checked_file, size_words
from advisor.evidence.limits import (
    BATCH_BYTES,
    MAX_COLUMNS,
    MAX_FILES,
    MAX_HEADER_BYTES,
    MAX_JSON_BYTES,
    MAX_SMALL_BYTES,
    MAX_STATUSES,
    MAX_TYPES,
    SCAN_BYTES,
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


def _size_checked(data: bytes | str | Path, file: str = "", limit: int | None = None) -> int:
    """The size of a file (a regular one, see checked_file) or of data, refused when larger
    than `limit` (when one is given), before reading."""
    if isinstance(data, Path):
        return checked_file(data, limit)
    if limit is not None and len(data) > limit:
        raise EvidenceError([Problem(file, f"file is larger than {size_words(limit)}")])
    return len(data)


def _first_nul_line(data: bytes | str | Path) -> int | None:
    """The line of the first NUL byte, or None: a scan at memory speed (about 16 ms for
    100 MB, a file mapped rather than read); lines are counted only when one is found. A
    file is mapped SCAN_BYTES at a time: the pages of a window scanned count as the
    process's memory while it is mapped (a 1 GB file mapped whole added 1 GB to the peak)."""
    if isinstance(data, str):
        data = data.encode()
    if isinstance(data, bytes):
        at = data.find(b"\x00")
        return None if at < 0 else data.count(b"\n", 0, at) + 1
    import mmap

    with data.open("rb") as f:
        size = os.fstat(f.fileno()).st_size
        for offset in range(0, size, SCAN_BYTES):
            length = min(SCAN_BYTES, size - offset)
            with mmap.mmap(f.fileno(), length, access=mmap.ACCESS_READ, offset=offset) as part:
                at = part.find(b"\x00")
            if at >= 0:  # the lines before it, counted a block at a time
                f.seek(0)
                left, lines = offset + at, 1
                while left > 0:
                    block = f.read(min(SCAN_BYTES, left))
                    lines += block.count(b"\n")
                    left -= len(block)
                return lines
    return None


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
    limit: int | None = None,
    checked: bool = False,
    budget: Budget | None = None,
) -> pd.DataFrame:
    """A CSV read whole, as text columns (and `times` as UTC times when every one has a
    zone), its size (within `limit`, and what reading it whole needs within `budget`) and
    header checked (every `required` column there) unless the caller `checked` them; the
    header is row 1, data starts at row 2. `table`: the file as Arrow already read it
    (arrow_csv.typed_table)."""
    if not checked:
        size = _size_checked(data, file, limit)
        if budget is not None:
            budget.check_whole(size, file)
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


def _categorical(codes: np.ndarray, names: np.ndarray) -> pd.Categorical:
    """Codes into `names` as a Categorical over the names sorted (two names may be one)."""
    categories = np.unique(names)
    lut = np.searchsorted(categories, names).astype(code_dtype(len(categories)))
    return pd.Categorical.from_codes(lut[codes], pd.Index(categories, dtype=object), validate=False)


def _utc(ns: np.ndarray) -> pd.Series:
    """Nanoseconds (NAT: empty) as UTC times, sharing their memory."""
    return pd.Series(ns, dtype=pd.DatetimeTZDtype("ns", "UTC"), copy=False)


def _within(budget: Budget, data: bytes | str | Path, file: str):
    """The check after each batch: after the first, the file's rows estimated from its
    size; after each, the rows read so far."""
    size = data.stat().st_size if isinstance(data, Path) else len(data)

    def progress(rows: int, batch: int) -> None:
        if batch == 1 and size > BATCH_BYTES:
            budget.check_rows(int(rows * size / BATCH_BYTES), file, estimated=True)
        budget.check_rows(rows, file)

    return progress


def _fast_transitions(
    data: bytes | str | Path,
    file: str,
    aside: SetAside,
    columns: TransitionColumns | None = None,
    budget: Budget | None = None,
) -> pd.DataFrame | None:
    """The common case read by Arrow in batches (arrow_csv.transition_columns, or `columns`
    when it was read early) within `budget`: text as categories, times in UTC. None when
    Arrow cannot take the file: the careful path then reads it. Statuses, types and teams
    are sorted; keys keep the order they first appear in (sorted when trimming changed one)."""
    if columns is None:
        progress = _within(budget or Budget.of(), data, file)
        columns = transition_columns(data, progress)
    if columns is None:
        return None
    codes, names = columns.codes, columns.names
    if "team" not in codes:
        codes["team"], names["team"] = np.zeros(columns.rows, np.int8), np.array([""], object)
    key = codes.pop("key")
    frame = pd.DataFrame(
        {
            "key": _categorical(key, names["key"])
            if columns.changed["key"]
            else pd.Categorical.from_codes(
                key, pd.Index(names["key"], dtype=object), validate=False
            ),
            "type": _categorical(codes.pop("type"), names["type"]),
            "team": _categorical(codes.pop("team"), names["team"]),
            "from_status": _categorical(codes.pop("from_status"), names["from_status"]),
            "to_status": _categorical(codes.pop("to_status"), names["to_status"]),
        }
    )
    del key
    blank = columns.at == NAT  # an empty cell: the row is set aside
    if blank.any():
        count_empty(blank, file, "changed_at", aside)
    del blank
    frame["at"] = in_range(_utc(columns.at), file, "changed_at", aside)
    columns.at = None
    if "project" in codes:
        frame["project"] = _categorical(codes.pop("project"), names["project"])
    frame["created"] = (
        in_range(_utc(columns.created), file, "created_at", aside, optional=True)
        if columns.created is not None
        else pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns, UTC]")
    )
    columns.created = None
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
    """Transitions Arrow read early (arrow_csv.EarlyReads), already made a frame and cleaned,
    and the rows that set aside; or why the file was refused (over the memory budget)."""

    frame: pd.DataFrame | None
    aside: SetAside
    rows: object = None  # prepare.Rows, cleaned on the same thread
    refused: EvidenceError | None = None

    @classmethod
    def read(cls, data: Path, file: str, budget: Budget | None = None) -> Early | None:
        """None when Arrow cannot take the file: the usual read then reads it."""
        from advisor.evidence.prepare import clean

        aside = SetAside()
        try:
            frame = _fast_transitions(data, file, aside, budget=budget)
        except EvidenceError as exc:
            return cls(None, aside, refused=exc)
        if frame is None:
            return None
        try:
            usable(frame, file, aside)
            rows = clean(frame, aside, file)
        except EvidenceError:  # the usual read reports it
            rows = None
        return cls(frame, aside, rows)


def transitions_from_csv(
    data: bytes | str | Path,
    file: str,
    aside: SetAside,
    table: Early | None = None,
    budget: Budget | None = None,
) -> pd.DataFrame:
    """Transitions from a CSV of any size within `budget` (none: the default budget, see
    budget.py): read in batches by Arrow, else (a time without a zone, a header in capitals)
    read whole the careful way, when that fits. `table`: the file as read early."""
    _size_checked(data, file)
    _check_header(data, file, TRANSITION_COLUMNS)
    if isinstance(table, Early):
        if table.refused is not None:
            raise table.refused
        aside.reasons.update(table.aside.reasons)
        return usable(table.frame, file, aside)
    budget = budget or Budget.of()
    fast = _fast_transitions(data, file, aside, budget=budget)
    if fast is not None:
        return usable(fast, file, aside)
    budget.check_whole(_size_checked(data, file), file)
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


def read_items(
    path: str | Path, aside: SetAside, table: Early | None = None, budget: Budget | None = None
) -> ItemsRead:
    """Work items from a transitions CSV, a Jira JSON file, or a folder of Jira JSON files
    (issues, and Jira's status list, which gives each status's category), their rows
    cleaned, within `budget` (none: the default). A folder's files are read one at a time,
    each within MAX_JSON_BYTES; only the status changes they hold are kept. `table`: the CSV
    as Arrow already read it (arrow_csv.EarlyReads)."""
    from advisor.evidence import jira

    path = Path(path)
    budget = budget or Budget.of()
    if path.is_dir():
        files = sorted(p for p in path.glob("*.json"))
        if not files:
            raise EvidenceError([Problem(str(path), "folder holds no .json files")])
        if len(files) > MAX_FILES:
            raise EvidenceError([Problem(str(path), f"more than {MAX_FILES} files")])
        sizes = [checked_file(f, MAX_JSON_BYTES) for f in files]
        budget.reserve_json(sizes, str(path))
        read = jira.read_jira([(str(f), f) for f in files], aside)
        return _cleaned(read, aside)
    if path.suffix.lower() == ".json":
        budget.reserve_json([checked_file(path, MAX_JSON_BYTES)], str(path))
        read = jira.read_jira([(str(path), path)], aside)
        return _cleaned(read, aside)
    frame = transitions_from_csv(path, str(path), aside, table, budget)
    rows = table.rows if isinstance(table, Early) else None
    return _cleaned(ItemsRead(frame, str(path), files=[str(path)], rows=rows), aside)


def items_from_upload(files: list[tuple[str, bytes]], aside: SetAside) -> ItemsRead:
    """Uploaded work items: one transitions CSV, or Jira JSON files (issues and status
    lists), as the command line reads a file or a folder, their rows cleaned."""
    from advisor.evidence import jira

    if not files:
        raise EvidenceError([Problem("work items", "no file was given")])
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
    data: bytes | str | Path, file: str, aside: SetAside, table=None, budget: Budget | None = None
) -> Deployments:
    """Deployments; rows sharing an `id` are one deployment (one row per change shipped is a
    common export): its earliest first commit, failed when any row failed, unplanned when
    any row is, recovered at the latest recovery. Rows sharing an id but not its deployment
    time are set aside, by row. `table`: the file as Arrow already read it. The file is read
    whole: what that needs is checked against `budget` (none: not checked here)."""
    frame = _read_csv(data, file, DEPLOYMENT_COLUMNS, DEPLOYMENT_TIMES, table, budget=budget)
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


def read_incidents(
    data: bytes | str | Path, file: str, aside: SetAside, budget: Budget | None = None
) -> pd.DataFrame:
    """Incidents, read whole (what that needs checked against `budget`, when given)."""
    frame = _read_csv(data, file, INCIDENT_COLUMNS, INCIDENT_TIMES, budget=budget)
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
