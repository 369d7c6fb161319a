"""Scenario versions in a database, through SQLAlchemy: SQLite by default, any URL otherwise.

Every save is version n + 1 of the scenario with that name; nothing is overwritten. Two
sessions saving the same scenario at once both keep their version: the unique (name,
version) key refuses the second insert of a number, and the save retries with the next one.
A refused save (bad scenario) writes nothing. The database schema is versioned in the table
`schema_migrations`; each migration is applied once, in order.

Where the store is: `--store URL`, else the PLATFORM_ADVISOR_STORE variable, else
`sqlite:///<home>/.platform-advisor/scenarios.db`.
"""

from __future__ import annotations

import copy
import datetime as dt
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.schema import CreateTable

from advisor.access import Principal
from advisor.errors import Problem, ScenarioError
from advisor.scenario import Approval, ScenarioFile, parse_scenario_file, scenario_to_yaml

metadata = sa.MetaData()
versions = sa.Table(
    "scenario_versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("team", sa.String(200)),
    sa.Column("author", sa.String(200)),
    sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("organisation", sa.String(200)),  # migration 4
    sa.Column("body", sa.Text, nullable=False),
    sa.UniqueConstraint("name", "version", name="one_number_per_version"),
)
migrations = sa.Table(
    "schema_migrations",
    metadata,
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
)
drafts = sa.Table(
    "drafts",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
)
events = sa.Table(
    "scenario_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("event", sa.String(20), nullable=False),  # approve, return, comment, restore
    sa.Column("who", sa.String(200), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("note", sa.Text, nullable=False, default=""),
)


def _organisation_column(conn) -> None:
    """Migration 4: each version names its organisation (as its team), taken from its body for
    the versions saved before, so a team's rights reach its older versions too."""
    have = {c["name"] for c in sa.inspect(conn).get_columns("scenario_versions")}
    if "organisation" not in have:
        conn.execute(sa.text("ALTER TABLE scenario_versions ADD COLUMN organisation VARCHAR(200)"))
    rows = conn.execute(sa.select(versions.c.id, versions.c.body)).all()
    for row in rows:
        try:
            organisation = parse_scenario_file(row.body, "stored").organisation
        except Exception:  # a body that no longer reads keeps no organisation
            continue
        if organisation:
            conn.execute(
                versions.update().where(versions.c.id == row.id).values(organisation=organisation)
            )


MIGRATIONS = {
    1: [versions],  # the first schema: scenario versions
    2: [drafts],  # a session's unsaved work, so a reload never loses it
    3: [events],  # what happened to a version after its save: approvals
    4: [_organisation_column],  # who may see a version: its organisation and team
}
LOG = logging.getLogger("advisor.store")
SECRET_KEYS = ("pass", "secret", "token", "key")  # query parameters that can hold a secret
RETRIES = 50
DRAFT_DAYS = 30  # drafts untouched this long are removed when another draft is kept
MAX_VERSION = 10**9  # the largest version number read from an address or a command


def default_url() -> str:
    url = os.environ.get("PLATFORM_ADVISOR_STORE")
    if url:
        return url
    folder = Path.home() / ".platform-advisor"
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'scenarios.db'}"


@dataclass(frozen=True)
class Saved:
    name: str
    version: int
    saved_at: dt.datetime


@dataclass(frozen=True)
class Listed:
    name: str
    team: str | None
    author: str | None
    versions: int
    saved_at: str
    organisation: str | None = None


class Store:
    """A scenario store at a SQLAlchemy URL, used as one user (`as_user`); a store no user
    was given to is one person's, where every check passes."""

    principal: Principal | None = None

    def __init__(self, url: str | None = None):
        self.url = url or default_url()
        try:
            sqlite = self.url.startswith("sqlite")
            args = {"connect_args": {"timeout": 30}} if sqlite else {}
            self.engine = sa.create_engine(self.url, **args)
            if sqlite:
                sa.event.listen(self.engine, "connect", _sqlite_pragmas)
            self._migrate()
        except (
            sa.exc.ArgumentError,
            sa.exc.NoSuchModuleError,
            sa.exc.DBAPIError,
            ValueError,  # an address that does not read (a port that is not a number)
            ImportError,  # a database whose driver is not installed
        ) as exc:
            # The address and its credentials stay in the server's log, redacted: every
            # visitor's sidebar once showed them, a password given as a parameter included.
            LOG.warning("scenario store %s unreachable: %s", self._safe_url(), self._redacted(exc))
            raise ScenarioError(
                [Problem("store", "the scenario store is unreachable (details in the server log)")]
            ) from None

    def as_user(self, principal: Principal) -> Store:
        """This store (the same engine) acting as `principal`: what they may not do is
        refused, and what they may not see is as if it did not exist."""
        scoped = copy.copy(self)
        scoped.principal = principal
        return scoped

    def _shared(self) -> Principal | None:
        """The user whose rights are checked, or None for one person's store."""
        p = self.principal
        return None if p is None or p.local else p

    def _owner(self, conn, name: str) -> tuple[str | None, str | None] | None:
        """(organisation, team) of the latest version of `name`, or None if there is none."""
        row = conn.execute(
            sa.select(versions.c.organisation, versions.c.team)
            .where(versions.c.name == name)
            .order_by(versions.c.version.desc())
            .limit(1)
        ).first()
        return None if row is None else (row.organisation, row.team)

    def _check(self, name: str, action: str) -> None:
        """Refuse unless the user may do `action` to scenario `name`. A scenario the user may
        not see is answered as if it did not exist, so a guessed name tells nothing."""
        who = self._shared()
        if who is None:
            return
        with self.engine.connect() as conn:
            owner = self._owner(conn, name)
        if owner is None or not who.may("view", *owner):
            raise ScenarioError([Problem("store", f"no scenario named {name!r}")])
        if not who.may(action, *owner):
            raise ScenarioError([who.refusal(action, *owner)])

    def _visible(self, organisation: str | None, team: str | None) -> bool:
        who = self._shared()
        return who is None or who.may("view", organisation, team)

    def _safe_url(self) -> str:
        """The store's address for a log: no password, no query (it can carry one)."""
        try:
            url = sa.engine.make_url(self.url)
        except (sa.exc.ArgumentError, ValueError):
            return "(an address that does not read)"
        return url._replace(query={}).render_as_string(hide_password=True)

    def _redacted(self, exc: BaseException) -> str:
        """The error's first line with the address's secrets taken out."""
        text = str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
        try:
            url = sa.engine.make_url(self.url)
        except (sa.exc.ArgumentError, ValueError):
            return text.replace(self.url, "***")
        secrets = [url.password] + [  # a query's password or token, not its timeout
            str(v) for k, v in url.query.items() if any(w in k.lower() for w in SECRET_KEYS)
        ]
        for secret in filter(None, secrets):
            text = text.replace(str(secret), "***")
        return text

    def _migrate(self) -> None:
        """Apply the migrations not yet applied, each in one transaction. Safe when several
        processes open a new store at once: tables are created IF NOT EXISTS, PostgreSQL's
        creations wait for each other on an advisory lock (two IF NOT EXISTS can still collide
        there), and on SQLite a losing writer retries and finds the work done. Eight processes
        once met "table schema_migrations already exists" (check, then create)."""
        for attempt in range(RETRIES):
            try:
                with self.engine.begin() as conn:
                    self._lock(conn)
                    conn.execute(CreateTable(migrations, if_not_exists=True))
                    done = set(conn.scalars(sa.select(migrations.c.version)))
                    for number, tables in sorted(MIGRATIONS.items()):
                        if number in done:
                            continue
                        for step in tables:
                            if callable(step):
                                step(conn)
                            else:
                                conn.execute(CreateTable(step, if_not_exists=True))
                        conn.execute(migrations.insert().values(version=number, applied_at=_now()))
                return
            except (IntegrityError, OperationalError) as exc:  # a concurrent first use
                if _disk_full(exc) or attempt == RETRIES - 1:
                    raise
                time.sleep(0.01 * (attempt + 1))

    def _lock(self, conn) -> None:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(4151)"))  # this schema's lock

    def save(self, scenario: ScenarioFile) -> Saved:
        """Store `scenario` as the next version of its name; never overwrites. In a shared
        store the user must be an editor of the scenario's organisation and team, the version
        is saved by them (whatever the file's author says), and a name stays in its team."""
        who = self._shared()
        if who is not None:
            if not scenario.organisation or not scenario.team:
                raise ScenarioError(
                    [
                        Problem(
                            "store",
                            "a shared store keeps each scenario in one organisation and team: "
                            "give both",
                            "team",
                        )
                    ]
                )
            if not who.may("save", scenario.organisation, scenario.team):
                raise ScenarioError([who.refusal("save", scenario.organisation, scenario.team)])
            scenario = scenario.model_copy(update={"author": who.user})
        elif self.principal is not None and not scenario.author:
            scenario = scenario.model_copy(update={"author": self.principal.user})
        body = scenario_to_yaml(scenario)
        parse_scenario_file(body, scenario.name)  # what is stored must load again
        for attempt in range(RETRIES):
            try:
                with self.engine.begin() as conn:
                    if who is not None:
                        self._same_team(conn, scenario, who)
                    latest = conn.scalar(
                        sa.select(sa.func.max(versions.c.version)).where(
                            versions.c.name == scenario.name
                        )
                    )
                    number = (latest or 0) + 1
                    saved_at = _now()
                    conn.execute(
                        versions.insert().values(
                            name=scenario.name,
                            version=number,
                            organisation=scenario.organisation,
                            team=scenario.team,
                            author=scenario.author,
                            saved_at=saved_at,
                            body=body,
                        )
                    )
                return Saved(scenario.name, number, saved_at)
            except (IntegrityError, OperationalError) as exc:  # a concurrent save took the number
                if _disk_full(exc):  # not busy: retrying for seconds would say the wrong thing
                    raise ScenarioError(
                        [
                            Problem(
                                "store",
                                f"the disk holding the scenario store is full: "
                                f"{scenario.name!r} was not saved (nothing was written)",
                            )
                        ]
                    ) from None
                time.sleep(0.005 * (attempt + 1))
        raise ScenarioError([Problem("store", f"could not save {scenario.name!r}: busy")])

    def _same_team(self, conn, scenario: ScenarioFile, who: Principal) -> None:
        """A scenario stays in the organisation and team it was first saved in."""
        owner = self._owner(conn, scenario.name)
        if owner is None or owner == (scenario.organisation, scenario.team):
            return
        if who.may("view", *owner):
            said = f"{scenario.name!r} belongs to team {owner[1]!r} of {owner[0]!r}"
        else:
            said = f"the name {scenario.name!r} is taken"
        raise ScenarioError([Problem("store", f"{said}: save it under another name", "name")])

    def list(self) -> list[Listed]:
        latest = (
            sa.select(
                versions.c.name,
                sa.func.count().label("versions"),
                sa.func.max(versions.c.version).label("last"),
            )
            .group_by(versions.c.name)
            .subquery()
        )
        query = (
            sa.select(
                versions.c.name,
                versions.c.organisation,
                versions.c.team,
                versions.c.author,
                latest.c.versions,
                versions.c.saved_at,
            )
            .join(
                latest,
                (versions.c.name == latest.c.name) & (versions.c.version == latest.c.last),
            )
            .order_by(versions.c.name)
        )
        with self.engine.connect() as conn:
            return [
                Listed(r.name, r.team, r.author, r.versions, _iso(r.saved_at), r.organisation)
                for r in conn.execute(query)
                if self._visible(r.organisation, r.team)
            ]

    def versions(self, name: str) -> list[dict]:
        self._check(name, "view")
        query = (
            sa.select(versions.c.version, versions.c.author, versions.c.saved_at)
            .where(versions.c.name == name)
            .order_by(versions.c.version)
        )
        with self.engine.connect() as conn:
            return [
                {"version": r.version, "author": r.author, "saved_at": _iso(r.saved_at)}
                for r in conn.execute(query)
            ]

    def body(self, name: str, version: int | None = None) -> str:
        self._check(name, "view")
        query = sa.select(versions.c.body, versions.c.version).where(versions.c.name == name)
        query = (
            query.where(versions.c.version == version)
            if version is not None
            else query.order_by(versions.c.version.desc()).limit(1)
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            which = f"version {version} of " if version is not None else ""
            raise ScenarioError([Problem("store", f"no {which}scenario named {name!r}")])
        return row.body

    def load(self, name: str, version: int | None = None) -> ScenarioFile:
        return parse_scenario_file(self.body(name, version), f"{name} (stored)")

    def _event(self, name: str, version: int, event: str, user: str, note: str) -> dt.datetime:
        """Add an event to the trail (never changed, never removed) and give its time. In a
        shared store it is the user's, whatever name was passed, and needs their role."""
        self._check(name, {"restore": "view"}.get(event, event))
        self.body(name, version)  # refused when there is no such version
        who = self._shared()
        if who is not None:
            user = who.user
        at = _now()
        with self.engine.begin() as conn:
            conn.execute(
                events.insert().values(
                    name=name, version=version, event=event, who=user, at=at, note=note
                )
            )
        return at

    def approve(self, name: str, version: int, user: str, note: str = "") -> Approval:
        """Record that `user` approved `version` of `name`: the plan value realised measures
        against. Nothing is overwritten; a later approval (of any version) supersedes it."""
        at = self._event(name, version, "approve", user, note)
        who = self._shared()
        return Approval(version=version, by=who.user if who else user, at=at, note=note)

    def send_back(self, name: str, version: int, user: str, reason: str) -> dt.datetime:
        """Record that `user` returned `version` with `reason`: an approval of it before this
        no longer holds (a later approval can make it the plan again)."""
        if not reason.strip():
            raise ScenarioError([Problem("store", "a version is returned with a reason", "reason")])
        return self._event(name, version, "return", user, reason)

    def comment(self, name: str, version: int, user: str, text: str) -> dt.datetime:
        """Record `user`'s comment on `version` (kept as text, shown as text)."""
        if not text.strip():
            raise ScenarioError([Problem("store", "a comment needs some text", "text")])
        return self._event(name, version, "comment", user, text)

    def restore(self, name: str, version: int, user: str) -> dt.datetime:
        """Record that `user` took `version` of `name` back into their work (to save anew)."""
        return self._event(name, version, "restore", user, "")

    def approval(self, name: str, version: int | None = None) -> Approval | None:
        """The plan in force: the latest approval of any version of `name` that was not
        returned since; with `version`, that version's latest such approval (which a later
        approval of another version may have superseded). None if none."""
        self._check(name, "view")
        query = (
            sa.select(events.c.version, events.c.event, events.c.who, events.c.at, events.c.note)
            .where((events.c.name == name) & events.c.event.in_(("approve", "return")))
            .order_by(events.c.at, events.c.id)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        standing: dict[int, Approval] = {}
        latest: list[int] = []
        for r in rows:
            if r.event == "return":
                standing.pop(r.version, None)
            else:
                standing[r.version] = Approval(
                    version=r.version, by=r.who, at=_aware(r.at), note=r.note or ""
                )
                latest.append(r.version)
        if version is not None:
            return standing.get(version)
        in_force = [v for v in latest if v in standing]
        return standing[in_force[-1]] if in_force else None

    def history(self, name: str) -> list[dict]:
        """Every save and event of `name`, oldest first: {version, event, user, at, note}."""
        self._check(name, "view")
        with self.engine.connect() as conn:
            saves = conn.execute(
                sa.select(versions.c.version, versions.c.author, versions.c.saved_at).where(
                    versions.c.name == name
                )
            ).all()
            later = conn.execute(
                sa.select(
                    events.c.id,
                    events.c.version,
                    events.c.event,
                    events.c.who,
                    events.c.at,
                    events.c.note,
                ).where(events.c.name == name)
            ).all()
        if not saves:
            raise ScenarioError([Problem("store", f"no scenario named {name!r}")])
        rows = [(_aware(r.saved_at), 0, r.version, "save", r.author or "", "") for r in saves] + [
            (_aware(r.at), r.id, r.version, r.event, r.who, r.note or "") for r in later
        ]
        return [
            {"version": v, "event": e, "user": u, "at": _iso(at), "note": n}
            for at, _, v, e, u, n in sorted(rows, key=lambda r: (r[0], r[1], r[2]))
        ]

    def trail(self) -> list[dict]:
        """Every save and event of every scenario, oldest first: {name, organisation, team,
        version, event, user, at, note}. Only admins read it, and only of the organisations
        they run (one person's store: all of it)."""
        who = self._shared()
        if who is not None and not who.admin_of:
            raise ScenarioError(
                [Problem("access", f"{who.user} may not read the trail: that needs admin")]
            )
        with self.engine.connect() as conn:
            saves = conn.execute(
                sa.select(
                    versions.c.name,
                    versions.c.organisation,
                    versions.c.team,
                    versions.c.version,
                    versions.c.author,
                    versions.c.saved_at,
                )
            ).all()
            later = conn.execute(sa.select(events)).all()
        owner: dict[str, tuple] = {}
        for r in sorted(saves, key=lambda r: r.version):
            owner[r.name] = (r.organisation, r.team)
        rows = [
            (_aware(r.saved_at), 0, r.name, r.version, "save", r.author or "", "") for r in saves
        ] + [(_aware(r.at), r.id, r.name, r.version, r.event, r.who, r.note or "") for r in later]
        out = []
        for at, _, name, version, event, user, note in sorted(rows, key=lambda r: r[:4]):
            organisation, team = owner.get(name, (None, None))
            if who is not None and organisation not in who.admin_of:
                continue
            out.append(
                {
                    "name": name,
                    "organisation": organisation,
                    "team": team,
                    "version": version,
                    "event": event,
                    "user": user,
                    "at": _iso(at),
                    "note": note,
                }
            )
        return out

    def keep_draft(self, draft_id: str, body: str) -> None:
        """Replace this browser session's draft (drafts are working copies, not versions);
        drafts untouched for `DRAFT_DAYS` days go at the same time."""
        stale = _now() - dt.timedelta(days=DRAFT_DAYS)
        with self.engine.begin() as conn:
            conn.execute(drafts.delete().where(drafts.c.id == draft_id))
            conn.execute(drafts.delete().where(drafts.c.saved_at < stale))
            conn.execute(drafts.insert().values(id=draft_id, saved_at=_now(), body=body))

    def draft(self, draft_id: str) -> str | None:
        with self.engine.connect() as conn:
            return conn.scalar(sa.select(drafts.c.body).where(drafts.c.id == draft_id))

    def latest_version(self, name: str) -> int | None:
        """The latest version number of `name`; None if there is none (or none you may see)."""
        with self.engine.connect() as conn:
            owner = self._owner(conn, name)
            if owner is None or not self._visible(*owner):
                return None
            return conn.scalar(
                sa.select(sa.func.max(versions.c.version)).where(versions.c.name == name)
            )


def _disk_full(exc: BaseException) -> bool:
    """SQLite's SQLITE_FULL, PostgreSQL's disk_full (53100), or the system's ENOSPC."""
    text = str(exc).lower()
    code = getattr(getattr(exc, "orig", None), "sqlstate", None)
    return code == "53100" or "disk is full" in text or "no space left" in text


def _sqlite_pragmas(connection, _record) -> None:
    """Write-ahead logging: readers never wait for a writer, and a commit (every draft the app
    keeps) costs an append instead of a journal rewrite with two syncs."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(value: dt.datetime) -> dt.datetime:
    """SQLite gives back naive times; every time stored is UTC."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


def _iso(value) -> str:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.isoformat(timespec="seconds")
    return str(value)
