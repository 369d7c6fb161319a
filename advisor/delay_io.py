"""Backlog files: YAML and CSV reading (row and column named in every error) and writing.

CSV holds one item a row; nested fields are flattened (`wsjf_business_value`,
`outcome_owner`, ...). Text a spreadsheet would run is guarded on export and unguarded on
import (`advisor.report.defuse` / `undefuse`), so an exported file reads back the same.
"""

from __future__ import annotations

import io
import math
from pathlib import Path

import pandas as pd
from pydantic import ValidationError

from advisor.delay import MAX_ITEMS, Backlog, Item, Outcome
from advisor.errors import BacklogError, Problem
from advisor.outcome_measure import OutcomeMeasure
from advisor.report import undefuse
from advisor.yamlio import (
    Located,
    dump_yaml,
    parse_yaml,
    problems_from,
    read_input,
    text_of,
    validate,
)

NESTED = {
    "wsjf": ("business_value", "time_criticality", "risk_reduction", "job_size"),
    "outcome": tuple(f for f in Outcome.model_fields if f != "measure"),
    # an outcome's measure, one level deeper: outcome.measure.metric is outcome_measure_metric
    "outcome_measure": tuple(OutcomeMeasure.model_fields),
}
FLAT = (
    "id",
    "name",
    "cost_of_delay_per_week",
    "duration_weeks",
    "urgency",
    "deadline_week",
    "life_weeks",
    "rise_weeks",
    "size_items",
)
COLUMNS = FLAT + tuple(f"{group}_{f}" for group, fields in NESTED.items() for f in fields)
REQUIRED = ("id", "name", "cost_of_delay_per_week", "duration_weeks")


def _row_to_item(row: dict) -> dict:
    item: dict = {}
    for key in FLAT:
        value = row.get(key, "")
        if value != "":
            item[key] = undefuse(value)
    for group, fields in NESTED.items():
        part = {
            f: undefuse(row[f"{group}_{f}"]) for f in fields if row.get(f"{group}_{f}", "") != ""
        }
        if part:
            item[group] = part
    if "wsjf" in item:
        item["wsjf"] = {k: _int_or_text(v) for k, v in item["wsjf"].items()}
    if "outcome_measure" in item:
        item.setdefault("outcome", {})["measure"] = item.pop("outcome_measure")
    return item


def _int_or_text(value: str):
    try:
        number = float(value)
    except ValueError:
        return value
    return int(number) if number.is_integer() else number


def parse_backlog_csv(
    data: str | bytes, file: str = "backlog.csv", currency: str = "USD"
) -> Backlog:
    """Read a backlog CSV, one item a row; errors name the row (header = row 1) and column."""
    data = text_of(data, file, BacklogError)
    try:
        frame = pd.read_csv(
            io.StringIO(data),
            dtype=str,
            keep_default_na=False,
            skipinitialspace=True,
            nrows=MAX_ITEMS + 1,
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise BacklogError([Problem(file, f"not a readable CSV ({reason})")]) from None
    if len(frame) > MAX_ITEMS:
        raise BacklogError([Problem(file, f"more than {MAX_ITEMS:,} items")])
    frame.columns = [str(c).strip() for c in frame.columns]
    return backlog_from_rows(
        frame.to_dict("records"), list(frame.columns), file, currency, first_row=2
    )


def backlog_from_rows(
    rows: list[dict], columns: list[str], file: str, currency: str = "USD", first_row: int = 1
) -> Backlog:
    """Validate flat rows (CSV or the app's table); problems name row and column."""
    missing = [c for c in REQUIRED if c not in columns]
    unknown = [c for c in columns if c not in COLUMNS]
    problems = [Problem(file, "required column is missing", c) for c in missing]
    problems += [
        Problem(file, f"unknown column; known columns: {', '.join(COLUMNS)}", c) for c in unknown
    ]
    if problems:
        raise BacklogError(problems)
    if len(rows) > MAX_ITEMS:
        raise BacklogError([Problem(file, f"more than {MAX_ITEMS:,} items")])
    items = []
    for index, row in enumerate(rows):
        text = {k: "" if _blank(v) else str(v).strip() for k, v in row.items()}
        if not any(text.values()):
            continue
        data_row = _row_to_item(text)
        try:
            items.append(Item.model_validate(data_row))
        except ValidationError as exc:
            for p in problems_from(exc, Located(data_row, None, file)):
                column = p.field.replace(".", "_")
                problems.append(Problem(file, p.message, column or "row", row=index + first_row))
    if problems:
        raise BacklogError(problems)
    try:
        return Backlog(currency=currency, items=items)
    except ValidationError as exc:
        raise BacklogError(
            [Problem(file, e["msg"].removeprefix("Value error, "), "items") for e in exc.errors()]
        ) from None


def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def parse_backlog_yaml(text: str | bytes, file: str = "backlog.yaml") -> Backlog:
    return validate(Backlog, parse_yaml(text, file, BacklogError), BacklogError)


def load_backlog(path: str | Path) -> Backlog:
    path = Path(path)
    data = read_input(path, BacklogError)
    if path.suffix.lower() == ".csv":
        return parse_backlog_csv(data, str(path))
    return parse_backlog_yaml(data, str(path))


def backlog_frame(backlog: Backlog) -> pd.DataFrame:
    """One item a row with flat columns, as the CSV holds it."""
    rows = []
    for it in backlog.items:
        row = {k: getattr(it, k) for k in FLAT}
        for group, fields in NESTED.items():
            if group == "outcome_measure":
                part = it.outcome.measure if it.outcome is not None else None
            else:
                part = getattr(it, group)
            for f in fields:
                row[f"{group}_{f}"] = getattr(part, f) if part is not None else None
        rows.append(row)
    return pd.DataFrame(rows, columns=list(COLUMNS))


def backlog_to_yaml(backlog: Backlog) -> str:
    return dump_yaml(backlog.model_dump(exclude_none=True))
