"""Session state shared by the pages: the leader's answers and the active catalog.

The answers follow the widgets in one way only: the Advisor page reads the value each widget
returns in this run and writes them all into `st.session_state["answers"]` at once
(`take_answers`), before anything is computed from them. The results on the page therefore come
from the very values the widgets show in the same run. Widget callbacks alone were the old path:
they compare a widget's value with the one seen in the previous run, and a rerun that a newer
event interrupts (or, with Streamlit's `runner.fastReruns`, an older script thread still
finishing) moves that baseline, so a change could be skipped and the page showed results for
older answers than its controls. The callback stays as a second way in, for a change whose
event also left the page. Widgets are seeded from the answers when they are (re)created, e.g.
after a page switch or a file load.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

import streamlit as st

from advisor import catalog as catalog_module
from advisor.catalog import Catalog
from advisor.errors import InputError
from advisor.ui.reruns import uninterrupted
from advisor.ui.text import md


def default_answers() -> dict:
    """The Advisor's starting answers: examples/answers.yaml, weights as whole percentages."""
    from advisor.answers import load_answers
    from advisor.ui.examples import example_path
    from advisor.ui.session import weights_from_shares

    loaded = load_answers(example_path("answers.yaml"))
    data = loaded.model_dump()
    data["bottlenecks"] = weights_from_shares(loaded.bottlenecks)
    return data


def bundled_catalog() -> Catalog:
    """Shared by every session: the catalog is immutable (frozen models) and holds no user data."""
    return catalog_module.bundled_catalog()


def active_catalog() -> Catalog:
    """The catalog uploaded for this session, else the bundled one."""
    return st.session_state.get("custom_catalog") or bundled_catalog()


def catalog_key() -> str:
    """Which catalog this session scores with, for a cache shared by every session:
    `bundled`, or the digest of the one this session uploaded."""
    custom = st.session_state.get("custom_catalog")
    if custom is None:
        return "bundled"
    known = st.session_state.get("_custom_catalog_key")
    if known is None or known[0] is not custom:
        import hashlib

        digest = hashlib.sha256(custom.model_dump_json().encode()).hexdigest()
        known = (custom, digest)
        st.session_state["_custom_catalog_key"] = known
    return known[1]


def answers() -> dict:
    """The leader's answers as plain data; they survive page switches."""
    if "answers" not in st.session_state:
        st.session_state["answers"] = default_answers()
    return st.session_state["answers"]


def _set(data: dict, path: tuple[str, ...], value) -> None:
    for step in path[:-1]:
        data = data[step]
    data[path[-1]] = value


def _get(data: dict, path: tuple[str, ...]):
    for step in path:
        data = data[step]
    return data


def bind(key: str, path: tuple[str, ...], options: Sequence | None = None) -> dict:
    """Widget arguments that tie widget `key` to the answer at `path`: the widget is seeded
    from the answers the first time it is drawn (or after `replace_answers`), and its change
    is also written by a callback, which runs even when the same event leaves the page (a
    click on another page right after a key press; the page's own read never runs then)."""
    from advisor.ui.widgets import seeded

    return {**seeded(key, _get(answers(), path), options), "on_change": commit, "args": (key, path)}


@uninterrupted
def commit(key: str, path: tuple[str, ...]) -> None:
    """on_change: one widget's new value into the answers (the page's read is the other way
    in, and the one the results are computed from)."""
    if key in st.session_state:
        _set(answers(), path, st.session_state[key])


def take_answers(values: dict[tuple[str, ...], object]) -> dict:
    """Write the values the widgets returned in this run into the answers, all at once.

    `values` maps an answer's path (as given to `bind`) to its widget's value. The answers are
    replaced by a new dict in one assignment, so a run stopped part-way never leaves them half
    old and half new. Returns the answers now held.
    """
    current = answers()
    new = copy.deepcopy(current)
    for path, value in values.items():
        _set(new, path, value)
    if new != current:
        st.session_state["answers"] = new
    return st.session_state["answers"]


def replace_answers(data: dict, prefix: str = "q_") -> None:
    """Take a whole new set of answers (a loaded file); widgets are seeded from it again."""
    st.session_state["answers"] = copy.deepcopy(data)
    for key in [k for k in st.session_state if str(k).startswith(prefix)]:
        del st.session_state[key]


def show_input_error(exc: InputError, what: str) -> None:
    """Every problem of a rejected input, in one message; nothing else on the page changes."""
    show_problems(exc.problems, what)


def show_problems(problems, what: str) -> None:
    """`Not used: these answers.` and each problem: worded alike for one file or several."""
    lines = "\n".join(f"- {md(p)}" for p in problems)
    ours = what.startswith(("The ", "These ", "This ", "A "))  # our words; a file name stays
    subject = what[:1].lower() + what[1:] if ours else what
    st.error(f"**Not used: {md(subject)}.** Fix these and try again:\n\n{lines}")


def new_upload(key: str, upload) -> bool:
    """True once per newly chosen file, so a rerun does not apply the same upload again."""
    if upload is None:
        return False
    files = upload if isinstance(upload, list) else [upload]
    marker = tuple((f.name, f.size, getattr(f, "file_id", "")) for f in files)
    if st.session_state.get(f"_seen_{key}") == marker:
        return False
    st.session_state[f"_seen_{key}"] = marker
    return True


def goodhart_caution() -> None:
    st.caption(
        ":material/psychology: **Goodhart's law:** once a measure becomes a target it stops "
        "measuring. Use these metrics for team conversations and learning, never to rank "
        "people or teams."
    )
