"""The scenario picker in the sidebar of every page: open, save as a new version, see the
versions, restore one; the URL carries the open scenario and version (a link is a view),
and a draft of the session's work is kept under a key only this browser holds (a cookie),
so a reload never loses it and a link never hands it over."""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid

import streamlit as st

from advisor.answers import answers_from_dict
from advisor.errors import InputError, ScenarioError
from advisor.scenario import (
    ScenarioFile,
    draft_text,
    parse_draft,
    scenario_from_data,
    scenario_to_yaml,
)
from advisor.store import MAX_VERSION
from advisor.ui import identity, session, state, widgets, workspace
from advisor.ui.examples import EXPORTS, example_path
from advisor.ui.text import file_stem, md
from advisor.wording import when

EXAMPLES = {
    "startup.yaml": "Startup: tight budget, deployment bottleneck",
    "scaleup.yaml": "Scale-up: development bottleneck",
    "enterprise.yaml": "Enterprise: systemic bottleneck",
    "team-payments.yaml": "Northwind: Payments team",
    "team-search.yaml": "Northwind: Search team",
    "team-onboarding.yaml": "Northwind: Onboarding team",
    "northwind-platform.yaml": "Northwind: delivery platform, approved (value realised)",
}


def store_url() -> str | None:
    """--store's equivalents for the app: the variable, else secrets, else the default."""
    if os.environ.get("PLATFORM_ADVISOR_STORE"):
        return os.environ["PLATFORM_ADVISOR_STORE"]
    try:
        return st.secrets["connections"]["scenarios"]["url"]
    except (KeyError, FileNotFoundError, AttributeError):
        return None
    except Exception:  # no secrets file at all
        return None


@st.cache_resource
def _shared_store(url: str | None):
    """One engine per store URL for the whole server (it holds no user data)."""
    from advisor.store import Store

    return Store(url)


def store(url: str | None):
    """The store at `url`, acting as this session's user: the store itself refuses what their
    role does not allow and hides other teams' scenarios, whatever a page asks of it."""
    return _shared_store(url).as_user(identity.current())


def user_store():
    """The store as this session's user, or None once the page has said why it cannot be
    opened (the store's own words: never its address)."""
    try:
        return store(store_url())
    except InputError as exc:
        st.error(md(exc.problems[0].message if exc.problems else exc))
        return None


def _meta() -> dict:
    return st.session_state.setdefault(
        "scenario_meta",
        {
            "name": "My scenario",
            "organisation": "",
            "team": "",
            "author": "",
            "notes": "",
            "created": None,
        },
    )


def current() -> ScenarioFile | None:
    """The session's work as one scenario file, or None while a part does not validate."""
    meta = _meta()
    data = {
        "schema_version": 1,
        "name": (meta["name"] or "").strip() or "My scenario",
        "organisation": meta.get("organisation") or None,
        "team": meta["team"] or None,
        "author": meta["author"] or None,
        "created": meta["created"] or dt.date.today().isoformat(),
        "notes": meta["notes"] or "",
    }
    try:
        answers = answers_from_dict(state.answers())
    except InputError:
        return None
    data["answers"] = answers.model_dump()
    if st.session_state.get("roi_last") is not None:
        data["roi"] = st.session_state["roi_last"]
    kept = st.session_state.get("delay_good")
    if kept is not None and not session.is_untouched_template(
        "backlog", kept.model_dump_json(exclude_none=True)
    ):
        data["backlog"] = kept.model_dump(exclude_none=True)
    if st.session_state.get("evidence_summary"):
        data["evidence"] = st.session_state["evidence_summary"]
    if st.session_state.get("realised_summary"):
        data["realised"] = st.session_state["realised_summary"]
    data = {k: v for k, v in data.items() if v is not None}
    try:
        s = scenario_from_data(data, catalog=state.active_catalog())
    except InputError as exc:  # the parts agree with each other no more (e.g. currencies)
        st.session_state["_scenario_problems"] = exc.problems
        st.session_state["_scenario_unsaved"] = data  # the draft keeps it as it is
        return None
    st.session_state.pop("_scenario_problems", None)
    st.session_state.pop("_scenario_unsaved", None)
    return s


def open_scenario(s: ScenarioFile, version: int | None, origin: str) -> None:
    """Put every part of `s` into the pages' state; the URL names it."""
    st.session_state.pop("_version_note", None)
    data = s.answers.model_dump()
    data["bottlenecks"] = session.weights_from_shares(s.answers.bottlenecks)
    state.replace_answers(data)
    if s.roi is not None:
        session.send_roi(s.roi.model_dump(exclude_none=True), follow=False)
    else:  # the ROI page starts again from its template, not from the last scenario's
        for key in ("roi", "roi_last", "_inbox_roi"):
            st.session_state.pop(key, None)
    if s.backlog is not None:
        session.send_backlog(s.backlog)
    else:
        for key in ("delay_good", "_inbox_backlog"):
            st.session_state.pop(key, None)
    st.session_state["evidence_summary"] = (
        s.evidence.model_dump() if s.evidence is not None else None
    )
    # Plan against actual as last measured; the sign-off a file carries (a stored version's
    # is an event in the store, read by the Value realised page).
    st.session_state["realised_summary"] = (
        s.realised.model_dump(mode="json") if s.realised is not None else None
    )
    _carry_approval(s)
    # Where the Advisor's weights and readiness came from travels with the scenario.
    for key in ("bottleneck_source", "evidence_readiness"):
        st.session_state.pop(key, None)
    if s.evidence is not None and s.evidence.bottlenecks:
        from advisor.shares import whole_percentages

        measured = whole_percentages(s.evidence.bottlenecks)
        st.session_state["bottleneck_source"] = {
            "file": s.evidence.source or "the evidence kept with the scenario",
            "weights": {loc: measured.get(loc, 0) for loc in data["bottlenecks"]},
        }
        st.session_state["evidence_readiness"] = dict(s.evidence.readiness)
    st.session_state["scenario_meta"] = {
        "name": s.name,
        "organisation": s.organisation or "",
        "team": s.team or "",
        "author": s.author or "",
        "notes": s.notes,
        "created": s.created.isoformat(),
    }
    # The fields show what is open. The browser keeps a text field's value and sends it back
    # with the next run, so dropping the key left the old name (and the next save went to
    # it); the values are set as the fields' own state before they are drawn (FIELDS).
    st.session_state["_scn_fields"] = {
        key: st.session_state["scenario_meta"][field] for key, field in FIELDS.items()
    }
    st.session_state["scenario_open"] = {
        "name": s.name,
        "version": version,
        "origin": origin,
        "body": _work_body(s),
    }
    if origin == "store":
        _address_names(s.name, version)


def _address_names(name: str, version: int | None) -> None:
    """The address names what the store holds (a link is a view of it), and the open work's
    draft is filed under it."""
    st.query_params.pop("example", None)
    st.query_params["scenario"] = name
    if version is not None:
        st.query_params["version"] = str(version)
    else:
        st.query_params.pop("version", None)
    st.session_state["scenario_open"]["identity"] = f"store:{name}"


def _work_body(s: ScenarioFile) -> str:
    """What the pages hold of `s`, as text (unsaved changes are measured against it): all
    of it but the approval, which is kept beside the work (see _carry_approval)."""
    return scenario_to_yaml(s.model_copy(update={"approval": None}))


def _carry_approval(s: ScenarioFile) -> None:
    """The sign-off an opened file carries, for the Value realised page (a stored version's
    is an event in the store). Kept beside the work, never in it: a draft or a new version
    saved from edited work must not claim an approval it never had."""
    st.session_state["scenario_approval"] = (
        {"name": s.name, **s.approval.model_dump(mode="json")} if s.approval is not None else None
    )


def _with_approval(s: ScenarioFile, opened: dict | None) -> ScenarioFile:
    """`s` with the sign-off its opened file carried, while it is still that file unchanged
    (a download of the approved example can be measured as approved); else `s` as it is."""
    carried = st.session_state.get("scenario_approval") or {}
    if not carried or carried.get("name") != s.name or opened is None:
        return s
    if _work_body(s) != opened.get("body"):
        return s
    from advisor.scenario import Approval

    approval = Approval.model_validate({k: v for k, v in carried.items() if k != "name"})
    return s.model_copy(update={"approval": approval})


def _untouched(s: ScenarioFile) -> bool:
    """Whether a draft holds only what a new tab starts with (the default name and answers,
    nothing else): reloading such a tab and opening an example asked about "unsaved changes"
    that were never made."""
    rest = s.model_dump(
        exclude={"name", "created", "answers", "schema_version"}, exclude_defaults=True
    )
    start = answers_from_dict(state.default_answers())
    return s.name == "My scenario" and s.answers == start and not rest


def _example_file(file: str) -> ScenarioFile:
    from advisor.scenario import load_scenario_file

    return load_scenario_file(example_path("scenarios") / file)


def open_example(file: str, exports: bool = False) -> None:
    """Open one of EXAMPLES: not stored, so the address names the example's file. An example
    with exports (examples.EXPORTS) puts them in use when none are, or when `exports`."""
    open_scenario(_example_file(file), None, "example")
    _address_example(file)
    if file in EXPORTS and (exports or "items" not in workspace.files()):
        folder, names = EXPORTS[file]
        st.session_state["evidence_files"] = {
            kind: [workspace.upload(f"example {name}", (example_path(folder) / name).read_bytes())]
            for kind, name in names.items()
        }
        st.session_state.pop("evidence_map_edits", None)


def _address_example(file: str) -> None:
    """The address names an example's file (a link opens it for anyone)."""
    for key in ("scenario", "version"):
        st.query_params.pop(key, None)
    st.query_params["example"] = file
    st.session_state["scenario_open"]["identity"] = f"example:{file}"


def _version_in(text: str | None) -> int | None:
    """The version an address names: ASCII digits only (`²` is a digit to Python, not to
    int), at most MAX_VERSION (a store's integer column holds no more); else none."""
    if not text or not (text.isascii() and text.isdecimal()) or len(text) > 10:
        return None
    number = int(text)
    return number if 0 < number <= MAX_VERSION else None


DRAFT_COOKIE = "platform_advisor_draft"  # this browser's key to its draft; never in a link
DRAFT_DAYS_KEPT = 30


def _browser_draft_id() -> str | None:
    """The draft key this browser holds (a cookie the app set), if any: a link carries the
    scenario and version only, so whoever opens it gets a view, never the sender's work."""
    try:
        value = st.context.cookies.get(DRAFT_COOKIE)
    except Exception:  # no browser behind this session (a test, a bare run)
        return None
    if isinstance(value, str) and len(value) == 32 and value.isascii() and value.isalnum():
        return value
    return None


def _remember_draft_id(draft_id: str) -> None:
    """Give this browser its draft key: a cookie, read again when the page is reloaded. The
    frame is same-origin, so its script sets the app's cookie; `draft_id` is our own hex."""
    st.iframe(
        "<script>document.cookie = "
        f"'{DRAFT_COOKIE}={draft_id}; path=/; max-age={DRAFT_DAYS_KEPT * 86400}; "
        "SameSite=Strict';</script>",
        height=1,
    )


def _draft_key(browser: str, identity: str) -> str:
    """The draft of one piece of work in one browser: the browser's key and what the address
    names (a stored scenario, an example, or nothing yet), so a second tab opening something
    else keeps its own draft instead of overwriting the first tab's."""
    import hashlib

    return hashlib.sha256(f"{browser}\x00{identity}".encode()).hexdigest()[:32]


def _workspace_key(browser: str, identity: str) -> str:
    """Where the Evidence page's files and edits are kept beside the draft of the same work."""
    return _draft_key(browser, f"{identity}\x00evidence")


def _address_identity() -> str:
    if st.query_params.get("example"):
        return f"example:{st.query_params['example']}"
    if st.query_params.get("scenario"):
        return f"store:{st.query_params['scenario']}"
    return ""


def _open_identity() -> str:
    opened = st.session_state.get("scenario_open")
    if not opened:
        return ""
    return opened.get("identity", "")


def _from_url(db) -> None:
    """A reload or a shared link: this browser's draft where it holds the work the address
    names (or the address names none), else what the address names, from the store."""
    if st.session_state.get("_url_checked"):
        return
    st.session_state["_url_checked"] = True
    st.query_params.pop("draft", None)  # an old link's draft id hands nothing over
    draft_id = _browser_draft_id()
    if draft_id is not None:
        st.session_state["draft_id"] = draft_id
    name = st.query_params.get("scenario")
    identity = _address_identity()
    if draft_id and db is not None:
        workspace.restore(db.draft(_workspace_key(draft_id, identity)))
    # as kept: no write until a change (of the files, or of the address they are kept under)
    st.session_state["_workspace_marker"] = f"{workspace.marker()}|{identity}"
    if draft_id and db is not None:
        body = db.draft(_draft_key(draft_id, identity))
        try:
            s = parse_draft(body) if body else None
        except InputError:
            s = None
        if s is not None:
            open_scenario(s, _version_in(st.query_params.get("version")), "draft")
            opened = st.session_state["scenario_open"]
            opened["identity"] = identity
            # Unsaved is measured against what the address names (the draft's own text said
            # "No unsaved changes" of any draft): the stored version, the example, or nothing.
            kind, _, ref = identity.partition(":")
            if kind == "store" and db.latest_version(ref) is not None and opened["version"]:
                opened["body"] = _work_body(db.load(ref, opened["version"]))
            elif kind == "example" and ref in EXAMPLES:
                example = _example_file(ref)
                opened["body"] = _work_body(example)
                _carry_approval(example)  # the sign-off the example carries, not the draft
            elif _untouched(s):  # a draft of nothing but the starting answers
                st.session_state.pop("scenario_open")
            else:
                opened["body"] = ""
            return
    example = st.query_params.get("example")
    if example in EXAMPLES:  # a link to an example opens it for whoever follows it
        open_example(example)
        return
    if example:  # a mistyped or old link: said, not silently ignored
        st.session_state["_version_note"] = (
            f"The address names an example this app does not have ({example[:60]}); "
            f"nothing was opened. The examples: {', '.join(EXAMPLES.values())}."
        )
        st.toast(md(st.session_state["_version_note"]))
        st.query_params.pop("example", None)
    if name and db is not None:
        asked = st.query_params.get("version")
        number = _version_in(asked)
        latest = db.latest_version(name)
        if latest is not None and asked and (number is None or number > latest):
            # a version the store does not hold: the latest, and the reader is told so
            st.session_state["_version_note"] = (
                f"The address asks for version {asked[:20]} of {name}, which the store does "
                f"not hold; showing the latest, version {latest}."
            )
            st.toast(md(st.session_state["_version_note"]))
            number = None
        try:
            note = st.session_state.get("_version_note")
            open_scenario(db.load(name, number), number or latest, "store")
            if note:
                st.session_state["_version_note"] = note  # said beside what was opened
        except InputError as exc:
            state.show_input_error(exc, f"The scenario named in the address ({name})")


def sidebar() -> dict:
    """The picker, shown on every page. Opening and restoring act here, before the page runs;
    the status line and the save are filled in by `finish`, after it, so they describe the
    work as this run's widgets left it (a page reads its widgets' values as it draws them)."""
    try:
        db = store(store_url())
    except InputError as exc:
        db = None
        st.sidebar.error(md(str(exc.problems[0])))
    _from_url(db)
    if "draft_id" not in st.session_state:
        st.session_state["draft_id"] = uuid.uuid4().hex
    with st.sidebar.expander("Scenario", expanded=False, icon=":material/folder_open:"):
        status = st.container()
        _open(db)
        save = st.container()
        _versions(db)
    if _browser_draft_id() != st.session_state["draft_id"]:  # drawn last: nothing moves
        with st.sidebar:
            _remember_draft_id(st.session_state["draft_id"])
    return {"db": db, "status": status, "save": save}


def _keep_address() -> None:
    """The address names the open work on every page: switching pages from the sidebar
    clears it, and a reload of that address then found no draft and no scenario (the work was
    lost and the next save went to "My scenario")."""
    opened = st.session_state.get("scenario_open") or {}
    identity = opened.get("identity", "")
    kind, _, ref = identity.partition(":")
    if kind == "store" and st.query_params.get("scenario") != ref:
        _address_names(ref, opened.get("version"))
    elif kind == "example" and st.query_params.get("example") != ref:
        _address_example(ref)


def finish(slots: dict) -> None:
    """After the page: the status line and the save in the places `sidebar` kept for them,
    the address kept naming the open work, then the draft written."""
    _keep_address()
    if "_scn_fields" not in st.session_state:  # what was typed in the fields, before the
        meta = _meta()  # status line above them is drawn (it read the last run's before)
        for key, field in FIELDS.items():
            if key in st.session_state:
                meta[field] = st.session_state[key]
    now = current()  # the session's work, validated once for the status line and the save
    if "_first_body" not in st.session_state and now is not None:
        st.session_state["_first_body"] = scenario_to_yaml(now)  # what "changed" is measured from
    with slots["status"]:
        _status(now)
    with slots["save"]:
        now = _save(slots["db"], now)  # the fields may have just renamed it
    keep_draft(now)
    keep_workspace()


def _status(now: ScenarioFile | None) -> None:
    note = st.session_state.get("_version_note")
    if note:
        st.warning(md(note))
    opened = st.session_state.get("scenario_open")
    if opened is None:
        st.caption("Nothing opened yet: your work is kept as a draft of this session.")
        return
    label = f"{opened['name']}" + (f", version {opened['version']}" if opened["version"] else "")
    changed = now is None or scenario_to_yaml(now) != opened["body"]
    st.caption(
        f"Open: {md(label)} ({md(opened['origin'])})."
        + (" **Unsaved changes.**" if changed else " No unsaved changes.")
    )


def _open(db) -> None:
    example = st.selectbox(
        "Example scenarios",
        list(EXAMPLES),
        format_func=EXAMPLES.get,
        index=None,
        placeholder="Load an example...",
        key="scn_example",
    )
    if example and st.button("Open the example", key="scn_open_example"):
        _ask_to_open(("example", example, None), EXAMPLES[example], db)
    if db is not None:
        names = [r.name for r in db.list()]
        chosen = st.selectbox("Stored scenarios", names, index=None, key="scn_stored")
        if names and chosen:
            versions = [v["version"] for v in db.versions(chosen)]
            version = st.selectbox("Version", versions[::-1], key="scn_version")
            if st.button("Open", key="scn_open"):
                _ask_to_open(("store", chosen, version), f"{chosen}, version {version}", db)
    _confirm_open(db)


def unsaved() -> str | None:
    """The name of the work opening something else would replace, if any (see _unsaved)."""
    return _unsaved()


def _unsaved() -> str | None:
    """The name of the work this tab would lose by opening something else, if any: the open
    scenario with changes, or work changed since the tab started with nothing open."""
    now = current()
    body = scenario_to_yaml(now) if now is not None else None
    opened = st.session_state.get("scenario_open")
    if opened is not None:
        return opened["name"] if body != opened["body"] else None
    return (
        (now.name if now else "this tab's work")
        if body != st.session_state.get("_first_body")
        else None
    )


def _ask_to_open(what: tuple, label: str, db) -> None:
    """Open `what` now, or first ask when it would replace unsaved work (it was replaced
    without a word; its draft stays filed under its own address)."""
    losing = _unsaved()
    if losing is None:
        _do_open(what, db)
    else:
        st.session_state["_pending_open"] = (what, label, losing)
        st.rerun()


def _confirm_open(db) -> None:
    pending = st.session_state.get("_pending_open")
    if not pending:
        return
    what, label, losing = pending
    st.warning(
        f"{md(losing)} has unsaved changes. Opening {md(label)} replaces them in this tab: "
        "save them first (below), or open anyway."
    )
    c1, c2 = st.columns(2)
    if c1.button("Open anyway", key="scn_open_anyway"):
        st.session_state.pop("_pending_open")
        _do_open(what, db)
    if c2.button("Keep working", key="scn_open_cancel"):
        st.session_state.pop("_pending_open")
        st.rerun()


def _do_open(what: tuple, db) -> None:
    kind, ref, version = what
    if kind == "example":
        open_example(ref)
    else:
        open_scenario(db.load(ref, version), version, "store")
    st.rerun()


FIELDS = {
    "scn_name": "name",
    "scn_organisation": "organisation",
    "scn_team": "team",
    "scn_author": "author",
    "scn_notes": "notes",
}


def _fields(meta: dict) -> None:
    """The name, team, author and notes fields, showing the open scenario: what opening or
    restoring put there (set as the fields' state before they are drawn, the one way a drawn
    field takes a new value), else what the session typed."""
    pending = st.session_state.pop("_scn_fields", None)
    for key, field in FIELDS.items():
        if pending is not None:
            st.session_state[key] = pending[key]
        else:
            st.session_state.setdefault(key, meta.get(field) or "")
    meta["name"] = st.text_input(
        "Name",
        max_chars=200,
        **widgets.seeded("scn_name", ""),
        placeholder="My scenario (when left empty)",
    )
    meta["organisation"] = st.text_input(
        "Organisation",
        max_chars=200,
        **widgets.seeded("scn_organisation", ""),
        help="Compare treats scenarios of the same organisation as its teams.",
    )
    meta["team"] = st.text_input("Team", max_chars=200, **widgets.seeded("scn_team", ""))
    me = identity.current()
    if me.local:
        meta["author"] = st.text_input("Author", max_chars=200, **widgets.seeded("scn_author", ""))
    else:  # a shared store records who saved each version (the signed-in user) itself
        where = ", ".join(f"{o} / {t}" for o, t in me.teams("save"))
        if me.admin_of:
            where = ", ".join([*(f"every team of {o}" for o in sorted(me.admin_of)), where][:50])
        st.caption(
            md(f"Saved by {me.user}. You may save in: {where}.")
            if where
            else md(f"Signed in as {me.user}: your role does not let you save (editor needed).")
        )
    meta["notes"] = st.text_area("Notes", max_chars=20_000, **widgets.seeded("scn_notes", ""))


PAGE_OF_PART = {"roi": "ROI page", "backlog": "Cost of delay page"}


def why_not_one() -> str | None:
    """Why the pages do not make one scenario, in the pages' words (the file's paths, such as
    `roi.currency`, mean nothing in the app), or None when nothing is known against them."""
    problems = st.session_state.get("_scenario_problems")
    if not problems:
        return None
    try:  # each part's own currency, defaults applied, read from the work as it is
        loose = scenario_from_data(st.session_state.get("_scenario_unsaved"), one_currency=False)
    except InputError:
        loose = None
    lines = []
    for p in problems:
        part = p.field.partition(".")[0]
        if loose is not None and part in PAGE_OF_PART and p.field == f"{part}.currency":
            lines.append(
                f"The {PAGE_OF_PART[part]}'s currency is {getattr(loose, part).currency}, the "
                f"Advisor's is {loose.answers.currency}: a scenario holds one currency. Choose "
                "the same on both pages (and enter that page's money in it)."
            )
        else:
            lines.append(md(str(p)))
    return "The pages do not make one scenario:\n\n" + "\n".join(f"- {x}" for x in lines)


def _save(db, s: ScenarioFile | None) -> ScenarioFile | None:
    """The fields, the download and the save button; returns the work as the fields name it."""
    meta = _meta()
    before = dict(meta)
    _fields(meta)
    if meta != before:
        s = current()  # the name, team, author or notes were just typed
    if s is None:
        why = why_not_one()
        if why:  # the pages agree with each other no more, e.g. on the currency
            st.warning("**Not saved yet.** " + why)
        else:
            st.caption("Fix the errors on the pages to save.")
        return None
    opened = st.session_state.get("scenario_open")
    if db is not None and opened is not None and opened["name"] != s.name:
        st.caption(
            f"Saving makes a new scenario, {md(s.name)}; the one open is {md(opened['name'])}."
        )
    shared = _with_approval(s, opened)  # read now: the file is written on the click, later
    st.download_button(
        "Download as a scenario file",
        lambda: scenario_to_yaml(shared),
        f"{file_stem(s.name)}.yaml",
        "application/x-yaml",
        on_click="ignore",
        key="scn_download",
    )
    if db is not None and st.button(
        "Save as a new version", key="scn_save", type="primary", disabled=not _may_save()
    ):
        try:
            saved = db.save(s)
        except ScenarioError as exc:  # the store's refusal: a role, a team, a taken name
            state.show_problems(exc.problems, "This save")
            return s
        st.session_state["scenario_open"] = {
            "name": saved.name,
            "version": saved.version,
            "origin": "store",
            "body": scenario_to_yaml(s),
        }
        _address_names(saved.name, saved.version)
        st.toast(f"Saved {md(saved.name)} as version {saved.version}")
        st.rerun()  # the status line above now names the new version
    return s


def _may_save() -> bool:
    """Whether the session's user may save in some team (the store checks which)."""
    me = identity.current()
    return me.local or bool(me.teams("save")) or bool(me.admin_of)


def _versions(db) -> None:
    opened = st.session_state.get("scenario_open")
    if db is None or opened is None or db.latest_version(opened["name"]) is None:
        return
    rows = db.versions(opened["name"])
    st.caption(
        "Versions: "
        + md(
            "; ".join(f"{r['version']} ({when(r['saved_at'])}, {r['author'] or '-'})" for r in rows)
        )
    )
    old = st.selectbox(
        "Restore a version (saved again as the newest)",
        [r["version"] for r in rows][::-1],
        key="scn_restore_pick",
    )
    if st.button("Restore", key="scn_restore", disabled=not _may_save()):
        me = identity.current()
        who = _meta()["author"] if me.local else me.user  # saved again by who restored it
        s = db.load(opened["name"], old).model_copy(update={"author": who or None})
        try:
            saved = db.save(s)
        except ScenarioError as exc:
            state.show_problems(exc.problems, "This restore")
            return
        db.restore(opened["name"], old, who or me.user)
        open_scenario(s, saved.version, "store")
        st.toast(f"Version {old} restored as version {saved.version}")
        st.rerun()


def keep_workspace() -> None:
    """Keep the Evidence page's files and edits with the draft (only when they changed)."""
    draft_id = st.session_state.get("draft_id")
    # what the files are, and under which address they are kept: opening another scenario
    # with the same files in use files them under its address too (a reload found none)
    mark = f"{workspace.marker()}|{_open_identity()}"
    if draft_id is None or st.session_state.get("_workspace_marker") == mark:
        return
    try:
        db = store(store_url())
    except InputError:
        return
    db.keep_draft(_workspace_key(draft_id, _open_identity()), workspace.snapshot())
    st.session_state["_workspace_marker"] = mark


def keep_draft(s: ScenarioFile | None) -> None:
    """Write the session's work `s` to its draft after every run (cheap: only when it
    changed)."""
    draft_id = st.session_state.get("draft_id")
    unsaved = st.session_state.get("_scenario_unsaved") if s is None else None
    if (s is None and unsaved is None) or draft_id is None:
        return
    key = _draft_key(draft_id, _open_identity())
    # JSON costs a twentieth of the YAML written
    marker = (key, s.model_dump_json() if s is not None else json.dumps(unsaved, default=str))
    if st.session_state.get("_draft_body") == marker:
        return
    try:
        db = store(store_url())
    except InputError:
        return
    db.keep_draft(key, scenario_to_yaml(s) if s is not None else draft_text(unsaved))
    st.session_state["_draft_body"] = marker
