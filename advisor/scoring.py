"""Category fit as a sum of explained contributions; vendor fit, pairing, roadmap, warnings.

A category's score (0-100) is the sum of five contributions, each `weight x share` with the
weights of categories.yaml (w) and shares in 0..1; b = normalised bottleneck weights:
    bottleneck fit          w1 x sum_loc b_loc x focus_loc
    budget fit              w2 x max(free floor, min(1, budget / (typical cost x engineers)))
    maturity and readiness  w3 x (fit(maturity) + fit(readiness)) / 2; fit = 1 when met,
                            `one_level_short` one level short, 0 two levels short
    sentiment fit           w4 x (1 - need x (1 - sentiment coverage))
    bottleneck first        w5 x sum of b_loc over the locations it is a first step for
A vendor's fit = vendor_weights.category x its category score + vendor_weights.stages x 100 x
sum_loc b_loc x its stage coverage, scaled by budget / cost when over budget.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

from advisor.answers import LEVEL_RANK, Answers
from advisor.catalog import CATEGORY_IDS, LOCATIONS, Catalog, Category, Vendor

FACTOR_LABELS = {
    "bottleneck_fit": "Bottleneck fit",
    "budget_fit": "Budget fit",
    "maturity_readiness_fit": "Maturity and readiness",
    "sentiment_fit": "Sentiment fit",
    "bottleneck_first": "Bottleneck first",
}


@dataclass(frozen=True)
class Contribution:
    factor: str
    points: float
    max_points: float
    reason: str


@dataclass(frozen=True)
class CategoryScore:
    category: str
    name: str
    short_name: str
    score: float
    contributions: list[Contribution]


@dataclass(frozen=True)
class VendorFit:
    id: str
    name: str
    category: str
    categories: list[str]
    annual_cost: float | None
    annual_cost_high: float | None
    currency: str
    fits_budget: bool | None
    fit: float
    price_note: str
    breakdown: str
    budget_label: str = ""


@dataclass(frozen=True)
class RoadmapStep:
    phase: str
    categories: list[str]
    why: str


@dataclass(frozen=True)
class Change:
    """One answer changed, and the category that would then lead."""

    field: str
    value: str
    distance: float
    leader: str
    leader_score: float
    previous_score: float
    text: str


@dataclass(frozen=True)
class Recommendation:
    ranking: list[CategoryScore]
    vendors: list[VendorFit]
    combination: list[str]
    roadmap: list[RoadmapStep]
    warnings: list[str]
    what_would_change: list[Change] = field(default_factory=list)

    def to_json(self) -> dict:
        """The `recommend --json` document (DESIGN.md), plus `what_would_change`."""
        return asdict(self)


def _pct(x: float) -> str:
    return f"{x * 100:.0f}%"


def _money(amount: float, currency: str) -> str:
    return f"{amount:,.0f} {currency}"


def _where(answers: Answers) -> str:
    """Where work waits, in whole percentages that add up to 100 (rounded one by one, three
    equal shares read 33%, 33%, 33%)."""
    from advisor.shares import whole_percentages

    return ", ".join(f"{loc} {p}%" for loc, p in whole_percentages(answers.bottlenecks).items())


# ---------------------------------------------------------------- the five factors
# Each returns its points; the reason (words) is built only when `explain` is set, so the
# what-would-change search, which scores many variants, computes numbers only.


def _bottleneck_fit(cat: Category, a: Answers, max_points: float, explain: bool) -> Contribution:
    share = sum(w * cat.focus.get(loc) for loc, w in a.bottlenecks.items())
    reason = ""
    if explain:
        seen = [f"{loc} {cat.focus.get(loc):.1f}" for loc, w in a.bottlenecks.items() if w > 0]
        reason = (
            f"Your work waits at {_where(a)}. {cat.name} sees those stages at "
            f"{', '.join(seen)} (0 to 1), so it covers {_pct(share)} of your bottleneck: "
            f"{_pct(share)} of {max_points:g} points."
        )
    return Contribution("bottleneck_fit", max_points * share, max_points, reason)


def category_cost(cat: Category, a: Answers, catalog: Catalog) -> float | None:
    """Typical annual cost of this kind of platform for the engineers, in the answers' currency."""
    band = cat.cost_per_engineer_year
    per_engineer = catalog.exchange_rates.convert(band.typical, band.currency, a.currency)
    return None if per_engineer is None else per_engineer * a.engineers


def _budget_fit(
    cat: Category, a: Answers, catalog: Catalog, max_points: float, explain: bool
) -> Contribution:
    cost = category_cost(cat, a, catalog)
    band = cat.cost_per_engineer_year
    if cost is None:
        return Contribution(
            "budget_fit",
            max_points / 2,
            max_points,
            f"No exchange rate for {a.currency} in the catalog, so the budget could not be "
            f"compared; half of {max_points:g} points given.",
        )
    kept = catalog.tuning.free_option_budget_share
    free_floor = kept if band.low == 0 else 0.0
    covered = 1.0 if cost <= 0 else min(1.0, a.budget_per_year / cost)
    share = max(free_floor, covered)
    reason = ""
    if explain:
        reason = (
            f"A typical {cat.name} platform costs about {band.typical:,.0f} {band.currency} per "
            f"engineer a year ({band.low:,.0f} to {band.high:,.0f}), so about "
            f"{_money(cost, a.currency)} for {a.engineers} engineers. Your budget of "
            f"{_money(a.budget_per_year, a.currency)} covers {_pct(covered)} of that."
        )
        if free_floor and share == free_floor:
            reason += (
                f" Free options exist in this category, so it keeps {_pct(kept)} of the points."
            )
    return Contribution("budget_fit", max_points * share, max_points, reason)


def _level_fit(have: str, need: str, one_short: float) -> float:
    gap = LEVEL_RANK[need] - LEVEL_RANK[have]
    return 1.0 if gap <= 0 else one_short if gap == 1 else 0.0


def _maturity_readiness_fit(
    cat: Category, a: Answers, catalog: Catalog, max_points: float, explain: bool
) -> Contribution:
    need = cat.prerequisites
    one_short = catalog.tuning.one_level_short
    m = _level_fit(a.maturity, need.maturity, one_short)
    r = _level_fit(a.leadership_readiness, need.leadership_readiness, one_short)
    share = (m + r) / 2
    reason = ""
    if explain:
        reason = (
            f"{cat.name} asks for delivery maturity {need.maturity} (yours: {a.maturity}, "
            f"{_pct(m)} met) and leadership readiness {need.leadership_readiness} "
            f"(yours: {a.leadership_readiness}, {_pct(r)} met); one level short counts "
            f"{_pct(one_short)}."
        )
    return Contribution("maturity_readiness_fit", max_points * share, max_points, reason)


def _sentiment_fit(
    cat: Category, a: Answers, catalog: Catalog, max_points: float, explain: bool
) -> Contribution:
    need = getattr(catalog.tuning.sentiment_need, a.sentiment_priority)
    share = 1 - need * (1 - cat.sentiment_coverage)
    reason = ""
    if explain and need == 0:
        reason = "Team sentiment is a low priority for you, so no category loses points here."
    elif explain:
        reason = (
            f"Seeing team sentiment is a {a.sentiment_priority} priority for you (weight "
            f"{need:g}); {cat.name} covers it at {cat.sentiment_coverage:.1f} (0 to 1), so it "
            f"keeps 1 - {need:g} x (1 - {cat.sentiment_coverage:.1f}) = {_pct(share)} of "
            f"{max_points:g} points."
        )
    return Contribution("sentiment_fit", max_points * share, max_points, reason)


def _bottleneck_first(cat: Category, a: Answers, max_points: float, explain: bool) -> Contribution:
    share = sum(a.bottlenecks[loc] for loc in cat.first_step_for)
    reason = ""
    if explain:
        starts = ", ".join(cat.first_step_for)
        if cat.id == "vsm" and a.delivery_share > 0:
            tail = (
                f" {_pct(a.delivery_share)} of your bottleneck is still in delivery, where the "
                "article advises measuring and fixing it with a narrower tool before "
                "broadening."
            )
        elif share < 1 and cat.id != "vsm":
            tail = " The rest lies outside delivery, where a broader platform is the better start."
        else:
            tail = ""
        reason = (
            f"Fix the bottleneck first, then broaden: {cat.name} is the right first step for "
            f"{starts}, which is {_pct(share)} of where your work waits.{tail}"
        )
    return Contribution("bottleneck_first", max_points * share, max_points, reason)


def score_category(
    cat: Category, a: Answers, catalog: Catalog, explain: bool = True
) -> CategoryScore:
    """One category's 0-100 score: the sum of its five rounded contributions."""
    w = catalog.weights
    raw = [
        _bottleneck_fit(cat, a, w.bottleneck_fit, explain),
        _budget_fit(cat, a, catalog, w.budget_fit, explain),
        _maturity_readiness_fit(cat, a, catalog, w.maturity_readiness_fit, explain),
        _sentiment_fit(cat, a, catalog, w.sentiment_fit, explain),
        _bottleneck_first(cat, a, w.bottleneck_first, explain),
    ]
    parts = [Contribution(c.factor, round(c.points, 2), c.max_points, c.reason) for c in raw]
    return CategoryScore(
        cat.id, cat.name, cat.short_name, round(sum(c.points for c in parts), 2), parts
    )


def rank_categories(a: Answers, catalog: Catalog, explain: bool = True) -> list[CategoryScore]:
    """All four categories, best first; ties go to the cheaper, narrower category."""
    order = {cid: i for i, cid in enumerate(CATEGORY_IDS)}
    scores = [score_category(catalog.categories[cid], a, catalog, explain) for cid in CATEGORY_IDS]
    return sorted(scores, key=lambda s: (-s.score, order[s.category]))


# ---------------------------------------------------------------- vendors


def vendor_annual_cost(v: Vendor, a: Answers, catalog: Catalog) -> tuple[float | None, ...]:
    """Low and high licence cost a year for `a.engineers`, in the answers' currency."""
    p = v.pricing
    if p.model == "open_source":
        return 0.0, 0.0
    if p.model == "not_public":
        return None, None
    if p.free_below_contributors and a.engineers < p.free_below_contributors:
        return 0.0, 0.0
    low = catalog.exchange_rates.convert(p.low * 12 * a.engineers, p.currency, a.currency)
    high = catalog.exchange_rates.convert(p.high * 12 * a.engineers, p.currency, a.currency)
    return low, high


def _price_note(v: Vendor, a: Answers, low: float | None, high: float | None) -> str:
    p = v.pricing
    if p.model == "open_source":
        return "Open source: no licence; hosting and upkeep not included"
    if p.model == "not_public":
        return "Quote needed: no public price"
    if low == 0:
        return f"Free under {p.free_below_contributors} contributors"
    converted = "" if p.currency == a.currency else f", converted from {p.currency}"
    mark = "indicative " if p.indicative else ""
    if low is None:
        return f"No exchange rate from {p.currency} to {a.currency}"
    return (
        f"{a.engineers} x {p.low:g}-{p.high:g} {p.currency} x 12 months "
        f"({mark}list price{converted})"
    )


def _budget_label(
    v: Vendor, a: Answers, catalog: Catalog, low: float | None, high: float | None
) -> str:
    """fits / fits at <tier> only / over budget / quote needed, judged plan by plan."""
    if low is None:
        return "quote needed"
    if low > a.budget_per_year:
        return "over budget"
    if high is None or high <= a.budget_per_year:
        return "fits"
    p = v.pricing
    affordable = [
        t.name
        for t in p.tiers
        if catalog.exchange_rates.convert(t.price * 12 * a.engineers, p.currency, a.currency)
        <= a.budget_per_year
    ]
    if affordable:
        return f"fits at {', '.join(affordable)} only"
    return "fits at the entry price only"


def fit_vendors(a: Answers, catalog: Catalog, ranking: list[CategoryScore]) -> list[VendorFit]:
    """Every vendor with its estimated cost and fit, best fit first."""
    by_cat = {s.category: s.score for s in ranking}
    vw = catalog.vendor_weights
    fits = []
    for v in catalog.vendors:
        discount = catalog.tuning.secondary_category_discount
        cat_score = max([by_cat[v.category], *(discount * by_cat[c] for c in v.categories[1:])])
        stage = sum(w * v.stages.get(loc) for loc, w in a.bottlenecks.items())
        fit = vw.category * cat_score + vw.stages * 100 * stage
        low, high = vendor_annual_cost(v, a, catalog)
        fits_budget = None if low is None else low <= a.budget_per_year
        label = _budget_label(v, a, catalog, low, high)
        breakdown = (
            f"{vw.category:g} x category score {cat_score:.1f} + {vw.stages:g} x stage match "
            f"{stage * 100:.0f}"
        )
        if fits_budget is False and low:
            fit *= a.budget_per_year / low
            breakdown += f", scaled by budget / cost = {a.budget_per_year / low:.2f}"
        fits.append(
            VendorFit(
                id=v.id,
                name=v.name,
                category=v.category,
                categories=list(v.categories),
                annual_cost=None if low is None else round(low, 2),
                annual_cost_high=None if high is None else round(high, 2),
                currency=a.currency,
                fits_budget=fits_budget,
                fit=round(fit, 1),
                price_note=_price_note(v, a, low, high),
                breakdown=breakdown,
                budget_label=label,
            )
        )
    return sorted(fits, key=lambda f: (-f.fit, f.name))


# ---------------------------------------------------------------- pairing and roadmap


def _complement(top: Category, a: Answers, catalog: Catalog) -> str:
    """The category that best fills the leader's gaps: stages it misses, and sentiment."""
    tuning = catalog.tuning
    sentiment_weight = max(
        tuning.pairing_sentiment_floor, getattr(tuning.sentiment_need, a.sentiment_priority)
    )

    def gain(other: Category) -> float:
        stages = sum(
            w * max(0.0, other.focus.get(loc) - top.focus.get(loc))
            for loc, w in a.bottlenecks.items()
        )
        mood = sentiment_weight * max(0.0, other.sentiment_coverage - top.sentiment_coverage)
        return stages + mood

    others = [catalog.categories[c] for c in CATEGORY_IDS if c != top.id]
    return max(others, key=gain).id


def _roadmap(top: Category, partner: Category, a: Answers) -> list[RoadmapStep]:
    steps = [RoadmapStep("now", [top.id], f"{top.name}: {top.fits_when}")]
    steps.append(
        RoadmapStep(
            "next",
            [partner.id],
            f"Add {partner.name} to fill what {top.name} leaves out: {top.gaps}",
        )
    )
    if "vsm" not in (top.id, partner.id):
        steps.append(
            RoadmapStep(
                "later",
                ["vsm"],
                "Once the delivery bottleneck is fixed (automated pipeline, short waits between "
                "stages) and leadership is ready, broaden to the whole value stream. Today: "
                f"maturity {a.maturity}, readiness {a.leadership_readiness}; VSM pays off at high.",
            )
        )
    elif "sei" not in (top.id, partner.id):
        steps.append(
            RoadmapStep(
                "later",
                ["sei"],
                "If the bottleneck moves into delivery, add depth there: cycle time, work in "
                "progress and review waits.",
            )
        )
    return steps


# ---------------------------------------------------------------- warnings


def _warnings(
    a: Answers, catalog: Catalog, ranking: list[CategoryScore], vendors: list[VendorFit]
) -> list[str]:
    out = []
    top = ranking[0]
    vsm = catalog.categories["vsm"]
    vsm_cost = category_cost(vsm, a, catalog)
    vsm_affordable = vsm_cost is not None and a.budget_per_year >= vsm_cost
    vsm_near_top = "vsm" in [s.category for s in ranking[:2]]
    if a.delivery_share >= catalog.tuning.delivery_warning_share and (
        vsm_near_top or vsm_affordable or a.leadership_readiness == "high"
    ):
        out.append(
            f"Find the bottleneck first: {_pct(a.delivery_share)} of where your work waits is "
            "in delivery. A broad VSM platform now would mostly measure stages that are "
            "waiting on delivery; measure and fix delivery with a DORA or SEI tool, then "
            "broaden."
        )
    if top.category == "vsm" and (a.leadership_readiness != "high" or a.maturity != "high"):
        out.append(
            f"VSM leads, but maturity is {a.maturity} and leadership readiness is "
            f"{a.leadership_readiness}: without an automated delivery pipeline and leaders "
            "ready to act on the whole stream, even the best VSM platform falls short."
        )
    if a.leadership_readiness == "low":
        out.append(
            "Leadership readiness is low: any platform will disappoint unless leaders agree "
            "what they want to learn from it and how they will act on it."
        )
    paid = [v for v in vendors if v.annual_cost is not None and v.annual_cost > 0]
    if paid and all(v.fits_budget is False for v in paid):
        cheapest = min(paid, key=lambda v: v.annual_cost)
        out.append(
            f"The budget of {_money(a.budget_per_year, a.currency)} is below every published "
            f"paid price (cheapest: {cheapest.name} at about "
            f"{_money(cheapest.annual_cost, a.currency)} a year). Open-source tools fit, but "
            "hosting and upkeep cost people's time."
        )
    if catalog.exchange_rates.convert(1.0, a.currency, catalog.exchange_rates.base) is None:
        out.append(
            f"The catalog has no exchange rate for {a.currency}: budget fit and vendor costs "
            "could not be compared. Add a rate to categories.yaml or use a listed currency."
        )
    tie = catalog.tuning.tie_points
    if len(ranking) > 1 and ranking[0].score - ranking[1].score < tie:
        out.append(
            f"{ranking[0].name} and {ranking[1].name} are within {tie:g} points: treat them as "
            "equals and let a trial with your own data decide."
        )
    return out


# ---------------------------------------------------------------- what would change it


def _candidates(a: Answers, catalog: Catalog) -> list[tuple[str, object, float, str]]:
    """Single-answer changes: (field, new value, distance, how it reads)."""
    out = []
    for name, label in (
        ("maturity", "delivery maturity"),
        ("leadership_readiness", "leadership readiness"),
        ("sentiment_priority", "sentiment priority"),
    ):
        here = getattr(a, name)
        for level in LEVEL_RANK:
            if level != here:
                out.append(
                    (
                        name,
                        level,
                        abs(LEVEL_RANK[level] - LEVEL_RANK[here]),
                        f"{label} were {level} instead of {here}",
                    )
                )
    for loc in LOCATIONS:
        if a.bottlenecks[loc] < 0.999:
            half = {k: 0.5 * w + (0.5 if k == loc else 0.0) for k, w in a.bottlenecks.items()}
            whole = {k: 1.0 if k == loc else 0.0 for k in LOCATIONS}
            tuning = catalog.tuning
            moved = f"half of the bottleneck moved to {loc}"
            out.append(("bottlenecks", half, tuning.what_if_half_move, moved))
            all_in = f"the bottleneck were all in {loc}"
            out.append(("bottlenecks", whole, tuning.what_if_full_move, all_in))
    return out


AFFECTS = {
    "maturity": ("maturity_readiness_fit",),
    "leadership_readiness": ("maturity_readiness_fit",),
    "sentiment_priority": ("sentiment_fit",),
    "bottlenecks": ("bottleneck_fit", "bottleneck_first"),
    "budget_per_year": ("budget_fit",),
}


def _points(a: Answers, catalog: Catalog) -> dict[str, dict[str, float]]:
    """Each category's rounded points per factor, numbers only."""
    return {
        cid: {
            c.factor: c.points
            for c in score_category(catalog.categories[cid], a, catalog, False).contributions
        }
        for cid in CATEGORY_IDS
    }


def _factor(cat: Category, a: Answers, catalog: Catalog, factor: str) -> float:
    w = getattr(catalog.weights, factor)
    if factor == "bottleneck_fit":
        c = _bottleneck_fit(cat, a, w, False)
    elif factor == "budget_fit":
        c = _budget_fit(cat, a, catalog, w, False)
    elif factor == "maturity_readiness_fit":
        c = _maturity_readiness_fit(cat, a, catalog, w, False)
    elif factor == "sentiment_fit":
        c = _sentiment_fit(cat, a, catalog, w, False)
    else:
        c = _bottleneck_first(cat, a, w, False)
    return round(c.points, 2)


def _leader_after(
    a: Answers, catalog: Catalog, base: dict[str, dict[str, float]], name: str, value
) -> str:
    """The leading category once `name` is `value`: only the factors it touches are redone."""
    changed = _variant(a, name, value)
    totals = {}
    for cid in CATEGORY_IDS:
        points = dict(base[cid])
        for factor in AFFECTS[name]:
            points[factor] = _factor(catalog.categories[cid], changed, catalog, factor)
        totals[cid] = round(sum(points.values()), 2)
    return min(CATEGORY_IDS, key=lambda cid: (-totals[cid], CATEGORY_IDS.index(cid)))


def _variant(a: Answers, name: str, value) -> Answers:
    """The answers with one field changed; the values come from valid answers, so the copy
    skips validation (bottleneck weights are already normalised)."""
    return a.model_copy(update={name: value})


def _nice(amount: float, up: bool) -> float:
    """Round to two significant figures, away from where the answer does not change."""
    if amount <= 0:
        return 0.0
    step = 10 ** (math.floor(math.log10(amount)) - 1)
    return (math.ceil if up else math.floor)(amount / step) * step


def _budget_change(a: Answers, catalog: Catalog, top: str) -> Change | None:
    """The nearest budget, up or down, at which another category leads."""
    base = a.budget_per_year
    richest = max(c.cost_per_engineer_year.high for c in catalog.categories.values())
    ceiling = max(base * 20, richest * a.engineers * 2, 1.0)

    points = _points(a, catalog)

    def leads(budget: float) -> bool:
        return _leader_after(a, catalog, points, "budget_per_year", budget) == top

    best: Change | None = None
    for target in (ceiling, 0.0):
        if leads(target):
            continue
        near, far = base, target
        for _ in range(30):  # bisect to the switch point nearest today's budget
            mid = (near + far) / 2
            near, far = (mid, far) if leads(mid) else (near, mid)
        threshold = _nice(far, up=target > base)
        if leads(threshold):
            threshold = far
        distance = abs(math.log2(max(threshold, 1.0) / max(base, 1.0)))
        ranking = rank_categories(_variant(a, "budget_per_year", threshold), catalog, False)
        change = _change(
            "budget_per_year",
            threshold,
            distance,
            ranking,
            top,
            f"the budget were {_money(threshold, a.currency)} instead of "
            f"{_money(base, a.currency)}",
        )
        if best is None or change.distance < best.distance:
            best = change
    return best


def _change(
    field_name: str, value, distance: float, ranking: list[CategoryScore], top: str, condition: str
) -> Change:
    leader = ranking[0]
    previous = next(s for s in ranking if s.category == top)
    text = (
        f"If {condition}, {leader.name} would lead with {leader.score:.1f} points "
        f"({previous.name}: {previous.score:.1f})."
    )
    shown = (
        value
        if isinstance(value, str)
        else (
            ", ".join(f"{k}: {v:.2f}" for k, v in value.items() if v > 0)
            if isinstance(value, dict)
            else f"{value:g}"
        )
    )
    return Change(
        field_name, shown, round(distance, 3), leader.category, leader.score, previous.score, text
    )


def what_would_change(a: Answers, catalog: Catalog, top: str) -> list[Change]:
    """Single-answer changes that make another category lead, smallest change first."""
    changes = []
    points = _points(a, catalog)
    for name, value, distance, condition in _candidates(a, catalog):
        if _leader_after(a, catalog, points, name, value) == top:
            continue
        ranking = rank_categories(_variant(a, name, value), catalog, explain=False)
        changes.append(_change(name, value, distance, ranking, top, condition))
    budget = _budget_change(a, catalog, top)
    if budget is not None:
        changes.append(budget)
    return sorted(changes, key=lambda c: (c.distance, -(c.leader_score - c.previous_score)))


# ---------------------------------------------------------------- the whole answer


def recommend(a: Answers, catalog: Catalog) -> Recommendation:
    """Rank the four categories, fit the vendors, and say what to pair, when, and with what care."""
    ranking = rank_categories(a, catalog)
    vendors = fit_vendors(a, catalog, ranking)
    top = catalog.categories[ranking[0].category]
    partner = catalog.categories[_complement(top, a, catalog)]
    return Recommendation(
        ranking=ranking,
        vendors=vendors,
        combination=[top.id, partner.id],
        roadmap=_roadmap(top, partner, a),
        warnings=_warnings(a, catalog, ranking, vendors),
        what_would_change=what_would_change(a, catalog, top.id),
    )
