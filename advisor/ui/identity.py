"""Who is using this session, and what they may do: the one owner of the session's identity.

Without sign-in configured (no `[auth]` section in Streamlit's secrets) the app is one
person's, on their own machine: the user is PLATFORM_ADVISOR_USER, else the machine's login
name, and every check passes.

With `[auth]`, Streamlit's own sign-in (`st.login`, an OpenID Connect provider) names the user:
the e-mail address of the ID token, and its groups claim (the one the access file names under
`groups.claim`). What they may do comes from the access file named by PLATFORM_ADVISOR_ACCESS
(`advisor.access`); without one, everyone who signs in shares every scenario. A session that
has not signed in, or whose sign-in gave no verified e-mail address, is in no team.
"""

from __future__ import annotations

import getpass
import os
import re
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

import streamlit as st

from advisor.access import ACCESS_ENV, AccessFile, Principal, load_access, principal
from advisor.errors import InputError, Problem


class SettingsUnreadable(Exception):
    """Streamlit's secrets exist but cannot be read: whether sign-in is required is unknown."""


def local_user() -> str:
    """The one person of an app without sign-in."""
    try:
        return os.environ.get("PLATFORM_ADVISOR_USER") or getpass.getuser()
    except (KeyError, OSError):  # no login name in a container
        return "local user"


def sign_in_required() -> bool:
    """True when Streamlit's secrets hold an `[auth]` section. No secrets file at all is the
    one person's app; a secrets file that cannot be read raises SettingsUnreadable (the app
    must not fall open because the file that asks for sign-in has a typo)."""
    try:
        return "auth" in st.secrets
    except FileNotFoundError as exc:  # Streamlit's "no secrets" error is one of these
        if getattr(exc, "error_id", None) in (None, "no-secrets-found"):
            return False
        raise SettingsUnreadable(str(getattr(exc, "error_id", ""))) from None
    except Exception as exc:
        raise SettingsUnreadable(type(exc).__name__) from None


def claims() -> dict[str, Any]:
    """The signed-in user's ID-token claims as Streamlit keeps them ({} when signed out)."""
    try:
        info = st.user.to_dict()
    except Exception:  # outside a script run
        return {}
    return dict(info) if info.get("is_logged_in") is True else {}


def signed_in() -> bool:
    """True when sign-in is required and this session has signed in."""
    try:
        return sign_in_required() and bool(claims())
    except SettingsUnreadable:
        return False


def email() -> str | None:
    """The signed-in user's e-mail address, if the provider gave one it did not call
    unverified (`email_verified: false`)."""
    found = claims()
    address = found.get("email")
    if not isinstance(address, str) or not address.strip():
        return None
    if found.get("email_verified") is False:
        return None
    return address.strip()


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def shown_name() -> str:
    """Who is signed in, in words for the page: `Name (address)`, or whichever of them the
    provider gave (else its subject id), on one line and without control characters."""
    found = claims()

    def text(key: str) -> str:
        value = found.get(key)
        return " ".join(_CONTROL.sub(" ", value).split())[:200] if isinstance(value, str) else ""

    name, address = text("name"), text("email")
    if name and address and name.lower() != address.lower():
        return f"{name} ({address})"
    return name or address or text("preferred_username") or text("sub") or "an unnamed user"


_lock = threading.Lock()
_cache: dict[str, tuple[tuple, AccessFile | list[Problem]]] = {}


def _named_by_file(problems: list[Problem], path: str) -> list[Problem]:
    """The problems, the file named by its name alone: no folder of the server is shown."""
    name = Path(path).name or "access file"
    return [replace(p, file=name) if p.file == path else p for p in problems]


def access() -> AccessFile | None:
    """The access file named by PLATFORM_ADVISOR_ACCESS (None without one), read again only
    when the file changes. Raises InputError naming the file (by its name), line and field."""
    path = os.environ.get(ACCESS_ENV)
    if not path:
        return None
    try:
        info = os.stat(path)
        key: tuple | None = (info.st_mtime_ns, info.st_size, info.st_ino, info.st_dev)
    except OSError:
        key = None  # load_access says why; nothing is kept
    with _lock:
        kept = _cache.get(path)
        if key is not None and kept is not None and kept[0] == key:
            result = kept[1]
        else:
            try:
                result = load_access(path)
            except InputError as exc:
                result = _named_by_file(exc.problems, path)
            if key is not None:
                _cache.clear()  # one file is in use at a time
                _cache[path] = (key, result)
    if isinstance(result, list):
        raise InputError(result)
    return result


def groups(found: dict[str, Any], file: AccessFile | None) -> list[str]:
    """The user's groups: the ID-token claim the access file names, a list or one name."""
    if file is None or file.groups is None:
        return []
    value = found.get(file.groups.claim)
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [g for g in value if isinstance(g, str)]
    return []


def current() -> Principal:
    """The session's user and what they may do. Never raises: a session that has not signed
    in, whose settings or access file cannot be read, or with no verified e-mail address is
    in no team (`signin.gate` tells the user why before any page runs)."""
    try:
        required = sign_in_required()
    except SettingsUnreadable:
        return Principal(user="")
    if not required:
        return Principal.anyone(local_user())
    found = claims()
    if not found:
        return Principal(user="")
    address = email()
    try:
        file = access()
    except InputError:
        return Principal(user=address or shown_name())
    if address is None or file is None:  # no address, or no file to find it in: no team
        return Principal(user=address or shown_name())  # (signing in is open to many)
    return principal(file, address, groups(found, file))
