"""`python -m advisor` / `platform-advisor`: the same domain functions the app calls.

Domain modules are imported inside each command, so a command loads only what it uses.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence

from advisor.errors import InputError, Problem

MAX_WEEKS = 520


def _finite(value):
    """The JSON document with every number checked: NaN or Infinity is never printed."""
    if isinstance(value, float) and not math.isfinite(value):
        raise InputError([Problem("result", "a figure is not a finite number; check the inputs")])
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def _emit(args, document, text) -> int:
    """Print the JSON document with --json, else the human-readable text."""
    if args.json:
        json.dump(_finite(document()), sys.stdout, indent=2, allow_nan=False)
        print()
    else:
        text()
    return 0


def _print_recommendation(rec, out) -> None:
    from advisor.scoring import FACTOR_LABELS

    print("Ranking (0-100, each score is the sum of its contributions):", file=out)
    for i, s in enumerate(rec.ranking, 1):
        print(f"{i}. {s.name} [{s.category}]  {s.score:.2f}", file=out)
        for c in s.contributions:
            label = FACTOR_LABELS[c.factor]
            print(f"     {c.points:6.2f} / {c.max_points:g}  {label}: {c.reason}", file=out)
    names = {s.category: s.short_name for s in rec.ranking}
    print(f"\nBest pair: {' + '.join(names[c] for c in rec.combination)}", file=out)
    print("Roadmap:", file=out)
    for step in rec.roadmap:
        shown = ", ".join(names[c] for c in step.categories)
        print(f"  {step.phase:5}  {shown}: {step.why}", file=out)
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
        print(f"  {v.fit:5.1f}  {v.name} [{v.category}]  {cost}  {v.budget_label}", file=out)


def _cmd_recommend(args) -> int:
    from advisor.answers import load_answers
    from advisor.catalog import load_catalog
    from advisor.scoring import recommend

    cat = load_catalog(args.catalog)
    answers = load_answers(args.answers, cat)
    rec = recommend(answers, cat)
    return _emit(args, rec.to_json, lambda: _print_recommendation(rec, sys.stdout))


def _cmd_catalog_validate(args) -> int:
    from advisor.catalog import DEFAULT_DIR, load_catalog

    cat = load_catalog(args.dir)
    print(
        f"{args.dir or DEFAULT_DIR}: valid, {len(cat.categories)} categories, "
        f"{len(cat.vendors)} vendors"
    )
    return 0


def _cmd_catalog_schema(_args) -> int:
    from advisor.catalog import json_schema

    sys.stdout.write(json_schema())
    return 0


def _rate(value: float | None, note: str) -> str:
    from advisor.wording import rate

    return rate(value) if value is not None else note


def _print_roi(r, horizon: int, out) -> None:
    from advisor.roi import summary
    from advisor.wording import money, month

    c = r.currency
    print(f"{r.name} ({c}, {horizon} months, monthly rate {r.monthly_rate:.4%})", file=out)
    print(summary(r, horizon), file=out)
    rates = [("IRR (annual)", _rate(r.irr_annual, r.irr_note))]
    rates.append(("MIRR (annual)", _rate(r.mirr_annual, r.mirr_note)))
    if r.lead_rate == "mirr":
        rates.reverse()
    for label, value in (
        ("NPV", money(r.npv, c)),
        *rates,
        ("Payback", month(r.payback_month)),
        ("Discounted payback", month(r.discounted_payback_month)),
        ("ROI", f"{r.roi:.1%}" if r.roi is not None else "undefined (no cost)"),
        ("Total cost", money(r.total_cost, c)),
        ("Total benefit", money(r.total_benefit, c)),
    ):
        print(f"  {label:19} {value}", file=out)
    if r.irr_annual is not None and r.irr_note:
        print(f"  IRR note: {r.irr_note}", file=out)
    for w in r.warnings:
        print(f"  warning: {w}", file=out)
    print("Lines (total, present value; the numbers that make them):", file=out)
    for ln in r.lines:
        print(
            f"  {ln.kind:7} {ln.label:40} {ln.total:>16,.0f} {ln.present_value:>16,.0f}", file=out
        )
        print(f"          {ln.working}", file=out)
    if r.simulation:
        sim = r.simulation
        print(
            f"Simulation: {sim.runs:,} runs, seed {sim.seed}: NPV P10 {money(sim.npv_p10, c)}, "
            f"P50 {money(sim.npv_p50, c)}, P90 {money(sim.npv_p90, c)}; chance of loss "
            f"{sim.prob_loss:.1%}",
            file=out,
        )
    if r.tornado:
        print("What moves NPV most (low -> high of each range):", file=out)
        for t in r.tornado[:8]:
            print(f"  {t.label:45} {t.npv_at_low:>16,.0f} -> {t.npv_at_high:>16,.0f}", file=out)
    if r.build_vs_buy:
        print(f"Build versus buy: {r.build_vs_buy.text}", file=out)


def _cmd_roi(args) -> int:
    from advisor.catalog import load_catalog
    from advisor.roi import analyse, check_runs, load_scenario

    check_runs(args.simulations or 0, args.seed or 0, 0, "arguments")
    catalog = load_catalog(args.catalog)
    try:
        scenario = load_scenario(args.scenario, catalog)
    except InputError:
        _refuse_whole_scenario(args.scenario)  # read again only to say which command fits
        raise
    stated = "simulation" in scenario.model_fields_set  # else no simulation unless asked
    runs = (
        args.simulations
        if args.simulations is not None
        else (scenario.simulation.runs if stated else 0)
    )
    seed = args.seed if args.seed is not None else scenario.simulation.seed
    result = analyse(scenario, catalog, simulations=runs, seed=seed, file=args.scenario)
    return _emit(
        args, result.to_json, lambda: _print_roi(result, scenario.horizon_months, sys.stdout)
    )


def _refuse_whole_scenario(path: str) -> None:
    """A whole scenario file (answers, roi, backlog...) given to `roi`: say which command reads
    it, rather than listing its parts as unknown fields."""
    from advisor.errors import Problem, ScenarioError
    from advisor.scenario import is_whole
    from advisor.yamlio import parse_yaml, read_input

    located = parse_yaml(read_input(path, ScenarioError), path, ScenarioError)
    if is_whole(located.data):
        raise ScenarioError(
            [
                Problem(
                    path,
                    "is a whole scenario file (answers, roi, backlog); `roi` reads an ROI "
                    "model only. Use `platform-advisor report` for the whole scenario, or "
                    "save its `roi:` part as a file of its own",
                    line=1,
                )
            ]
        )


def _print_delay(r, out) -> None:
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


def _print_probable(p, out) -> None:
    """The probable cost of delay: each order's expected, P50 and P85 cost, the order chosen
    on the expected cost, and when its items finish."""
    from advisor.probable_delay import order_label

    c = p.currency
    print("\nProbable cost of delay (durations from the team's throughput forecast):", file=out)
    if p.note:
        print(f"  {p.note}", file=out)
    else:
        print(
            f"  {p.trials:,} trials, each week drawn from the last {p.sample_weeks} whole weeks "
            f"(mean {p.mean_throughput:,.2f} items a week, zero weeks included)",
            file=out,
        )
        print(f"  {'order':36} {'expected':>16} {'P50':>16} {'P85':>16}", file=out)
        for key, odds in p.orders.items():
            print(
                f"  {order_label(key):36} {odds.mean:>12,.0f} {c} {odds.p50:>12,.0f} {c} "
                f"{odds.p85:>12,.0f} {c}",
                file=out,
            )
        print(f"  Best order on the expected cost: {' > '.join(p.best_order)}", file=out)
        print(f"  {p.method}", file=out)
        print("  Finish in that order, weeks from now (P50 / P85):", file=out)
        for item_id, f in p.items.items():
            print(f"    {item_id:24} {f.finish_p50:6.1f} / {f.finish_p85:6.1f}", file=out)
    for w in p.warnings:
        print(f"  warning: {w}", file=out)


def _read_throughput(items_path: str, statuses: str | None):
    """The weekly throughput the `evidence` command would measure from these exports."""
    from types import SimpleNamespace

    from advisor.evidence import analyse_evidence
    from advisor.probable_delay import throughput_of

    given = SimpleNamespace(items=items_path, statuses=statuses, deployments=None, incidents=None)
    items, aside, status_map, _, _ = _read_evidence(given)
    return throughput_of(analyse_evidence(items, aside, status_map))


def _cmd_delay(args) -> int:
    from advisor.delay import analyse, delays_of
    from advisor.delay_io import load_backlog

    if args.weeks is not None and not (0 <= args.weeks <= MAX_WEEKS):
        raise InputError([Problem("arguments", f"must be between 0 and {MAX_WEEKS}", "--weeks")])
    if args.throughput is None:
        for flag, value in (
            ("--statuses", args.statuses),
            ("--trials", args.trials),
            ("--seed", args.seed),
        ):
            if value is not None:
                raise InputError([Problem("arguments", "needs --throughput", flag)])
    backlog = load_backlog(args.backlog)
    result = analyse(backlog)
    delays = delays_of(backlog, result.best_order, args.weeks) if args.weeks else None
    probable = None
    if args.throughput is not None:
        from advisor.probable_delay import (
            MAX_TRIALS,
            MIN_TRIALS,
            TRIALS,
            candidate_orders,
            probable_delay,
        )

        trials = TRIALS if args.trials is None else args.trials
        seed = 0 if args.seed is None else args.seed
        if seed < 0:
            raise InputError([Problem("arguments", "must be 0 or more", "--seed")])
        if not MIN_TRIALS <= trials <= MAX_TRIALS:
            raise InputError(
                [Problem("arguments", f"must be {MIN_TRIALS:,} to {MAX_TRIALS:,}", "--trials")]
            )
        weekly = _read_throughput(args.throughput, args.statuses).weekly
        probable = probable_delay(
            backlog, weekly, candidate_orders(result), trials=trials, seed=seed
        )

    def document() -> dict:
        doc = result.to_json()
        if delays is not None:
            doc["delay_of_weeks"] = delays
        if probable is not None:
            doc["probable"] = probable.to_json()
        return doc

    def text() -> None:
        _print_delay(result, sys.stdout)
        if delays is not None:
            print(
                f"What {args.weeks:g} weeks of delay costs (from each item's finish in the "
                "best order):"
            )
            for sentence in delays["sentences"]:
                print(f"  {sentence}")
            print(
                f"  Starting every item of the best order {args.weeks:g} weeks later costs about "
                f"{delays['whole_order']:,.0f} {result.currency}."
            )
        if probable is not None:
            _print_probable(probable, sys.stdout)

    return _emit(args, document, text)


def _print_evidence(doc: dict, out) -> None:
    from advisor.evidence import figures, registry

    c = doc["counts"]
    print(
        f"{figures.count(c['items'], 'item')}, {figures.count(c['transitions'], 'transition')} "
        f"({c['finished']:,} finished in the window, {c['unfinished']:,} not yet; "
        f"{c['reopened_items']:,} reopened; {c['partial_items']:,} partial)",
        file=out,
    )
    print(f"Window: {figures.window_text(doc)}", file=out)
    for reason, n in c["set_aside"].items():
        print(f"  set aside: {reason}: {n:,}", file=out)
    weights = figures.percentages_text(doc["bottlenecks"])
    top = doc["bottleneck_detail"]["top"]
    print(
        f"Where work waits: {weights or 'no waiting measured'}; bottleneck: {top or '-'}", file=out
    )
    for section, title in figures.SECTION_TITLES.items():
        lines = figures.rows(doc, section)
        if not lines:
            continue
        print(f"{title}:", file=out)
        _print_rows(lines, out)
        if section == "dx_core_4":
            print(f"  {figures.speed_source_text(doc)}", file=out)
    if doc.get("dora"):
        sc = doc["dora"]["score"]
        show = lambda x: registry.show("dora_score", x, "-")  # noqa: E731
        print(
            f"  Quick Check score {show(sc['overall'])} (throughput {show(sc['throughput'])}, "
            f"instability {show(sc['instability'])})",
            file=out,
        )
        print(f"  Incidents: {doc['dora']['incident_rule']}", file=out)
    if doc.get("pulls"):
        _print_pulls(doc, out)
    f = doc["forecast"]
    if f.get("weeks_for_items"):
        w = [
            registry.show("forecast_weeks", f["weeks_for_items"][p]) for p in ("p50", "p85", "p95")
        ]
        print(
            f"Forecast: {f['items']} items take {w[0]} (P50), {w[1]} (P85), {w[2]} (P95), "
            f"from the last {f['sample_weeks']} whole weeks",
            file=out,
        )
    else:
        print(f"Forecast: {f['note']}", file=out)
    print("Data readiness:", file=out)
    for r in doc["readiness"].values():
        print(f"  {r['label']:10} {figures.readiness_line(r)}", file=out)
        for check in r["checks"]:
            if check["status"] != "met":
                print(f"    {check['status']}: {check['label']} ({check['figure']})", file=out)
    if doc.get("rules"):
        print("DORA under each tool's rules:", file=out)
        for line, by_metric in zip(figures.rule_rows(doc), doc["rules"].values(), strict=True):
            print(f"  {line['rule_set']}", file=out)
            for metric in figures.RULE_METRICS:
                reasons = list(line["reasons"].get(registry.label(metric)) or [])
                note = by_metric[metric].get("note")
                if by_metric[metric].get("value") is None and note and note not in reasons:
                    reasons.insert(0, note)  # why there is no figure, as the reports say
                why = f"  ({'; '.join(reasons)})" if reasons else ""
                print(f"    {registry.label(metric):32} {line[metric]}{why}", file=out)
        for line in figures.spread_text(doc):
            print(f"  spread: {line}", file=out)
    for w in doc["warnings"]:
        print(f"warning: {w}", file=out)
    print("Team measures for learning, never for ranking people.", file=out)


def _print_rows(lines, out) -> None:
    from advisor.evidence import figures

    for r in lines:
        if r.shown == figures.MISSING:
            print(f"  {r.label:32} -  {r.note}", file=out)
        else:
            detail = f"({r.statistic}, n = {r.n:,})" + (f"; {r.note}" if r.note else "")
            print(f"  {r.label:32} {r.shown}  {detail}", file=out)


def _print_pulls(doc: dict, out) -> None:
    """The pull-request section: its figures with labels and units from the registry, the
    review load by group, what was set aside, and the review wait beside the bottleneck."""
    from advisor.evidence import figures, registry

    p = doc["pulls"]
    c = p["counts"]
    print(
        f"Pull requests ({p['source']}): {figures.count(c['pull_requests'], 'pull request')}, "
        f"{c['merged_in_window']:,} merged in the window ({c['measured']:,} measured, "
        f"{figures.count(c['reverts_merged_in_window'], 'revert')}), {c['open_at_end']:,} "
        "open at its end",
        file=out,
    )
    _print_rows(figures.pull_rows(p), out)
    deploy = p["cycle_time"]["deploy"]
    print(f"  Deploy time: {deploy['rule']} ({deploy['by_commit']:,} by commit)", file=out)
    load = p["review_load"]
    for group, g in load["groups"].items():
        if g is None:
            print(f"  {group}: {figures.hidden_group_text(load)}", file=out)
            continue
        print(
            f"  {group}: {registry.label('pr_review_load').lower()} "
            f"{registry.show('pr_review_load', g['reviews_per_week'], '-')}, "
            f"{registry.label('pr_waiting_for_review').lower()} "
            f"{registry.show('pr_waiting_for_review', g['waiting_for_review'])}",
            file=out,
        )
    for note in figures.pull_privacy_notes(p):
        print(f"  Small groups: {note}", file=out)
    for reason, n in p["set_aside"].items():
        print(f"  set aside: {reason}: {n:,}", file=out)
    wait = doc["bottleneck_detail"].get("review_wait")
    if wait:
        print(f"  Review wait: {wait['note']}", file=out)


def _day(text: str, flag: str, end: bool = False) -> int:
    """A date (or date-time) argument as ns UTC, between 1970 and 2199; a --to date runs to
    the end of that day."""
    from advisor.evidence.window import DAY_NS, iso_ns

    try:
        value = iso_ns(text)
    except ValueError:
        raise InputError(
            [Problem("arguments", f"expected a date such as 2026-01-31, got {text[:40]!r}", flag)]
        ) from None
    if not iso_ns("1970-01-01") <= value < iso_ns("2200-01-01"):
        raise InputError([Problem("arguments", "must be between 1970 and 2199", flag)])
    return value + DAY_NS if end and len(text) <= 10 else value


def _hours(text: str) -> float | None:
    from advisor.evidence.limits import MAX_INCIDENT_HOURS, MIN_INCIDENT_HOURS

    if text.strip().lower() in ("none", "unbounded", "off"):
        return None
    value = _number(text)
    if not MIN_INCIDENT_HOURS <= value <= MAX_INCIDENT_HOURS:
        raise argparse.ArgumentTypeError(
            f"expected hours from {MIN_INCIDENT_HOURS:g} to {MAX_INCIDENT_HOURS:,.0f} (ten "
            "years), or none"
        )
    return value


def _read_evidence(args, more: tuple[str, ...] = ()):
    """The exports an evidence-reading command names (items, --statuses, --deployments,
    --incidents, and `more` such as --survey), within the memory budget (--memory-mb, see
    advisor/evidence/budget.py): the work items as read, what was set aside, the status map,
    deployments and incidents."""
    from pathlib import Path

    from advisor.evidence.arrow_csv import EarlyReads
    from advisor.evidence.budget import Budget
    from advisor.evidence.files import checked_file

    budget = Budget.of(getattr(args, "memory_mb", None))
    for given in (args.deployments, args.incidents):  # read whole: spoken for first
        if given:
            budget.reserve_whole(checked_file(Path(given)), given)
    early = EarlyReads(args.items, args.deployments, budget)  # Arrow parses while pandas loads
    from advisor.evidence import SetAside, read_deployments, read_incidents, read_items

    for given in (args.statuses, *more):
        if given:
            checked_file(Path(given))
    aside = SetAside()
    items = read_items(args.items, aside, early.items(), budget)
    status_map = None
    if args.statuses:
        from advisor.evidence import load_status_map

        status_map = load_status_map(args.statuses)
    deploys = (
        read_deployments(Path(args.deployments), args.deployments, aside, early.deployments())
        if args.deployments
        else None
    )
    incidents = (
        read_incidents(Path(args.incidents), args.incidents, aside) if args.incidents else None
    )
    return items, aside, status_map, deploys, incidents


def _cmd_evidence(args) -> int:
    from pathlib import Path

    from advisor.evidence.allocator import give_back, keep_freed_arrays

    keep_freed_arrays()  # temporaries of a million rows reuse each other's pages

    if args.engineers is not None and not 1 <= args.engineers <= 1_000_000:
        raise InputError([Problem("arguments", "must be 1 to 1,000,000", "--engineers")])
    start = _day(args.start, "--from") if args.start else None
    end = _day(args.end, "--to", end=True) if args.end else None
    if start is not None and end is not None and end <= start:
        raise InputError([Problem("arguments", "must be after --from", "--to")])
    items, aside, status_map, deploys, incidents = _read_evidence(args, (args.survey,))
    pulls = None
    if args.pulls:
        from advisor.evidence.pulls import read_pulls

        pulls = read_pulls(args.pulls, args.pull_bots)
    elif args.pull_bots is not None:
        raise InputError([Problem("arguments", "needs --pulls", "--pull-bots")])
    give_back()  # what reading freed (batches of text, Arrow's pool) goes back to the system
    survey = None
    if args.survey:
        from advisor.evidence import read_survey

        survey = read_survey(Path(args.survey), args.survey)
    rule_sets = None
    if args.rules:
        from advisor.evidence.rules import bundled_rules, with_incident_window

        rule_sets = [
            with_incident_window(rs, args.incident_window) if rs.id == "platform-advisor" else rs
            for rs in bundled_rules().rule_sets
        ]
    from advisor.evidence import analyse_evidence

    ev = analyse_evidence(
        items,
        aside,
        status_map,
        deploys,
        incidents,
        survey,
        args.engineers,
        args.business_days,
        start=start,
        end=end,
        incident_window_hours=args.incident_window,
        rule_sets=rule_sets,
        pulls=pulls,
    )
    doc = ev.to_json()
    return _emit(args, lambda: doc, lambda: _print_evidence(doc, sys.stdout))


def _plan_for(args):
    """The plan `realise` measures against: a scenario file (with the approval it carries),
    or a stored scenario (the approved version, or --version) with its approval."""
    from pathlib import Path

    from advisor.scenario import load_scenario_file

    if Path(args.scenario).is_file():
        if args.version is not None:
            raise InputError(
                [Problem("arguments", "applies to a stored scenario, not a file", "--version")]
            )
        return load_scenario_file(args.scenario), None, None

    store = _store(args)
    if store.latest_version(args.scenario) is None:
        raise InputError(
            [Problem(args.scenario, "is neither a scenario file nor a stored scenario")]
        )
    in_force = store.approval(args.scenario)
    version = args.version or (in_force.version if in_force is not None else None)
    if version is None:
        version = store.latest_version(args.scenario)
    plan = store.load(args.scenario, version)
    approval, note = in_force, None
    if in_force is not None and in_force.version != version:
        approval = store.approval(args.scenario, version)  # this version's own, if any
        if approval is not None:
            note = (
                f"Version {version} was approved by {approval.by} on {approval.at:%Y-%m-%d}, "
                f"and version {in_force.version}'s approval on {in_force.at:%Y-%m-%d} "
                "supersedes it: this measures the superseded plan."
            )
    return plan, approval, note


def _print_realised(doc: dict, out) -> None:
    from advisor.realise.words import realised_lines

    for line in realised_lines(doc):
        print(line, file=out)


def _cmd_realise(args) -> int:
    import datetime as dt

    from advisor.catalog import load_catalog
    from advisor.evidence import analyse_evidence
    from advisor.realise import realise

    since = None
    if args.since:
        try:
            since = dt.date.fromisoformat(args.since)
        except ValueError:
            raise InputError(
                [
                    Problem(
                        "arguments",
                        f"expected a date such as 2026-06-01, got {args.since!r}",
                        "--since",
                    )
                ]
            ) from None
    if args.cost_of_delay is not None and not 0 <= args.cost_of_delay <= 1e12:
        raise InputError([Problem("arguments", "must be 0 to 1e12", "--cost-of-delay")])
    if args.seed < 0:
        raise InputError([Problem("arguments", "must be 0 or more", "--seed")])
    plan, approval, note = _plan_for(args)
    items, aside, status_map, deploys, incidents = _read_evidence(args)
    ev = analyse_evidence(items, aside, status_map, deploys, incidents)
    result = realise(
        plan,
        ev,
        deploys,
        incidents,
        approval=approval,
        since=since,
        catalog=load_catalog(),
        cost_of_delay_per_item_week=args.cost_of_delay,
        seed=args.seed,
    )
    doc = result.to_json()
    if note:
        doc["warnings"].insert(0, note)
    return _emit(args, lambda: doc, lambda: _print_realised(doc, sys.stdout))


def _cmd_scenario_approve(args) -> int:

    from advisor.wording import printable, when

    approval = _store(args).approve(args.name, args.version, _who(args), args.note or "")
    print(
        f"{printable(args.name)}: version {approval.version} approved by "
        f"{printable(approval.by)} ({when(approval.at.isoformat())})"
    )
    return 0


def _acting_user(command) -> None:
    """--access and --user for a command that opens the store (a shared store's rules)."""
    known = command._option_string_actions
    if "--store" not in known:
        command.add_argument("--store", help="SQLAlchemy URL of the scenario store")
    command.add_argument(
        "--access",
        help="access file: who may do what (default: PLATFORM_ADVISOR_ACCESS; none: one "
        "person's store)",
    )
    if "--user" not in known:
        command.add_argument(
            "--user", help="act as this user (default: PLATFORM_ADVISOR_USER, else your login)"
        )


def _who(args) -> str:
    """Who the command acts as: --user, else PLATFORM_ADVISOR_USER, else the login name."""
    import getpass
    import os

    return (
        getattr(args, "user", None) or os.environ.get("PLATFORM_ADVISOR_USER") or getpass.getuser()
    )


def _store(args):
    """The store at --store, acting as the user (`_who`) with the rights the access file
    (--access, else PLATFORM_ADVISOR_ACCESS) gives them; without one, one person's store."""
    from advisor.access import access_from_env, load_access, principal
    from advisor.store import Store

    path = getattr(args, "access", None)
    access = load_access(path) if path else access_from_env()
    return Store(getattr(args, "store", None)).as_user(principal(access, _who(args)))


def _cmd_scenario_return(args) -> int:
    from advisor.wording import printable

    _store(args).send_back(args.name, args.version, _who(args), args.reason)
    print(f"{printable(args.name)}: version {args.version} returned by {printable(_who(args))}")
    return 0


def _cmd_scenario_comment(args) -> int:
    from advisor.wording import printable

    _store(args).comment(args.name, args.version, _who(args), args.text)
    print(f"{printable(args.name)}: comment on version {args.version} kept")
    return 0


def _cmd_scenario_history(args) -> int:
    from advisor.wording import printable, when

    rows = _store(args).history(args.name)

    def text() -> None:
        for r in rows:
            note = f": {printable(r['note'])}" if r["note"] else ""
            who = printable(r["user"] or "-")
            print(f"version {r['version']}  {r['event']:<8} {who}  {when(r['at'])}{note}")

    return _emit(args, lambda: rows, text)


def _cmd_scenario_diff(args) -> int:
    from advisor.catalog import load_catalog
    from advisor.diff import diff
    from advisor.review import changes_rows, effect_rows
    from advisor.wording import printable

    store = _store(args)
    a, b = store.load(args.name, args.a), store.load(args.name, args.b)
    catalog = load_catalog()
    doc = diff(a, b, catalog)

    def currency(s) -> str:
        return s.roi.currency if s.roi is not None else s.answers.currency

    def text() -> None:  # the Review page's words: one label and unit per figure
        print(f"{printable(args.name)}: version {args.a} to version {args.b}")
        for row in changes_rows(doc["changes"]):
            print(
                f"  {printable(row['Input'])}: {printable(row['Before'])} -> "
                f"{printable(row['After'])}"
            )
        if not doc["changes"]:
            print("  no input changed")
        names = {cid: c.name for cid, c in catalog.categories.items()}
        for row in effect_rows(
            doc["effect"],
            (currency(a), currency(b)),
            (a.roi is not None, b.roi is not None),
            names,
        ):
            print(f"{row['Figure']}: {row['Before']} -> {row['After']} ({row['Change']})")

    return _emit(args, lambda: doc, text)


def _cmd_schema(args) -> int:
    if args.what == "catalog":
        from advisor.catalog import json_schema
    else:
        from advisor.evidence.models import json_schema
    sys.stdout.write(json_schema())
    return 0


def _cmd_scenario_save(args) -> int:
    from advisor.scenario import load_scenario_file
    from advisor.wording import printable

    scenario = load_scenario_file(args.file)
    saved = _store(args).save(scenario)
    print(f"{printable(saved.name)}: saved as version {saved.version}")
    return 0


def _cmd_scenario_list(args) -> int:
    from dataclasses import asdict

    from advisor.wording import printable, when

    rows = _store(args).list()

    def text() -> None:
        for r in rows:
            versions = f"{r.versions} version" + ("" if r.versions == 1 else "s")
            name, team = printable(r.name), printable(r.team or "-")
            print(f"{name}  (team {team}, {versions}, last {when(r.saved_at)})")

    return _emit(args, lambda: [asdict(r) for r in rows], text)


def _cmd_scenario_show(args) -> int:

    sys.stdout.write(_store(args).body(args.name, args.version))
    return 0


def _scenarios_for(names: list[str], args):
    """Each argument is a scenario file, or the name of a stored scenario (latest version)."""
    from pathlib import Path

    from advisor.scenario import load_scenario_file

    out, store = [], None
    for name in names:
        if Path(name).is_file():
            out.append((load_scenario_file(name), None))
            continue

        store = store or _store(args)
        version = store.latest_version(name)
        if version is None:
            raise InputError([Problem(name, "is neither a scenario file nor a stored scenario")])
        out.append((store.load(name, version), version))
    return out


def _cmd_compare(args) -> int:
    from advisor.catalog import load_catalog
    from advisor.compare import (
        MAX_SCENARIOS,
        MIN_SCENARIOS,
        compare,
        grouping_sentence,
        rates_sentence,
    )
    from advisor.wording import month, printable

    if not MIN_SCENARIOS <= len(args.scenarios) <= MAX_SCENARIOS:
        raise InputError(
            [Problem("arguments", f"give {MIN_SCENARIOS} to {MAX_SCENARIOS} scenarios", "SCENARIO")]
        )
    catalog = load_catalog()
    if args.currency is not None and args.currency not in catalog.currencies:
        raise InputError(
            [
                Problem(
                    "arguments",
                    f"{args.currency!r}: use one of {', '.join(catalog.currencies)}",
                    "--currency",
                )
            ]
        )
    doc = compare(_scenarios_for(args.scenarios, args), catalog, args.currency)

    def text() -> None:
        names = {k: c.name for k, c in catalog.categories.items()}
        for r in doc["scenarios"]:
            npv = "-" if r["npv"] is None else f"{r['npv']:,.0f} {r['currency']}"
            payback = "-" if r["npv"] is None else month(r["payback_month"])
            top = names.get(r["top_category"], r["top_category"])
            realised = ""
            if r.get("realised_to_date") is not None:
                realised = (
                    f"; realised to date {r['realised_to_date']:,.0f} {r['currency']} against "
                    f"{r['planned_to_date']:,.0f} {r['currency']} planned"
                    + (
                        f" ({r['realised_clear_of_chance']:,.0f} {r['currency']} of it clear "
                        "of chance)"
                        if r.get("realised_clear_of_chance") is not None
                        else ""
                    )
                )
            print(f"{printable(r['name'])}: top {top}; NPV {npv}; payback {payback}{realised}")
        print(rates_sentence(doc))
        print(grouping_sentence(doc))
        shared = doc["shared"]
        if shared is None:
            return
        print(f"Serves them all: {' + '.join(names.get(c, c) for c in shared['categories'])}")
        for u in shared["uncovered"]:
            print(f"  leaves {u['team']}'s {u['stage']} ({u['share_of_wait']:.0%} of its wait)")

    return _emit(args, lambda: doc, text)


def _cmd_report(args) -> int:
    import errno
    import os
    from pathlib import Path

    from advisor.catalog import load_catalog
    from advisor.report import build_html, build_markdown, build_workbook

    out = Path(args.out)
    kind = out.suffix.lower()
    if kind not in (".html", ".md", ".xlsx"):
        raise InputError([Problem("arguments", "must end in .html, .md or .xlsx", "--out")])
    if out.is_dir() or not out.parent.is_dir():
        why = (
            "is a folder" if out.is_dir() else f"names a folder that does not exist ({out.parent})"
        )
        raise InputError([Problem("arguments", f"{out} {why}", "--out")])
    [(scenario, _)] = _scenarios_for([args.scenario], args)  # a file or a stored name
    catalog = load_catalog()
    if kind == ".xlsx" and scenario.roi is None:
        raise InputError([Problem(args.scenario, "has no roi part for a workbook", "roi")])
    # Written beside, then moved into place: a full disk left an empty report behind.
    part = out.with_name(f".{out.name}.part")
    try:
        if kind == ".xlsx":
            build_workbook(scenario, catalog, part)
        else:
            build = build_html if kind == ".html" else build_markdown
            part.write_text(build(scenario, catalog), encoding="utf-8")
        os.replace(part, out)
    except OSError as exc:
        part.unlink(missing_ok=True)
        why = "the disk is full" if exc.errno == errno.ENOSPC else exc.strerror or str(exc)
        raise InputError([Problem("arguments", f"{out} was not written: {why}", "--out")]) from None
    print(f"wrote {out}")
    return 0


class _Parser(argparse.ArgumentParser):
    """argparse, with bad arguments reported as `arguments: --flag: message`, exit 2."""

    def error(self, message: str):
        self.print_usage(sys.stderr)
        print(f"arguments: {message}", file=sys.stderr)
        raise SystemExit(2)


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text[:40]!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError("expected a finite number")
    return value


def _since_date(text: str):
    """A date (YYYY-MM-DD) for --since."""
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text[:40]!r}") from None


def _progress(done: int, total: int | None, what: str) -> None:
    """A line on stderr every 100 items (the pull's files are the output)."""
    if done % 100 == 0:
        of = f" of {total:,}" if total else ""
        print(f"  {done:,}{of} {what}", file=sys.stderr)


def _cmd_pull(args) -> int:
    """`pull jira|github|gitlab`: fetch a provider's data into --out (see DESIGN, `pull`)."""
    from pathlib import Path

    from advisor.connectors import ConnectorError

    out = Path(args.out)
    try:
        if args.provider == "jira":
            from advisor.connectors.jira import pull_jira

            result = pull_jira(
                args.site,
                jql=args.jql,
                project=args.project,
                out=out,
                since=args.since,
                flavour=args.flavour,
                progress=_progress,
            )
        elif args.provider == "github":
            from advisor.connectors.github import pull_github

            result = pull_github(
                args.repo,
                out=out,
                since=args.since,
                api_url=args.api_url,
                environment=args.environment,
                progress=_progress,
            )
        else:
            from advisor.connectors.gitlab import pull_gitlab

            result = pull_gitlab(
                args.project,
                url=args.url,
                out=out,
                since=args.since,
                environment=args.environment,
                progress=_progress,
            )
    except ConnectorError as exc:
        print(exc.message, file=sys.stderr)
        return exc.exit_code
    except OSError as exc:  # the output folder cannot be written
        print(f"{out}: cannot be written ({exc.strerror or exc})", file=sys.stderr)
        return 2
    print(result.summary())
    return 0


def _whole(text: str) -> int:
    digits = text.removeprefix("-")
    if not (digits.isascii() and digits.isdigit()):
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text[:40]!r}")
    if len(digits) > 18:  # int() of a long digit string is slow, and no count here is so large
        raise argparse.ArgumentTypeError(f"{text[:12]}... is too large ({len(digits)} digits)")
    return int(text)


def _version(text: str) -> int:
    """A version number: from 1 to the store's MAX_VERSION."""
    from advisor.store import MAX_VERSION

    number = _whole(text)
    if not 1 <= number <= MAX_VERSION:
        raise argparse.ArgumentTypeError(
            f"versions are numbered from 1 to {MAX_VERSION:,}, got {text}"
        )
    return number


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="platform-advisor",
        description="Choose an engineering-metrics platform and show what teams return.",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    rec = sub.add_parser("recommend", help="rank the four categories and the vendors")
    rec.add_argument("answers", help="answers YAML file")
    rec.add_argument("--catalog", help="catalog folder (default: the bundled catalog)")
    rec.add_argument("--json", action="store_true", help="print JSON")
    rec.set_defaults(func=_cmd_recommend)

    roi = sub.add_parser("roi", help="cash flows, NPV, IRR, payback, ROI and their spread")
    roi.add_argument("scenario", help="ROI scenario YAML file")
    roi.add_argument(
        "--simulations",
        type=_whole,
        default=None,
        help="Monte Carlo runs (0: none; at most 1e6; default: the file's simulation.runs "
        "if it has them, else none)",
    )
    roi.add_argument(
        "--seed",
        type=_whole,
        default=None,
        help="random seed, 0 or more (same seed, same result; default: the file's "
        "simulation.seed, else 0)",
    )
    roi.add_argument("--catalog", help="catalog folder, for platform prices")
    roi.add_argument("--json", action="store_true", help="print JSON")
    roi.set_defaults(func=_cmd_roi)

    delay = sub.add_parser("delay", help="cost of delay: CD3 and WSJF orders, delay cost")
    delay.add_argument("backlog", help="backlog file, YAML or CSV")
    delay.add_argument(
        "--weeks",
        type=_number,
        help=f"also show what this many weeks of delay cost (0-{MAX_WEEKS})",
    )
    delay.add_argument(
        "--throughput",
        metavar="ITEMS",
        help="work items the `evidence` command reads (transitions CSV, Jira JSON or a folder "
        "of them): durations from the team's weekly throughput forecast (each item's "
        "size_items, else its weeks at the mean throughput), each order's delay cost as "
        "expected, P50 and P85",
    )
    delay.add_argument(
        "--statuses", help="status map YAML for the --throughput items (status -> stage)"
    )
    delay.add_argument(
        "--trials",
        type=_whole,
        help="trials of the throughput forecast (1,000-100,000; default 10,000)",
    )
    delay.add_argument(
        "--seed",
        type=_whole,
        help="random seed for the trials, 0 or more (same seed, same figures; default 0)",
    )
    delay.add_argument("--json", action="store_true", help="print JSON")
    delay.set_defaults(func=_cmd_delay)

    ev = sub.add_parser("evidence", help="flow, SEI, DORA and DX Core 4 figures from exports")
    ev.add_argument("items", help="transitions CSV, Jira JSON, or a folder of Jira JSON files")
    ev.add_argument("--statuses", help="status map YAML (status -> stage, active)")
    ev.add_argument("--deployments", help="deployments CSV")
    ev.add_argument("--incidents", help="incidents CSV")
    ev.add_argument("--survey", help="survey CSV (team and one column per driver, 1-5)")
    ev.add_argument("--engineers", type=_whole, help="engineers, for DX Core 4's speed")
    ev.add_argument("--business-days", action="store_true", help="count weekdays only")
    ev.add_argument(
        "--from", dest="start", metavar="DATE", help="the window starts at this date (UTC)"
    )
    ev.add_argument("--to", dest="end", metavar="DATE", help="the window ends with this date (UTC)")
    ev.add_argument(
        "--incident-window",
        type=_hours,
        default=168.0,
        metavar="HOURS",
        help="link an incident with no deployment id to the last successful deployment "
        "within this many hours before it (default 168; 'none': no bound)",
    )
    ev.add_argument(
        "--rules", action="store_true", help="also the DORA figures under each tool's rules"
    )
    ev.add_argument(
        "--pulls",
        metavar="F",
        help="pull requests: GitHub or GitLab JSON (a file or a folder of them) or a CSV",
    )
    ev.add_argument(
        "--pull-bots",
        metavar="REGEX",
        help="logins whose pull requests are bots' and left out (default: a [bot] suffix, "
        "dependabot, renovate)",
    )
    ev.add_argument(
        "--memory-mb",
        type=_whole,
        metavar="MB",
        help="the memory budget: files of any size are read while the measurement fits in "
        "this many MB (default: PLATFORM_ADVISOR_MEMORY_MB, else 1024)",
    )
    ev.add_argument("--json", action="store_true", help="print JSON")
    ev.set_defaults(func=_cmd_evidence)

    sch = sub.add_parser("schema", help="print the JSON Schema of the catalog or of evidence")
    sch.add_argument("what", choices=["catalog", "evidence"])
    sch.set_defaults(func=_cmd_schema)

    sc = sub.add_parser("scenario", help="scenario versions in the store")
    sc_sub = sc.add_subparsers(dest="scenario_command", required=True, parser_class=_Parser)
    save = sc_sub.add_parser("save", help="store FILE as a new version of its scenario")
    save.add_argument("file")
    save.add_argument("--store", help="SQLAlchemy URL (default: PLATFORM_ADVISOR_STORE or SQLite)")
    save.set_defaults(func=_cmd_scenario_save)
    listing = sc_sub.add_parser("list", help="every stored scenario")
    listing.add_argument("--store")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(func=_cmd_scenario_list)
    show = sc_sub.add_parser("show", help="print a stored version as a scenario file")
    show.add_argument("name")
    show.add_argument("--version", type=_version)
    show.add_argument("--store")
    show.set_defaults(func=_cmd_scenario_show)

    approve = sc_sub.add_parser("approve", help="mark a version as the approved plan")
    approve.add_argument("name")
    approve.add_argument("--version", type=_version, required=True)
    approve.add_argument("--store")
    approve.add_argument(
        "--user", help="who approves (default: PLATFORM_ADVISOR_USER, else your login)"
    )
    approve.add_argument("--note", help="why, in a sentence")
    approve.set_defaults(func=_cmd_scenario_approve)
    back = sc_sub.add_parser("return", help="return a version with a reason (not approved)")
    back.add_argument("name")
    back.add_argument("--version", type=_version, required=True)
    back.add_argument("--reason", required=True, help="what must change, in a sentence")
    back.add_argument("--user", help="who returns it (default: PLATFORM_ADVISOR_USER, else login)")
    back.add_argument("--store")
    back.set_defaults(func=_cmd_scenario_return)
    note = sc_sub.add_parser("comment", help="comment on a version")
    note.add_argument("name")
    note.add_argument("--version", type=_version, required=True)
    note.add_argument("--text", required=True)
    note.add_argument("--user", help="who comments (default: PLATFORM_ADVISOR_USER, else login)")
    note.add_argument("--store")
    note.set_defaults(func=_cmd_scenario_comment)
    history = sc_sub.add_parser("history", help="every version and event, with who and when")
    history.add_argument("name")
    history.add_argument("--store")
    history.add_argument("--json", action="store_true")
    history.set_defaults(func=_cmd_scenario_history)

    dif = sc_sub.add_parser("diff", help="what changed from version A to B, and its effect")
    dif.add_argument("name")
    dif.add_argument("a", type=_version, metavar="A")
    dif.add_argument("b", type=_version, metavar="B")
    dif.add_argument("--store")
    dif.add_argument("--json", action="store_true")
    dif.set_defaults(func=_cmd_scenario_diff)

    pull = sub.add_parser("pull", help="fetch Jira issues, GitHub pulls or GitLab merge requests")
    pull_sub = pull.add_subparsers(dest="provider", required=True, parser_class=_Parser)
    since = {
        "type": _since_date,
        "metavar": "DATE",
        "help": "first pull: only what changed on or "
        "after this date (UTC); later pulls continue from pull-state.json",
    }
    out_help = "folder the files and pull-state.json are written to"
    pj = pull_sub.add_parser("jira", help="issues with their status history, and the statuses")
    pj.add_argument("--site", required=True, help="Jira's address, e.g. https://acme.atlassian.net")
    which = pj.add_mutually_exclusive_group(required=True)
    which.add_argument("--jql", help="the issues to pull, as a JQL query")
    which.add_argument("--project", help="the issues of this project key")
    pj.add_argument("--flavour", choices=("cloud", "datacenter"), help="default: asked of Jira")
    pj.add_argument("--out", required=True, help=out_help)
    pj.add_argument("--since", **since)
    pg = pull_sub.add_parser("github", help="pull requests, reviews, commits and deployments")
    pg.add_argument("--repo", required=True, help="OWNER/NAME")
    pg.add_argument("--out", required=True, help=out_help)
    pg.add_argument("--since", **since)
    pg.add_argument("--environment", help="only deployments to this environment")
    pg.add_argument(
        "--api-url", default="https://api.github.com", help="GitHub Enterprise: https://HOST/api/v3"
    )
    pl = pull_sub.add_parser("gitlab", help="merge requests, approvals, notes and deployments")
    pl.add_argument("--project", required=True, help="project id or full path (group/name)")
    pl.add_argument("--url", required=True, help="GitLab's address, e.g. https://gitlab.com")
    pl.add_argument("--out", required=True, help=out_help)
    pl.add_argument("--since", **since)
    pl.add_argument("--environment", help="only deployments to this environment")
    pull.set_defaults(func=_cmd_pull)

    rea = sub.add_parser("realise", help="plan against realised value per lever, from exports")
    rea.add_argument("scenario", help="scenario file, or the name of a stored scenario")
    rea.add_argument("items", help="transitions CSV, Jira JSON, or a folder of Jira JSON files")
    rea.add_argument(
        "--version", type=_version, help="the stored version to measure (default: the approved)"
    )
    rea.add_argument("--statuses", help="status map YAML (status -> stage, active)")
    rea.add_argument("--deployments", help="deployments CSV")
    rea.add_argument("--incidents", help="incidents CSV")
    rea.add_argument(
        "--since", metavar="DATE", help="split before / after at this date (default: approval)"
    )
    rea.add_argument(
        "--cost-of-delay",
        type=_number,
        metavar="MONEY",
        help="cost of delay per work item and week, for the bottleneck's price (default: "
        "from the scenario's backlog)",
    )
    rea.add_argument("--seed", type=_whole, default=0, help="seed of the resampling tests")
    rea.add_argument("--store")
    rea.add_argument("--json", action="store_true", help="print JSON")
    rea.set_defaults(func=_cmd_realise)

    cmp_ = sub.add_parser("compare", help="2-6 scenarios side by side")
    cmp_.add_argument("scenarios", nargs="+", metavar="SCENARIO")
    cmp_.add_argument("--store")
    cmp_.add_argument(
        "--currency",
        help="show every scenario's money in this currency, at the catalog's rates "
        "(default: the first scenario's)",
    )
    cmp_.add_argument("--json", action="store_true")
    cmp_.set_defaults(func=_cmd_compare)

    rep = sub.add_parser("report", help="the board-ready report (.html, .md) or ROI workbook")
    rep.add_argument("scenario", help="a scenario file, or the name of a stored scenario")
    rep.add_argument("--out", required=True)
    rep.set_defaults(func=_cmd_report)

    for command in (save, listing, show, approve, back, note, history, dif, rea, cmp_, rep):
        _acting_user(command)
    cat = sub.add_parser("catalog", help="catalog tools")
    cat_sub = cat.add_subparsers(dest="catalog_command", required=True, parser_class=_Parser)
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
