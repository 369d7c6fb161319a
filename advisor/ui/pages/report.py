"""Report page: the open scenario as a board-ready report, its Markdown, and the workbook."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import streamlit as st

from advisor.report import build_html, build_markdown, build_workbook, figures
from advisor.ui import prefetch, scenarios, state
from advisor.ui.text import file_stem, md


def _workbook(s, catalog) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "roi.xlsx"
        build_workbook(s, catalog, path)
        return path.read_bytes()


def render() -> None:
    st.title("Report")
    st.caption(
        "The scenario on every page, as a report for the board: recommendation and reasons, "
        "vendors and costs, evidence, returns with their range, the cost of delay. It opens "
        "offline, holds no script, and prints to PDF from the browser."
    )
    s = scenarios.current()
    if s is None:
        why = scenarios.why_not_one()
        st.warning(
            "**No report yet.** "
            + (why or "A page has answers that do not validate; fix them to build the report.")
        )
        return
    opened = st.session_state.get("scenario_open") or {}
    version = opened.get("version") if opened.get("name") == s.name else None
    catalog = state.active_catalog()
    st.markdown(f"**{md(s.name)}**" + (f", version {version}" if version else " (not stored)"))
    today = dt.date.today()
    f = figures(s, catalog, version, today)  # once a run, for the Markdown and the HTML
    html = prefetch.start(  # built while the user reads the page: the click only collects it
        ("report.html", s.model_dump_json(), state.catalog_key(), version, today),
        lambda: build_html(s, catalog, version, today, f),
    )
    markdown = build_markdown(s, catalog, version, today, f)  # the preview shows it anyway
    c1, c2, c3 = st.columns(3)
    c1.download_button(
        "Download the report (HTML)",
        html,
        f"{file_stem(s.name)}-report.html",
        "text/html",
        on_click="ignore",
        key="rep_html",
        type="primary",
    )
    c2.download_button(
        "Download the report (Markdown)",
        markdown,
        f"{file_stem(s.name)}-report.md",
        "text/markdown",
        on_click="ignore",
        key="rep_md",
    )
    if s.roi is not None:
        c3.download_button(
            "Download the ROI workbook (xlsx)",
            lambda: _workbook(s, catalog),
            f"{file_stem(s.name)}-roi.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            on_click="ignore",
            key="rep_xlsx",
        )
    with st.expander("Preview (Markdown)"):
        st.text(markdown)
