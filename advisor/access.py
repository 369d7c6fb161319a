"""Who may do what with the scenarios of an organisation: teams, roles, and the access file.

Four roles, each holding the ones before it:

    viewer    list, open, compare and report a team's scenarios; read their trail; comment
    editor    save a new version of a team's scenario
    approver  approve a version, or return it with a reason
    admin     all of that for every team of the organisation, and its whole trail

The access file (YAML, `PLATFORM_ADVISOR_ACCESS` or `--access`) names them::

    organisations:
      Northwind:
        admins: [ana@northwind.example]
        teams:
          Platform:
            approvers: [ben@northwind.example]
            editors: [cara@northwind.example]
            viewers: [dan@northwind.example]
    groups:                     # optional: roles from the ID token's groups claim
      claim: groups
      map:
        northwind-finance: {organisation: Northwind, team: Platform, role: approver}

A user is named by the e-mail address the sign-in gives (compared without case). A user in no
team of any organisation may sign in but sees no scenario. Without an access file the store
is one person's, on their own machine, and every check passes (`Principal.local`).
"""

from __future__ import annotations

import enum
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from advisor.errors import Problem

ACCESS_ENV = "PLATFORM_ADVISOR_ACCESS"


class Role(enum.IntEnum):
    """A role in one team; a higher role holds every lower one."""

    viewer = 1
    editor = 2
    approver = 3
    admin = 4


WHAT_NEEDS = {  # the action, in the words a refusal uses, and the least role it needs
    "view": Role.viewer,
    "comment": Role.viewer,
    "save": Role.editor,
    "approve": Role.approver,
    "return": Role.approver,
    "trail": Role.admin,
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _people(values: list[str]) -> list[str]:
    cleaned = [v.strip().lower() for v in values]
    if any(not v for v in cleaned):
        raise ValueError("a blank name")
    return cleaned


class TeamAccess(_Strict):
    viewers: list[str] = Field(default_factory=list, max_length=10_000)
    editors: list[str] = Field(default_factory=list, max_length=10_000)
    approvers: list[str] = Field(default_factory=list, max_length=10_000)

    _clean = field_validator("viewers", "editors", "approvers")(_people)


class OrganisationAccess(_Strict):
    admins: list[str] = Field(default_factory=list, max_length=1_000)
    teams: dict[str, TeamAccess] = Field(default_factory=dict, max_length=1_000)

    _clean = field_validator("admins")(_people)


class GroupGrant(_Strict):
    organisation: str = Field(min_length=1, max_length=200)
    team: str | None = Field(default=None, max_length=200)  # none: the whole organisation
    role: Literal["viewer", "editor", "approver", "admin"]


class Groups(_Strict):
    claim: str = Field(default="groups", min_length=1, max_length=100)
    map: dict[str, GroupGrant] = Field(default_factory=dict, max_length=10_000)


class AccessFile(_Strict):
    """The whole access file; `load_access` reads and checks it."""

    organisations: dict[str, OrganisationAccess] = Field(min_length=1, max_length=100)
    groups: Groups | None = None


@dataclass(frozen=True)
class Principal:
    """One user and what they may do: `roles[(organisation, team)]`, and `admin_of` for the
    organisations they administer. `local` is the one person of a store with no access file."""

    user: str
    roles: Mapping[tuple[str, str], Role] = field(default_factory=dict)
    admin_of: frozenset[str] = frozenset()
    local: bool = False

    @classmethod
    def anyone(cls, user: str) -> Principal:
        """The single user of a store without an access file: every check passes."""
        return cls(user=user, local=True)

    def role(self, organisation: str | None, team: str | None) -> Role | None:
        """The user's role in a team (admin for every team of an organisation they run)."""
        if self.local:
            return Role.admin
        if organisation in self.admin_of:
            return Role.admin
        return self.roles.get((organisation or "", team or ""))

    def may(self, action: str, organisation: str | None, team: str | None) -> bool:
        """True if the user may do `action` (a key of WHAT_NEEDS) in that team."""
        role = self.role(organisation, team)
        return role is not None and role >= WHAT_NEEDS[action]

    def teams(self, action: str = "view") -> list[tuple[str, str]]:
        """The (organisation, team) pairs the user may do `action` in, admins' whole
        organisations aside (see `admin_of`)."""
        need = WHAT_NEEDS[action]
        return sorted(pair for pair, role in self.roles.items() if role >= need)

    @property
    def has_a_team(self) -> bool:
        return self.local or bool(self.roles) or bool(self.admin_of)

    def refusal(self, action: str, organisation: str | None, team: str | None) -> Problem:
        """The message for a refused action, naming the role it needs."""
        need = WHAT_NEEDS[action].name
        where = f"team {team!r} of {organisation!r}" if team else f"organisation {organisation!r}"
        verb = {"view": "open", "trail": "read the trail of"}.get(action, action)
        return Problem(
            "access", f"{self.user} may not {verb} scenarios of {where}: that needs {need}"
        )


def load_access(path: str | Path) -> AccessFile:
    """Read and check an access file (YAML, safe and bounded). Raises InputError naming the
    file and, for each problem, its line and field."""
    from advisor.yamlio import parse_yaml, read_input, validate

    return validate(AccessFile, parse_yaml(read_input(path), str(path)))


def access_from_env() -> AccessFile | None:
    """The access file named by PLATFORM_ADVISOR_ACCESS, or None (one person's store)."""
    path = os.environ.get(ACCESS_ENV)
    return load_access(path) if path else None


def principal(access: AccessFile | None, user: str, groups: Iterable[str] = ()) -> Principal:
    """What `user` (with the ID token's `groups`, if the file maps a claim) may do."""
    if access is None:
        return Principal.anyone(user)
    me = user.strip().lower()
    roles: dict[tuple[str, str], Role] = {}
    admin_of: set[str] = set()

    def grant(pair: tuple[str, str], role: Role) -> None:
        roles[pair] = max(role, roles.get(pair, role))

    for org_name, org in access.organisations.items():
        if me in org.admins:
            admin_of.add(org_name)
        for team_name, team in org.teams.items():
            for role, people in (
                (Role.viewer, team.viewers),
                (Role.editor, team.editors),
                (Role.approver, team.approvers),
            ):
                if me in people:
                    grant((org_name, team_name), role)
    if access.groups is not None:
        for group in groups:
            granted = access.groups.map.get(group)
            if granted is None:
                continue
            role = Role[granted.role]
            if role == Role.admin:
                admin_of.add(granted.organisation)
            elif granted.team is None:  # every team the file names in that organisation
                known = access.organisations.get(granted.organisation, OrganisationAccess())
                for team_name in known.teams:
                    grant((granted.organisation, team_name), role)
            else:
                grant((granted.organisation, granted.team), role)
    return Principal(user=me, roles=roles, admin_of=frozenset(admin_of))
