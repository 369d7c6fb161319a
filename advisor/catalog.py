"""The vendor catalog: pydantic schema of catalog/*.yaml, loading, and cross-file checks."""

from __future__ import annotations

import datetime as dt
import functools
import json
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from advisor.base import Currency, Strict
from advisor.errors import CatalogError, Problem
from advisor.yamlio import Located, parse_yaml, problems_from, read_input

CategoryId = Literal["dora", "dx_core_4", "sei", "vsm"]
CATEGORY_IDS: tuple[str, ...] = ("dora", "dx_core_4", "sei", "vsm")
Location = Literal["ideation", "development", "deployment", "operations", "support"]
LOCATIONS: tuple[str, ...] = ("ideation", "development", "deployment", "operations", "support")
Level = Literal["low", "medium", "high"]
LEVELS: tuple[str, ...] = ("low", "medium", "high")
FACTORS: tuple[str, ...] = (
    "bottleneck_fit",
    "budget_fit",
    "maturity_readiness_fit",
    "sentiment_fit",
    "bottleneck_first",
)

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "catalog"

Share = Annotated[float, Field(ge=0, le=1)]
Money = Annotated[float, Field(ge=0)]


class Coverage(Strict):
    """How well something sheds light on a bottleneck at each location, 0 (not at all) to 1."""

    ideation: Share = 0.0
    development: Share = 0.0
    deployment: Share = 0.0
    operations: Share = 0.0
    support: Share = 0.0

    def get(self, location: str) -> float:
        return float(getattr(self, location))


class CostBand(Strict):
    """Indicative platform cost per measured engineer per year, used only to judge budget fit."""

    low: Money
    high: Money
    currency: Currency = "USD"
    basis: str = Field(min_length=1, description="where the band comes from; say if assumed")

    @model_validator(mode="after")
    def _ordered(self) -> CostBand:
        if self.low > self.high:
            raise ValueError(f"low ({self.low:g}) is above high ({self.high:g})")
        return self

    @property
    def typical(self) -> float:
        return (self.low + self.high) / 2


class Prerequisites(Strict):
    maturity: Level = "low"
    leadership_readiness: Level = "low"


class Category(Strict):
    id: CategoryId
    name: str = Field(min_length=1)
    short_name: str = Field(min_length=1, max_length=16, description="label for charts")
    scope: str = Field(min_length=1)
    focus: Coverage = Field(description="how well it diagnoses a bottleneck at each location")
    first_step_for: list[Location] = Field(
        description="locations where the article would start with this category"
    )
    headline_metrics: list[str] = Field(min_length=1)
    prerequisites: Prerequisites
    sentiment_coverage: Share
    cost_band: Literal["low", "mid", "mid_high", "high"]
    cost_per_engineer_year: CostBand
    fits_when: str = Field(min_length=1)
    gaps: str = Field(min_length=1)


class Weights(Strict):
    """Maximum points of each scoring factor; they must add up to 100."""

    bottleneck_fit: Money
    budget_fit: Money
    maturity_readiness_fit: Money
    sentiment_fit: Money
    bottleneck_first: Money

    @model_validator(mode="after")
    def _sum_to_100(self) -> Weights:
        total = sum(self.model_dump().values())
        if abs(total - 100) > 1e-9:
            raise ValueError(f"weights must add up to 100, they add up to {total:g}")
        return self


class VendorWeights(Strict):
    """How a vendor's fit splits between its category's score and its own stage coverage."""

    category: Share = 0.6
    stages: Share = 0.4

    @model_validator(mode="after")
    def _sum_to_one(self) -> VendorWeights:
        if abs(self.category + self.stages - 1) > 1e-9:
            raise ValueError("category and stages must add up to 1")
        return self


class SentimentNeed(Strict):
    low: Share = 0.0
    medium: Share = 0.5
    high: Share = 1.0


class Tuning(Strict):
    """The scoring's remaining numbers, kept beside the weights so all of them can be read."""

    sentiment_need: SentimentNeed = Field(
        default=SentimentNeed(), description="how much sentiment coverage counts, by priority"
    )
    free_option_budget_share: Share = Field(
        default=0.5, description="budget-fit share kept by a category with free options"
    )
    one_level_short: Share = Field(
        default=0.5, description="credit for a prerequisite one level short (two: none)"
    )
    secondary_category_discount: Share = Field(
        default=0.9, description="a vendor's secondary category counts at this share"
    )
    tie_points: Money = Field(default=3.0, description="leaders closer than this are a tie")
    delivery_warning_share: Share = Field(
        default=0.5, description="warn against VSM when delivery holds this much of the wait"
    )
    pairing_sentiment_floor: Share = Field(
        default=0.25, description="least weight of sentiment when choosing a partner category"
    )
    what_if_half_move: Money = Field(default=1.25, description="distance of moving half")
    what_if_full_move: Money = Field(default=2.5, description="distance of moving all")


class ExchangeRates(Strict):
    """Indicative rates to compare prices quoted in another currency with the budget."""

    base: Currency
    rates: dict[str, Annotated[float, Field(gt=0)]] = Field(
        description="units of base currency for one unit of each currency"
    )
    as_of: dt.date
    note: str = ""

    def convert(self, amount: float, source: str, target: str) -> float | None:
        """Amount in `source` expressed in `target`; None when either rate is unknown."""
        if source == target:
            return amount
        to_base = {**self.rates, self.base: 1.0}
        if source not in to_base or target not in to_base:
            return None
        return amount * to_base[source] / to_base[target]


class CategoriesFile(Strict):
    version: Literal[1] = 1
    weights: Weights
    vendor_weights: VendorWeights = VendorWeights()
    tuning: Tuning = Tuning()
    exchange_rates: ExchangeRates
    categories: list[Category]

    @field_validator("categories")
    @classmethod
    def _all_four(cls, value: list[Category]) -> list[Category]:
        ids = [c.id for c in value]
        missing = [c for c in CATEGORY_IDS if c not in ids]
        if missing:
            raise ValueError(f"every category must be described; missing: {', '.join(missing)}")
        return value


class Tier(Strict):
    """One published plan: its name and its price per contributor a month."""

    name: str = Field(min_length=1, max_length=60)
    price: Money


class Pricing(Strict):
    model: Literal["per_contributor_month", "not_public", "open_source"]
    low: Money | None = None
    high: Money | None = None
    currency: Currency | None = None
    tiers: list[Tier] = Field(
        default=[], description="named plans, cheapest first; low and high are their bounds"
    )
    indicative: bool = True
    free_below_contributors: int | None = Field(default=None, ge=1)
    source: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Pricing:
        if self.model == "per_contributor_month":
            if self.low is None or self.high is None or self.currency is None:
                raise ValueError("a per-contributor price needs low, high and currency")
            if self.low > self.high:
                raise ValueError(f"low ({self.low:g}) is above high ({self.high:g})")
            prices = [t.price for t in self.tiers]
            if prices and (
                prices != sorted(prices) or (prices[0], prices[-1]) != (self.low, self.high)
            ):
                raise ValueError("tiers must run from the cheapest (= low) to the dearest (= high)")
        elif self.low is not None or self.high is not None or self.tiers:
            raise ValueError(f"a '{self.model}' price must not give low, high or tiers")
        return self

    def tier(self, name: str | None) -> Tier | None:
        """The plan called `name` (None: the entry plan); None when there is no such plan."""
        if not self.tiers:
            return None
        if name is None:
            return self.tiers[0]
        return next((t for t in self.tiers if t.name.lower() == name.lower()), None)


class Ownership(Strict):
    event: str = Field(min_length=1)
    date: dt.date | None = None
    source: str = Field(min_length=1)


class Vendor(Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: str = Field(min_length=1)
    category: CategoryId
    secondary_category: CategoryId | None = None
    stages: Coverage
    notable_metrics: list[str] = Field(min_length=1)
    pricing: Pricing
    free_tier: str | None = None
    open_source: bool = False
    ownership: list[Ownership] = Field(default=[])
    source_url: str = Field(pattern=r"^https?://")
    checked: dt.date
    notes: str = ""

    @model_validator(mode="after")
    def _secondary_differs(self) -> Vendor:
        if self.secondary_category == self.category:
            raise ValueError("secondary_category repeats the primary category")
        return self

    @property
    def categories(self) -> tuple[str, ...]:
        return (self.category,) + ((self.secondary_category,) if self.secondary_category else ())


class VendorsFile(Strict):
    version: Literal[1] = 1
    vendors: list[Vendor]


class Catalog(Strict):
    """Both catalog files, validated together."""

    weights: Weights
    vendor_weights: VendorWeights = VendorWeights()
    tuning: Tuning = Tuning()
    exchange_rates: ExchangeRates
    categories: dict[str, Category]
    vendors: list[Vendor]
    source: str = "bundled"

    def vendor(self, vendor_id: str) -> Vendor | None:
        return next((v for v in self.vendors if v.id == vendor_id), None)

    @property
    def currencies(self) -> list[str]:
        """The currencies the catalog can convert between: its base and every rate."""
        return [self.exchange_rates.base, *sorted(self.exchange_rates.rates)]


def _validate_file(model, located: Located, problems: list[Problem]):
    if not isinstance(located.data, dict):
        problems.append(Problem(located.file, "expected a mapping at the top of the file", line=1))
        return None
    try:
        return model.model_validate(located.data)
    except ValidationError as exc:
        problems.extend(problems_from(exc, located))
        return None


def _duplicates(items: list[dict], key: str, located: Located, list_name: str) -> list[Problem]:
    seen: dict[str, int] = {}
    problems = []
    for index, item in enumerate(items):
        value = item.get(key) if isinstance(item, dict) else None
        if not isinstance(value, str):
            continue
        if value in seen:
            line = located.line_of([list_name, index, key])
            problems.append(
                Problem(
                    located.file,
                    f"'{value}' is used twice (first at item {seen[value] + 1})",
                    key,
                    line=line,
                )
            )
        else:
            seen[value] = index
    return problems


def parse_catalog(
    categories_text: str | bytes,
    vendors_text: str | bytes,
    categories_name: str = "categories.yaml",
    vendors_name: str = "vendors.yaml",
    source: str = "bundled",
) -> Catalog:
    """Validate both files and their links; every problem in both files is reported at once."""
    problems: list[Problem] = []
    located: list[Located | None] = []
    for text, name in ((categories_text, categories_name), (vendors_text, vendors_name)):
        try:
            located.append(parse_yaml(text, name, CatalogError))
        except CatalogError as exc:
            problems.extend(exc.problems)
            located.append(None)
    cats_loc, vend_loc = located
    cats = _validate_file(CategoriesFile, cats_loc, problems) if cats_loc else None
    vends = _validate_file(VendorsFile, vend_loc, problems) if vend_loc else None
    if (
        cats_loc
        and isinstance(cats_loc.data, dict)
        and isinstance(cats_loc.data.get("categories"), list)
    ):
        problems += _duplicates(cats_loc.data["categories"], "id", cats_loc, "categories")
    if (
        vend_loc
        and isinstance(vend_loc.data, dict)
        and isinstance(vend_loc.data.get("vendors"), list)
    ):
        problems += _duplicates(vend_loc.data["vendors"], "id", vend_loc, "vendors")
    if cats and vends:
        for index, vendor in enumerate(vends.vendors):
            currency = vendor.pricing.currency
            if (
                currency
                and cats.exchange_rates.convert(1.0, currency, cats.exchange_rates.base) is None
            ):
                problems.append(
                    Problem(
                        vend_loc.file,
                        f"no exchange rate for {currency} in categories.yaml",
                        "pricing.currency",
                        line=vend_loc.line_of(["vendors", index, "pricing", "currency"]),
                    )
                )
    if problems:
        raise CatalogError(problems)
    return Catalog(
        weights=cats.weights,
        vendor_weights=cats.vendor_weights,
        tuning=cats.tuning,
        exchange_rates=cats.exchange_rates,
        categories={c.id: c for c in cats.categories},
        vendors=vends.vendors,
        source=source,
    )


def load_catalog(directory: str | Path | None = None) -> Catalog:
    """Load and validate `categories.yaml` and `vendors.yaml` from a folder."""
    folder = Path(directory) if directory is not None else DEFAULT_DIR
    texts = []
    for name in ("categories.yaml", "vendors.yaml"):
        texts.append(read_input(folder / name, CatalogError))
    source = "bundled" if directory is None else str(folder)
    return parse_catalog(
        texts[0],
        texts[1],
        str(folder / "categories.yaml"),
        str(folder / "vendors.yaml"),
        source=source,
    )


@functools.cache
def bundled_catalog() -> Catalog:
    """The bundled catalog, read once per process (it is immutable: frozen models)."""
    return load_catalog()


def json_schema() -> str:
    """JSON Schema of both catalog files, for editors that validate YAML as it is typed."""
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Platform Advisor catalog",
        "description": "categories.yaml matches CategoriesFile; vendors.yaml matches VendorsFile.",
        "oneOf": [{"$ref": "#/$defs/CategoriesFile"}, {"$ref": "#/$defs/VendorsFile"}],
        "$defs": {},
    }
    for model in (CategoriesFile, VendorsFile):
        part = model.model_json_schema(ref_template="#/$defs/{model}")
        schema["$defs"].update(part.pop("$defs", {}))
        schema["$defs"][model.__name__] = part
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"
