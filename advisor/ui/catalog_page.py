"""Catalog page script: the body lives in advisor.ui.pages.catalog."""

from advisor.ui.pages.catalog import render

render()
