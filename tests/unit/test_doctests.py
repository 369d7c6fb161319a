"""The examples in the domain's docstrings run, so a formula's worked example cannot rot."""

import doctest
import importlib

import pytest

MODULES = [
    "advisor.evidence.window",
    "advisor.evidence.registry",
    "advisor.evidence.bottleneck",
    "advisor.evidence.pulls.fields",
    "advisor.evidence.pulls.reading",
    "advisor.connectors.gitlab",
    "advisor.shares",
    "advisor.realise.change",
    "advisor.realise.measure",
    "advisor.realise.value",
    "advisor.realise.price",
    "advisor.money",
    "advisor.roi.budget",
    "advisor.ui.session",
    "advisor.ui.text",
]


@pytest.mark.parametrize("name", MODULES)
def test_the_docstring_examples_hold(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0 and result.failed == 0
