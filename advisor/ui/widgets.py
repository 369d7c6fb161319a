"""Widget helpers shared by the pages: stored defaults and editable tables that persist."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st


def keyed(key: str, value) -> str:
    """Give a widget its stored value when it is (re)created, e.g. after a page switch."""
    if key not in st.session_state:
        st.session_state[key] = value
    return key


def seeded(key: str, value, options: Sequence | None = None) -> dict:
    """Widget arguments for a widget that holds its value in the state: `key` (given `value`
    when it has none yet, as `keyed`) and, as the widget's own default, the value it holds now
    (`index` of it among `options` for a selectbox or radio).

    The browser shows a widget's own default whenever it draws the widget from a run that did
    not send the held value, and sends that default back as the user's input. Without a default
    of their own the Advisor's answers fell, while the page loaded on a busy machine, to each
    widget's minimum (1 engineer, no budget, no bottleneck: not a valid answer set), and opening
    an example then asked about changes nobody made. With the held value as the default, the
    browser has nothing else to show.
    """
    keyed(key, value)
    now = st.session_state[key]
    if options is None:
        return {"key": key, "value": now}
    options = list(options)
    return {"key": key, "index": options.index(now)} if now in options else {"key": key}


def table(name: str, default: pd.DataFrame, version: int = 0, **editor_args) -> pd.DataFrame:
    """An st.data_editor whose result survives reruns and page switches.

    The editor's own state holds edits relative to a base; the base stays fixed while that
    state lives, and is replaced by the last result only when the editor is created anew.
    """
    store = st.session_state.setdefault("_tables", {})
    key = f"{name}_v{version}"
    base_key = f"_base_{key}"
    if key not in st.session_state or base_key not in st.session_state:
        st.session_state[base_key] = store.get(name, default)
    result = st.data_editor(st.session_state[base_key], key=key, **editor_args, placeholder="")
    store[name] = result
    return result


def set_table(name: str, frame: pd.DataFrame) -> None:
    """Replace a table's content, e.g. after a file is loaded (callers bump their version)."""
    st.session_state.setdefault("_tables", {})[name] = frame


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows as plain dicts; empty cells become None and whole numbers stay numbers."""
    rows = []
    for row in frame.to_dict("records"):
        clean = {}
        for k, v in row.items():
            if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA:
                clean[k] = None
            elif hasattr(v, "item"):
                clean[k] = v.item()
            else:
                clean[k] = v
        if any(v not in (None, "") for v in clean.values()):
            rows.append(clean)
    return rows


def text_table(frame: pd.DataFrame) -> None:
    """A static table that wraps (every column fits a laptop's width) with every cell, header
    and row label shown as text: `st.table` renders Markdown in cells, so a "-" became a
    bullet and a team named `**x**` would have been bold."""
    from advisor.ui.text import md

    shown = frame.astype(str).map(md)
    shown.index = pd.Index([md(i) for i in frame.index], name=frame.index.name)
    shown.columns = [md(c) for c in frame.columns]
    st.table(shown)
