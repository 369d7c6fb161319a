"""What changed between two versions of a scenario, in the user's words, and what it did to
the figures a finance partner reviews (NPV, IRR, payback, the top category).

    changes   every input that differs (answers, the ROI model, the backlog, notes): a label
              a person reads (`ROI: Backend engineer: head count`, `Backlog, Self-serve
              onboarding: cost of delay per week`), never a path alone, with both values; a
              row, benefit or item added or removed is one change
    effect    NPV, IRR (annual) and payback month before and after (the ROI model's
              deterministic figures, `roi --json`), and the top category of each
"""

from __future__ import annotations

from advisor.scenario import ScenarioFile

ANSWER_LABELS = {
    "engineers": "Engineers measured",
    "budget_per_year": "Budget a year",
    "currency": "Currency",
    "maturity": "Delivery maturity",
    "leadership_readiness": "Leadership readiness",
    "sentiment_priority": "Need to see team sentiment",
}
ROI_LABELS = {
    "name": "ROI: model name",
    "currency": "ROI: currency",
    "horizon_months": "ROI: horizon (months)",
    "discount_rate": "ROI: discount rate (annual)",
    "start_date": "ROI: plan start (month 0)",
}
ROW_NAME = {"team": "role", "one_off_costs": "name", "benefits": "name"}
ROW_WORDS = {"team": "team role", "one_off_costs": "one-off cost", "benefits": "benefit"}


def _words(key: str) -> str:
    return key.replace("_", " ")


def _flat(value, prefix: str = "") -> dict[str, object]:
    """Nested data as {dotted path: leaf}; a range {low, likely, high} stays one leaf."""
    if isinstance(value, dict) and not (set(value) >= {"low", "likely", "high"}):
        out = {}
        for k, v in value.items():
            out.update(_flat(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    return {prefix: value}


def _show(value) -> object:
    if isinstance(value, dict) and "likely" in value:
        return f"{value['low']:g} / {value['likely']:g} / {value['high']:g}"
    return value


def _rows(
    before: list[dict], after: list[dict], key: str
) -> list[tuple[str, dict | None, dict | None]]:
    """Rows matched by their name (else their place): (name, before, after)."""
    names = [str(r.get(key) or f"#{i + 1}") for i, r in enumerate(before)]
    later = [str(r.get(key) or f"#{i + 1}") for i, r in enumerate(after)]
    out = [
        (n, b, after[later.index(n)] if n in later else None)
        for n, b in zip(names, before, strict=True)
    ]
    out += [(n, None, a) for n, a in zip(later, after, strict=True) if n not in names]
    return out


def _compare(label: str, before: dict, after: dict, changes: list[dict], path: str) -> None:
    flat_b, flat_a = _flat(before), _flat(after)
    for key in sorted(set(flat_b) | set(flat_a)):
        b, a = flat_b.get(key), flat_a.get(key)
        if b != a:
            changes.append(
                {
                    "field": f"{path}.{key}",
                    "label": f"{label}: {_words(key.split('.')[-1])}"
                    + (f" ({_words(key.split('.')[0])})" if "." in key else ""),
                    "before": _show(b),
                    "after": _show(a),
                }
            )


def changes(a: ScenarioFile, b: ScenarioFile) -> list[dict]:
    """Every input that differs from `a` to `b`, in words: [{field, label, before, after}]."""
    out: list[dict] = []
    fa, fb = _flat(a.answers.model_dump()), _flat(b.answers.model_dump())
    for key in sorted(set(fa) | set(fb)):
        if fa.get(key) != fb.get(key):
            head, _, rest = key.partition(".")
            label = (
                f"Where work waits: {_words(rest)}"
                if head == "bottlenecks"
                else ANSWER_LABELS.get(key, _words(key))
            )
            out.append(
                {
                    "field": f"answers.{key}",
                    "label": label,
                    "before": fa.get(key),
                    "after": fb.get(key),
                }
            )
    ra = a.roi.model_dump(mode="json", exclude_none=True) if a.roi else None
    rb = b.roi.model_dump(mode="json", exclude_none=True) if b.roi else None
    if (ra is None) != (rb is None):
        out.append(
            {
                "field": "roi",
                "label": "ROI model",
                "before": "none" if ra is None else ra["name"],
                "after": "none" if rb is None else rb["name"],
            }
        )
    elif ra is not None:
        for key, label in ROI_LABELS.items():
            if ra.get(key) != rb.get(key):
                out.append(
                    {
                        "field": f"roi.{key}",
                        "label": label,
                        "before": ra.get(key),
                        "after": rb.get(key),
                    }
                )
        for part, key in ROW_NAME.items():
            for name, x, y in _rows(ra.get(part, []), rb.get(part, []), key):
                where = f"ROI: {ROW_WORDS[part]} {name}"
                if x is None or y is None:
                    out.append(
                        {
                            "field": f"roi.{part}",
                            "label": where,
                            "before": "none" if x is None else "present",
                            "after": "none" if y is None else "present",
                        }
                    )
                else:
                    _compare(where, x, y, out, f"roi.{part}[{name}]")
        for part in ("platform", "productivity_dip", "build_vs_buy", "simulation"):
            x, y = ra.get(part) or {}, rb.get(part) or {}
            if x != y:
                _compare(f"ROI: {_words(part)}", x, y, out, f"roi.{part}")
    ba = {it.id: it for it in a.backlog.items} if a.backlog else {}
    bb = {it.id: it for it in b.backlog.items} if b.backlog else {}
    for item_id in list(ba) + [i for i in bb if i not in ba]:
        x, y = ba.get(item_id), bb.get(item_id)
        name = (y or x).name
        if x is None or y is None:
            out.append(
                {
                    "field": f"backlog.items[{item_id}]",
                    "label": f"Backlog item {name}",
                    "before": "none" if x is None else "present",
                    "after": "none" if y is None else "present",
                }
            )
        else:
            _compare(
                f"Backlog, {name}",
                x.model_dump(mode="json", exclude_none=True),
                y.model_dump(mode="json", exclude_none=True),
                out,
                f"backlog.items[{item_id}]",
            )
    for key, label in (("notes", "Notes"), ("team", "Team"), ("organisation", "Organisation")):
        if getattr(a, key) != getattr(b, key):
            out.append(
                {"field": key, "label": label, "before": getattr(a, key), "after": getattr(b, key)}
            )
    return out


def _figures(s: ScenarioFile, catalog) -> dict:
    from advisor.roi import analyse
    from advisor.scoring import recommend

    out = {"top_category": recommend(s.answers, catalog).ranking[0].category}
    if s.roi is not None:
        r = analyse(s.roi, catalog, simulations=0)
        out |= {"npv": r.npv, "irr_annual": r.irr_annual, "payback_month": r.payback_month}
    else:
        out |= {"npv": None, "irr_annual": None, "payback_month": None}
    return out


def diff(a: ScenarioFile, b: ScenarioFile, catalog) -> dict:
    """`{changes, effect}` from version `a` to version `b` (DESIGN.md, `scenario diff`)."""
    fa, fb = _figures(a, catalog), _figures(b, catalog)
    return {
        "changes": changes(a, b),
        "effect": {
            key: {"before": fa[key], "after": fb[key]}
            | (
                {"change": fb[key] - fa[key]}
                if isinstance(fa[key], int | float) and isinstance(fb[key], int | float)
                else {}
            )
            for key in ("npv", "irr_annual", "payback_month", "top_category")
        },
    }
