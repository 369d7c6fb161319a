from advisor.catalog import DEFAULT_DIR
from tests.app.conftest import assert_clean, chart_frames, shown, upload

VENDORS = (DEFAULT_DIR / "vendors.yaml").read_bytes()


def _open(app):
    app.switch_page("advisor/ui/catalog_page.py").run()
    assert_clean(app)
    return app


def test_catalog_page_lists_vendors_and_draws_the_heatmap(app):
    at = _open(app)
    assert at.title[0].value == "The catalog"
    vendors = at.dataframe[0].value
    assert len(vendors) == 19
    jelly = vendors[vendors["id"] == "jellyfish"].iloc[0]
    assert jelly["price"].startswith("Not public")
    [heat] = chart_frames(at, 0)
    assert len(heat) == 19 * 5 and heat["coverage"].between(0, 1).all()
    assert any("Goodhart" in shown(c) for c in at.caption)


def test_filter_by_category(app):
    at = _open(app)
    at.multiselect(key="catalog_categories").set_value(["vsm"]).run()
    assert_clean(at)
    assert set(at.dataframe[0].value["category"]) == {"VSM"}


def test_custom_catalog_good_then_bad_then_back(app):
    at = _open(app)
    extra = VENDORS + (
        b"\n  - id: acme\n    name: Acme Flow\n    category: vsm\n"
        b"    stages: {ideation: 1}\n    notable_metrics: [Flow time]\n"
        b"    pricing: {model: not_public}\n"
        b"    source_url: https://example.com/\n    checked: 2026-11-01\n"
    )
    upload(at, "catalog_upload", [("vendors.yaml", extra, "application/x-yaml")])
    assert len(at.dataframe[0].value) == 20
    assert any("Custom catalog in use" in shown(i) for i in at.info)

    bad = VENDORS.replace(b"category: vsm", b"category: vsn", 1).replace(b"low: 19", b"low: -1")
    upload(at, "catalog_upload", [("vendors.yaml", bad, "application/x-yaml")])
    error = shown(at.error[0])
    assert "category: 'vsn' is not one of" in error and "low:" in error
    assert len(at.dataframe[0].value) == 20, "the previous custom catalog stays in use"

    at.switch_page("advisor/ui/advisor_page.py").run()
    assert_clean(at)
    assert any("custom catalog" in shown(i) for i in at.info)
    at.switch_page("advisor/ui/catalog_page.py").run()
    at.button(key="catalog_reset").click().run()
    assert_clean(at)
    assert len(at.dataframe[0].value) == 19


def test_a_file_with_another_name_is_refused(app):
    at = _open(app)
    upload(at, "catalog_upload", [("notes.yaml", b"a: 1", "application/x-yaml")])
    assert "name it categories.yaml or vendors.yaml" in shown(at.error[0])


def test_a_corrected_file_is_taken_after_a_refused_one(app):
    at = _open(app)
    bad = VENDORS.replace(b"category: vsm", b"category: vsn", 1)
    upload(at, "catalog_upload", [("vendors.yaml", bad, "application/x-yaml")])
    assert "category: 'vsn' is not one of" in shown(at.error[0])
    fixed = VENDORS.replace(b"name: LinearB", b"name: LinearB (fixed)", 1)
    # The uploader still holds the refused file; the corrected one is added beside it.
    upload(
        at,
        "catalog_upload",
        [
            ("vendors.yaml", bad, "application/x-yaml"),
            ("vendors.yaml", fixed, "application/x-yaml"),
        ],
    )
    assert not at.error
    assert "LinearB (fixed)" in set(at.dataframe[0].value["vendor"])


def test_user_text_in_a_custom_catalog_is_not_rendered(app):
    at = _open(app)
    cats = (DEFAULT_DIR / "categories.yaml").read_bytes()
    evil = cats.replace(b"name: DORA metrics", b"name: '**DORA** ![x](http://127.0.0.1:9/x.png)'")
    upload(at, "catalog_upload", [("categories.yaml", evil, "application/x-yaml")])
    assert_clean(at)
    names = [m.value for m in at.markdown if "DORA" in m.value and "x" in m.value]
    assert names and all("![x]" not in n and "\\*\\*DORA\\*\\*" in n for n in names)
