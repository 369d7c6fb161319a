"""Trail page script: the body lives in advisor.ui.pages.trail."""

from advisor.ui.pages.trail import render

render()
