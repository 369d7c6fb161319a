"""Fixtures shared by the unit tests."""

import os

import pytest
import sqlalchemy as sa

from advisor.store import Store

PG = os.environ.get("PLATFORM_ADVISOR_TEST_PG")


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    """An empty scenario store: a new SQLite file, then the PostgreSQL server CI starts
    (PLATFORM_ADVISOR_TEST_PG; skipped without one, failed where it is required)."""
    if request.param == "sqlite":
        return Store(f"sqlite:///{tmp_path / 's.db'}")
    if not PG:
        if os.environ.get("PLATFORM_ADVISOR_REQUIRE_POSTGRES"):
            pytest.fail("PostgreSQL is required here but PLATFORM_ADVISOR_TEST_PG is not set")
        pytest.skip("no PostgreSQL server: set PLATFORM_ADVISOR_TEST_PG (CI starts one)")
    s = Store(PG)
    with s.engine.begin() as conn:  # each test starts from an empty table
        for table in ("scenario_versions", "drafts", "scenario_events"):
            conn.execute(sa.text(f"DELETE FROM {table}"))
    return s
