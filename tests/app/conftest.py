"""AppTest helpers: start from the router, with caches cleared between tests."""

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")


@pytest.fixture(autouse=True)
def _own_store(tmp_path, monkeypatch):
    """Each test saves scenarios to its own SQLite file."""
    monkeypatch.setenv("PLATFORM_ADVISOR_STORE", f"sqlite:///{tmp_path / 'scenarios.db'}")


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Caches live for the process: each test starts without the measurements, charts and
    store engines of the one before."""
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def app():
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    assert not at.exception
    return at


def assert_clean(at: AppTest) -> None:
    """No page may raise: no exception element, no error other than the ones a test expects."""
    assert not at.exception, [e.value for e in at.exception]


def chart_frames(at: AppTest, index: int = 0) -> list:
    """The data behind the index-th Altair chart, as pandas frames (spec plus Arrow datasets)."""
    import pyarrow as pa

    proto = at.get("vega_lite_chart")[index].proto
    frames = []
    for dataset in proto.datasets:
        frames.append(pa.ipc.open_stream(dataset.data.data).read_all().to_pandas())
    if proto.data.data:
        frames.append(pa.ipc.open_stream(proto.data.data).read_all().to_pandas())
    return frames


def upload(at: AppTest, key: str, file: tuple | list) -> AppTest:
    """Give an uploader a file (or a list of them), rerun, and check nothing raised."""
    at.file_uploader(key=key).set_value(file)
    at.run()
    assert_clean(at)
    return at


def shown(element) -> str:
    """What a Markdown element reads as on screen: user text is backslash-escaped in the app."""
    import re

    return re.sub(r"\\(.)", r"\1", element.value)


def figures(at: AppTest) -> dict[str, str]:
    """The Evidence page's figures as shown: label -> value with its unit, from its tables."""
    out = {}
    for table in tables(at):
        if table.index.name == "figure" and "value" in table.columns:
            out.update(zip(table.index, table["value"], strict=True))
    return out


def tables(at: AppTest) -> list:
    """The static tables as a person reads them: cells, headers and row labels unescaped
    (st.table renders Markdown, so the app escapes them)."""
    import re

    def plain(text):
        return re.sub(r"\\(.)", r"\1", str(text))

    out = []
    for element in at.table:
        frame = element.value.copy()
        frame = frame.map(plain)
        frame.index = [plain(i) for i in frame.index]
        frame.index.name = element.value.index.name
        frame.columns = [plain(c) for c in frame.columns]
        out.append(frame)
    return out


def reloaded(at: AppTest, monkeypatch) -> AppTest:
    """The same browser reloading `at`'s address: a new session that holds `at`'s draft key
    (the cookie a real browser keeps), run once and checked clean."""
    from advisor.ui import scenarios

    draft = at.session_state["draft_id"]
    monkeypatch.setattr(scenarios, "_browser_draft_id", lambda: draft)
    fresh = AppTest.from_file(APP, default_timeout=30)
    fresh.query_params.update(at.query_params)
    fresh.run()
    assert_clean(fresh)
    return fresh
