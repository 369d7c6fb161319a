"""The Ranges tab: a low and a high for any number; the likely value stays the form's."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from advisor.errors import InputError
from advisor.roi import parameters, scenario_from_dict, steps
from advisor.ui.roi import state
from advisor.ui.widgets import records

MAX_RANGED = 500  # ranges the editor keeps; the simulation's own caps are in the domain


def _with_range(data: dict, path: str, low: float, high: float) -> dict:
    """`data` with the number at `path` turned into {low, likely, high} (copied on the way)."""
    *parents, last = steps(path)
    root = dict(data)
    node = root
    for step in parents:
        child = node[step]
        child = list(child) if isinstance(child, list) else dict(child)
        node[step] = child
        node = child
    current = node[last]
    middle = current["likely"] if isinstance(current, dict) else current
    node[last] = {"low": low, "likely": middle, "high": high}
    return root


def ranges(base: dict, catalog) -> dict:
    """The scenario with every range the user gave; the editor lists every number."""
    try:
        params = parameters(scenario_from_dict(base), catalog)
    except InputError:
        return base
    roi = state.get()
    stored = roi.ranges
    rows = []
    for p in params:
        keep = stored.get(p.path, {})
        if keep.get("label") != p.label:
            keep = {}
        low = keep.get("low", p.value.low if p.uncertain else None)
        high = keep.get("high", p.value.high if p.uncertain else None)
        rows.append(
            {
                "input": p.label,
                "path": p.path,
                "likely": p.value.likely if hasattr(p.value, "likely") else p.value,
                "low": low,
                "high": high,
            }
        )
    frame = pd.DataFrame(rows, columns=["input", "path", "likely", "low", "high"])
    st.caption(
        "Give low and high where you are unsure; leave both empty for a fixed number. "
        f"The simulation draws each range from a triangular distribution (at most {MAX_RANGED} "
        "ranges)."
    )
    key = f"roi_ranges_{abs(hash(tuple(frame['path'])))}_{roi.version}"
    roi.ranges_key = key  # a new editor whenever the inputs change shape
    edited = st.data_editor(
        frame,
        key=key,
        width="stretch",
        hide_index=True,
        disabled=["input", "path", "likely"],
        num_rows="fixed",
        placeholder="",
    )
    data = base
    count = 0
    for row in records(edited):
        if row.get("low") is None and row.get("high") is None:
            stored.pop(row["path"], None)
            continue
        low = row["low"] if row.get("low") is not None else row["likely"]
        high = row["high"] if row.get("high") is not None else row["likely"]
        stored[row["path"]] = {"label": row["input"], "low": low, "high": high}
        count += 1
        if count > MAX_RANGED:
            st.warning(f"Only the first {MAX_RANGED} ranges are used.")
            break
        try:
            data = _with_range(data, row["path"], low, high)
        except (KeyError, IndexError, TypeError):
            continue
    return data
