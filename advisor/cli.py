"""`python -m advisor` / `platform-advisor`: the same domain functions the app calls."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from advisor import catalog as catalog_mod
from advisor.answers import load_answers
from advisor.delay import DelayResult, delays_of, load_backlog
from advisor.delay import analyse as analyse_backlog
from advisor.errors import InputError
from advisor.roi import RoiResult, analyse, load_scenario, summary
from advisor.scoring import FACTOR_LABELS, Recommendation, recommend


def _print_recommendation(rec: Recommendation, out) -> None:
    print("Ranking (0-100, each score is the sum of its contributions):", file=out)
    for i, s in enumerate(rec.ranking, 1):
        print(f"{i}. {s.name} [{s.category}]  {s.score:.2f}", file=out)
        for c in s.contributions:
            label = FACTOR_LABELS[c.factor]
            print(f"     {c.points:6.2f} / {c.max_points:g}  {label}: {c.reason}", file=out)
    print(f"\nBest pair: {' + '.join(rec.combination)}", file=out)
    print("Roadmap:", file=out)
    for step in rec.roadmap:
        print(f"  {step.phase:5}  {', '.join(step.categories)}: {step.why}", file=out)
    if rec.what_would_change:
        print(f"\nWhat would change the answer: {rec.what_would_change[0].text}", file=out)
    if rec.warnings:
        print("\nWarnings:", file=out)
        for w in rec.warnings:
            print(f"  - {w}", file=out)
    print("\nVendors (best fit first; annual cost for your engineers):", file=out)
    for v in rec.vendors:
        if v.annual_cost is None:
            cost = "quote needed"
        else:
            cost = f"{v.annual_cost:,.0f}-{v.annual_cost_high:,.0f} {v.currency}"
        budget = v.budget_label
        print(f"  {v.fit:5.1f}  {v.name} [{v.category}]  {cost}  {budget}", file=out)


def _emit(args, document, text) -> int:
    """Print the JSON document with --json, else the human-readable text."""
    if args.json:
        json.dump(document(), sys.stdout, indent=2)
        print()
    else:
        text()
    return 0


def _cmd_recommend(args) -> int:
    answers = load_answers(args.answers)
    cat = catalog_mod.load_catalog(args.catalog)
    rec = recommend(answers, cat)
    return _emit(args, rec.to_json, lambda: _print_recommendation(rec, sys.stdout))


def _cmd_catalog_validate(args) -> int:
    cat = catalog_mod.load_catalog(args.dir)
    print(
        f"{args.dir or catalog_mod.DEFAULT_DIR}: valid, {len(cat.categories)} categories, "
        f"{len(cat.vendors)} vendors"
    )
    return 0


def _cmd_catalog_schema(_args) -> int:
    sys.stdout.write(catalog_mod.json_schema())
    return 0


def _print_roi(r: RoiResult, horizon: int, out) -> None:
    c = r.currency
    print(f"{r.name} ({c}, {horizon} months, monthly rate {r.monthly_rate:.4%})", file=out)
    print(summary(r, horizon), file=out)
    irr = f"{r.irr_annual:.1%}" if r.irr_annual is not None else r.irr_note
    roi = f"{r.roi:.1%}" if r.roi is not None else "undefined (no cost)"
    payback = r.payback_month if r.payback_month is not None else "not within the horizon"
    for label, value in (
        ("NPV", f"{r.npv:,.2f} {c}"),
        ("IRR (annual)", irr),
        ("Payback month", payback),
        ("ROI", roi),
        ("Total cost", f"{r.total_cost:,.2f} {c}"),
        ("Total benefit", f"{r.total_benefit:,.2f} {c}"),
    ):
        print(f"  {label:14} {value}", file=out)
    if r.irr_annual is not None and r.irr_note:
        print(f"  note: {r.irr_note}", file=out)
    print("Lines (total, present value, formula):", file=out)
    for ln in r.lines:
        print(
            f"  {ln.kind:7} {ln.label:40} {ln.total:>14,.0f} {ln.present_value:>14,.0f}  "
            f"{ln.formula}",
            file=out,
        )
    if r.simulation:
        sim = r.simulation
        print(
            f"Simulation: {sim.runs:,} runs, seed {sim.seed}: NPV P10 {sim.npv_p10:,.0f}, "
            f"P50 {sim.npv_p50:,.0f}, P90 {sim.npv_p90:,.0f}; chance of loss "
            f"{sim.prob_loss:.1%}",
            file=out,
        )
    if r.tornado:
        print("What moves NPV most (low -> high of each range):", file=out)
        for t in r.tornado[:8]:
            print(f"  {t.label:45} {t.npv_at_low:>14,.0f} -> {t.npv_at_high:>14,.0f}", file=out)


def _cmd_roi(args) -> int:
    if args.simulations < 0:
        print("--simulations: must be 0 or more", file=sys.stderr)
        return 2
    catalog = catalog_mod.load_catalog(args.catalog)
    scenario = load_scenario(args.scenario, catalog)
    result = analyse(
        scenario, catalog, simulations=args.simulations, seed=args.seed, file=args.scenario
    )
    return _emit(
        args, result.to_json, lambda: _print_roi(result, scenario.horizon_months, sys.stdout)
    )


def _print_delay(r: DelayResult, out) -> None:
    c = r.currency
    print("Items (CD3 = cost of delay per week / duration; WSJF is points, not money):", file=out)
    for it in r.items:
        wsjf = f"{it.wsjf:.2f}" if it.wsjf is not None else "-"
        print(
            f"  {it.id:24} CoD {it.cost_of_delay_per_week:>12,.0f} {c}/week  "
            f"{it.duration_weeks:>5g} weeks  {it.urgency:10}  CD3 {it.cd3:>10,.1f}  "
            f"WSJF {wsjf}",
            file=out,
        )
    for label, order, key in (
        ("Given order", r.given_order, "given"),
        ("CD3 order", r.cd3_order, "cd3"),
        ("WSJF order", r.wsjf_order, "wsjf"),
        ("Best order", r.best_order, "best"),
    ):
        print(f"{label:12} {r.delay_cost[key]:>14,.0f} {c}  {' > '.join(order)}", file=out)
    print(f"Best order found by {r.method}.", file=out)
    print(
        f"CD3 instead of the given order saves {r.saving:,.0f} {c}; the best order saves "
        f"{r.best_saving:,.0f} {c}.",
        file=out,
    )
    for w in r.outcome_warnings:
        print(f"  outcome card: {w}", file=out)


def _cmd_delay(args) -> int:
    if args.weeks is not None and args.weeks < 0:
        print("--weeks: must be 0 or more", file=sys.stderr)
        return 2
    backlog = load_backlog(args.backlog)
    result = analyse_backlog(backlog)
    delays = delays_of(backlog, result.best_order, args.weeks) if args.weeks else None

    def document() -> dict:
        doc = result.to_json()
        if delays is not None:
            doc["delay_of_weeks"] = delays
        return doc

    def text() -> None:
        _print_delay(result, sys.stdout)
        if delays is not None:
            print(f"What {args.weeks:g} weeks of delay costs:")
            for sentence in delays["sentences"]:
                print(f"  {sentence}")
            print(
                f"  Starting the whole best order {args.weeks:g} weeks later costs about "
                f"{delays['whole_order']:,.0f} {result.currency}."
            )

    return _emit(args, document, text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="platform-advisor",
        description="Choose an engineering-metrics platform and show what teams return.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    rec = sub.add_parser("recommend", help="rank the four categories and the vendors")
    rec.add_argument("answers", help="answers YAML file")
    rec.add_argument("--catalog", help="catalog folder (default: the bundled catalog)")
    rec.add_argument("--json", action="store_true", help="print JSON")
    rec.set_defaults(func=_cmd_recommend)

    roi = sub.add_parser("roi", help="cash flows, NPV, IRR, payback, ROI and their spread")
    roi.add_argument("scenario", help="ROI scenario YAML file")
    roi.add_argument("--simulations", type=int, default=0, help="Monte Carlo runs (0: none)")
    roi.add_argument("--seed", type=int, default=0, help="random seed (same seed, same result)")
    roi.add_argument("--catalog", help="catalog folder, for platform prices")
    roi.add_argument("--json", action="store_true", help="print JSON")
    roi.set_defaults(func=_cmd_roi)

    delay = sub.add_parser("delay", help="cost of delay: CD3 and WSJF orders, delay cost")
    delay.add_argument("backlog", help="backlog file, YAML or CSV")
    delay.add_argument("--weeks", type=float, help="also show what this many weeks of delay cost")
    delay.add_argument("--json", action="store_true", help="print JSON")
    delay.set_defaults(func=_cmd_delay)

    cat = sub.add_parser("catalog", help="catalog tools")
    cat_sub = cat.add_subparsers(dest="catalog_command", required=True)
    val = cat_sub.add_parser("validate", help="validate a catalog folder")
    val.add_argument("dir", nargs="?", help="folder with categories.yaml and vendors.yaml")
    val.set_defaults(func=_cmd_catalog_validate)
    schema = cat_sub.add_parser("schema", help="print the catalog's JSON Schema")
    schema.set_defaults(func=_cmd_catalog_schema)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return 0
    except InputError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
