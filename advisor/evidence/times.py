"""Timestamps read in time linear in the input, checked for range, all in UTC.

1. ISO 8601 for the whole column (pandas' vectorised parser);
2. what is left: up to MAX_GUESSED_FORMATS formats guessed from the first value that
   did not parse, each applied to the whole rest at once;
3. then at most MAX_ONE_BY_ONE values parsed one by one (a column of mixed formats);
anything else, and any cell longer than MAX_TIME_CHARS, is unreadable: set aside and
counted with the first row it was found at. Times outside 1970-2199 are set aside too
(nothing in an engineering export is dated there, and arithmetic in nanoseconds stays
exact). A time without a zone is taken as UTC.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from advisor.evidence.limits import MAX_GUESSED_FORMATS, MAX_ONE_BY_ONE, MAX_TIME_CHARS

EARLIEST = pd.Timestamp("1970-01-01", tz="UTC")
LATEST = pd.Timestamp("2200-01-01", tz="UTC")
RANGE_NOTE = "outside 1970-2199"


Rows = int | np.ndarray  # the first value's row number, or each value's place in words


def _first_row(mask: pd.Series | np.ndarray, first_row: Rows) -> int | str:
    """Where the first value of `mask` is: its row (`first_row` is the first value's row
    number), or its place in words (`first_row` names each value's, as `issue PAY-1`)."""
    at = int(np.flatnonzero(np.asarray(mask))[0])
    return at + first_row if isinstance(first_row, int) else str(first_row[at])


def _at(file: str, row: int | str) -> str:
    return f"(first at {file} row {row})" if isinstance(row, int) else f"(first at {file}, {row})"


def _where(file: str, row: int | str, optional: bool) -> str:
    """How a reason ends: the first row, and for an optional column that the value, not the
    row, is what is set aside."""
    return f"{', read as empty' if optional else ''} {_at(file, row)}"


def in_range(
    parsed: pd.Series, file: str, column: str, aside, first_row: Rows = 2, optional: bool = False
) -> pd.Series:
    """Times outside the supported range set aside (NaT), counted with the first row."""
    far = parsed.notna() & ((parsed < EARLIEST) | (parsed >= LATEST))
    if far.any():
        row = _first_row(far, first_row)
        aside.add(f"{column}: {RANGE_NOTE}{_where(file, row, optional)}", int(far.sum()))
        parsed = parsed.where(~far)
    return parsed


def count_empty(blank: np.ndarray, file: str, column: str, aside, first_row: Rows = 2) -> None:
    """Rows set aside because a time they need is empty, counted with the first row."""
    if blank.any():
        row = _first_row(blank, first_row)
        aside.add(f"{column}: empty {_at(file, row)}", int(blank.sum()))


def _guess(value: str, dayfirst: bool = False) -> str | None:
    from pandas.tseries.api import guess_datetime_format

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return guess_datetime_format(value, dayfirst=dayfirst)
        except (ValueError, TypeError):
            return None


def _parse(text: pd.Series, **options) -> pd.Series:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pd.to_datetime(text, utc=True, errors="coerce", **options)


def parse_times(
    values: pd.Series,
    file: str,
    column: str,
    aside,
    first_row: Rows = 2,
    required: bool = False,
    optional: bool = False,
) -> pd.Series:
    """UTC times (nanoseconds); unreadable or out-of-range values become NaT and are
    counted with the first row they were found at. `required`: an empty value sets its row
    aside, and is counted too; `optional`: the reasons say only the value is set aside.

    Each step's times are checked for range and kept as nanoseconds at once: the steps
    give times in different units (seconds for ISO 8601, microseconds for the one-by-one
    step), which pandas will not always put in one column."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):  # read typed: every value had a zone
        parsed = values.dt.tz_convert("UTC")
        if required:
            count_empty(parsed.isna().to_numpy(dtype=bool), file, column, aside, first_row)
        return _ns(in_range(parsed, file, column, aside, first_row, optional))
    text = values.astype("string").str.strip()
    blank = (text.isna() | (text == "")).to_numpy(dtype=bool)
    long = (text.str.len() > MAX_TIME_CHARS).fillna(False).to_numpy(dtype=bool)
    out = np.full(len(text), np.iinfo(np.int64).min, dtype=np.int64)  # ns; NaT until read
    far = np.zeros(len(text), dtype=bool)
    left = ~blank & ~long

    def take(where: np.ndarray, got: pd.Series) -> bool:
        """Keep what parsed at positions `where`; whether anything did."""
        ok = got.notna().to_numpy(dtype=bool)
        outside = ok & ((got < EARLIEST) | (got >= LATEST)).to_numpy(dtype=bool)
        inside = ok & ~outside
        out[where[inside]] = got[inside].dt.as_unit("ns").array.asi8
        far[where[outside]] = True
        left[where[ok]] = False
        return bool(ok.any())

    where = np.flatnonzero(left)
    if where.size:
        take(where, _parse(text.iloc[where], format="ISO8601"))
    unsure = np.zeros(len(text), dtype=bool)  # day and month could be either way round
    for _ in range(MAX_GUESSED_FORMATS):
        where = np.flatnonzero(left)
        if not where.size:
            break
        first = str(text.iloc[int(where[0])])
        fmt, day_first = _guess(first), _guess(first, dayfirst=True)
        if fmt is None:
            break
        got = _parse(text.iloc[where], format=fmt)
        if day_first not in (None, fmt):  # 05/01/2026: 1 May or 5 January?
            other = _parse(text.iloc[where], format=day_first)
            if other.notna().sum() > got.notna().sum():  # a 13th month settles it
                got = other
            elif other.notna().sum() == got.notna().sum():
                differ = (got != other).to_numpy(dtype=bool) & got.notna().to_numpy(dtype=bool)
                unsure[where[differ]] = True
                left[where[differ]] = False
                got = got.where(~differ)
        if not take(where, got):
            break
    where = np.flatnonzero(left)[:MAX_ONE_BY_ONE]
    if where.size:
        take(where, _parse(text.iloc[where], format="mixed"))
    if unsure.any():
        row = _first_row(unsure, first_row)
        example = str(text.iloc[int(np.flatnonzero(unsure)[0])])[:30]
        aside.add(
            f"{column}: day and month could be either way round, as in {example} (write "
            f"dates as 2026-01-31){_where(file, row, optional)}",
            int(unsure.sum()),
        )
    bad = (out == np.iinfo(np.int64).min) & ~far & ~blank & ~unsure
    if bad.any():
        row = _first_row(bad, first_row)
        aside.add(f"{column}: not a date and time{_where(file, row, optional)}", int(bad.sum()))
    if far.any():
        row = _first_row(far, first_row)
        aside.add(f"{column}: {RANGE_NOTE}{_where(file, row, optional)}", int(far.sum()))
    if required:
        count_empty(blank, file, column, aside, first_row)
    times = pd.DatetimeIndex(out.view("datetime64[ns]")).tz_localize("UTC")
    return pd.Series(times, index=values.index)


def _ns(parsed: pd.Series) -> pd.Series:
    """In nanoseconds, once the range is checked (every kept time fits)."""
    if not isinstance(parsed.dtype, pd.DatetimeTZDtype):
        parsed = pd.to_datetime(parsed, utc=True)
    return parsed.dt.as_unit("ns")
