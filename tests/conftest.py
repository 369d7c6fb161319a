"""Shared fixtures: the bundled catalog and paths to test data."""

from pathlib import Path

import pytest

from advisor.catalog import load_catalog

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def catalog():
    return load_catalog()
