"""The leader's answers: budget, where work waits, maturity, readiness, sentiment priority."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator

from advisor.base import Currency, Strict
from advisor.catalog import LOCATIONS, Catalog, Level
from advisor.errors import AnswersError, Problem
from advisor.yamlio import Located, dump_yaml, parse_yaml, read_input, validate

LEVEL_RANK = {"low": 0, "medium": 1, "high": 2}


class Answers(Strict):
    """What the scoring needs to know; see the answers file format in the README."""

    engineers: Annotated[int, Field(ge=1, le=1_000_000, strict=False)]
    budget_per_year: Annotated[float, Field(ge=0, le=1e12, allow_inf_nan=False)]
    currency: Currency = "USD"
    bottlenecks: dict[str, Annotated[float, Field(ge=0, le=1e6, allow_inf_nan=False)]]
    maturity: Level = "medium"
    leadership_readiness: Level = "medium"
    sentiment_priority: Level = "low"

    @field_validator("bottlenecks")
    @classmethod
    def _known_and_normalised(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = [k for k in value if k not in LOCATIONS]
        if unknown:
            raise ValueError(
                f"unknown location {', '.join(repr(k) for k in unknown)}; "
                f"use {', '.join(LOCATIONS)}"
            )
        total = sum(value.values())
        if total <= 0:
            raise ValueError("at least one location needs a weight above 0")
        if abs(total - 1) <= 1e-12:  # already normalised: keep the values exactly
            return {loc: float(value.get(loc, 0.0)) for loc in LOCATIONS}
        return {loc: value.get(loc, 0.0) / total for loc in LOCATIONS}

    @property
    def delivery_share(self) -> float:
        """Share of the bottleneck inside delivery (development plus deployment)."""
        return self.bottlenecks["development"] + self.bottlenecks["deployment"]

    def with_changes(self, **changes) -> Answers:
        """A copy with some answers changed, validated again."""
        return Answers.model_validate({**self.model_dump(), **changes})


def check_currency(a: Answers, catalog: Catalog | None, located: Located) -> Answers:
    """Refuse a currency the catalog cannot convert: budgets could not be compared."""
    if catalog is not None and a.currency not in catalog.currencies:
        raise AnswersError(
            [
                Problem(
                    located.file,
                    f"{a.currency!r} is not supported; use one of {', '.join(catalog.currencies)}",
                    "currency",
                    line=located.line_of(["currency"]),
                )
            ]
        )
    return a


def parse_answers(
    text: str | bytes, file: str = "answers.yaml", catalog: Catalog | None = None
) -> Answers:
    located = parse_yaml(text, file, AnswersError)
    return check_currency(validate(Answers, located, AnswersError), catalog, located)


def load_answers(path: str | Path, catalog: Catalog | None = None) -> Answers:
    return parse_answers(read_input(path, AnswersError), str(path), catalog)


def answers_from_dict(
    data: dict, source: str = "the form", catalog: Catalog | None = None
) -> Answers:
    """Validate answers given as plain data (the app's form), naming each bad field."""
    located = Located(data, None, source)
    return check_currency(validate(Answers, located, AnswersError), catalog, located)


def answers_to_yaml(a: Answers) -> str:
    """The answers file for `recommend`, with only the locations that carry weight."""
    data = a.model_dump()
    data["bottlenecks"] = {k: round(v, 4) for k, v in a.bottlenecks.items() if v > 0}
    return dump_yaml(data)
