"""Regular files only, their size checked before a byte is read (without pandas: the command
line checks its files before the libraries load)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from advisor.errors import EvidenceError, Problem
from advisor.evidence.limits import MB


def size_words(limit: int) -> str:
    """A size in words: MB from one MB up, else bytes."""
    return f"{limit / MB:,.0f} MB" if limit >= MB else f"{limit:,} bytes"


def checked_file(path: Path, limit: int | None = None) -> int:
    """The size of a regular file (within `limit`, when one is given), checked before it is
    read. A folder, a device, a pipe or a link to one is refused: it could be endless."""
    try:
        info = os.stat(path)
    except OSError as exc:
        raise EvidenceError([Problem(str(path), f"cannot be read ({exc.strerror})")]) from None
    if stat.S_ISDIR(info.st_mode):
        raise EvidenceError([Problem(str(path), "is a folder, not a file")])
    if not stat.S_ISREG(info.st_mode):
        raise EvidenceError([Problem(str(path), "is not a regular file (a device or a pipe)")])
    if limit is not None and info.st_size > limit:
        raise EvidenceError([Problem(str(path), f"file is larger than {size_words(limit)}")])
    return info.st_size


def read_bytes(path: Path, limit: int) -> bytes:
    """A regular file's bytes, never more than `limit` (a file that grows while it is read
    is refused)."""
    checked_file(path, limit)
    with path.open("rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise EvidenceError([Problem(str(path), f"file is larger than {size_words(limit)}")])
    return data
