"""Cost of delay page script: the body lives in advisor.ui.pages.delay."""

from advisor.ui.pages.delay import render

render()
