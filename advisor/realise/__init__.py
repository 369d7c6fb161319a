"""Closing the loop: what an approved investment actually returned, from the team's data.

change     is a before / after change real: a bootstrap interval and a permutation test
measure    registry figures on each side of a date, a monthly trend, waits at a stage
value      plan against realised value per lever, totals, forecast at completion
outcomes   outcome cards measured against their targets
price      the price of the bottleneck, and the ROI lever it becomes
analysis   all of it together (`realise`)
"""

from advisor.realise.analysis import Measurements, Realised, realise
from advisor.realise.change import Change, compare
from advisor.realise.measure import Measured, Sides, measure, sentence, stage_waits
from advisor.realise.price import bottleneck_price, wait_lever

__all__ = [
    "Change",
    "Measured",
    "Measurements",
    "Realised",
    "Sides",
    "bottleneck_price",
    "compare",
    "measure",
    "realise",
    "sentence",
    "stage_waits",
    "wait_lever",
]
