"""Report page script: the body lives in advisor.ui.pages.report."""

from advisor.ui.pages.report import render

render()
