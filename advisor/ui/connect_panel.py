"""The Evidence page's Connect panel: pull from Jira, GitHub or GitLab into a folder on this
server, with a progress bar and a Cancel button, then put the pulled files in use: Jira's as
the work items, GitHub's or GitLab's as the pull requests and the deployments.

Thin: it reads the widgets, runs the domain's `pull_jira` / `pull_github` / `pull_gitlab` in
a background thread (so a Cancel click is handled while the pull runs; the thread only calls
the domain and records its progress), polls that progress with `st.fragment(run_every=...)`
and renders. Tokens are never asked for here: they come from the server's environment or its
`.streamlit/secrets.toml` (`[connectors]`), and the panel says only whether each is set.

The folder is `PULLS_DIR` (the environment variable PLATFORM_ADVISOR_PULLS, else a folder in
the system's temporary directory) / a name the user may change; a second pull into the same
folder brings it up to date (incremental) or continues one that stopped. One pull at a
time writes a folder: a session whose panel names a folder another pull is writing (another
tab, or this tab before a reload, which starts a new session) shows that pull's progress and
then its result instead of a Start button, and its Cancel stops that pull.

State: `connect_job` (the id of this session's pull in `_JOBS`, a string: session state
holds only what pickles), `connect_done` (what the last pull did, for the message).
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import streamlit as st

from advisor.connectors import Cancelled, ConnectorError, token_source
from advisor.connectors.github import API_URL
from advisor.errors import InputError
from advisor.evidence import SetAside, items_from_upload, read_deployments
from advisor.evidence.limits import MB, PAGE_FILES_MB
from advisor.evidence.pulls import is_pull_file, pulls_from_upload
from advisor.ui import state, workspace
from advisor.ui.text import md

PROVIDERS = ("Jira", "GitHub", "GitLab")
TOKENS = {
    "Jira": ("JIRA_USER", "JIRA_TOKEN"),
    "GitHub": ("GITHUB_TOKEN",),
    "GitLab": ("GITLAB_TOKEN",),
}
KINDS = {"items": "work items", "deployments": "deployments", "pulls": "pull requests"}
POLL_SECONDS = 0.5  # how often the progress bar asks the pull how far it is
MAX_JOBS = 8  # pulls running at once on this server, every session together
KEPT_JOBS = 32  # ended pulls kept until their session shows them, at most
_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def pulls_dir() -> Path:
    """Where pulled folders go: PLATFORM_ADVISOR_PULLS, else <temp>/platform-advisor-pulls."""
    given = os.environ.get("PLATFORM_ADVISOR_PULLS", "").strip()
    return Path(given) if given else Path(tempfile.gettempdir()) / "platform-advisor-pulls"


def folder_name(text: str) -> str:
    """A folder name made safe: letters, digits, `.`, `_` and `-` only, no leading dot,
    at most 80 characters ("pull" when nothing is left)."""
    name = _NAME.sub("-", text.strip()).strip(".-")[:80]
    return name or "pull"


# ---------------------------------------------------------------- the background pull


@dataclass
class _Job:
    """One pull running in a thread: its progress, then its result or its error."""

    provider: str
    out: Path
    cancel: threading.Event = field(default_factory=threading.Event)
    done: int = 0
    total: int | None = None
    what: str = "starting"
    finished: bool = False
    summary: str = ""
    error: str = ""
    cancelled: bool = False
    thread: threading.Thread | None = None

    def progress(self, done: int, total: int | None, what: str) -> None:
        self.done, self.total, self.what = done, total, what


_JOBS: dict[str, _Job] = {}
_LOCK = threading.Lock()


def _run(job: _Job, call) -> None:
    try:
        result = call()
        job.summary = result.summary()
    except Cancelled:
        job.cancelled = True
    except ConnectorError as exc:
        job.error = exc.message  # already without the token
    except Exception as exc:  # a thread must report, never die silently
        job.error = f"the pull stopped on an unexpected error ({type(exc).__name__})"
    finally:
        job.finished = True


def _call(provider: str, fields: dict, out: Path, job: _Job):
    """The domain's pull for `provider`, as a function of nothing (for the thread)."""
    common = {"out": out, "since": fields["since"], "progress": job.progress, "cancel": job.cancel}
    if provider == "Jira":
        from advisor.connectors.jira import pull_jira

        jql = fields["jql"].strip() or None
        project = None if jql else fields["project"].strip() or None
        return lambda: pull_jira(fields["site"], jql=jql, project=project, **common)
    if provider == "GitHub":
        from advisor.connectors.github import pull_github

        api_url = fields["site"].strip() or API_URL
        return lambda: pull_github(fields["repo"].strip(), api_url=api_url, **common)
    from advisor.connectors.gitlab import pull_gitlab

    return lambda: pull_gitlab(fields["project"].strip(), url=fields["site"], **common)


def start(provider: str, fields: dict, out: Path, wait: bool = False) -> str:
    """Start a pull of `provider` into `out` in a thread and return its job id. Raises
    ConnectorError (exit 2) when this server already runs MAX_JOBS pulls or one into `out`.
    `wait`: run it to the end before returning (the command line's way; tests)."""
    with _LOCK:
        running = [j for j in _JOBS.values() if not j.finished]
        if any(j.out == out for j in running):
            raise ConnectorError(f"a pull into {out} is already running; wait for it", 2)
        if len(running) >= MAX_JOBS:
            raise ConnectorError(f"{MAX_JOBS} pulls are running on this server; try later", 2)
        for old in [k for k, j in _JOBS.items() if j.finished][: max(0, len(_JOBS) - KEPT_JOBS)]:
            del _JOBS[old]  # ended pulls whose session never came back for them
        job = _Job(provider, out)
        key = uuid.uuid4().hex
        _JOBS[key] = job
    call = _call(provider, fields, out, job)
    job.thread = threading.Thread(target=_run, args=(job, call), daemon=True, name="pull")
    job.thread.start()
    if wait:
        job.thread.join()
    return key


def job_of(key: str | None) -> _Job | None:
    """The pull with this id, running or ended (until evicted); None for None or unknown."""
    return _JOBS.get(key) if key else None


def running_into(out: Path) -> str | None:
    """The id of the pull running into `out` now (at most one: `start` refuses a second),
    else None."""
    with _LOCK:
        return next((k for k, j in _JOBS.items() if j.out == out and not j.finished), None)


# ---------------------------------------------------------------- the panel


def _token_lines(provider: str) -> None:
    lines = []
    for name in TOKENS[provider]:
        where = token_source(name)
        lines.append(f"`{name}`: " + (f"set ({md(where)})" if where else "**not set**"))
    note = {
        "Jira": "Jira Cloud reads JIRA_USER (the account's email) and JIRA_TOKEN (an API "
        "token); Data Center reads JIRA_TOKEN alone (a personal access token).",
        "GitHub": "A token that can read the repository's pull requests and deployments.",
        "GitLab": "A token with the read_api scope.",
    }[provider]
    st.caption(
        "Credentials come from this server's environment or from its "
        "`.streamlit/secrets.toml` (table `[connectors]`); they are never typed here, "
        f"stored or shown. {note} " + "; ".join(lines) + "."
    )


def _fields(provider: str) -> dict:
    fields: dict = {"site": "", "project": "", "jql": "", "repo": ""}
    if provider == "Jira":
        fields["site"] = st.text_input(
            "Jira address", placeholder="https://acme.atlassian.net", key="connect_jira_site"
        )
        left, right = st.columns(2)
        fields["project"] = left.text_input(
            "Project key", placeholder="PAY", key="connect_jira_project"
        )
        fields["jql"] = right.text_input(
            "Or a JQL query (used instead of the project)", key="connect_jira_jql"
        )
        target = "jql" if fields["jql"].strip() else fields["project"]
    elif provider == "GitHub":
        fields["repo"] = st.text_input(
            "Repository (OWNER/NAME)", placeholder="acme/payments", key="connect_github_repo"
        )
        fields["site"] = st.text_input(
            "GitHub API address",
            value=API_URL,
            key="connect_github_api",
            help="GitHub Enterprise Server: https://HOST/api/v3",
        )
        target = fields["repo"]
    else:
        fields["site"] = st.text_input(
            "GitLab address", value="https://gitlab.com", key="connect_gitlab_url"
        )
        fields["project"] = st.text_input(
            "Project (id or full path)", placeholder="acme/payments", key="connect_gitlab_project"
        )
        target = fields["project"]
    fields["since"] = st.date_input(
        "Only what was updated since (optional, first pull)",
        value=None,
        key="connect_since",
        help="A later pull into the same folder asks only for what changed since the last.",
    )
    fields["target"] = f"{provider.lower()}-{target or 'pull'}"
    return fields


def _missing(provider: str, fields: dict) -> str | None:
    if provider == "Jira" and not fields["site"].strip():
        return "Give the Jira address."
    if provider == "Jira" and not (fields["project"].strip() or fields["jql"].strip()):
        return "Give a project key or a JQL query."
    if provider == "GitHub" and not fields["repo"].strip():
        return "Give the repository as OWNER/NAME."
    if provider == "GitLab" and not fields["project"].strip():
        return "Give the project's id or full path."
    return None


@st.fragment(run_every=POLL_SECONDS)
def _watch() -> None:
    """The running pull's progress and its Cancel button, redrawn every POLL_SECONDS; the
    whole page runs again once the pull is over, to put its files in use."""
    job = job_of(st.session_state.get("connect_job"))
    if job is None or job.finished:
        st.rerun(scope="app")
    if job.total:
        st.progress(min(job.done / job.total, 1.0), text=f"{md(job.what)} of {job.total:,}")
    else:  # Jira Cloud and Link-header paging say no total: a bar that never claims the end
        st.progress(job.done / (job.done + 1_000), text=f"{md(job.what)} (no total known)")
    if not job.cancel.is_set() and st.button("Cancel", key="connect_cancel"):
        job.cancel.set()
    if job.cancel.is_set():  # said on every redraw until it stops, not once
        st.caption("Cancelling after the current request...")


def pulled_files(provider: str, out: Path) -> dict[str, list[Path]]:
    """The files a pull wrote into `out` that this page reads, by kind: Jira's issues and
    statuses as the work items; GitHub's or GitLab's pull requests (the JSON files of
    `pulls/` or `merge_requests/`, the pull's own files skipped) and `deployments.csv`."""
    if provider == "Jira":
        names = sorted(out.glob("jira-issues-*.json"))
        names += [out / n for n in ("jira-statuses.json",) if (out / n).is_file()]
        return {"items": names} if names else {}
    kinds: dict[str, list[Path]] = {}
    sub = out / ("pulls" if provider == "GitHub" else "merge_requests")
    pulls = sorted(f for f in sub.glob("*.json") if f.is_file() and is_pull_file(f.name))
    if pulls:
        kinds["pulls"] = pulls
    if (out / "deployments.csv").is_file():
        kinds["deployments"] = [out / "deployments.csv"]
    return kinds


def _check(kind: str, uploads: list) -> None:
    """Read the files as the page will, so a file the page cannot read is refused here."""
    if kind == "items":
        items_from_upload([(u.name, u.data) for u in uploads], SetAside())
    elif kind == "pulls":
        pulls_from_upload([(u.name, u.data) for u in uploads])
    else:
        read_deployments(uploads[0].data, uploads[0].name, SetAside())


def _use(provider: str, out: Path) -> str:
    """Put the pulled files in use on this page and say so, or say why not."""
    kinds = pulled_files(provider, out)
    if not kinds:
        return f"Nothing this page reads was written to {out}."
    size = sum(f.stat().st_size for files in kinds.values() for f in files)
    if size > PAGE_FILES_MB * MB:
        return (
            f"The pulled files come to {size / 2**20:,.0f} MB, over the {PAGE_FILES_MB} MB this "
            f"page reads: measure them with python -m advisor evidence (see the README)."
        )
    said = []
    for kind, paths in kinds.items():
        uploads = [workspace.upload(f.name, f.read_bytes()) for f in paths]
        try:
            _check(kind, uploads)
        except InputError as exc:
            state.show_problems(exc.problems, f"The {KINDS[kind]} pulled into {out}")
            said.append(f"The {KINDS[kind]} are not in use on this page.")
            continue
        workspace.files()[kind] = uploads
        if kind == "items":
            st.session_state.pop("evidence_map_edits", None)
        names = [u.name for u in uploads]
        shown = ", ".join(names) if len(names) <= 4 else f"{names[0]} ... {names[-1]}"
        said.append(f"In use on this page as the {KINDS[kind]}: {shown}.")
    return " ".join(said)


def _finish(job: _Job) -> None:
    """The pull is over: its message, and its files put in use once in this session. The job
    stays in `_JOBS` (until `start` evicts it) so every session watching it gets its end."""
    st.session_state.pop("connect_job", None)
    if job.cancelled:
        st.session_state["connect_done"] = (
            "info",
            "Cancelled. The pages already written are kept; Start again continues from there.",
        )
        return
    if job.error:
        st.session_state["connect_done"] = ("error", job.error)
        return
    st.session_state["connect_done"] = ("success", f"{job.summary} {_use(job.provider, job.out)}")


def render() -> None:
    """The Connect panel, in its own expander."""
    key = st.session_state.get("connect_job")
    job = job_of(key)
    if key and job is None:  # the server restarted, or its ended pull was evicted
        st.session_state.pop("connect_job", None)
    with st.expander("Connect to Jira, GitHub or GitLab", expanded=job is not None):
        provider = st.radio("Pull from", PROVIDERS, horizontal=True, key="connect_provider")
        _token_lines(provider)
        fields = _fields(provider)
        base = pulls_dir()
        name = st.text_input(
            "Folder to write to (empty: named after what is pulled)",
            key="connect_folder",
            help="A folder under the directory shown below; pulling into it again fetches "
            "only what changed since.",
        )
        out = base / folder_name(name or fields["target"])
        st.caption(f"Files are written to {md(out)}.")
        if job is None and (key := running_into(out)) is not None:
            st.session_state["connect_job"] = key  # a pull already writes there: show it
            st.session_state.pop("connect_done", None)
            job = job_of(key)
        if job is not None and job.finished:
            _finish(job)
            job = None
        if job is not None:
            _watch()
        elif st.button("Start the pull", key="connect_start", type="primary"):
            problem = _missing(provider, fields)
            if problem:
                st.warning(problem)
            else:
                try:
                    st.session_state["connect_job"] = start(provider, fields, out)
                except ConnectorError as exc:
                    if running_into(out) is None:
                        st.error(md(exc.message))
                    else:  # another session started one there a moment before: show it
                        st.rerun()
                else:
                    st.session_state.pop("connect_done", None)
                    st.rerun()
        done = st.session_state.get("connect_done")
        if done and job is None:
            kind, text = done
            {"success": st.success, "info": st.info, "error": st.error}[kind](md(text))
