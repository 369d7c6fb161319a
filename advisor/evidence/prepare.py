"""Transitions cleaned and laid out as stays and items, on integer codes and nanosecond arrays.

Each transition starts a stay in its `to_status` that lasts until the item's next transition
(or the end of the observation window, for the last one). For an item:
    start           first entry into an active status (backlog and done excluded)
    done            the start of the final run of done statuses: Resolved then Closed is done
                    at Resolved; done, reopened and done again is done at the second entry
    finished        done inside the observation window
    flow time       done - start: active and waiting time together
    flow efficiency active time inside [start, done] / flow time
    cycle time      done - first entry into an active development status (SEI)
    waiting         time inside [start, done] in waiting statuses, by their stage
    partial         its history is known to be incomplete (a Jira changelog cut short), or
                    its first row leaves a status of work or done: its start is unknown, so
                    it gets no flow time, cycle time or waiting; it counts as finished
Business days, when asked for, count weekdays between the two dates (numpy busday).
No frame of a million rows is built: one sort at most (none when the file is already in item
and time order), then group-wise firsts, lasts and sums over each item's contiguous run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from advisor.errors import EvidenceError, Problem
from advisor.evidence.arrow_csv import code_dtype
from advisor.evidence.reading import SetAside
from advisor.evidence.statuses import FLOW_ITEMS, STAGES, Mapping
from advisor.evidence.window import DAY_NS, NAT, Window

WORK_STAGES = ("ideation", "development", "deployment", "operations", "support")
UTC_NS = pd.DatetimeTZDtype("ns", "UTC")
CHUNK_ROWS = 1 << 18  # rows worked on at a time where a temporary per row would be large
_DONE = STAGES.index("done")
_IN_WORK = np.isin(np.array(STAGES), WORK_STAGES)  # by stage code
_WORK_OR_DONE = _IN_WORK | (np.arange(len(STAGES)) == _DONE)


@dataclass(frozen=True)
class Stays:
    """One row per stay, as parallel arrays; `status`, `team` and `stage` are codes into
    `statuses`, `teams` and STAGES. `stage_of` is each status's stage, or None when a status
    has different stages in different projects (then use `stage` row by row).

    A stay's end (`until`) and its days are not kept for every row (two arrays of 8 bytes a
    row): they are worked out from `at` when asked for, a part of the rows at a time
    (`parts`). Of the time inside flow, only the waiting stays' is kept (`waiting`)."""

    team: np.ndarray
    status: np.ndarray
    stage: np.ndarray
    active: np.ndarray
    at: np.ndarray  # ns since the epoch, UTC
    last: np.ndarray  # the item's last stay, which runs to as_of
    as_of: int  # ns: where the last stays end
    business_days: bool  # days counted in weekdays (span_days)
    waiting_rows: np.ndarray  # the stays a bottleneck is made of, ascending (see waiting)
    waiting_days: np.ndarray  # the days of each of those inside its item's flow time
    statuses: np.ndarray
    teams: np.ndarray
    stage_of: np.ndarray | None
    starts: np.ndarray | None = None  # each item's first stay (ascending), by its row in items

    def item(self, rows: np.ndarray) -> np.ndarray:
        """The row in `Prepared.items` of the stays at these rows (positions): the last item
        starting at or before each (a per-stay array of them is 4 bytes a row)."""
        return np.searchsorted(self.starts, rows, side="right") - 1

    def waiting(self) -> np.ndarray:
        """The rows of the stays a bottleneck is made of: waiting, in a stage of work, with
        time inside the flow time of a finished item (ascending; `waiting_days` lines up
        with them)."""
        return self.waiting_rows

    def parts(self, rows: int = 0):
        """Slices of CHUNK_ROWS rows (or `rows`) covering every stay, in order."""
        step = rows or CHUNK_ROWS
        return (slice(s, min(s + step, len(self.at))) for s in range(0, len(self.at), step))

    def until(self, part: slice | None = None) -> np.ndarray:
        """Where each stay of `part` (all: None) ends, ns: the item's next change, or as_of
        for its last."""
        part = slice(0, len(self.at)) if part is None else part
        return until_of(self.at, self.last, self.as_of, part)

    def days(self, part: slice | None = None) -> np.ndarray:
        """Each stay's days (weekdays with business_days) from `at` to `until`, for `part`
        (all: None)."""
        part = slice(0, len(self.at)) if part is None else part
        return self._span(self.at[part], self.until(part))

    def days_at(self, rows: np.ndarray) -> np.ndarray:
        """As `days`, for the stays at these rows (positions)."""
        after = self.at[np.minimum(rows + 1, len(self.at) - 1)]  # an item's last is as_of
        return self._span(self.at[rows], np.where(self.last[rows], self.as_of, after))

    def _span(self, at: np.ndarray, until: np.ndarray) -> np.ndarray:
        return span_days(at, until, True) if self.business_days else (until - at) / DAY_NS


def until_of(at: np.ndarray, last: np.ndarray, as_of: int, part: slice) -> np.ndarray:
    """The end of each stay in `part` (a slice of rows with a start and a stop): the next
    row's time, or `as_of` where the row is its item's last."""
    s, e = part.start, min(part.stop, len(at))
    out = np.empty(e - s, dtype=at.dtype)
    out[: e - s - 1] = at[s + 1 : e]
    if e > s:
        out[-1] = at[e] if e < len(at) else as_of
    out[last[s:e]] = as_of
    return out


@dataclass
class Prepared:
    """Transitions cleaned and laid out as stays, and one row per item."""

    stays: Stays
    items: pd.DataFrame  # index key; team, flow_item, start, done, finished, partial, ...
    as_of: pd.Timestamp
    since: pd.Timestamp  # the first record kept: the data begins here
    window: Window
    counts: dict = field(default_factory=dict)
    business_days: bool = False  # flow, cycle and status times counted in weekdays

    @property
    def day_unit(self) -> str:
        """The unit of those times: `business days` (registry.BUSINESS_DAYS) or `days`."""
        from advisor.evidence.registry import BUSINESS_DAYS

        return BUSINESS_DAYS if self.business_days else "days"


@dataclass
class Rows:
    """Cleaned transitions in item and time order, as codes and nanoseconds."""

    key: np.ndarray
    frm: np.ndarray
    to: np.ndarray
    kind: np.ndarray
    team: np.ndarray
    at: np.ndarray
    created: np.ndarray
    partial: np.ndarray | None  # per row: the item's changelog is known to be cut short
    project: np.ndarray | None  # per row: a code into `projects`
    key_names: np.ndarray
    status_names: np.ndarray
    kind_names: np.ndarray
    team_names: np.ndarray
    projects: np.ndarray
    rows_read: int


def _codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes and the names they stand for (categories are used as they are). Codes
    keep the narrow type pandas gives them: widen them before any arithmetic. A category
    column's codes are its own (read-only, never copied: `.cat.codes` copies them)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        names = np.asarray(values.cat.categories, dtype=object)
        codes = values.array.codes
        if (codes < 0).any():  # a missing value reads as ""
            blank = np.flatnonzero(names == "")
            if not blank.size:
                names, blank = np.append(names, ""), [len(names)]
            codes = np.where(codes < 0, blank[0], codes.astype(np.intp))
        return codes, names
    codes, names = pd.factorize(values.fillna("").astype(str))
    return codes, np.asarray(names, dtype=object)


def _status_codes(frm: pd.Series, to: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One set of codes for both status columns, so a code means the same status in each."""
    cats = isinstance(frm.dtype, pd.CategoricalDtype) and isinstance(to.dtype, pd.CategoricalDtype)
    missing = cats and ((frm.cat.codes < 0).any() or (to.cat.codes < 0).any())
    if cats and not missing and frm.cat.categories.equals(to.cat.categories):
        (codes_from, names), (codes_to, _) = _codes(frm), _codes(to)
        return codes_from, codes_to, names
    both = pd.concat([frm.astype(object), to.astype(object)], ignore_index=True)
    codes, names = _codes(both)
    return codes[: len(frm)], codes[len(frm) :], names


def to_ns(values: pd.Series) -> np.ndarray:
    """Nanoseconds since the epoch, UTC; NaT as the smallest int64 (no per-value work; no
    copy when the times are already UTC nanoseconds)."""
    if values.dtype == UTC_NS:
        return np.asarray(values.array.asi8)
    return np.asarray(values.dt.tz_convert("UTC").dt.as_unit("ns").array.asi8)


def utc(ns_values: np.ndarray):
    """Nanoseconds back to UTC times, as an array a DataFrame column takes without copying."""
    return pd.DatetimeIndex(ns_values.view("datetime64[ns]")).tz_localize("UTC").array


def weekday_days(t: np.ndarray) -> np.ndarray:
    """Weekday time from 1970-01-01 to each time t (ns, UTC), in days: the whole weekdays
    before t's day (numpy's busday_count, Monday to Friday) plus the part of t's own day
    gone by, when that day is a weekday. Weekday time from a to b is the difference."""
    day = t // DAY_NS
    dates = day.astype("datetime64[D]")
    whole = np.busday_count(np.datetime64("1970-01-01", "D"), dates)
    return whole + np.where(np.is_busday(dates), (t - day * DAY_NS) / DAY_NS, 0.0)


def span_days(a: np.ndarray, b: np.ndarray, business: bool) -> np.ndarray:
    """Days from a to b (ns); NaN where either is unknown. With `business`, weekday time
    only, to the fraction of a day (weekday_days): 10:00 to 17:00 on a Monday is 0.29,
    Friday 17:00 to Monday 09:00 is 0.33 (7 hours on Friday, 9 on Monday), a weekend 0."""
    known = (a != NAT) & (b != NAT)
    if not business:
        return np.where(known, (b - a) / DAY_NS, np.nan)
    out = np.full(len(a), np.nan)
    out[known] = weekday_days(b[known]) - weekday_days(a[known])
    return out


def project_of(keys: np.ndarray) -> np.ndarray:
    """Jira's project key of each issue key: `PAY-12` -> `PAY`; "" where the key has no
    such shape."""
    head, sep, tail = (
        pd.Series(keys, dtype=object).astype(str).str.rpartition("-").to_numpy().T
        if len(keys)
        else (np.array([], object),) * 3
    )
    shaped = (sep == "-") & pd.Series(tail, dtype=object).str.isdigit().to_numpy(dtype=bool)
    return np.where(shaped, head, "").astype(object)


def _clean(key, frm, to, at, created, blank_key, aside: SetAside, name_row) -> np.ndarray | None:
    """The rows kept, in item and time order (None: all of them, as they are). Rows without a
    key or time, dated before their item was created, or duplicated are set aside, counted
    with the first one found (`name_row(position)` names it)."""
    timed = at != NAT  # a time that is empty or unreadable was counted as it was read
    keep = timed & ~blank_key[key]
    keyless = timed & blank_key[key]
    if keyless.any():
        first = int(np.flatnonzero(keyless)[0])
        aside.add(f"transitions without a key{name_row(first)}", int(keyless.sum()))
    backwards = keep & (created != NAT) & (at < created - 1_000_000_000)
    if backwards.any():
        first = int(np.flatnonzero(backwards)[0])
        aside.add(
            f"status changes dated before the item was created{name_row(first)}",
            int(backwards.sum()),
        )
    keep &= ~backwards
    index = None if keep.all() else np.flatnonzero(keep)
    k, t = (key, at) if index is None else (key[index], at[index])
    if len(k) > 1 and not np.all((k[1:] > k[:-1]) | ((k[1:] == k[:-1]) & (t[1:] >= t[:-1]))):
        order = np.lexsort((t, k))
        index = order if index is None else index[order]
        k, t = key[index], at[index]
    # Duplicates share item, time and statuses: looked for within a run of equal (item, time).
    tie = (k[1:] == k[:-1]) & (t[1:] == t[:-1])
    if tie.any():
        runs = np.zeros(len(k), dtype=bool)
        runs[1:] |= tie
        runs[:-1] |= tie
        rows = np.flatnonzero(runs)
        where = rows if index is None else index[rows]
        frame = pd.DataFrame({"k": k[rows], "t": t[rows], "f": frm[where], "to": to[where]})
        dupes = np.zeros(len(k), dtype=bool)
        dupes[rows] = frame.duplicated().to_numpy()
        if dupes.any():
            first = int((np.flatnonzero(dupes) if index is None else index[dupes]).min())
            aside.add(f"duplicate rows{name_row(first)}", int(dupes.sum()))
            index = np.flatnonzero(~dupes) if index is None else index[~dupes]
    return index


def clean(transitions: pd.DataFrame, aside: SetAside, source: str = "work items") -> Rows:
    """The usable rows in item and time order; every row set aside is counted with its
    reason. A file none of whose rows can be used, or none of whose usable rows names a
    status, is refused, with the reasons."""
    key, key_names = _codes(transitions["key"])
    frm, to, status_names = _status_codes(transitions["from_status"], transitions["to_status"])
    kind, kind_names = _codes(transitions["type"])
    team_col = transitions["team"] if "team" in transitions else pd.Series([""] * len(key))
    team, team_names = _codes(team_col)
    at = to_ns(transitions["at"])
    created = to_ns(transitions["created"])
    partial = transitions["partial"].to_numpy(dtype=bool) if "partial" in transitions else None
    project, projects = (
        _codes(transitions["project"]) if "project" in transitions else (None, np.array([], object))
    )
    if partial is None:  # a CSV: its rows are the file's lines from line 2

        def name_row(position: int) -> str:
            return f" (first at {source} row {position + 2:,})"
    else:  # Jira: its rows are the issues' status changes

        def name_row(position: int) -> str:
            return f" (first at {source}, issue {key_names[key[position]]})"

    index = _clean(key, frm, to, at, created, key_names == "", aside, name_row)
    if index is not None:
        key, frm, to, kind, team, at, created = (
            a[index] for a in (key, frm, to, kind, team, at, created)
        )
        partial = None if partial is None else partial[index]
        project = None if project is None else project[index]
    reasons = "; ".join(f"{count:,} {why}" for why, count in aside.reasons.items())
    if len(key) == 0:
        raise EvidenceError([Problem(source, f"no row can be used ({reasons or 'no rows'})")])
    named = status_names != ""
    if not (named[frm].any() or named[to].any()):  # nothing to map, nothing to measure
        why = f" ({reasons})" if reasons else ""
        raise EvidenceError([Problem(source, f"no row that can be used names a status{why}")])
    return Rows(
        key,
        frm,
        to,
        kind,
        team,
        at,
        created,
        partial,
        project,
        key_names,
        status_names,
        kind_names,
        team_names,
        projects,
        len(transitions),
    )


def _luts(mapping: Mapping, statuses: np.ndarray, kinds: np.ndarray):
    """Stage, active and flow item of each status and type code, from the mapping."""
    rules = [mapping.statuses.get(s, ("development", False, "")) for s in statuses]
    stage = np.array([STAGES.index(r[0]) if r[0] in STAGES else 2 for r in rules], dtype=np.int8)
    active = np.array([bool(r[1]) for r in rules], dtype=bool)
    items = [mapping.types.get(t, ("feature", ""))[0] for t in kinds]
    item = np.array([FLOW_ITEMS.index(i) if i in FLOW_ITEMS else 0 for i in items], dtype=np.int8)
    return stage, active, item


def _row_rules(rows: Rows, mapping: Mapping, stage_lut, active_lut):
    """Stage and active flag of each row's status; per project where the mapping says a
    status means something else in a project. Returns (stage, active, from_stage, split).
    The rules of one project are looked up by (project, status) pair, so the work grows
    with the rows and the rules, never with projects x statuses."""
    if not mapping.by_project:
        return stage_lut[rows.to], active_lut[rows.to], stage_lut[rows.frm], False
    if rows.project is not None:
        project, projects = rows.project, rows.projects
    else:
        projects, of_key = np.unique(project_of(rows.key_names), return_inverse=True)
        project = of_key[rows.key]
    index = {str(p): i for i, p in enumerate(projects)}
    status_index = {str(s): i for i, s in enumerate(rows.status_names)}
    n = len(rows.status_names)
    rules = sorted(
        (index[p] * n + status_index[s], STAGES.index(stage), active)
        for (p, s), (stage, active, _) in mapping.by_project.items()
        if p in index and s in status_index
    )
    pairs = np.array([r[0] for r in rules], dtype=np.int64)
    stages = np.array([r[1] for r in rules], dtype=stage_lut.dtype)
    actives = np.array([r[2] for r in rules], dtype=bool)
    project = np.asarray(project, dtype=np.int64)

    def look(status: np.ndarray):
        stage, active = stage_lut[status], active_lut[status]
        if pairs.size:
            want = project * n + status.astype(np.int64)
            at = np.minimum(np.searchsorted(pairs, want), pairs.size - 1)
            hit = pairs[at] == want
            stage[hit], active[hit] = stages[at[hit]], actives[at[hit]]
        return stage, active

    stage, active = look(rows.to)
    return stage, active, look(rows.frm)[0], True


def layout(
    rows: Rows,
    mapping: Mapping,
    window: Window,
    business_days: bool = False,
) -> Prepared:
    """Stays and items over the window: rows after its end are not used (the data as of the
    window's end); an item is finished when its done falls inside the window."""
    counts_outside = 0
    if window.given:
        inside = rows.at <= window.end
        counts_outside = int((~inside).sum())
        if counts_outside:
            rows = _subset(rows, np.flatnonzero(inside))
    key, frm, to, kind, team, at = rows.key, rows.frm, rows.to, rows.kind, rows.team, rows.at
    n = len(key)
    if n == 0:
        raise EvidenceError([Problem("the window", "holds no status change of any item")])
    # Per row only what the stays keep, and masks of a byte; anything wider is worked out a
    # part at a time or on the rows that need it (the peak grows with bytes per row).
    first = np.ones(n, dtype=bool)
    first[1:] = key[1:] != key[:-1]
    last = np.ones(n, dtype=bool)
    last[:-1] = first[1:]
    starts = np.flatnonzero(first)
    last_rows = np.flatnonzero(last)
    runs = last_rows - starts + 1
    group = np.repeat(np.arange(len(starts), dtype=code_dtype(len(starts))), runs)
    as_of = window.end

    stage_lut, active_lut, item_lut = _luts(mapping, rows.status_names, rows.kind_names)
    stage, active, from_stage, split = _row_rules(rows, mapping, stage_lut, active_lut)
    named = rows.status_names != ""
    jumped, reopens = 0, [np.array([], dtype=np.intp)]
    for s in range(1, n, CHUNK_ROWS):  # each row against the one before it, a part at a time
        now, before = slice(s, min(s + CHUNK_ROWS, n)), slice(s - 1, min(s + CHUNK_ROWS, n) - 1)
        later = ~first[now]  # not an item's first row
        # Out of sequence: leaving another status than the one the row before entered.
        jumped += int((later & named[frm[now]] & (frm[now] != to[before])).sum())
        # Reopened: leaving done for a status that is not done.
        reopens.append(np.flatnonzero(later & (stage[before] == _DONE) & (stage[now] != _DONE)) + s)
    reopened = np.bincount(group[np.concatenate(reopens)], minlength=len(starts))
    del reopens, first

    # Partial: a changelog known to be cut short, or a history whose first row leaves a
    # status of work or done (the item was already under way before the file begins).
    midway = named[frm[starts]] & _WORK_OR_DONE[from_stage[starts]]
    del from_stage
    truncated = (
        np.maximum.reduceat(rows.partial.astype(np.int8), starts).astype(bool)
        if rows.partial is not None
        else np.zeros(len(starts), dtype=bool)
    )
    partial = truncated | midway

    def first_time(mask):
        # An item's rows are in time order: its earliest row in `mask` is its first one.
        hits = np.flatnonzero(mask)
        at_hit = np.searchsorted(hits, starts)
        pick = hits[np.minimum(at_hit, max(len(hits) - 1, 0))] if len(hits) else starts
        found = (at_hit < len(hits)) & (pick <= last_rows)
        return np.where(found & ~partial, at[pick], NAT)

    work = active & _IN_WORK[stage]
    start = first_time(work)
    dev_start = first_time(work & (stage == STAGES.index("development")))
    del work
    # Done: the first row of the trailing run of done statuses, found from the last row
    # before it that is not done (within the item, else the item's first row).
    is_done = stage == _DONE
    last_break = _last_not_done(is_done, last_rows)
    run_start = np.minimum(np.maximum(last_break + 1, starts), last_rows)
    done = np.where(is_done[last_rows], at[run_start], NAT)
    # A partial item whose every visible row is done was finished before the file begins.
    unknown_done = partial & is_done[last_rows] & (run_start == starts) & midway
    del is_done, last_break
    done = np.where(unknown_done, NAT, done)
    finished = window.contains(done)

    active_days, waiting_rows, waiting_days = _in_flow(
        at,
        last,
        as_of,
        group,
        active,
        stage,
        np.where(finished, start, NAT),
        np.where(finished, done, NAT),
        business_days,
    )
    del group  # stays find their item from `starts` (Stays.item)

    flow_days = np.where(finished, span_days(start, done, business_days), np.nan)
    current_stage = stage[last_rows]
    in_progress = (done == NAT) & (
        (start != NAT) | (partial & _IN_WORK[current_stage] & ~unknown_done)
    )
    items = pd.DataFrame(
        {
            "team": pd.Categorical.from_codes(team[starts], rows.team_names),
            "flow_item": pd.Categorical.from_codes(item_lut[kind[last_rows]], FLOW_ITEMS),
            "start": utc(start),
            "dev_start": utc(dev_start),
            "done": utc(done),
            "finished": finished,
            "in_progress": in_progress,
            "partial": partial,
            "reopened": reopened,
            "status": pd.Categorical.from_codes(to[last_rows], rows.status_names),
            "flow_days": flow_days,
            "cycle_days": np.where(finished, span_days(dev_start, done, business_days), np.nan),
            "active_days": active_days,
            "efficiency": np.divide(
                active_days, flow_days, out=np.full(len(starts), np.nan), where=flow_days > 0
            ),
        },
        index=pd.Index(rows.key_names[key[starts]], name="key", dtype=object),
        copy=False,  # the columns are new arrays: a copy of them all would be a second
    )
    stays = Stays(
        team=team,
        status=to,
        stage=stage,
        active=active,
        at=at,
        last=last,
        as_of=int(as_of),
        business_days=business_days,
        waiting_rows=waiting_rows,
        waiting_days=waiting_days,
        statuses=rows.status_names,
        teams=rows.team_names,
        stage_of=None if split else stage_lut,
        starts=starts,
    )
    created_row = (rows.status_names == "")[frm[starts]]
    counts = {
        "items": len(starts),
        "transitions": n,
        "out_of_sequence": jumped,
        "finished": int(finished.sum()),
        "unfinished": int((done == NAT).sum()),
        "finished_before_window": int(((done != NAT) & (done < window.start)).sum()),
        "reopened_items": int((reopened > 0).sum()),
        "finished_without_active_status": int((finished & (start == NAT) & ~partial).sum()),
        "partial_items": int(partial.sum()),
        "truncated_items": int(truncated.sum()),
        "complete_history_items": int((created_row & ~truncated).sum()),
        "transitions_after_window": counts_outside,
    }
    since = pd.Timestamp(int(at.min()), tz="UTC")
    as_of_time = pd.Timestamp(int(as_of), tz="UTC")
    return Prepared(stays, items, as_of_time, since, window, counts, business_days)


def _last_not_done(is_done: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """For each of `rows` (ascending), the last row at or before it that is not done (-1:
    none), CHUNK_ROWS rows at a time: a running maximum of the not-done rows' positions."""
    out = np.empty(len(rows), dtype=np.int64)
    carry = -1
    for s in range(0, len(is_done), CHUNK_ROWS):
        e = min(s + CHUNK_ROWS, len(is_done))
        mark = np.where(is_done[s:e], -1, np.arange(s, e))
        np.maximum.accumulate(mark, out=mark)
        np.maximum(mark, carry, out=mark)
        lo, hi = np.searchsorted(rows, (s, e))
        out[lo:hi] = mark[rows[lo:hi] - s]
        carry = int(mark[-1])
    return out


def _in_flow(at, last, as_of, group, active, stage, flow_start, flow_end, business: bool):
    """Each stay's days inside its item's [flow_start, flow_end] (ns per item; NAT: none),
    CHUNK_ROWS rows at a time, reduced as they are found: each item's active days (summed
    in row order, as one bincount over every row would), and the waiting stays (rows and
    days: waiting, in a stage of work, with time inside). Returns (active_days, rows, days)."""
    active_days = np.zeros(len(flow_start))
    # Room for every row, filled as found: pages never written take no memory, and no list
    # of parts is joined at the end (a second copy of them all).
    rows, days, found = np.empty(len(at), dtype=np.intp), np.empty(len(at)), 0
    for s in range(0, len(at), CHUNK_ROWS):
        part = slice(s, min(s + CHUNK_ROWS, len(at)))
        g = group[part]
        ws, we = flow_start[g], flow_end[g]
        lo, hi = np.maximum(at[part], ws), np.minimum(until_of(at, last, as_of, part), we)
        inside = (ws != NAT) & (we != NAT) & (hi > lo)
        if business:
            in_flow = np.zeros(len(g))
            in_flow[inside] = span_days(lo[inside], hi[inside], True)
        else:
            in_flow = np.where(inside, hi - lo, 0) / DAY_NS
        del ws, we, lo, hi, inside
        on = active[part]
        np.add.at(active_days, g[on], in_flow[on])  # in row order: bincount's sums exactly
        waiting = np.flatnonzero(~on & _IN_WORK[stage[part]] & (in_flow > 0))
        rows[found : found + len(waiting)] = waiting + s
        days[found : found + len(waiting)] = in_flow[waiting]
        found += len(waiting)
    return active_days, rows[:found], days[:found]


def _subset(rows: Rows, index: np.ndarray) -> Rows:
    pick = lambda a: None if a is None else a[index]  # noqa: E731
    return Rows(
        rows.key[index],
        rows.frm[index],
        rows.to[index],
        rows.kind[index],
        rows.team[index],
        rows.at[index],
        rows.created[index],
        pick(rows.partial),
        pick(rows.project),
        rows.key_names,
        rows.status_names,
        rows.kind_names,
        rows.team_names,
        rows.projects,
        rows.rows_read,
    )


def item_times(rows: Rows) -> list[np.ndarray]:
    """The timestamps the transitions contribute to the observation window."""
    return [rows.at, rows.created]
