import json
from pathlib import Path

import pytest

from advisor.catalog import CATEGORY_IDS, DEFAULT_DIR, json_schema, load_catalog, parse_catalog
from advisor.errors import CatalogError

CATS = (DEFAULT_DIR / "categories.yaml").read_text()
VENDORS = (DEFAULT_DIR / "vendors.yaml").read_text()

ARTICLE_VENDORS = {
    "sleuth",
    "harness",
    "circleci",
    "gitlab",
    "dx",
    "linearb",
    "pluralsight-flow",
    "jellyfish",
    "allstacks",
    "plandek",
    "planview-viz",
    "broadcom-valueops",
    "servicenow-spm",
    "plutora",
    "digital-ai",
    "apache-devlake",
    "fourkeys",
    "middleware",
    "swarmia",
}


def test_bundled_catalog_has_four_categories_and_every_named_vendor(catalog):
    assert set(catalog.categories) == set(CATEGORY_IDS)
    assert {v.id for v in catalog.vendors} >= ARTICLE_VENDORS


def test_only_published_prices_are_in_the_catalog(catalog):
    priced = {
        v.id: v.pricing for v in catalog.vendors if v.pricing.model == "per_contributor_month"
    }
    assert set(priced) == {"linearb", "swarmia"}
    assert (priced["linearb"].low, priced["linearb"].high, priced["linearb"].currency) == (
        19,
        59,
        "USD",
    )
    assert (priced["swarmia"].low, priced["swarmia"].high, priced["swarmia"].currency) == (
        20,
        39,
        "EUR",
    )
    assert priced["swarmia"].free_below_contributors == 10


def test_ownership_notes_carry_dates_and_sources(catalog):
    plutora = catalog.vendor("plutora")
    assert plutora.ownership[0].date.isoformat() == "2024-09-18"
    assert all(o.source for v in catalog.vendors for o in v.ownership)


def _line_of(text: str, needle: str, occurrence: int = 1) -> int:
    count = 0
    for number, line in enumerate(text.splitlines(), 1):
        if needle in line:
            count += 1
            if count == occurrence:
                return number
    raise AssertionError(needle)


def test_unknown_category_is_reported_with_file_line_and_field():
    bad = VENDORS.replace("category: vsm\n", "category: vsn\n", 1)
    with pytest.raises(CatalogError) as err:
        parse_catalog(CATS, bad)
    [problem] = err.value.problems
    assert problem.file == "vendors.yaml"
    assert problem.field == "category"
    assert problem.line == _line_of(bad, "category: vsn")
    assert problem.message == "'vsn' is not one of dora, dx_core_4, sei, vsm"


def test_duplicate_vendor_id_and_negative_price_are_all_reported_at_once():
    bad = VENDORS.replace("id: jellyfish", "id: allstacks").replace("low: 19", "low: -19")
    with pytest.raises(CatalogError) as err:
        parse_catalog(CATS, bad)
    text = str(err.value)
    assert len(err.value.problems) == 2
    assert f"vendors.yaml:{_line_of(bad, 'low: -19')}: low:" in text
    assert (
        f"vendors.yaml:{_line_of(bad, 'id: allstacks', 2)}: id: 'allstacks' is used twice" in text
    )


def test_errors_in_both_files_come_together():
    bad_cats = CATS.replace("budget_fit: 20", "budget_fit: 25")
    bad_vendors = VENDORS.replace("source_url: https://www.sleuth.io/", "source_url: sleuth")
    with pytest.raises(CatalogError) as err:
        parse_catalog(bad_cats, bad_vendors)
    files = {p.file for p in err.value.problems}
    assert files == {"categories.yaml", "vendors.yaml"}
    assert "add up to 105" in str(err.value)


def test_unknown_fields_and_broken_yaml_are_named():
    with pytest.raises(CatalogError) as err:
        parse_catalog(CATS, VENDORS.replace("    open_source: true\n", "    opensource: true\n", 1))
    assert "opensource: unknown field" in str(err.value)
    with pytest.raises(CatalogError, match=r"vendors.yaml:\d+: not valid YAML"):
        parse_catalog(CATS, "vendors: [\n  - id: x\n bad")


def test_a_price_in_a_currency_without_rate_is_refused():
    bad = VENDORS.replace("currency: EUR", "currency: CHF")
    with pytest.raises(CatalogError, match="no exchange rate for CHF"):
        parse_catalog(CATS, bad)


def test_missing_folder_is_a_clear_error(tmp_path: Path):
    with pytest.raises(CatalogError, match="cannot be read"):
        load_catalog(tmp_path)


def test_generated_json_schema_is_committed_and_current():
    committed = (DEFAULT_DIR / "schema.json").read_text()
    assert committed == json_schema(), "run `make schema` after changing the catalog models"
    schema = json.loads(committed)
    assert set(schema["$defs"]) >= {"CategoriesFile", "VendorsFile", "Vendor", "Category"}
    assert schema["$defs"]["Vendor"]["additionalProperties"] is False
