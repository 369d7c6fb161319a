"""Pull Jira issues with their status history into a folder the evidence reader takes.

What lands in OUT (`advisor.evidence.jira` reads every `.json` file of it):
- `jira-issues-00001.json`, `jira-issues-00002.json`, ...: search responses
  `{"issues": [...]}` of at most `FILE_ISSUES` issues each, written page by page (so 100,000
  issues are 1,000 files, under the reader's `MAX_FILES`); no key is in two files;
- `jira-statuses.json`: Jira's status list (`GET /rest/api/2/status`), each status with its
  `statusCategory`, which gives a status's default stage;
- `pull-state.json` (`advisor.connectors.state`): what was asked, the watermark (the server's
  time when the last complete pull began), and the resume point of an unfinished one.

Each issue is kept in Jira's own shape, cut down to what a measurement reads: `key`, `id`,
`fields` (`issuetype`, `status` with its `statusCategory`, `project`, `created`, `updated`,
`team` where Jira gives one) and `changelog.histories` holding only status changes, without
their `author` (no person's name is stored). A changelog Jira cut short in the search
(`changelog.total` over the histories given; Jira gives at most 100) is completed from the
issue's own changelog first, so every written issue's changelog is whole: `total` equals
the histories written.

Cloud: `GET /rest/api/3/search/jql` paged by `nextPageToken`; a cut changelog from
`GET /rest/api/3/issue/{key}/changelog` (paged by `startAt`, `isLast`). Data Center:
`GET /rest/api/2/search` paged by `startAt` / `maxResults` / `total`; a cut changelog from
`GET /rest/api/2/issue/{key}?expand=changelog`. Which one: `GET /rest/api/3/serverInfo`
saying `deploymentType: Cloud`, else Data Center (`/rest/api/2/serverInfo`).

Incremental: a folder holding a complete pull of the same site and query is brought up to
date with `updated >= "yyyy/MM/dd HH:mm"` from its watermark (JQL reads that time in the
Jira user's time zone, taken from `GET /rest/api/2/myself`); an issue fetched again replaces
its old copy. Resumable: the state records the page cursor after each page is written; a
pull that stopped (a provider failure, a cancel) continues from there when run again.
Memory holds one page and the key of every issue written (not the issues).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from threading import Event
from typing import Literal
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from advisor.connectors.http import BAD_INPUT, Api, Cancelled, ConnectorError
from advisor.connectors.output import PageWriter
from advisor.connectors.runs import PullResult, lower_bound, starting_state
from advisor.connectors.secrets import token
from advisor.connectors.state import save_state, write_atomic

log = logging.getLogger("advisor.connectors.jira")

PROVIDER = "jira"
TOKEN_NAMES = ("JIRA_USER", "JIRA_TOKEN")
# Issues per file: 100,000 issues are 1,000 files (the evidence reader takes 2,000). Pages
# Jira cuts shorter than asked are gathered until a file is full.
FILE_ISSUES = 100
PAGE_ISSUES = 100  # asked per search page (Jira gives at most 100 with the changelog)
CHANGELOG_PAGE = 100  # histories asked per page of an issue's own changelog
FIELDS = ("issuetype", "status", "created", "updated", "project", "team")
STATUS_FILE = "jira-statuses.json"
ISSUE_PREFIX = "jira-issues"  # jira-issues-00001.json, ... (output.PageWriter)
PROJECT_KEY = re.compile(r"^[A-Z][A-Z0-9_]{0,254}$")
ORDER = " ORDER BY key ASC"  # stable while paging: new issues come last
# Without the user's time zone a watermark is moved back by the widest offset there is
# (UTC+14), so nothing changed after it is missed (an issue fetched twice is merged).
ZONE_MARGIN = dt.timedelta(hours=14)

Flavour = Literal["cloud", "datacenter"]
Progress = Callable[[int, "int | None", str], None]


# ------------------------------------------------------------------------ issue shapes


def _pick(value, keys: Iterable[str]):
    if not isinstance(value, dict):
        return value
    return {k: value[k] for k in keys if k in value}


def status_items(histories) -> list[dict]:
    """The histories that change the status, each with only its status items and without
    its author: `[{"id", "created", "items": [{"field": "status", "fromString", ...}]}]`."""
    out = []
    for h in histories if isinstance(histories, list) else []:
        if not isinstance(h, dict) or not isinstance(h.get("items"), list):
            continue
        items = [
            _pick(i, ("field", "fieldtype", "from", "fromString", "to", "toString"))
            for i in h["items"]
            if isinstance(i, dict) and i.get("field") == "status"
        ]
        if items:
            out.append({**_pick(h, ("id", "created")), "items": items})
    return out


def slim_issue(issue: dict, histories: list[dict] | None = None) -> dict:
    """One issue as written: Jira's shape with only the fields a measurement reads and the
    status histories (`histories` when the changelog was completed, else the issue's own),
    the changelog's `total` the number written."""
    fields = issue.get("fields") if isinstance(issue.get("fields"), dict) else {}
    kept: dict = {}
    if "status" in fields:
        status = _pick(fields["status"], ("id", "name", "statusCategory"))
        if isinstance(status, dict) and isinstance(status.get("statusCategory"), dict):
            status["statusCategory"] = _pick(status["statusCategory"], ("id", "key", "name"))
        kept["status"] = status
    if "issuetype" in fields:
        kept["issuetype"] = _pick(fields["issuetype"], ("id", "name"))
    if "project" in fields:
        kept["project"] = _pick(fields["project"], ("id", "key", "name"))
    for name in ("created", "updated"):
        if name in fields:
            kept[name] = fields[name]
    if isinstance(fields.get("team"), str | dict):
        kept["team"] = _pick(fields["team"], ("id", "name"))
    if histories is None:
        changelog = issue.get("changelog") if isinstance(issue.get("changelog"), dict) else {}
        histories = status_items(changelog.get("histories"))
    n = len(histories)
    return {
        **_pick(issue, ("id", "key")),
        "fields": kept,
        "changelog": {"startAt": 0, "maxResults": n, "total": n, "histories": histories},
    }


def _cut(issue: dict) -> bool:
    """Jira gave fewer histories than the changelog holds (`total`)."""
    changelog = issue.get("changelog")
    if not isinstance(changelog, dict):
        return False
    total, histories = changelog.get("total"), changelog.get("histories")
    given = len(histories) if isinstance(histories, list) else 0
    return isinstance(total, int) and not isinstance(total, bool) and total > given


def _key(issue: dict) -> str:
    key = issue.get("key") if isinstance(issue, dict) else None
    return key if isinstance(key, str) and key else str(issue.get("id", ""))


# ------------------------------------------------------------------------ the query


def base_query(jql: str | None, project: str | None) -> str:
    """The JQL asked for, without its ORDER BY (the pull orders by key to page stably):
    `jql`, or `project = "KEY"`. ConnectorError (exit 2) unless exactly one is given."""
    if bool(jql and jql.strip()) == bool(project and project.strip()):
        raise ConnectorError("give either a JQL query (--jql) or a project key (--project)", 2)
    if project:
        key = project.strip()
        if not PROJECT_KEY.match(key):
            raise ConnectorError(
                f"--project: {key[:40]!r} is not a Jira project key (capitals, digits, _; "
                "it starts with a letter, e.g. PAY)",
                2,
            )
        return f'project = "{key}"'
    text = re.split(r"\border\s+by\b", jql.strip(), maxsplit=1, flags=re.IGNORECASE)[0].strip()
    if not text:
        raise ConnectorError("--jql: the query holds only an ORDER BY", 2)
    return text


def jql_time(moment: dt.datetime, zone: str | None) -> str:
    """An instant as JQL reads it: `yyyy/MM/dd HH:mm` in the user's time zone, rounded
    down to the minute (so `>=` keeps the instant); without a known zone, UTC moved back by
    ZONE_MARGIN."""
    try:
        local = moment.astimezone(ZoneInfo(zone)) if zone else None
    except (ZoneInfoNotFoundError, ValueError):
        local = None
    if local is None:
        local = (moment - ZONE_MARGIN).astimezone(dt.UTC)
    return local.strftime("%Y/%m/%d %H:%M")


def _query(base: str, after: str | None) -> str:
    where = f"({base})" + (f' AND updated >= "{after}"' if after else "")
    return where + ORDER


def _server_time(info: dict) -> dt.datetime:
    text = info.get("serverTime") if isinstance(info, dict) else None
    if isinstance(text, str):
        try:
            return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z")
        except ValueError:
            pass
    return dt.datetime.now(dt.UTC)


# ------------------------------------------------------------------------ the pull

HINTS = {
    401: "Jira Cloud: JIRA_USER is the account's email and JIRA_TOKEN an API token. Data "
    "Center: leave JIRA_USER unset and put a personal access token in JIRA_TOKEN",
    403: "the account needs the Browse projects permission on the issues asked for",
    404: "check --site (the address you open Jira at) and the project key or JQL",
}


def _auth(user: str | None, secret: str | None) -> tuple[tuple | None, dict]:
    """Cloud: basic auth with the account's email (JIRA_USER) and an API token; Data
    Center: a personal access token as Bearer when JIRA_USER is not set."""
    if not secret:
        raise ConnectorError(
            "JIRA_TOKEN is not set: put an API token (Jira Cloud, with JIRA_USER the account's "
            "email) or a personal access token (Data Center) in the environment or in "
            ".streamlit/secrets.toml under [connectors]",
            BAD_INPUT,
        )
    if user:
        return (user, secret), {}
    return None, {"Authorization": f"Bearer {secret}"}


def _flavour(api: Api) -> tuple[Flavour, dict]:
    """Cloud when /rest/api/3/serverInfo says so, else Data Center (its /rest/api/2)."""
    try:
        info = api.get_json("/rest/api/3/serverInfo")
        if isinstance(info, dict) and info.get("deploymentType") == "Cloud":
            return "cloud", info
    except ConnectorError:
        pass  # Data Center has no version 3: its own answer below says what is wrong
    return "datacenter", api.get_json("/rest/api/2/serverInfo")


def _zone(api: Api) -> str | None:
    """The Jira user's time zone (JQL reads times in it), or None when Jira does not say."""
    try:
        me = api.get_json("/rest/api/2/myself")
    except ConnectorError:
        return None
    zone = me.get("timeZone") if isinstance(me, dict) else None
    return zone if isinstance(zone, str) else None


def _cloud_changelog(api: Api, key: str) -> list[dict]:
    """Every status history of one issue, from its own changelog (paged by startAt)."""
    out, start = [], 0
    path = f"/rest/api/3/issue/{quote(key, safe='')}/changelog"
    while True:
        page = api.get_json(path, {"startAt": start, "maxResults": CHANGELOG_PAGE})
        values = page.get("values") if isinstance(page, dict) else None
        if not isinstance(values, list):
            raise api.error(f"Jira's changelog of {key} holds no values list")
        out += status_items(values)
        start += len(values)
        total = page.get("total")
        if page.get("isLast") is True or not values:
            return out
        if isinstance(total, int) and start >= total:
            return out


def _dc_changelog(api: Api, key: str) -> list[dict]:
    """Every status history of one issue, from the issue with its whole changelog."""
    issue = api.get_json(
        f"/rest/api/2/issue/{quote(key, safe='')}", {"expand": "changelog", "fields": "status"}
    )
    changelog = issue.get("changelog") if isinstance(issue, dict) else None
    return status_items(changelog.get("histories") if isinstance(changelog, dict) else None)


def _issues(api: Api, doc) -> list[dict]:
    issues = doc.get("issues") if isinstance(doc, dict) else None
    if not isinstance(issues, list) or not all(
        isinstance(i, dict) and isinstance(i.get("fields"), dict) for i in issues
    ):
        raise api.error('Jira\'s search answered without an "issues" list of issues')
    return issues


@dataclass
class JiraPull(PullResult):
    """What one `pull_jira` call did (see runs.PullResult: `fetched["issues"]` the issues
    written by this call, `in_folder["issues"]` those in the folder after it), with pages:
    search pages read; changelogs_completed: issues whose cut changelog was fetched whole;
    flavour: `cloud` or `datacenter`; query: the JQL asked, with its `updated >=` bound."""

    pages: int = 0
    changelogs_completed: int = 0
    flavour: str = ""
    query: str = ""


class _Run:
    """One pull's loop: a page fetched and its cut changelogs completed; once FILE_ISSUES
    issues are gathered (or at the last page, or on a cancel) they are written as one file
    and the cursor after them saved, so a rerun never skips an issue not yet written."""

    def __init__(self, api, flavour, writer, state, out, progress, cancel, jql):
        self.api, self.flavour, self.writer = api, flavour, writer
        self.state, self.out, self.progress, self.cancel = state, out, progress, cancel
        self.jql = jql
        self.issues = self.pages = self.completed = 0
        self.pending: list[dict] = []

    def page(self, raw: list[dict], cursor: str | None, total: int | None) -> None:
        """One search page read; `cursor`: where the next starts, None after the last."""
        for issue in raw:
            if _cut(issue):
                complete = _cloud_changelog if self.flavour == "cloud" else _dc_changelog
                self.pending.append(slim_issue(issue, complete(self.api, _key(issue))))
                self.completed += 1
            else:
                self.pending.append(slim_issue(issue))
        self.pages += 1
        stop = self.cancel is not None and self.cancel.is_set()
        if len(self.pending) >= FILE_ISSUES or cursor is None or stop:
            self.flush(cursor)
        if self.progress:
            done = self.issues + len(self.pending)
            self.progress(done, total, f"{done:,} Jira issues read")
        if stop:
            raise Cancelled("the Jira pull was cancelled; run it again to continue")

    def flush(self, cursor: str | None) -> None:
        """Write the gathered issues as one file, then record where the next page starts."""
        self.writer.write(self.pending)
        self.issues += len(self.pending)
        self.pending = []
        self.state.cursor = None if cursor is None else {"jql": self.jql, "next": cursor}
        self.state.files = [*self.writer.files, STATUS_FILE]
        self.state.fetched = {"issues": len(self.writer)}
        save_state(self.out, self.state)

    def cloud(self, cursor: str | None) -> None:
        while True:
            params = {
                "jql": self.jql,
                "maxResults": PAGE_ISSUES,
                "fields": ",".join(FIELDS),
                "expand": "changelog",
            }
            if cursor:
                params["nextPageToken"] = cursor
            try:
                doc = self.api.get_json("/rest/api/3/search/jql", params)
            except ConnectorError as exc:
                if not (cursor and self.pages == 0 and exc.exit_code == BAD_INPUT):
                    raise
                # A resumed pull's page token has expired (Jira answers 400): the search
                # starts again from its first page; the issues already written are merged.
                log.warning("Jira refused the saved page token; the search starts again")
                cursor = None
                continue
            issues = _issues(self.api, doc)
            nxt = doc.get("nextPageToken")
            last = doc.get("isLast") is True or not issues or not isinstance(nxt, str) or not nxt
            cursor = None if last else nxt
            self.page(issues, cursor, None)
            if cursor is None:
                return

    def datacenter(self, cursor: str | None) -> None:
        start = int(cursor) if cursor and cursor.isdecimal() else 0
        while True:
            params = {
                "jql": self.jql,
                "startAt": start,
                "maxResults": PAGE_ISSUES,
                "fields": ",".join(FIELDS),
                "expand": "changelog",
            }
            doc = self.api.get_json("/rest/api/2/search", params)
            issues = _issues(self.api, doc)
            start += len(issues)
            total = doc.get("total")
            total = total if isinstance(total, int) and not isinstance(total, bool) else None
            done = not issues or (total is not None and start >= total)
            self.page(issues, None if done else str(start), total)
            if done:
                return


def pull_jira(
    site: str,
    *,
    jql: str | None = None,
    project: str | None = None,
    out: Path,
    since: dt.date | None = None,
    flavour: Flavour | None = None,
    progress: Progress | None = None,
    cancel: Event | None = None,
    api: Api | None = None,
    sleep: Callable[[float], object] = time.sleep,
    secrets_file: Path | None = None,
) -> JiraPull:
    """Pull the issues of `jql` (or of `project`) with their status history into `out`.

    site: the address Jira is opened at (https://, or http:// to localhost only). since:
    only issues updated on or after that date (a first pull; later pulls ask from the
    folder's watermark). flavour: `cloud` or `datacenter`, found from serverInfo when None.
    Credentials: JIRA_TOKEN, with JIRA_USER for basic auth (Cloud: the account's email),
    else the token as Bearer (a Data Center personal access token); from the environment or
    `secrets_file` (default `.streamlit/secrets.toml`, table `[connectors]`).
    progress(done, total, text) after each page is written (total is None on Cloud);
    cancel: a threading.Event that stops the pull between requests (raises Cancelled; the
    state keeps the resume point). api: a ready client (tests); sleep: the client's wait
    between retries (tests pass a recorder).

    Returns a JiraPull. Raises ConnectorError: exit 2 for bad input or refused credentials,
    3 when Jira failed after retries (the pages written are kept; a rerun continues).
    """
    site = (site or "").strip().rstrip("/")
    if not site:
        raise ConnectorError(
            "--site: give the address Jira is opened at, e.g. https://acme.atlassian.net",
            BAD_INPUT,
        )
    base = base_query(jql, project)
    if flavour not in (None, "cloud", "datacenter"):
        raise ConnectorError(f"flavour is cloud or datacenter, not {flavour!r}", BAD_INPUT)
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ConnectorError(f"--out: {out} is a file, not a folder", BAD_INPUT)
    own = api is None
    if own:
        user = token("JIRA_USER", secrets_file)
        secret = token("JIRA_TOKEN", secrets_file)
        auth, headers = _auth(user, secret)
        api = Api(
            site,
            provider="Jira",
            auth=auth,
            headers={"Accept": "application/json", **headers},
            token_names=TOKEN_NAMES,
            secrets=tuple(s for s in (secret, user) if s),
            hints=HINTS,
            sleep=sleep,
            cancel=cancel,
        )
    try:
        return _pull(api, site, base, out, since, flavour, progress, cancel)
    finally:
        if own:
            api.close()


def _pull(api, site, base, out, since, flavour, progress, cancel) -> JiraPull:
    if flavour is None:
        flavour, info = _flavour(api)
    else:
        version = 3 if flavour == "cloud" else 2
        info = api.get_json(f"/rest/api/{version}/serverInfo")
    began = _server_time(info)
    state, mode = starting_state(out, PROVIDER, site, since, base)
    if mode == "resumed":
        jql, cursor = str(state.cursor.get("jql") or _query(base, None)), state.cursor.get("next")
        cursor = cursor if isinstance(cursor, str) else None
    else:
        bound = lower_bound(state)
        after = jql_time(bound, _zone(api)) if bound is not None else None
        jql, cursor = _query(base, after), None
        state.run_to = began  # the watermark this run records once it is complete
        state.complete = False
    statuses = api.get_json("/rest/api/2/status")
    if not isinstance(statuses, list):
        raise api.error("Jira's status list is not a list")
    write_atomic(
        out / STATUS_FILE,
        json.dumps(
            [_pick(s, ("id", "name", "statusCategory", "scope")) for s in statuses],
            ensure_ascii=False,
        ),
    )
    writer = PageWriter(out, ISSUE_PREFIX, _key, envelope="issues")
    run = _Run(api, flavour, writer, state, out, progress, cancel, jql)
    (run.cloud if flavour == "cloud" else run.datacenter)(cursor)
    state.updated_to = state.run_to or began
    state.run_to, state.cursor, state.complete = None, None, True
    state.files = [*writer.files, STATUS_FILE]
    state.fetched = {"issues": len(writer)}
    save_state(out, state)
    return JiraPull(
        provider="Jira",
        target=site,
        out=out,
        mode=mode,
        fetched={"issues": run.issues},
        in_folder={"issues": len(writer)},
        files=state.files,
        requests=api.requests,
        updated_to=state.updated_to,
        pages=run.pages,
        changelogs_completed=run.completed,
        flavour=flavour,
        query=jql,
    )
