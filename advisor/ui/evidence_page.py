"""Evidence page script: the body lives in advisor.ui.pages.evidence."""

from advisor.ui.pages.evidence import render

render()
