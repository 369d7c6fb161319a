"""Review page script: the body lives in advisor.ui.pages.review."""

from advisor.ui.pages.review import render

render()
