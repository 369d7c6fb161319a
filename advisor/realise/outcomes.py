"""Outcome cards that close themselves: an outcome whose `measure` names a registry figure
is read from the exports after its start date instead of typed.

    met         the figure measured since the start reaches the target (at most the target
                where lower is better, at least otherwise)
    missed      it does not
    too_early   fewer than MIN_AFTER items or deployments (for a rate: MIN_WEEKS whole
                weeks) since the start: not enough data to say
    not_measured  the files cannot give the figure at all (a DORA figure without a
                deployments file)
    typed       no measure: the card's `actual` as the owner typed it
Cards with neither a measure nor an actual are counted, not listed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from advisor.evidence.registry import label
from advisor.evidence.registry import unit as unit_of
from advisor.realise.measure import RATES, Measured

MIN_AFTER = 5
MIN_WEEKS = 4


def status_of(m: Measured | None, target: float, direction: str) -> str:
    """met, missed, too_early or not_measured for a figure against its target."""
    if m is None:
        return "not_measured"
    if m.after is None:
        return "too_early"
    enough = MIN_WEEKS if m.metric in RATES else MIN_AFTER
    if m.n_after < enough:
        return "too_early"
    met = m.after <= target if direction == "lower" else m.after >= target
    return "met" if met else "missed"


def outcome_cards(
    backlog,
    default_since: dt.date,
    measure: Callable[[str, str | None, dt.date], Measured | None],
) -> tuple[list[dict], list[str]]:
    """Every card with a measure or a typed actual, and warnings (cards with neither)."""
    cards, empty = [], []
    for item in backlog.items if backlog is not None else []:
        card = item.outcome
        if card is None:
            continue
        if card.measure is not None:
            mm = card.measure
            since = mm.since or default_since
            m = measure(mm.metric, mm.team, since)
            cards.append(
                {
                    "item": item.id,
                    "name": item.name,
                    "metric": mm.metric,
                    "label": label(mm.metric),
                    "team": mm.team,
                    "target": mm.target,
                    "better": mm.direction,
                    "actual": m.after if m is not None else None,
                    "before": m.before if m is not None else None,
                    "n_after": m.n_after if m is not None else 0,
                    "unit": unit_of(mm.metric),
                    "since": since.isoformat(),
                    "status": status_of(m, mm.target, mm.direction),
                    "source": "measured",
                    "owner": card.owner,
                }
            )
        elif card.actual:
            cards.append(
                {
                    "item": item.id,
                    "name": item.name,
                    "metric": card.metric,
                    "label": card.metric,
                    "team": None,
                    "target": card.target,
                    "better": None,
                    "actual": card.actual,
                    "before": None,
                    "n_after": None,
                    "unit": None,
                    "since": None,
                    "status": "typed",
                    "source": "typed",
                    "owner": card.owner,
                }
            )
        else:
            empty.append(item.id)
    warnings = []
    if empty:
        warnings.append(
            f"{len(empty)} outcome card(s) have neither a measured figure nor a typed actual "
            f"yet: {', '.join(empty[:10])}."
        )
    return cards, warnings
