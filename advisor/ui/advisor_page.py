"""Advisor page script: the body lives in advisor.ui.pages.advisor."""

from advisor.ui.pages.advisor import render

render()
