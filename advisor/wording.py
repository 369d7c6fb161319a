"""Money and figures in words, the same on every page, in the CLI and in reports."""

from __future__ import annotations

import re

MISSING = "-"  # what a table or a line shows for a figure not given or not computable


def money(amount: float, currency: str) -> str:
    """12,345 USD: whole units with thousands separators and the currency code."""
    return f"{amount:,.0f} {currency}"


def short_money(amount: float, currency: str) -> str:
    """1.2M USD, 250.0k USD: money short enough for a sentence or a metric."""
    size = abs(amount)
    for bound, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if size >= bound:
            return f"{amount / bound:,.1f}{suffix} {currency}"
    return f"{amount:,.0f} {currency}"


def rate(x: float) -> str:
    """`12.5%`, `4,990.3%`, `0.0%` (never `-0.0%`): a rate or a return as a person reads it."""
    text = f"{x:,.1%}"
    return "0.0%" if text == "-0.0%" else text


def month(m: int | None) -> str:
    return "beyond the horizon" if m is None else f"month {m}"


def days(x: float | None) -> str:
    return MISSING if x is None else f"{x:.1f} days"


def share(x: float | None) -> str:
    return MISSING if x is None else f"{x:.0%}"


def number(x: float | None) -> str:
    return MISSING if x is None else f"{x:.1f}"


def simulation_note(runs: int, seed: int) -> str:
    """Where a P10 / P50 / P90 comes from, worded alike on the page, in the reports and on
    Compare: the scenario's own simulation settings."""
    if runs == 0:
        return "No simulation: the scenario's settings ask for 0 simulated futures."
    return (
        f"P10 / P50 / P90 from {runs:,} simulated futures, seed {seed} (the scenario's "
        "simulation settings; the same seed gives the same figures everywhere)."
    )


def when(iso: str) -> str:
    """A stored moment as a person reads it, with its zone: `2026-11-30 13:12 UTC`. A moment
    without a zone was stored in UTC (the store writes UTC)."""
    import datetime as dt

    try:
        moment = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")


def printable(text: object) -> str:
    """Stored text on one line, its control characters shown as escapes (`\\x1b`), so a
    name in a shared store cannot move a colleague's cursor, recolour or forge lines on
    their terminal (a line break is one of them); a tab stays.

    >>> printable("Payments\\x1b[2K\\rforged")
    'Payments\\\\x1b[2K\\\\x0dforged'
    """
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text))
