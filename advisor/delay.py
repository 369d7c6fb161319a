"""Cost of delay: what waiting costs, CD3 and WSJF orders, and the order that costs least.

One team works the items one after another; an item finished at week C has cost
`delay_cost(item, C)`, which depends on its urgency profile:

- standard: CoD x C (constant cost of delay, long life);
- short_life: CoD x min(C, life_weeks) (the value window shrinks until nothing is left);
- fixed_date: nothing while done by deadline_week; once late, the whole CoD x C at once;
- intangible: the weekly cost rises from 0 to CoD over rise_weeks, then stays at CoD.
"""

from __future__ import annotations

import io
import itertools
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from advisor.errors import BacklogError, Problem
from advisor.yamlio import Located, parse_yaml, problems_from, validate

Urgency = Literal["standard", "short_life", "fixed_date", "intangible"]
URGENCIES: tuple[str, ...] = ("standard", "short_life", "fixed_date", "intangible")
Fibonacci = Literal[1, 2, 3, 5, 8, 13, 20]
EXACT_LIMIT = 14  # subsets DP: 2^14 x 14 steps, well under a second
DEFAULT_RISE = 26.0  # weeks for an intangible item's cost of delay to reach its full rate


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Wsjf(Strict):
    """SAFe's relative scores on the modified Fibonacci scale; points, never money."""

    business_value: Fibonacci
    time_criticality: Fibonacci
    risk_reduction: Fibonacci
    job_size: Fibonacci

    @property
    def score(self) -> float:
        return (self.business_value + self.time_criticality + self.risk_reduction) / self.job_size


class Outcome(Strict):
    """What the item is for and how we will know: the article's outcome card."""

    problem: str | None = None
    expected_result: str | None = None
    metric: str | None = None
    target: str | None = None
    owner: str | None = None
    learning: str | None = Field(default=None, description="how the team will learn from it")
    actual: str | None = Field(default=None, description="the result seen later")


class Item(Strict):
    id: str = Field(min_length=1, max_length=80)
    name: str = Field(min_length=1)
    cost_of_delay_per_week: float = Field(ge=0, allow_inf_nan=False)
    duration_weeks: float = Field(gt=0, allow_inf_nan=False)
    urgency: Urgency = "standard"
    deadline_week: float | None = Field(
        default=None, ge=0, allow_inf_nan=False, validate_default=True
    )
    life_weeks: float | None = Field(default=None, gt=0, allow_inf_nan=False, validate_default=True)
    rise_weeks: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    wsjf: Wsjf | None = None
    outcome: Outcome | None = None

    @field_validator("deadline_week", "life_weeks")
    @classmethod
    def _needed_by_profile(cls, value, info: ValidationInfo):
        needs = {"deadline_week": "fixed_date", "life_weeks": "short_life"}[info.field_name]
        if value is None and info.data.get("urgency") == needs:
            raise ValueError(f"a {needs} item needs {info.field_name}")
        return value

    @property
    def cd3(self) -> float:
        """Cost of delay divided by duration: money per week of delay per week of work."""
        return self.cost_of_delay_per_week / self.duration_weeks


class Backlog(Strict):
    version: Literal[1] = 1
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    items: list[Item] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> Backlog:
        seen: set[str] = set()
        for item in self.items:
            if item.id in seen:
                raise ValueError(f"item id {item.id!r} is used twice")
            seen.add(item.id)
        return self


# ---------------------------------------------------------------- cost of one item


def delay_cost(item: Item, week: float) -> float:
    """Cost of an item finished at `week`, by its urgency profile (see the module doc)."""
    cod, c = item.cost_of_delay_per_week, float(week)
    if item.urgency == "short_life":
        return cod * min(c, item.life_weeks)
    if item.urgency == "fixed_date":
        return 0.0 if c <= item.deadline_week + 1e-9 else cod * c
    if item.urgency == "intangible":
        rise = item.rise_weeks or DEFAULT_RISE
        return cod * c * c / (2 * rise) if c <= rise else cod * (rise / 2 + c - rise)
    return cod * c


@dataclass(frozen=True)
class _Columns:
    """The backlog as arrays, built once so every order is costed with array arithmetic."""

    cod: np.ndarray
    duration: np.ndarray
    kind: np.ndarray
    deadline: np.ndarray
    life: np.ndarray
    rise: np.ndarray

    @classmethod
    def of(cls, items: list[Item]) -> _Columns:
        nan = float("nan")
        return cls(
            cod=np.array([it.cost_of_delay_per_week for it in items], dtype=float),
            duration=np.array([it.duration_weeks for it in items], dtype=float),
            kind=np.array([URGENCIES.index(it.urgency) for it in items], dtype=np.int8),
            deadline=np.array(
                [nan if it.deadline_week is None else it.deadline_week for it in items], dtype=float
            ),
            life=np.array(
                [nan if it.life_weeks is None else it.life_weeks for it in items], dtype=float
            ),
            rise=np.array([it.rise_weeks or DEFAULT_RISE for it in items], dtype=float),
        )


def _costs(cols: _Columns, order: list[int], start: float) -> tuple[np.ndarray, np.ndarray]:
    """Finish week and delay cost of every item of the order, computed for all at once."""
    idx = np.asarray(order, dtype=np.intp)
    rate = cols.cod[idx]
    finish = start + np.cumsum(cols.duration[idx])
    cost = rate * finish
    kind = cols.kind[idx]
    if kind.any():
        life = np.where(kind == 1, cols.life[idx], np.inf)
        cost = np.where(kind == 1, rate * np.minimum(finish, life), cost)
        due = cols.deadline[idx]
        cost = np.where((kind == 2) & (finish <= due + 1e-9), 0.0, cost)
        rise = cols.rise[idx]
        rising = np.where(
            finish <= rise, rate * finish * finish / (2 * rise), rate * (rise / 2 + finish - rise)
        )
        cost = np.where(kind == 3, rising, cost)
    return finish, cost


def _total(cols: _Columns, order: list[int], start: float = 0.0) -> float:
    return float(_costs(cols, order, start)[1].sum()) if order else 0.0


def order_cost(items: list[Item], order: list[int], start: float = 0.0) -> float:
    """Total delay cost of working the items in `order` one after another from `start`."""
    return _total(_Columns.of(items), order, start)


def cumulative_costs(items: list[Item], order: list[int]) -> list[tuple[float, float, str]]:
    """(finish week, cumulative delay cost, item id) after each item of the order."""
    finish, cost = _costs(_Columns.of(items), order, 0.0)
    return [
        (float(w), float(c), items[i].id)
        for w, c, i in zip(finish, np.cumsum(cost), order, strict=True)
    ]


# ---------------------------------------------------------------- orders


def cd3_order(items: list[Item]) -> list[int]:
    """Highest CD3 first (Smith's rule): optimal when every item is standard; ties keep order."""
    cd3 = np.array([it.cost_of_delay_per_week / it.duration_weeks for it in items], dtype=float)
    return np.argsort(-cd3, kind="stable").tolist()


def wsjf_order(items: list[Item]) -> list[int]:
    """Highest WSJF first; items without scores keep their place after the scored ones."""
    score = np.array([it.wsjf.score if it.wsjf else -np.inf for it in items], dtype=float)
    return np.argsort(-score, kind="stable").tolist()


def _exact(items: list[Item]) -> list[int]:
    """Best order by dynamic programming over subsets: the last item of a set ends at its sum."""
    n = len(items)
    durations = [it.duration_weeks for it in items]
    size = 1 << n
    span = [0.0] * size
    for mask in range(1, size):
        low = (mask & -mask).bit_length() - 1
        span[mask] = span[mask & (mask - 1)] + durations[low]
    best = [math.inf] * size
    last = [-1] * size
    best[0] = 0.0
    for mask in range(1, size):
        end = span[mask]
        bits = mask
        while bits:
            i = (bits & -bits).bit_length() - 1
            bits &= bits - 1
            prev = mask ^ (1 << i)
            cost = best[prev] + delay_cost(items[i], end)
            if cost < best[mask] - 1e-9:
                best[mask], last[mask] = cost, i
    order, mask = [], size - 1
    while mask:
        order.append(last[mask])
        mask ^= 1 << last[mask]
    return order[::-1]


def _improve(items: list[Item], order: list[int], max_passes: int = 50) -> list[int]:
    """Adjacent swaps that lower the total, pass after pass; never worse than the start."""
    order = list(order)
    finish = np.cumsum([items[i].duration_weeks for i in order]).tolist()
    for _ in range(max_passes):
        improved = False
        for k in range(len(order) - 1):
            a, b = items[order[k]], items[order[k + 1]]
            before = finish[k] - a.duration_weeks
            now = delay_cost(a, finish[k]) + delay_cost(b, finish[k + 1])
            b_end = before + b.duration_weeks
            swapped = delay_cost(b, b_end) + delay_cost(a, finish[k + 1])
            if swapped < now - 1e-9:
                order[k], order[k + 1] = order[k + 1], order[k]
                finish[k] = b_end
                improved = True
        if not improved:
            break
    return order


@dataclass(frozen=True)
class BestOrder:
    order: list[int]
    cost: float
    method: str


def best_order(items: list[Item], cols: _Columns | None = None) -> BestOrder:
    """The cheapest order we can find, and how it was found."""
    cols = cols or _Columns.of(items)
    start = cd3_order(items)
    if all(it.urgency == "standard" for it in items):
        return BestOrder(
            start,
            _total(cols, start),
            "CD3: every item is standard, so highest CD3 first is optimal",
        )
    if len(items) <= EXACT_LIMIT:
        exact = _exact(items)
        return BestOrder(
            exact,
            _total(cols, exact),
            f"exact search over every order (dynamic programming, "
            f"{len(items)} items <= {EXACT_LIMIT})",
        )
    improved = _improve(items, start)
    return BestOrder(
        improved,
        _total(cols, improved),
        f"heuristic: CD3, then adjacent swaps while they lower the total "
        f"({len(items)} items > {EXACT_LIMIT} for the exact search)",
    )


# ---------------------------------------------------------------- what a delay costs


def item_delay(item: Item, weeks: float, finish: float | None = None) -> float:
    """Extra cost if the item finishes `weeks` later than `finish` (default: its duration)."""
    at = item.duration_weeks if finish is None else finish
    return delay_cost(item, at + weeks) - delay_cost(item, at)


def order_delay(items: list[Item], order: list[int], weeks: float) -> float:
    """Extra cost if the whole order starts `weeks` later."""
    cols = _Columns.of(items)
    return _total(cols, order, weeks) - _total(cols, order)


def delay_sentence(item: Item, weeks: float, currency: str, finish: float | None = None) -> str:
    cost = item_delay(item, weeks, finish)
    return (
        f"Delaying {item.name} by {weeks:g} week{'s' if weeks != 1 else ''} costs about "
        f"{cost:,.0f} {currency}."
    )


def delays_of(backlog: Backlog, order_ids: list[str], weeks: float) -> dict:
    """What `weeks` of delay costs: each item alone, and the whole order starting later."""
    index = {it.id: i for i, it in enumerate(backlog.items)}
    order = [index[x] for x in order_ids]
    return {
        "weeks": weeks,
        "items": {it.id: item_delay(it, weeks) for it in backlog.items},
        "sentences": [delay_sentence(it, weeks, backlog.currency) for it in backlog.items],
        "whole_order": order_delay(backlog.items, order, weeks),
    }


# ---------------------------------------------------------------- the whole analysis


@dataclass(slots=True)
class ItemView:
    id: str
    name: str
    cost_of_delay_per_week: float
    duration_weeks: float
    urgency: str
    cd3: float
    wsjf: float | None


@dataclass(frozen=True)
class DelayResult:
    currency: str
    items: list[ItemView]
    given_order: list[str]
    cd3_order: list[str]
    wsjf_order: list[str]
    best_order: list[str]
    method: str
    delay_cost: dict[str, float]
    saving: float
    best_saving: float
    outcome_warnings: list[str]
    wsjf_missing: list[str]

    def to_json(self) -> dict:
        return asdict(self)


def outcome_warnings(items: list[Item]) -> list[str]:
    """Every item should carry an accountable owner and a way to measure its result."""
    out = []
    for it in items:
        card = it.outcome
        missing = [
            label
            for label, field in (
                ("owner", "owner"),
                ("success metric", "metric"),
                ("target", "target"),
            )
            if card is None or not getattr(card, field)
        ]
        if missing:
            out.append(f"{it.name} ({it.id}) is missing: {', '.join(missing)}.")
    return out


def analyse(backlog: Backlog) -> DelayResult:
    items = backlog.items
    cols = _Columns.of(items)
    given = list(range(len(items)))
    cd3 = cd3_order(items)
    ws = wsjf_order(items)
    best = best_order(items, cols)
    costs = {
        "given": _total(cols, given),
        "cd3": _total(cols, cd3),
        "wsjf": _total(cols, ws),
        "best": best.cost,
    }
    id_of = [it.id for it in items]

    def ids(order):
        return [id_of[i] for i in order]

    return DelayResult(
        currency=backlog.currency,
        items=[
            ItemView(
                it.id,
                it.name,
                it.cost_of_delay_per_week,
                it.duration_weeks,
                it.urgency,
                c3,
                it.wsjf.score if it.wsjf else None,
            )
            for it, c3 in zip(items, (cols.cod / cols.duration).tolist(), strict=True)
        ],
        given_order=ids(given),
        cd3_order=ids(cd3),
        wsjf_order=ids(ws),
        best_order=ids(best.order),
        method=best.method,
        delay_cost=costs,
        saving=costs["given"] - costs["cd3"],
        best_saving=costs["given"] - costs["best"],
        outcome_warnings=outcome_warnings(items),
        wsjf_missing=[it.id for it in items if it.wsjf is None],
    )


# ---------------------------------------------------------------- files

NESTED = {
    "wsjf": ("business_value", "time_criticality", "risk_reduction", "job_size"),
    "outcome": tuple(Outcome.model_fields),
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
)
COLUMNS = FLAT + tuple(f"{group}_{f}" for group, fields in NESTED.items() for f in fields)
REQUIRED = ("id", "name", "cost_of_delay_per_week", "duration_weeks")


def _undo_csv_guard(text: str) -> str:
    """Our CSV export puts a quote before text a spreadsheet would run; take it off again."""
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@\t\r":
        return text[1:]
    return text


def _row_to_item(row: dict) -> dict:
    item: dict = {}
    for key in FLAT:
        value = row.get(key, "")
        if value != "":
            item[key] = _undo_csv_guard(value)
    for group, fields in NESTED.items():
        part = {
            f: _undo_csv_guard(row[f"{group}_{f}"])
            for f in fields
            if row.get(f"{group}_{f}", "") != ""
        }
        if part:
            item[group] = part
    if "wsjf" in item:
        item["wsjf"] = {k: _int_or_text(v) for k, v in item["wsjf"].items()}
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
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise BacklogError([Problem(file, f"not UTF-8 text ({exc.reason})")]) from None
    try:
        frame = pd.read_csv(
            io.StringIO(data), dtype=str, keep_default_na=False, skipinitialspace=True
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise BacklogError([Problem(file, f"not a readable CSV ({exc})")]) from None
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
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BacklogError([Problem(str(path), f"cannot be read ({exc.strerror})")]) from None
    if path.suffix.lower() == ".csv":
        return parse_backlog_csv(data, str(path))
    return parse_backlog_yaml(data, str(path))


def backlog_frame(backlog: Backlog) -> pd.DataFrame:
    """One item a row with flat columns, as the CSV holds it."""
    rows = []
    for it in backlog.items:
        row = {k: getattr(it, k) for k in FLAT}
        for group, fields in NESTED.items():
            part = getattr(it, group)
            for f in fields:
                row[f"{group}_{f}"] = getattr(part, f) if part is not None else None
        rows.append(row)
    return pd.DataFrame(rows, columns=list(COLUMNS))


def backlog_to_yaml(backlog: Backlog) -> str:
    return yaml.safe_dump(
        backlog.model_dump(exclude_none=True), sort_keys=False, allow_unicode=True
    )


def all_orders_cost(items: list[Item]) -> float:
    """The cheapest total over every order, by brute force: for tests of small backlogs."""
    return min(order_cost(items, list(p)) for p in itertools.permutations(range(len(items))))
