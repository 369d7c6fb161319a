"""Router only: page config and navigation over the pages in advisor/ui."""

from pathlib import Path

import streamlit as st

from advisor.evidence.allocator import fewer_arenas
from advisor.ui.reruns import keep_waiting_values

fewer_arenas()  # each session's script runs in its own thread: no arena of its own each
keep_waiting_values()  # a key press waiting when another page is clicked is not dropped

# A bundled image: a `:material/` page icon is fetched from a public font host on every page.
ICON = Path(__file__).parent / "advisor" / "ui" / "assets" / "icon.png"
st.set_page_config(page_title="Platform Advisor", page_icon=str(ICON), layout="wide")

pages = [
    st.Page(
        "advisor/ui/advisor_page.py",
        title="Advisor",
        icon=":material/explore:",
        url_path="advisor",
        default=True,
    ),
    st.Page(
        "advisor/ui/catalog_page.py",
        title="Catalog",
        icon=":material/menu_book:",
        url_path="catalog",
    ),
    st.Page(
        "advisor/ui/evidence_page.py",
        title="Evidence",
        icon=":material/insights:",
        url_path="evidence",
    ),
    st.Page("advisor/ui/roi_page.py", title="ROI", icon=":material/savings:", url_path="roi"),
    st.Page(
        "advisor/ui/delay_page.py",
        title="Cost of delay",
        icon=":material/hourglass_top:",
        url_path="delay",
    ),
    st.Page(
        "advisor/ui/realise_page.py",
        title="Value realised",
        icon=":material/task_alt:",
        url_path="realised",
    ),
    st.Page(
        "advisor/ui/compare_page.py",
        title="Compare",
        icon=":material/compare_arrows:",
        url_path="compare",
    ),
    st.Page(
        "advisor/ui/report_page.py",
        title="Report",
        icon=":material/description:",
        url_path="report",
    ),
    st.Page(
        "advisor/ui/review_page.py",
        title="Review",
        icon=":material/rate_review:",
        url_path="review",
    ),
    st.Page("advisor/ui/trail_page.py", title="Trail", icon=":material/history:", url_path="trail"),
]
from advisor import svg  # noqa: E402
from advisor.ui import scenarios, signin  # noqa: E402

svg.in_worker()  # the report's charts: drawn in a process that leaves, with its memory, when idle

signin.gate()  # with sign-in configured, nothing below runs for a session that has not signed in
page = st.navigation(pages)
slots = scenarios.sidebar()
page.run()
scenarios.finish(slots)
