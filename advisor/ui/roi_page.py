"""ROI page script: the body lives in advisor.ui.roi."""

from advisor.ui.roi import render

render()
