"""Where a connector's token comes from: the environment first, then the `[connectors]` table
of `.streamlit/secrets.toml` (e.g. `GITHUB_TOKEN = "..."`). A token is never written
anywhere by this package; it only goes into request headers."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from advisor.connectors.http import BAD_INPUT, ConnectorError

SECRETS_FILE = Path(".streamlit") / "secrets.toml"  # relative to the working directory
TABLE = "connectors"


def token(name: str, secrets_file: Path | None = None) -> str | None:
    """The value of `name` (e.g. `GITHUB_TOKEN`): the environment variable if set and not
    blank, else `[connectors] name` in `secrets_file` (default `.streamlit/secrets.toml` in
    the working directory), else None. Raises ConnectorError (exit 2) when the secrets file
    exists but is not valid TOML or the value is not a string (the value is never quoted)."""
    value = os.environ.get(name, "").strip()
    if value:
        return value
    path = Path(secrets_file) if secrets_file is not None else SECRETS_FILE
    if not path.is_file():
        return None
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        where = f" ({exc})" if isinstance(exc, tomllib.TOMLDecodeError) else ""
        raise ConnectorError(f"{path}: cannot be read as TOML{where}", BAD_INPUT) from None
    table = data.get(TABLE, {})
    if not isinstance(table, dict):
        raise ConnectorError(f"{path}: [{TABLE}] must be a table", BAD_INPUT)
    found = table.get(name)
    if found is None:
        return None
    if not isinstance(found, str):
        raise ConnectorError(f"{path}: [{TABLE}] {name} must be a string", BAD_INPUT)
    return found.strip() or None


def token_source(name: str, secrets_file: Path | None = None) -> str | None:
    """Where `name` is set, for a user-facing message: "environment", the secrets file's
    path, or None when it is set nowhere. Never the value."""
    if os.environ.get(name, "").strip():
        return "environment"
    try:
        found = token(name, secrets_file)
    except ConnectorError:
        return None
    path = Path(secrets_file) if secrets_file is not None else SECRETS_FILE
    return str(path) if found else None
