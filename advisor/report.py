"""Exports: CSV that spreadsheets cannot execute (more report formats come with later work).

OWASP's rule, applied to every line of a cell: a line that starts with = + - @, a tab or a
carriage return gets a leading apostrophe, so a spreadsheet shows it as text. A line that
already starts with an apostrophe gets one more, so `undefuse` gives back the exact text.
"""

from __future__ import annotations

import re

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_LINE_START = re.compile(r"(^|\r\n|\r|\n)(?=[=+\-@\t\r'])")
_GUARDED = re.compile(r"(^|\r\n|\r|\n)'(?=[=+\-@\t\r'])")


def defuse(value: object) -> object:
    """Text with every line a spreadsheet would run as a formula quoted; others unchanged."""
    if isinstance(value, str):
        return _LINE_START.sub(r"\1'", value)
    return value


def undefuse(text: str) -> str:
    """The text `defuse` was given: one apostrophe taken off each guarded line."""
    return _GUARDED.sub(r"\1", text)


def safe_csv(frame: pd.DataFrame) -> str:
    """CSV of `frame` with every text cell defused; numbers are left as numbers."""
    clean = frame.copy()
    for column in clean.columns:
        if not pd.api.types.is_numeric_dtype(clean[column]):
            clean[column] = clean[column].map(defuse)
    clean.columns = [defuse(str(c)) for c in clean.columns]
    return clean.to_csv(index=False)
