"""Probable cost of delay: the delay cost of each order when durations come from the team's
throughput forecast instead of point estimates.

The forecast is the one `advisor.evidence.forecast` makes (as jira-agile-metrics and
ActionableAgile do; DOMAIN.md section 8): each future week's throughput is drawn from the
last WINDOW_WEEKS whole weeks, zero weeks included, TRIALS times. Here each trial then works
the backlog items one after another (DOMAIN.md section 6):

    size_i          work items backlog item i holds (`Item.size_items`, the unit of the
                    throughput); without it, duration_weeks x the sample's mean throughput
    T_t(w)          items the team finishes in trial t by week w; throughput is spread
                    evenly inside a week, so T_t is piecewise linear and flat in a zero week
    finish_t(k)     the first week w with T_t(w) = size of the first k items of the order
                    (weeks from now, fractional; past the weeks drawn the rest goes at
                    the mean throughput, said so)
    cost_t(order)   sum over k of delay_cost(item_k, finish_t(k)): each item's urgency
                    profile (standard, short life, fixed date, intangible) holds as in
                    `advisor.delay`, whose cost formula is reused
    mean, P50, P85  of cost_t over the trials, in the backlog's currency; P85: 85 in 100
                    trials cost no more (numpy's default percentile, linear interpolation)

A constant throughput of r items a week makes every trial the same, so every figure equals
the point schedule's cost with duration_i = size_i / r.

The orders compared: the given one, CD3 (Smith's rule on the point durations; Black Swan
Farming's CD3 = cost of delay / duration), CD3 on size (cost of delay / size_items, when some
item has a size), WSJF (when every item has scores) and the best order on point durations
(`advisor.delay.best_order`). The best order here is the one of lowest expected (mean) cost,
every order costed on the same trials (common random numbers, so a difference between two
orders is not noise between two draws): found exactly over every order by dynamic
programming over subsets when the backlog is small enough (EXACT_ITEMS, and 2^items x trials
x weeks within MAX_WORK), else by moving one item at a time from the cheapest order compared
while the mean falls. The answer says how it was chosen, by how much it beats the next order
and that difference's standard error over the trials.

The work is bounded: the weeks drawn run to about four times the expected weeks the whole
backlog takes (at most forecast.MAX_WEEKS), trials x weeks held at once at most MAX_CELLS,
and trials x items x weeks for one order at most MAX_WORK; trials are reduced to stay within
them (said so) down to MIN_TRIALS, below which no figures are given (said so). The search
stops after MAX_WORK cells compared as well (said so). Seeded: the same inputs and seed give
the same figures.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from advisor.delay import Backlog, DelayResult, _Columns, analyse
from advisor.evidence.forecast import BLOCK_WEEKS, MAX_WEEKS, TRIALS, WINDOW_WEEKS, no_sample

if TYPE_CHECKING:
    from advisor.evidence.analysis import Evidence

MAX_TRIALS = 100_000
MIN_TRIALS = 1_000
MAX_CELLS = TRIALS * MAX_WEEKS  # trials x weeks held at once: 5.2 million (about 42 MB)
MAX_WORK = 200_000_000  # trials x items x weeks compared for one order (about 0.2 s)
HORIZON_FACTOR = 4  # weeks drawn: this many times the expected weeks, plus HORIZON_EXTRA
HORIZON_EXTRA = 12
EXACT_ITEMS = 12  # every order searched exactly up to this many items (2^12 sets of items)
ORDER_LABELS = {
    "given": "your order",
    "cd3": "CD3",
    "cd3_size": "CD3 on size",
    "wsjf": "WSJF",
    "best": "the best order on point durations",
    "searched": "the order found on the expected cost",
}


def order_label(key: str) -> str:
    """An order's name as a table's row shows it: `Your order`, `CD3 on size`."""
    label = ORDER_LABELS.get(key, key)
    return label[:1].upper() + label[1:]


@dataclass(frozen=True)
class Throughput:
    """Items the team finished in each whole week (Monday to Sunday, UTC), oldest first,
    and where they were measured."""

    weekly: tuple[float, ...]
    source: str = ""
    first_week: str | None = None  # the Monday starting the first whole week
    last_week: str | None = None  # the Monday starting the last whole week

    @property
    def sample(self) -> tuple[float, ...]:
        """The weeks the forecast draws from: the last WINDOW_WEEKS."""
        return self.weekly[-WINDOW_WEEKS:]

    @property
    def sample_from(self) -> str | None:
        """The Monday starting the first week drawn from."""
        if self.last_week is None or not self.weekly:
            return None
        last = dt.date.fromisoformat(self.last_week)
        return (last - dt.timedelta(weeks=len(self.sample) - 1)).isoformat()


def throughput_of(evidence: Evidence) -> Throughput:
    """The weekly throughput series `evidence` measured: the whole weeks inside its window,
    zero weeks included (the series the Evidence forecast samples)."""
    from advisor.evidence.flow import whole_weeks

    series = whole_weeks(evidence.prepared)
    days = [d.date().isoformat() for d in series.index]
    return Throughput(
        tuple(float(x) for x in series.to_numpy()),
        evidence.source,
        days[0] if days else None,
        days[-1] if days else None,
    )


def throughput_from_files(files: list[tuple[str, bytes]]) -> Throughput:
    """The weekly throughput of uploaded work items (a transitions CSV or Jira JSON files, as
    `evidence` reads them), with an optional status map among them (a .yaml or .yml file).
    Raises EvidenceError (file and row named) as the evidence readers do."""
    from advisor.errors import EvidenceError, Problem
    from advisor.evidence import SetAside, analyse_evidence, items_from_upload, parse_status_map
    from advisor.evidence.limits import MAX_SMALL_BYTES

    maps = [(n, d) for n, d in files if n.lower().endswith((".yaml", ".yml"))]
    items = [(n, d) for n, d in files if not n.lower().endswith((".yaml", ".yml"))]
    if len(maps) > 1:
        names = ", ".join(n for n, _ in maps)
        raise EvidenceError([Problem(names, "one status map at most")])
    if not items:
        raise EvidenceError([Problem("work items", "no work-items file (CSV or JSON) was given")])
    if maps and len(maps[0][1]) > MAX_SMALL_BYTES:
        raise EvidenceError([Problem(maps[0][0], f"larger than {MAX_SMALL_BYTES:,} bytes")])
    aside = SetAside()
    read = items_from_upload(items, aside)
    status_map = parse_status_map(maps[0][1], maps[0][0]) if maps else None
    return throughput_of(analyse_evidence(read, aside, status_map))


@dataclass(frozen=True)
class OrderOdds:
    """One order's delay cost over the trials, in the backlog's currency."""

    order: list[str]
    mean: float
    p50: float
    p85: float


@dataclass(frozen=True)
class ItemFinish:
    """When an item of the chosen order finishes, in weeks from now."""

    finish_p50: float
    finish_p85: float


@dataclass(frozen=True)
class ProbableDelay:
    """Each order's delay cost over the throughput forecast's trials, and the order with the
    lowest expected cost. With `note`, there are no figures and the note says why."""

    currency: str
    trials: int
    trials_asked: int
    seed: int
    sample_weeks: int
    mean_throughput: float | None  # items a week, over the weeks sampled
    orders: dict[str, OrderOdds] = field(default_factory=dict)
    best: str | None = None  # which of `orders` was chosen
    best_order: list[str] = field(default_factory=list)
    method: str = ""
    items: dict[str, ItemFinish] = field(default_factory=dict)
    sizes: dict[str, float] = field(default_factory=dict)  # work items, as used
    sized_from_duration: list[str] = field(default_factory=list)
    horizon_weeks: int = 0
    warnings: list[str] = field(default_factory=list)
    note: str | None = None

    def to_json(self) -> dict:
        """What `delay --throughput --json` prints under `probable`."""
        return {
            "currency": self.currency,
            "trials": self.trials,
            "trials_asked": self.trials_asked,
            "seed": self.seed,
            "sample_weeks": self.sample_weeks,
            "mean_throughput": self.mean_throughput,
            "throughput_unit": "items a week",
            "orders": {
                k: {"order": o.order, "mean": o.mean, "p50": o.p50, "p85": o.p85}
                for k, o in self.orders.items()
            },
            "best": self.best,
            "best_order": self.best_order,
            "method": self.method,
            "items": {
                k: {"finish_p50": f.finish_p50, "finish_p85": f.finish_p85}
                for k, f in self.items.items()
            },
            "finish_unit": "weeks from now",
            "sizes": self.sizes,
            "sized_from_duration": self.sized_from_duration,
            "horizon_weeks": self.horizon_weeks,
            "warnings": self.warnings,
            "note": self.note,
        }


def candidate_orders(result: DelayResult) -> dict[str, list[str]]:
    """The orders `analyse` gave, by item id: given, CD3, WSJF (only when every item has
    scores) and the best order on point durations."""
    orders = {"given": result.given_order, "cd3": result.cd3_order}
    if not result.wsjf_missing:
        orders["wsjf"] = result.wsjf_order
    orders["best"] = result.best_order
    return orders


def _no_figures(backlog: Backlog, trials: int, seed: int, recent, mean, why: str, warnings=()):
    return ProbableDelay(
        currency=backlog.currency,
        trials=0,
        trials_asked=trials,
        seed=seed,
        sample_weeks=len(recent),
        mean_throughput=mean,
        warnings=list(warnings),
        note=f"No probable cost of delay: {why}.",
    )


class _Trials:
    """The drawn weeks, as cumulative throughput per trial (trials x weeks), and the finish
    week of any amount of work in every trial."""

    def __init__(self, cum: np.ndarray, mean: float):
        self.cum = cum
        self.mean = mean
        self.rows = np.arange(cum.shape[0])

    @property
    def cells(self) -> int:
        return self.cum.shape[0] * self.cum.shape[1]

    def finish(self, amount: float) -> np.ndarray:
        """The week each trial has finished `amount` work items (> 0): whole weeks before
        the week it is reached, plus the part of that week's throughput it needs. Beyond the
        weeks drawn, the rest goes at the sample's mean rate."""
        cum = self.cum
        weeks = cum.shape[1]
        k = np.count_nonzero(cum < amount, axis=1)  # whole weeks before the one it is reached
        inside = k < weeks
        at = np.minimum(k, weeks - 1)
        before = np.where(k > 0, cum[self.rows, np.maximum(k - 1, 0)], 0.0)
        week_tp = cum[self.rows, at] - before  # > 0 wherever `inside`
        part = (amount - before) / np.where(inside, week_tp, 1.0)
        beyond = weeks + (amount - cum[:, -1]) / self.mean
        return np.where(inside, k + part, beyond)


def _draw(recent: np.ndarray, trials: int, weeks: int, seed: int) -> np.ndarray:
    """Cumulative throughput of `trials` futures of `weeks` weeks, each week drawn from
    `recent` (BLOCK_WEEKS at a time, as the forecast does)."""
    rng = np.random.default_rng(seed)
    cum = np.empty((trials, weeks))
    done = np.zeros(trials)
    for start in range(0, weeks, BLOCK_WEEKS):
        block = min(BLOCK_WEEKS, weeks - start)
        part = np.cumsum(rng.choice(recent, size=(trials, block)), axis=1) + done[:, None]
        cum[:, start : start + block] = part
        done = part[:, -1]
    return cum


class _Costing:
    """Orders costed on one set of trials: per-trial totals, finish weeks and costs."""

    def __init__(self, cols: _Columns, sizes: np.ndarray, draws: _Trials):
        self.cols = cols
        self.sizes = sizes
        self.draws = draws
        self.compared = 0  # cells compared by the searches

    def run(self, order: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(order, finish weeks, delay costs), each trials x items in the order's sequence."""
        ends = np.cumsum(self.sizes[order])
        finish = np.column_stack([self.draws.finish(float(e)) for e in ends])
        return order, finish, self.cols.cost(order[None, :], finish)

    def exact(self) -> np.ndarray:
        """The order of least mean cost over the trials, by dynamic programming over subsets
        (as `advisor.delay` does on point durations): the item done last in a set finishes
        when the whole set's size is done, whatever the order inside it, so

            best[S] = min over i in S of best[S - i] + mean over trials of
                      delay_cost(i, finish_t(size of S))
        """
        n = len(self.sizes)
        best = np.full(1 << n, np.inf)
        best[0] = 0.0
        last = np.zeros(1 << n, dtype=np.intp)
        for mask in range(1, 1 << n):
            members = np.array([i for i in range(n) if mask >> i & 1], dtype=np.intp)
            finish = self.draws.finish(float(self.sizes[members].sum()))
            self.compared += self.draws.cells
            means = self.cols.cost(members[None, :], finish[:, None]).mean(axis=0)
            total = best[mask ^ (1 << members)] + means
            k = int(np.argmin(total))
            best[mask], last[mask] = total[k], members[k]
        order, mask = [], (1 << n) - 1
        while mask:
            order.append(int(last[mask]))
            mask ^= 1 << int(last[mask])
        return np.array(order[::-1], dtype=np.intp)

    def improve(
        self, order: np.ndarray, finish: np.ndarray, cost: np.ndarray, budget: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, bool]:
        """Move one item at a time to another place while the mean cost over the trials
        falls, nearest places first. Moving the item at i to j changes only the finishes
        between them, and the later end of that stretch holds the same items as before,
        so a move costs |i - j| finishes. Returns the order, its finish and cost, the moves
        made, and whether it stopped at a local optimum (False: at `budget` cells compared)."""
        order, finish, cost = order.copy(), finish.copy(), cost.copy()
        n = len(order)
        moves = 0
        tol = 1e-9 * max(1.0, float(cost.sum(axis=1).mean()))
        improved = True
        while improved:
            improved = False
            for reach, i in ((r, i) for r in range(1, n) for i in range(n)):
                for j in (i - reach, i + reach):
                    if not 0 <= j < n:
                        continue
                    if self.compared + reach * self.draws.cells > budget:
                        return order, finish, cost, moves, False
                    lo, hi = min(i, j), max(i, j)
                    moved = np.insert(np.delete(order, i), j, order[i])
                    ends = float(self.sizes[order[:lo]].sum()) + np.cumsum(self.sizes[moved[lo:hi]])
                    part = np.column_stack(
                        [*(self.draws.finish(float(e)) for e in ends), finish[:, hi]]
                    )
                    self.compared += reach * self.draws.cells
                    new = self.cols.cost(moved[None, lo : hi + 1], part)
                    if float((new.sum(axis=1) - cost[:, lo : hi + 1].sum(axis=1)).mean()) < -tol:
                        order, finish[:, lo : hi + 1], cost[:, lo : hi + 1] = moved, part, new
                        moves += 1
                        improved = True
                        break
                if improved:
                    break
        return order, finish, cost, moves, True


def _odds(ids: list[str], order: np.ndarray, totals: np.ndarray) -> OrderOdds:
    p50, p85 = np.percentile(totals, [50, 85])
    return OrderOdds([ids[i] for i in order], float(totals.mean()), float(p50), float(p85))


def _money(value: float, currency: str) -> str:
    return f"{value:,.0f} {currency}"


def probable_delay(
    backlog: Backlog,
    weekly_throughput: Sequence[float] | np.ndarray,
    orders: dict[str, list[str]] | None = None,
    trials: int = TRIALS,
    seed: int = 0,
) -> ProbableDelay:
    """Each order's delay cost over `trials` futures of the team's throughput.

    `weekly_throughput`: items finished in each whole week, oldest first, zero weeks
    included (the last WINDOW_WEEKS are sampled). `orders`: name -> item ids, each a
    permutation of the backlog (default: `candidate_orders(analyse(backlog))`). A series
    with no week, or no finished item in the weeks sampled, gives a note instead of figures.
    Raises ValueError for a negative or non-finite week, an order that is not a permutation
    of the backlog, or trials outside MIN_TRIALS..MAX_TRIALS.
    """
    if not MIN_TRIALS <= trials <= MAX_TRIALS:
        raise ValueError(f"trials must be {MIN_TRIALS:,} to {MAX_TRIALS:,}, got {trials:,}")
    if seed < 0:
        raise ValueError("the seed must be 0 or more")
    weekly = np.asarray(weekly_throughput, dtype=float).reshape(-1)
    if not np.isfinite(weekly).all() or (weekly < 0).any():
        raise ValueError("weekly throughput must be finite and 0 or more")
    items = backlog.items
    ids = [it.id for it in items]
    index = {x: i for i, x in enumerate(ids)}
    if orders is None:
        orders = candidate_orders(analyse(backlog))
    for name, order in orders.items():
        if sorted(order) != sorted(ids):
            raise ValueError(f"order {name!r} is not an order of the backlog's items")
    recent = weekly[-WINDOW_WEEKS:]
    cur = backlog.currency
    why = no_sample(recent)
    if why is not None:
        return _no_figures(backlog, trials, seed, recent, None, why)
    mean = float(recent.mean())
    warnings = []
    if recent.size < WINDOW_WEEKS:
        warnings.append(
            f"Only {recent.size} whole week{'s' if recent.size != 1 else ''} of throughput to "
            f"draw from ({WINDOW_WEEKS} are drawn from when the data holds them): the "
            "spread may be narrower than the team's."
        )
    unsized = [it.id for it in items if it.size_items is None]
    sizes = np.array(
        [it.size_items if it.size_items is not None else it.duration_weeks * mean for it in items]
    )
    if unsized:
        warnings.append(
            f"No size_items for {', '.join(unsized)}: each is taken as duration_weeks x the "
            f"sample's mean throughput ({mean:,.2f} items a week)."
        )
    total = float(sizes.sum())
    expected = total / mean
    if expected > MAX_WEEKS:
        why = (
            f"the backlog holds about {total:,.0f} work items, about {expected:,.0f} weeks at "
            f"the team's mean throughput of {mean:,.2f} items a week, beyond the forecast's "
            f"{MAX_WEEKS}-week horizon"
        )
        return _no_figures(backlog, trials, seed, recent, mean, why, warnings)
    horizon = min(MAX_WEEKS, math.ceil(HORIZON_FACTOR * expected) + HORIZON_EXTRA)
    n = len(items)
    used = min(trials, MAX_CELLS // horizon)
    cum = _draw(recent, used, horizon, seed)
    target = total * (1 + 1e-9)  # the last item of any order ends within rounding of it
    reached = cum[:, -1] >= target
    weeks = int(np.count_nonzero(cum < target, axis=1).max()) + 1 if reached.all() else horizon
    cum = cum[:, :weeks]  # no trial needs the weeks after this
    if used * n * weeks > MAX_WORK:
        used = MAX_WORK // (n * weeks)
        if used < MIN_TRIALS:
            why = (
                f"{n:,} items over up to {weeks:,} weeks need more than {MAX_WORK:,} "
                f"trials x items x weeks even at {MIN_TRIALS:,} trials"
            )
            return _no_figures(backlog, trials, seed, recent, mean, why, warnings)
        cum = cum[:used]
        reached = reached[:used]
    if used < trials:
        warnings.append(
            f"{used:,} trials instead of {trials:,}: trials x items x weeks are kept within "
            f"{MAX_WORK:,} (and trials x weeks within {MAX_CELLS:,})."
        )
    if not reached.all():
        late = int((~reached).sum())
        warnings.append(
            f"{late:,} of {used:,} trials had not finished the backlog after {horizon} "
            f"weeks drawn; the rest of their work is placed at the sample's mean throughput."
        )
    draws = _Trials(cum, mean)
    costing = _Costing(_Columns.of(items), sizes, draws)
    runs: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    named = dict(orders)
    if any(it.size_items is not None for it in items):
        ratio = np.array([it.cost_of_delay_per_week for it in items]) / sizes
        named["cd3_size"] = [ids[i] for i in np.argsort(-ratio, kind="stable")]
    done: dict[tuple[str, ...], str] = {}
    for name, order_ids in named.items():
        key = tuple(order_ids)
        if key in done:  # the same order under another name: the same trials, reused
            runs[name] = runs[done[key]]
            continue
        runs[name] = costing.run(np.array([index[x] for x in order_ids], dtype=np.intp))
        done[key] = name
    means = {k: float(v[2].sum(axis=1).mean()) for k, v in runs.items()}
    first = min(means, key=lambda k: (means[k], k != "best"))  # a tie: the best order
    exact = n <= EXACT_ITEMS and (1 << n) * draws.cells <= MAX_WORK
    if exact:
        found, moves, settled = costing.run(costing.exact()), 0, True
    else:
        *improved, moves, settled = costing.improve(*runs[first], budget=MAX_WORK)
        found = tuple(improved)
    same = tuple(found[0]) == tuple(runs[first][0])
    best = first if same else done.get(tuple(ids[i] for i in found[0]))
    if best is None:
        found_mean = float(found[2].sum(axis=1).mean())
        best = first
        if found_mean < means[first] - 1e-9 * max(1.0, abs(means[first])):
            runs["searched"] = found
            best = "searched"
    totals = {k: v[2].sum(axis=1) for k, v in runs.items()}
    odds = {k: _odds(ids, runs[k][0], totals[k]) for k in runs}
    p50, p85 = np.percentile(runs[best][1], [50, 85], axis=0)
    finishes = {
        ids[i]: ItemFinish(float(a), float(b))
        for i, a, b in zip(runs[best][0], p50, p85, strict=True)
    }
    search = {"exact": exact, "moves": moves, "settled": settled, "sets": 1 << n}
    method = _method(first, best, search, runs, totals, named, used, cur)
    return ProbableDelay(
        currency=cur,
        trials=used,
        trials_asked=trials,
        seed=seed,
        sample_weeks=int(recent.size),
        mean_throughput=mean,
        orders=odds,
        best=best,
        best_order=odds[best].order,
        method=method,
        items=finishes,
        sizes={x: float(s) for x, s in zip(ids, sizes, strict=True)},
        sized_from_duration=unsized,
        horizon_weeks=weeks,
        warnings=warnings,
    )


def _method(first, best, search, runs, totals, named, trials, cur) -> str:
    """The choice in words: what was compared, how it was searched, what won, by how much
    and how sure."""

    def label(key: str) -> str:
        same = [k for k in named if k != key and tuple(runs[k][0]) == tuple(runs[key][0])]
        also = " and ".join(ORDER_LABELS.get(k, k) for k in same)
        return ORDER_LABELS.get(key, key) + (f" (the same order as {also})" if same else "")

    compared = ", ".join(ORDER_LABELS.get(k, k) for k in named)
    text = f"Chosen on the expected cost over {trials:,} trials of the team's throughput"
    if search["exact"]:
        text += (
            ", by an exact search over every order on the same trials (dynamic programming "
            f"over the {search['sets']:,} sets of items): "
        )
        text += (
            f"none of the orders compared ({compared}) is as cheap; the cheapest of them was "
            f"{label(first)}"
            if best == "searched"
            else f"{label(best)} is the cheapest of every order (compared: {compared})"
        )
    else:
        text += f": {label(first)} had the lowest mean of the orders compared ({compared})" + (
            f"; moving one item at a time lowered it further ({search['moves']:,} "
            f"move{'s' if search['moves'] != 1 else ''})"
            if search["moves"]
            else "; no move of one item to another place lowered it"
            if search["settled"]
            else ""
        )
        if not search["settled"]:
            text += f" (the search stopped at its bound of {MAX_WORK:,} cells compared)"
    chosen = tuple(runs[best][0])
    others = [k for k in runs if tuple(runs[k][0]) != chosen]
    if not others:
        return text + "."
    diffs = {k: totals[k] - totals[best] for k in others}
    runner = min(others, key=lambda k: float(diffs[k].mean()))
    gap = float(diffs[runner].mean())
    se = float(diffs[runner].std(ddof=1) / math.sqrt(len(diffs[runner])))
    text += (
        f". Its expected cost is {_money(gap, cur)} below the next order's, "
        f"{label(runner)} (standard error {_money(se, cur)} on the same "
        "trials)"
    )
    if gap < 2 * se:
        text += ": within the trials' noise, so either order is as good on this evidence"
    return text + "."
