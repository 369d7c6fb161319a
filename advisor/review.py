"""A finance partner's review of a stored scenario, worded for a page: what changed between
two versions and what it did to NPV, IRR, payback and the top category (`advisor.diff`), each
figure with its unit; the trail's events in words, newest first; and the review's address.

    changes_rows   one row per changed input: {Input, Before, After}
    effect_rows    one row per figure: {Figure, Unit, Before, After, Change}; money in each
                   version's currency, IRR as a percentage, payback in months
    newest_first   a scenario's history (Store.history) or the store's trail (Store.trail),
                   newest first, filtered by scenario, user, event or version
    trail_rows     those events as rows of a table, each moment with its zone
    trail_csv      the trail as CSV a spreadsheet opens safely
    link           the relative address of a review: a scenario's name and version numbers,
                   nothing else (an address is shared with whoever gets it)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from urllib.parse import quote, urlencode

from advisor.wording import MISSING, money, rate, when

EVENT_WORDS = {
    "save": "saved",
    "restore": "restored",
    "approve": "approved",
    "return": "returned",
    "comment": "commented",
}
FIGURES = {
    "npv": "NPV",
    "irr_annual": "IRR (annual)",
    "payback_month": "Payback",
    "top_category": "Top category",
}
NO_MODEL = "no ROI model"
PAGE = "review"  # the Review page's url path
MAX_NAME = 200  # a stored name's longest (the store's column)
MAX_VERSION = 10**9  # the largest version number read from an address (as the store's)


def value_text(value: object) -> str:
    """An input's value as a person reads it: `60,000`, `0.025`, `yes`, `none`.

    >>> value_text(60000.0), value_text(0.025), value_text(None), value_text(True)
    ('60,000', '0.025', 'none', 'yes')
    """
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.10g}"
    if isinstance(value, list | tuple):
        return ", ".join(value_text(v) for v in value) or "none"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {value_text(v)}" for k, v in value.items()) or "none"
    return str(value)


def changes_rows(changes: Iterable[Mapping]) -> list[dict[str, str]]:
    """`diff()["changes"]` as rows of a table: each input by its label, before and after."""
    return [
        {
            "Input": str(c["label"]),
            "Before": value_text(c["before"]),
            "After": value_text(c["after"]),
        }
        for c in changes
    ]


def _signed_money(amount: float, currency: str) -> str:
    """`+500 USD`, `-1,750 USD`; a change that rounds to nothing is `0 USD` (never `-0`)."""
    if abs(amount) < 0.5:
        return money(0, currency)
    text = money(amount, currency)
    return text if amount < 0 else f"+{text}"


def effect_rows(
    effect: Mapping,
    currencies: tuple[str, str],
    models: tuple[bool, bool] = (True, True),
    names: Mapping[str, str] | None = None,
) -> list[dict[str, str]]:
    """`diff()["effect"]` as rows of a table, each figure with its unit. `currencies` and
    `models` are the two versions' currency and whether each has an ROI model (without one
    there is no NPV, IRR or payback; with one, an IRR or payback may still be undefined);
    `names` gives the categories' names.

    >>> e = {"npv": {"before": 1000.0, "after": 1500.0, "change": 500.0},
    ...      "irr_annual": {"before": 0.1, "after": 0.125, "change": 0.025},
    ...      "payback_month": {"before": 14, "after": None},
    ...      "top_category": {"before": "sei", "after": "sei"}}
    >>> [(r["Before"], r["After"], r["Change"]) for r in effect_rows(e, ("USD", "USD"))]
    ... # doctest: +NORMALIZE_WHITESPACE
    [('1,000 USD', '1,500 USD', '+500 USD'), ('10.0%', '12.5%', '+2.5 percentage points'),
     ('14 months', 'beyond the horizon', 'no longer pays back'), ('sei', 'sei', 'the same')]
    """
    names = names or {}
    before_cur, after_cur = currencies
    rows = []

    def side(key: str, value, which: int) -> str:
        if key != "top_category" and not models[which]:
            return NO_MODEL
        if key == "npv":
            return MISSING if value is None else money(value, currencies[which])
        if key == "irr_annual":
            return "undefined" if value is None else rate(value)
        if key == "payback_month":
            if value is None:
                return "beyond the horizon"
            return "1 month" if value == 1 else f"{value} months"
        return names.get(value, str(value))

    for key, label in FIGURES.items():
        fig = effect.get(key) or {}
        before, after = fig.get("before"), fig.get("after")
        change = fig.get("change")
        if key == "npv":
            unit = before_cur if before_cur == after_cur else f"{before_cur}, then {after_cur}"
            if change is None:
                moved = MISSING
            elif before_cur != after_cur:
                moved = f"not comparable: {before_cur}, then {after_cur}"
            else:
                moved = _signed_money(change, after_cur)
        elif key == "irr_annual":
            unit = "% a year"
            moved = MISSING if change is None else f"{change * 100:+.1f} percentage points"
            moved = moved.replace("-0.0 ", "+0.0 ")
        elif key == "payback_month":
            unit = "months"
            if change is not None:
                moved = f"{change:+d} months" if change else "the same"
            elif before is not None and after is None and all(models):
                moved = "no longer pays back"
            elif before is None and after is not None and all(models):
                moved = "now pays back"
            else:
                moved = MISSING
        else:
            unit = "category"
            moved = "the same" if before == after else "changed"
        rows.append(
            {
                "Figure": label,
                "Unit": unit,
                "Before": side(key, before, 0),
                "After": side(key, after, 1),
                "Change": moved,
            }
        )
    return rows


def newest_first(
    events: Sequence[Mapping],
    *,
    scenarios: Iterable[str] = (),
    users: Iterable[str] = (),
    kinds: Iterable[str] = (),
    version: int | None = None,
) -> list[Mapping]:
    """A history or trail (oldest first, as the store gives it) newest first: only the
    scenarios, users, events and version asked for, when any is."""
    scenarios, users, kinds = set(scenarios), set(users), set(kinds)
    return [
        e
        for e in reversed(events)
        if (not scenarios or e.get("name") in scenarios)
        and (not users or (e.get("user") or "") in users)
        and (not kinds or e.get("event") in kinds)
        and (version is None or e.get("version") == version)
    ]


def trail_rows(events: Iterable[Mapping]) -> list[dict]:
    """Events as rows of a table, in the order given: each moment as a person reads it
    (`2026-11-30 13:12 UTC`), each event in words; the scenario, organisation and team when
    the events are the store's trail (which has them)."""
    out = []
    for e in events:
        row = {"When": when(str(e.get("at", "")))}
        if "name" in e:
            row |= {
                "Scenario": e["name"],
                "Organisation": e.get("organisation") or MISSING,
                "Team": e.get("team") or MISSING,
            }
        row |= {
            "Version": e.get("version"),
            "Event": EVENT_WORDS.get(e.get("event"), str(e.get("event"))),
            "Who": e.get("user") or MISSING,
            "Note": e.get("note") or "",
        }
        out.append(row)
    return out


def trail_csv(events: Sequence[Mapping]) -> str:
    """The trail (newest first) as CSV a spreadsheet opens safely: the store's own keys, each
    moment as stored (ISO 8601 with its zone), every text cell's formula lines quoted."""
    import pandas as pd

    from advisor.report import safe_csv

    columns = ["at", "name", "organisation", "team", "version", "event", "user", "note"]
    frame = pd.DataFrame([{c: e.get(c) for c in columns} for e in events], columns=columns)
    frame["version"] = frame["version"].astype("Int64")
    return safe_csv(frame)


def link(name: str, version: int, against: int | None = None) -> str:
    """The Review page's address for a version (and the version it is compared with): a
    name and numbers only.

    >>> link("Northwind - Payments & co", 3, 2)
    'review?review=Northwind%20-%20Payments%20%26%20co&of=3&against=2'
    """
    params: dict[str, object] = {"review": name, "of": version}
    if against is not None:
        params["against"] = against
    return f"{PAGE}?{urlencode(params, quote_via=quote)}"


def number_in(text: object) -> int | None:
    """A version number an address gives: ASCII digits only, 1 to MAX_VERSION; else None.

    >>> number_in("3"), number_in("0"), number_in("²"), number_in("-1"), number_in(None)
    (3, None, None, None, None)
    """
    if not isinstance(text, str) or not (text.isascii() and text.isdecimal()) or len(text) > 10:
        return None
    number = int(text)
    return number if 0 < number <= MAX_VERSION else None


NO_SUCH = "no such scenario or version"


def read_address(
    params: Mapping[str, object],
) -> tuple[str, int | None, int | None] | str | None:
    """What a review address asks for: (name, version, against), a version left out being
    None (the latest; against: the one before it); None when it names no scenario; or
    NO_SUCH when a number does not read or the name is longer than any stored.

    >>> read_address({"review": "Payments", "of": "3", "against": "1"})
    ('Payments', 3, 1)
    >>> read_address({"review": "Payments", "of": "3x"})
    'no such scenario or version'
    """
    name = params.get("review")
    if not name:
        return None
    if not isinstance(name, str) or len(name) > MAX_NAME:
        return NO_SUCH
    numbers = []
    for key in ("of", "against"):
        text = params.get(key)
        if text in (None, ""):
            numbers.append(None)
            continue
        number = number_in(text)
        if number is None:
            return NO_SUCH
        numbers.append(number)
    return name, numbers[0], numbers[1]
