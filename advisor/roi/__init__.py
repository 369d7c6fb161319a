"""What a team or a platform returns: cash flows, NPV, IRR, MIRR, payback, ROI, uncertainty.

schema       the scenario file (pydantic), loading with file:line errors, saving
levers       one named function per monthly amount (team, licence, DORA levers, ...)
cashflows    the scenario as cost and benefit lines, and the numbers they depend on
analysis     deterministic result, tornado, build versus buy, the summary in words
simulation   Monte Carlo over every range
"""

from advisor.roi.analysis import (
    LineTotal,
    MonthRow,
    RoiResult,
    TornadoBar,
    analyse,
    scenario_warnings,
    summary,
    tornado,
)
from advisor.roi.build_buy import BuildBuyResult, Option, compare
from advisor.roi.cashflows import Line, Param, Price, build_lines, platform_price, steps
from advisor.roi.schema import (
    DEFAULT_RUNS,
    LEVERS,
    MAX_HORIZON,
    MAX_RUNS,
    MAX_SEED,
    SOURCES,
    Benefit,
    BuildOption,
    BuildVsBuy,
    BuyOption,
    CapacityFreed,
    DowntimeAvoided,
    OneOff,
    Platform,
    ProductivityDip,
    ReworkAvoided,
    Role,
    Scenario,
    SimulationSettings,
    load_scenario,
    parse_scenario,
    scenario_from_dict,
    scenario_to_yaml,
)
from advisor.roi.simulation import CHUNK, Simulation, check_runs, simulate

__all__ = [
    "CHUNK",
    "DEFAULT_RUNS",
    "LEVERS",
    "MAX_HORIZON",
    "MAX_RUNS",
    "MAX_SEED",
    "SOURCES",
    "Benefit",
    "BuildBuyResult",
    "BuildOption",
    "BuildVsBuy",
    "BuyOption",
    "CapacityFreed",
    "DowntimeAvoided",
    "Line",
    "LineTotal",
    "MonthRow",
    "OneOff",
    "Option",
    "Param",
    "Platform",
    "Price",
    "ProductivityDip",
    "ReworkAvoided",
    "RoiResult",
    "Role",
    "Scenario",
    "Simulation",
    "SimulationSettings",
    "TornadoBar",
    "analyse",
    "build_lines",
    "check_runs",
    "compare",
    "load_scenario",
    "parameters",
    "parse_scenario",
    "platform_price",
    "scenario_from_dict",
    "scenario_to_yaml",
    "scenario_warnings",
    "simulate",
    "steps",
    "summary",
    "tornado",
]


def parameters(s: Scenario, catalog=None) -> list[Param]:
    """Every number the result depends on, with its path, for ranges and the tornado."""
    return build_lines(s, catalog)[1]
