"""Catalog page: the four categories, vendors side by side, stage coverage, custom catalogs."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from advisor import charts
from advisor.catalog import DEFAULT_DIR, json_schema, parse_catalog
from advisor.errors import CatalogError, Problem
from advisor.report import safe_csv
from advisor.ui import state
from advisor.ui.text import md
from advisor.wording import MISSING

PRICE_TEXT = {"open_source": "Open source", "not_public": "Not public: ask for a quote"}


def _price(v) -> str:
    p = v.pricing
    if p.model != "per_contributor_month":
        return PRICE_TEXT[p.model]
    mark = " (indicative)" if p.indicative else ""
    return f"{p.low:g}-{p.high:g} {p.currency} per contributor a month{mark}"


def _identity(f) -> tuple:
    return (f.name, f.size, getattr(f, "file_id", ""))


def _upload() -> None:
    st.caption(
        "Upload `vendors.yaml`, `categories.yaml` or both (a missing one is taken from "
        "the bundled catalog). It is validated whole and used for this session only."
    )
    files = st.file_uploader(
        "Catalog files (YAML)",
        type=["yaml", "yml"],
        accept_multiple_files=True,
        max_upload_size=1,
        key="catalog_upload",
    )
    seen = st.session_state.setdefault("_catalog_seen", [])
    fresh = [f for f in files or [] if _identity(f) not in seen]
    if fresh:
        seen.extend(_identity(f) for f in fresh)
        # Only the files just chosen count: an earlier, refused file never blocks a fix.
        texts = {
            "categories": (
                (DEFAULT_DIR / "categories.yaml").read_bytes(),
                "categories.yaml (bundled)",
            ),
            "vendors": ((DEFAULT_DIR / "vendors.yaml").read_bytes(), "vendors.yaml (bundled)"),
            **st.session_state.get("catalog_texts", {}),
        }
        problems = []
        for f in fresh:
            kind = next((k for k in texts if k in f.name.lower()), None)
            if kind is None:
                problems.append(Problem(f.name, "name it categories.yaml or vendors.yaml"))
                continue
            texts[kind] = (f.getvalue(), f.name)
        try:
            if problems:
                raise CatalogError(problems)
            custom = parse_catalog(
                texts["categories"][0],
                texts["vendors"][0],
                texts["categories"][1],
                texts["vendors"][1],
                source=", ".join(name for _, name in texts.values() if "bundled" not in name),
            )
        except CatalogError as exc:
            state.show_input_error(exc, "The uploaded catalog")
        else:
            st.session_state["custom_catalog"] = custom
            st.session_state["catalog_texts"] = {
                k: v for k, v in texts.items() if "bundled" not in v[1]
            }
            st.toast("Custom catalog in use for this session")
    if st.session_state.get("custom_catalog") is not None:
        st.info(f"Custom catalog in use: {md(st.session_state['custom_catalog'].source)}")
        if st.button("Back to the bundled catalog", key="catalog_reset"):
            st.session_state["custom_catalog"] = None
            st.session_state["catalog_texts"] = {}
            st.rerun()
    c1, c2, c3 = st.columns(3)
    for col, name in ((c1, "categories.yaml"), (c2, "vendors.yaml")):
        col.download_button(
            f"Bundled {name}",
            (DEFAULT_DIR / name).read_text(),
            name,
            "application/x-yaml",
            on_click="ignore",
            key=f"dl_{name}",
        )
    c3.download_button(
        "JSON Schema for editors",
        json_schema(),
        "schema.json",
        "application/json",
        on_click="ignore",
        key="dl_schema",
    )


def _categories(catalog) -> None:
    cols = st.columns(4)
    for col, cat in zip(cols, catalog.categories.values(), strict=True):
        with col.container(border=True):
            st.markdown(f"**{md(cat.name)}**")
            st.caption(md(cat.scope))
            band = cat.cost_per_engineer_year
            st.markdown(
                f"Cost band: **{cat.cost_band.replace('_', ' ')}** "
                f"({band.low:,.0f}-{band.high:,.0f} {band.currency} per engineer a year)"
            )
            st.markdown("Headline metrics: " + md("; ".join(cat.headline_metrics)))
            st.markdown(f"*Fits when:* {md(cat.fits_when)}")
            st.caption(
                f"Needs maturity {cat.prerequisites.maturity}, readiness "
                f"{cat.prerequisites.leadership_readiness}. Cost basis: {md(band.basis)}"
            )


def render() -> None:
    st.title("The catalog")
    with st.expander(
        "Use your own catalog", expanded=st.session_state.get("custom_catalog") is not None
    ):
        _upload()
    catalog = state.active_catalog()
    st.caption(
        f"{len(catalog.vendors)} vendors in four categories "
        f"({'bundled' if catalog.source == 'bundled' else 'custom: ' + md(catalog.source)}). "
        "Prices are shown only where a vendor publishes them."
    )
    state.goodhart_caution()
    _categories(catalog)

    st.subheader("Vendors")
    chosen = st.multiselect(
        "Categories",
        list(catalog.categories),
        default=list(catalog.categories),
        format_func={c: x.short_name for c, x in catalog.categories.items()}.get,
        key="catalog_categories",
    )
    short = {c: category.short_name for c, category in catalog.categories.items()}
    vendors = [v for v in catalog.vendors if set(v.categories) & set(chosen)]
    table = pd.DataFrame(
        [
            {
                "id": v.id,
                "vendor": v.name,
                "category": short.get(v.category, v.category),
                "also": short.get(v.secondary_category, "") if v.secondary_category else "",
                "price": _price(v),
                "free or open source": v.free_tier or ("yes" if v.open_source else ""),
                "notable metrics": ", ".join(v.notable_metrics),
                "ownership": "; ".join(
                    f"{o.event}{f' ({o.date})' if o.date else ''}" for o in v.ownership
                ),
                "source": v.source_url,
                "checked": v.checked.isoformat(),
            }
            for v in vendors
        ],
        columns=[
            "id",
            "vendor",
            "category",
            "also",
            "price",
            "free or open source",
            "notable metrics",
            "ownership",
            "source",
            "checked",
        ],
    )
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={"source": st.column_config.LinkColumn()},
        placeholder=MISSING,
    )
    st.download_button(
        "Download vendor list (CSV)",
        safe_csv(table),
        "catalog.csv",
        "text/csv",
        on_click="ignore",
        key="catalog_csv",
    )

    st.subheader("Compare vendors")
    names = {v.id: v.name for v in vendors}
    picked = st.multiselect(
        "Pick two to four vendors",
        list(names),
        format_func=names.get,
        max_selections=4,
        key="compare_ids",
        default=[i for i in ("linearb", "swarmia") if i in names],
    )
    if picked:
        compare = table.set_index("id").loc[picked].set_index("vendor").T
        st.dataframe(compare, width="stretch", placeholder=MISSING)
    if vendors:
        st.altair_chart(charts.coverage_heatmap(catalog, [v.id for v in vendors]), width="stretch")
