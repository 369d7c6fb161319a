"""Compare page script: the body lives in advisor.ui.pages.compare."""

from advisor.ui.pages.compare import render

render()
