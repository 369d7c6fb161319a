"""Value realised page script: the body lives in advisor.ui.pages.realise."""

from advisor.ui.pages.realise import render

render()
