"""Cost of delay: what waiting costs, CD3 and WSJF orders, and the order that costs least.

One team works the items one after another; an item finished at week C has cost
`delay_cost(item, C)`, which depends on its urgency profile (CoD = cost of delay per week):

    standard      CoD x C                            (constant cost of delay, long life)
    short_life    CoD x min(C, life_weeks)           (nothing is left to lose after its life)
    fixed_date    0 while C <= deadline_week, else CoD x C, all at once
    intangible    CoD x C^2 / (2 R) while C <= R, then CoD x (R/2 + C - R)
                  (the weekly cost rises from 0 to CoD over R = rise_weeks)

    CD3  = CoD / duration        WSJF = (business value + time criticality + risk reduction)
                                        / job size, in points, never added to money

An item may also give `size_items`, the work items it holds (the unit of the team's weekly
throughput): `advisor.probable_delay` then takes its duration from the team's throughput
forecast instead of `duration_weeks`.

The cheapest order: CD3 when every item is standard (Smith's rule); else exact dynamic
programming over subsets up to `EXACT_LIMIT` items; beyond, a local search (insertion moves
from several starts) that reports a lower bound and never returns worse than CD3.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Literal

import numpy as np
from pydantic import Field, ValidationInfo, field_validator, model_validator

from advisor.base import MAX_AMOUNT, Currency, Strict
from advisor.outcome_measure import OutcomeMeasure

Urgency = Literal["standard", "short_life", "fixed_date", "intangible"]
URGENCIES: tuple[str, ...] = ("standard", "short_life", "fixed_date", "intangible")
URGENCY_LABELS = {  # what a person reads; files keep the ids
    "standard": "standard",
    "short_life": "short life",
    "fixed_date": "fixed date",
    "intangible": "intangible",
}
Fibonacci = Literal[1, 2, 3, 5, 8, 13, 20]
EXACT_LIMIT = 20  # subsets DP: 2^20 x 20 steps in numpy, under a second
MAX_ITEMS = 10_000
MAX_WEEKS = 100_000.0  # far beyond any plan; refused above so sums stay exact
SEARCH_SECONDS = 2.0  # the local search stops here, and says so
WINDOW = 8  # neighbours reordered exactly at a time by the local search
WINDOW_ITEMS = 2_000  # above this many items the search uses insertion moves only
RESTARTS = 40  # perturbed restarts in a row without improvement before the search stops
DEFAULT_RISE = 26.0  # weeks for an intangible item's cost of delay to reach its full rate
MAX_SIZE_ITEMS = 1_000_000.0  # work items in one backlog item, at most
Week = Field(ge=0, le=MAX_WEEKS, allow_inf_nan=False)


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

    problem: str | None = Field(default=None, max_length=2000)
    expected_result: str | None = Field(default=None, max_length=2000)
    metric: str | None = Field(default=None, max_length=2000)
    target: str | None = Field(default=None, max_length=2000)
    owner: str | None = Field(default=None, max_length=2000)
    learning: str | None = Field(
        default=None, max_length=2000, description="how the team will learn from it"
    )
    actual: str | None = Field(default=None, max_length=2000, description="the result seen later")
    measure: OutcomeMeasure | None = Field(
        default=None, description="measure the actual from the team's exports instead"
    )


class Item(Strict):
    id: str = Field(min_length=1, max_length=80)
    name: str = Field(min_length=1, max_length=300)
    cost_of_delay_per_week: float = Field(ge=0, le=MAX_AMOUNT / 1e5, allow_inf_nan=False)
    duration_weeks: float = Field(gt=0, le=MAX_WEEKS, allow_inf_nan=False)
    urgency: Urgency = "standard"
    deadline_week: float | None = Field(
        default=None, ge=0, le=MAX_WEEKS, allow_inf_nan=False, validate_default=True
    )
    life_weeks: float | None = Field(
        default=None, gt=0, le=MAX_WEEKS, allow_inf_nan=False, validate_default=True
    )
    rise_weeks: float | None = Field(default=None, gt=0, le=MAX_WEEKS, allow_inf_nan=False)
    size_items: float | None = Field(
        default=None,
        gt=0,
        le=MAX_SIZE_ITEMS,
        allow_inf_nan=False,
        description="work items it holds, in the unit of the team's weekly throughput",
    )
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
    currency: Currency = "USD"
    items: list[Item] = Field(min_length=1, max_length=MAX_ITEMS)

    @model_validator(mode="after")
    def _unique_ids(self) -> Backlog:
        seen: set[str] = set()
        for item in self.items:
            if item.id in seen:
                raise ValueError(f"item id {item.id!r} is used twice")
            seen.add(item.id)
        return self


# ---------------------------------------------------------------- the cost formula


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

    def cost_one(self, i: int, finish: np.ndarray) -> np.ndarray:
        """Delay cost of item `i` finished at each week of `finish`: `cost` for one item."""
        rate, kind = self.cod[i], self.kind[i]
        if kind == 0:
            return rate * finish
        return self.cost(np.full(len(finish), i), finish)

    def cost(self, idx, finish) -> np.ndarray:
        """Delay cost of items `idx` finished at `finish` (broadcast): the one formula."""
        rate, kind = self.cod[idx], self.kind[idx]
        finish = np.asarray(finish, dtype=float)
        cost = rate * finish
        short = kind == 1
        cost = np.where(short, rate * np.minimum(finish, np.where(short, self.life[idx], 0)), cost)
        on_time = (kind == 2) & (finish <= np.where(kind == 2, self.deadline[idx], 0) + 1e-9)
        cost = np.where(on_time, 0.0, cost)
        rise = self.rise[idx]
        rising = np.where(
            finish <= rise, rate * finish * finish / (2 * rise), rate * (rise / 2 + finish - rise)
        )
        return np.where(kind == 3, rising, cost)


def delay_cost(item: Item, week: float) -> float:
    """Cost of an item finished at `week`, by its urgency profile (see the module doc)."""
    return float(_Columns.of([item]).cost(0, week))


def _schedule(cols: _Columns, order, start: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Finish week and delay cost of every item of the order, computed for all at once."""
    idx = np.asarray(order, dtype=np.intp)
    finish = start + np.cumsum(cols.duration[idx])
    return finish, cols.cost(idx, finish)


def _total(cols: _Columns, order, start: float = 0.0) -> float:
    return float(_schedule(cols, order, start)[1].sum()) if len(order) else 0.0


def order_cost(items: list[Item], order: list[int], start: float = 0.0) -> float:
    """Total delay cost of working the items in `order` one after another from `start`."""
    return _total(_Columns.of(items), order, start)


def cumulative_costs(items: list[Item], order: list[int]) -> list[tuple[float, float, str]]:
    """(finish week, cumulative delay cost, item id) after each item of the order."""
    finish, cost = _schedule(_Columns.of(items), order, 0.0)
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


def _exact(cols: _Columns, idx=None, start: float = 0.0) -> list[int]:
    """Best order of items `idx` (default: all) worked from week `start`, by dynamic
    programming over subsets, layer by layer of subset size.

    best[S] = min over i in S of best[S - i] + cost_i(start + sum of durations in S): the
    item done last in a set finishes when the whole set is done.
    """
    idx = np.arange(len(cols.cod)) if idx is None else np.asarray(idx)
    n = len(idx)
    masks = np.arange(1 << n, dtype=np.int64)
    span = np.full(1 << n, float(start))
    size = np.zeros(1 << n, dtype=np.int8)
    for i in range(n):
        bit = ((masks >> i) & 1).astype(bool)
        span[bit] += cols.duration[idx[i]]
        size += bit
    best = np.full(1 << n, np.inf)
    best[0] = 0.0
    last = np.full(1 << n, -1, dtype=np.int8)
    by_size = np.argsort(size, kind="stable")
    edges = np.searchsorted(size[by_size], np.arange(n + 2))
    for k in range(1, n + 1):
        layer = by_size[edges[k] : edges[k + 1]]
        for i in range(n):
            sets = layer[((layer >> i) & 1).astype(bool)]
            candidate = best[sets ^ (1 << i)] + cols.cost_one(idx[i], span[sets])
            better = candidate < best[sets] - 1e-9
            best[sets[better]] = candidate[better]
            last[sets[better]] = i
    order, mask = [], (1 << n) - 1
    while mask:
        i = int(last[mask])
        order.append(int(idx[i]))
        mask ^= 1 << i
    return order[::-1]


def lower_bound(cols: _Columns) -> float:
    """A cost no order can beat: standard items in CD3 order as if alone, plus every other
    item finished as early as it possibly could (at its own duration)."""
    standard = np.flatnonzero(cols.kind == 0)
    ratio = cols.cod[standard] / cols.duration[standard]
    alone = _total(cols, standard[np.argsort(-ratio, kind="stable")])
    others = np.flatnonzero(cols.kind != 0)
    return alone + float(cols.cost(others, cols.duration[others]).sum())


def _best_insertion(cols: _Columns, order: np.ndarray, pos: int) -> tuple[float, int]:
    """The best place to move the item at `pos` to, and the change in total cost."""
    n = len(order)
    x = order[pos]
    d = cols.duration[x]
    finish = np.cumsum(cols.duration[order])
    base = cols.cost(order, finish)
    gains = np.zeros(n)
    # Forward to b < pos: items b..pos-1 finish d later; x finishes at start of b + d.
    if pos > 0:
        later = cols.cost(order[:pos], finish[:pos] + d) - base[:pos]
        shifted = np.cumsum(later[::-1])[::-1]  # sum over b..pos-1
        starts = finish[:pos] - cols.duration[order[:pos]]
        gains[:pos] = shifted + cols.cost(x, starts + d) - base[pos]
    # Backward to b > pos: items pos+1..b finish d earlier; x finishes at old finish of b.
    if pos < n - 1:
        earlier = cols.cost(order[pos + 1 :], finish[pos + 1 :] - d) - base[pos + 1 :]
        gains[pos + 1 :] = np.cumsum(earlier) + cols.cost(x, finish[pos + 1 :]) - base[pos]
    b = int(np.argmin(gains))
    return float(gains[b]), b


def _move(order: np.ndarray, pos: int, to: int) -> np.ndarray:
    item = order[pos]
    rest = np.delete(order, pos)
    return np.insert(rest, to, item)


def _windows(cols: _Columns, order: np.ndarray, deadline: float) -> tuple[np.ndarray, bool]:
    """Each run of WINDOW neighbours put in its best order exactly; the rest stays put
    (the run's total duration is the same in any order, so later items are unaffected)."""
    n, w = len(order), min(WINDOW, len(order))
    finish = np.cumsum(cols.duration[order])
    improved = False
    for a in range(0, n - w + 1, max(1, w // 2)):
        if time.monotonic() > deadline:
            break
        part = order[a : a + w]
        start = finish[a] - cols.duration[order[a]]
        better = np.array(_exact(cols, part, start))
        if _total(cols, better, start) < _total(cols, part, start) - 1e-9:
            order = np.concatenate([order[:a], better, order[a + w :]])
            finish = np.cumsum(cols.duration[order])
            improved = True
    return order, improved


def _descend(cols: _Columns, order: np.ndarray, deadline: float) -> tuple[np.ndarray, bool]:
    """Insertion moves (any item to any place) and exact windows while they lower the
    total; True if it reached a local optimum before the deadline."""
    improved = True
    while improved:
        improved = False
        for pos in range(len(order)):
            if time.monotonic() > deadline:
                return order, False
            gain, to = _best_insertion(cols, order, pos)
            if gain < -1e-9 * max(1.0, abs(_total(cols, order))):
                order = _move(order, pos, to)
                improved = True
        if not improved and len(order) <= WINDOW_ITEMS:
            order, improved = _windows(cols, order, deadline)
    return order, time.monotonic() <= deadline


@dataclass(frozen=True)
class BestOrder:
    order: list[int]
    cost: float
    method: str
    lower_bound: float | None = None
    optimal: bool = True


def local_search(
    items: list[Item], cols: _Columns | None = None, seconds: float = SEARCH_SECONDS
) -> BestOrder:
    """The heuristic on its own, whatever the size (for tests against the exact search)."""
    return _search(items, cols or _Columns.of(items), cd3_order(items), seconds)


def _search(items: list[Item], cols: _Columns, start: list[int], seconds: float) -> BestOrder:
    """Local search from CD3, from deadlines first, and from shuffles of the best so far."""
    n = len(items)
    t0 = time.monotonic()
    deadline = t0 + seconds
    due = np.where(cols.kind == 2, cols.deadline, np.inf)
    starts = [np.array(start), np.lexsort((-(cols.cod / cols.duration), due))]
    best = np.array(start)
    best_cost = _total(cols, best)
    converged_all = True
    rng = np.random.default_rng(0)
    restarts = stale = 0
    while True:
        if starts:
            candidate = starts.pop(0)
        elif time.monotonic() < deadline and n > 2 and stale < RESTARTS:
            candidate = best.copy()  # perturb the best: move a few items at random
            for _ in range(int(rng.integers(2, 5))):
                candidate = _move(candidate, int(rng.integers(n)), int(rng.integers(n)))
            restarts += 1
            stale += 1
        else:
            break
        found, converged = _descend(cols, candidate, deadline)
        converged_all &= converged
        cost = _total(cols, found)
        if cost < best_cost - 1e-9:
            best, best_cost = found, cost
            stale = 0
        if time.monotonic() > deadline:
            converged_all &= not starts
            break
    bound = lower_bound(cols)
    optimal = best_cost <= bound + 1e-9 * max(1.0, bound)
    stop = (
        f"stopped after {RESTARTS} restarts in a row found nothing better"
        if converged_all
        else f"stopped at its {seconds:g} s time limit"
    )
    proof = (
        "it equals the lower bound, so it is optimal"
        if optimal
        else f"lower bound {bound:,.0f}: no proof of optimality"
    )
    method = (
        f"local search ({n} items > {EXACT_LIMIT} for the exact search): CD3 and "
        f"deadlines-first starts plus {restarts} restarts, moving any item to any place "
        f"and reordering runs of {WINDOW} neighbours exactly; "
        f"{stop}; {proof}"
    )
    return BestOrder(best.tolist(), best_cost, method, bound, optimal)


def best_order(
    items: list[Item], cols: _Columns | None = None, seconds: float = SEARCH_SECONDS
) -> BestOrder:
    """The cheapest order we can find, how it was found, and how sure we are."""
    cols = cols or _Columns.of(items)
    start = cd3_order(items)
    if all(it.urgency == "standard" for it in items):
        return BestOrder(
            start,
            _total(cols, start),
            "CD3: every item is standard, so highest CD3 first is optimal",
        )
    if len(items) <= EXACT_LIMIT:
        exact = _exact(cols)
        return BestOrder(
            exact,
            _total(cols, exact),
            f"exact search over every order (dynamic programming over subsets, "
            f"{len(items)} items <= {EXACT_LIMIT})",
        )
    found = _search(items, cols, start, seconds)
    cd3_cost = _total(cols, start)
    if found.cost > cd3_cost:  # the search starts from CD3, so this cannot happen; be sure
        return BestOrder(start, cd3_cost, found.method, found.lower_bound, False)
    return found


# ---------------------------------------------------------------- what a delay costs


@dataclass(frozen=True)
class Schedule:
    """An order laid out in weeks, column by column: when each item starts and finishes,
    what it costs, and whether it meets its deadline or outlives its life."""

    ids: list[str]
    names: list[str]
    start: list[float]
    finish: list[float]
    cost: list[float]
    notes: list[str]


def schedule(items: list[Item], order: list[int], cols: _Columns | None = None) -> Schedule:
    """Start and finish week of every item of the order, with deadlines and lives checked."""
    cols = cols or _Columns.of(items)
    idx = np.asarray(order, dtype=np.intp)
    finish, cost = _schedule(cols, idx)
    kind = cols.kind[idx]
    notes = [""] * len(order)
    for k in np.flatnonzero((kind == 1) | (kind == 2)).tolist():
        it = items[order[k]]
        if it.urgency == "fixed_date":
            met = finish[k] <= it.deadline_week + 1e-9
            notes[k] = f"deadline week {it.deadline_week:g} {'met' if met else 'missed'}"
        elif finish[k] > it.life_weeks:
            notes[k] = f"ends after its life of {it.life_weeks:g} weeks: worth nothing by then"
    return Schedule(
        ids=[items[i].id for i in order],
        names=[items[i].name for i in order],
        start=(finish - cols.duration[idx]).tolist(),
        finish=finish.tolist(),
        cost=cost.tolist(),
        notes=notes,
    )


def item_delay(item: Item, weeks: float, finish: float | None = None) -> float:
    """Extra cost if the item finishes `weeks` later than `finish` (default: its duration)."""
    at = item.duration_weeks if finish is None else finish
    return delay_cost(item, at + weeks) - delay_cost(item, at)


def order_delay(items: list[Item], order: list[int], weeks: float) -> float:
    """Extra cost if the whole order starts `weeks` later."""
    cols = _Columns.of(items)
    return _total(cols, order, weeks) - _total(cols, order)


def delay_sentence(
    item: Item, weeks: float, currency: str, finish: float | None = None, order: str = ""
) -> str:
    cost = item_delay(item, weeks, finish)
    when = "" if finish is None else f" (from week {finish:g}{f' in {order}' if order else ''})"
    return (
        f"Delaying {item.name} by {weeks:g} week{'s' if weeks != 1 else ''}{when} costs about "
        f"{cost:,.0f} {currency}."
    )


def delays_of(
    backlog: Backlog, order_ids: list[str], weeks: float, order_name: str = "the best order"
) -> dict:
    """What `weeks` of delay costs: each item alone from its finish in the order, and the
    whole order starting later."""
    index = {it.id: i for i, it in enumerate(backlog.items)}
    order = [index[x] for x in order_ids]
    finish, _ = _schedule(_Columns.of(backlog.items), order)
    at = {backlog.items[i].id: float(f) for i, f in zip(order, finish, strict=True)}
    return {
        "weeks": weeks,
        "order": order_name,
        "items": {it.id: item_delay(it, weeks, at[it.id]) for it in backlog.items},
        "sentences": [
            delay_sentence(it, weeks, backlog.currency, at[it.id], order_name)
            for it in backlog.items
        ],
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
    lower_bound: float | None = None
    proved_optimal: bool = True
    schedules: dict[str, Schedule] = field(default_factory=dict)

    def to_json(self) -> dict:
        return asdict(self)


def outcome_warnings(items: list[Item]) -> list[str]:
    """Every item should carry an accountable owner and a way to measure its result."""
    out = []
    for it in items:
        card = it.outcome
        missing = [
            label
            for label, name in (
                ("owner", "owner"),
                ("success metric", "metric"),
                ("target", "target"),
            )
            if card is None or not getattr(card, name)
        ]
        if missing:
            out.append(f"{it.name} ({it.id}) is missing: {', '.join(missing)}.")
    return out


def analyse(backlog: Backlog, given: list[int] | None = None) -> DelayResult:
    """Every order side by side: yours (the file's, or `given`), CD3, WSJF and the best."""
    items = backlog.items
    cols = _Columns.of(items)
    given = list(range(len(items))) if given is None else list(given)
    cd3 = cd3_order(items)
    ws = wsjf_order(items)
    best = best_order(items, cols)
    orders = {"given": given, "cd3": cd3, "wsjf": ws, "best": best.order}
    costs = {k: _total(cols, o) for k, o in orders.items()}
    costs["best"] = best.cost
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
        lower_bound=best.lower_bound,
        proved_optimal=best.optimal,
        schedules={k: schedule(items, o, cols) for k, o in orders.items()},
    )


def all_orders_cost(items: list[Item]) -> float:
    """The cheapest total over every order, by brute force: for tests of small backlogs."""
    import itertools

    return min(order_cost(items, list(p)) for p in itertools.permutations(range(len(items))))
