"""Who is using this session, and what they may do: the one owner of the session's identity.

Without sign-in configured the app is one person's, on their own machine: the user is
PLATFORM_ADVISOR_USER, else the machine's login name, and every check passes.
"""

from __future__ import annotations

import getpass
import os

from advisor.access import Principal


def local_user() -> str:
    """The one person of an app without sign-in."""
    try:
        return os.environ.get("PLATFORM_ADVISOR_USER") or getpass.getuser()
    except (KeyError, OSError):  # no login name in a container
        return "local user"


def current() -> Principal:
    """The session's user and what they may do."""
    return Principal.anyone(local_user())
