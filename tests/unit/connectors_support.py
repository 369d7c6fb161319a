"""Shared helpers for the connector tests: a recorded sleep (no test waits), the token used
against the local servers, and a check that the token is in no file, log record or message."""

from __future__ import annotations

import logging
from pathlib import Path

from advisor.connectors.fakes import TOKEN  # what the local fakes expect; in no file written

__all__ = ["TOKEN", "Sleeps", "assert_no_token"]


class Sleeps:
    """A stand-in for time.sleep that records each wait, in seconds."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def assert_no_token(
    token: str,
    folder: Path | None = None,
    records: list[logging.LogRecord] = (),
    messages: list[str] = (),
) -> int:
    """Fail if `token` is in any file under `folder`, any log record's message (formatted
    as a handler would) or any message. Returns how many places were looked at, so a test
    can check it looked at something."""
    looked = 0
    if folder is not None:
        for path in Path(folder).rglob("*"):
            if path.is_file():
                looked += 1
                assert token not in path.read_text(encoding="utf-8", errors="replace"), path
    for record in records:
        looked += 1
        assert token not in record.getMessage(), record.getMessage()
    for message in messages:
        looked += 1
        assert token not in message, message
    return looked
