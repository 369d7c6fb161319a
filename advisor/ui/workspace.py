"""The Evidence page's files and status-map edits, kept with a browser's draft so a reload does
not lose them. Bounded: files up to `KEPT_MB` in all are kept (base64 in the draft store);
above that the page says they must be uploaded again after a reload.

State owned here: `evidence_files` ({kind: [Upload]}), `evidence_map_edits` (YAML text).
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass

import streamlit as st

KEPT_MB = 5  # files kept across a reload, in all
KEPT_BYTES = KEPT_MB * 1024 * 1024


@dataclass(frozen=True)
class Upload:
    """One uploaded file, with the digest taken once when it arrived."""

    name: str
    data: bytes
    digest: str


def upload(name: str, data: bytes) -> Upload:
    return Upload(name, data, hashlib.sha256(data).hexdigest())


def files() -> dict[str, list[Upload]]:
    return st.session_state.setdefault("evidence_files", {})


def _kept_kinds() -> tuple[list[str], list[str]]:
    """The kinds of file a draft keeps, smallest first while within `KEPT_BYTES`, and those
    it leaves out (a large export no longer takes the small map and survey with it)."""
    sizes = sorted((sum(len(u.data) for u in us), kind) for kind, us in files().items())
    kept, left, total = [], [], 0
    for size, kind in sizes:
        if total + size <= KEPT_BYTES:
            kept.append(kind)
            total += size
        else:
            left.append(kind)
    return kept, left


def too_large_note() -> str | None:
    """What the page says when files in use are more than a draft keeps (before a reload),
    or were not kept (after one)."""
    _, left = _kept_kinds()
    lost = st.session_state.get("_workspace_not_kept") or []
    if left:
        names = ", ".join(u.name for kind in left for u in files()[kind])
        return (
            f"A draft keeps {KEPT_MB} MB of files in all: after a reload, upload {names} "
            "again (the other files and the status-map edits are kept)."
        )
    if lost:
        return (
            f"Not kept across the reload (a draft keeps {KEPT_MB} MB of files in all): "
            f"{', '.join(lost)}. Upload them again."
        )
    return None


def files_digest() -> str:
    """Every file in use by kind and content digest (taken once, on arrival)."""
    return "|".join(f"{k}:{u.digest}" for k, us in sorted(files().items()) for u in us)


def marker() -> str:
    """What the workspace holds, cheaply: changes whenever a file or an edit does."""
    digests = files_digest()
    edits = st.session_state.get("evidence_map_edits") or ""
    return hashlib.sha256(f"{digests}\x00{edits}".encode()).hexdigest()


def snapshot() -> str:
    """The workspace as JSON for the draft store: the files that fit `KEPT_BYTES`, the names
    of those that do not, the status-map edits."""
    kept, left = _kept_kinds()
    return json.dumps(
        {
            "files": {
                kind: [
                    {"name": u.name, "data": base64.b64encode(u.data).decode("ascii")}
                    for u in files()[kind]
                ]
                for kind in files()
                if kind in kept  # in the page's order
            },
            "not_kept": [u.name for kind in left for u in files()[kind]],
            "map_edits": st.session_state.get("evidence_map_edits") or "",
        }
    )


def restore(body: str | None) -> None:
    """Put a kept workspace back (a reload). A body that does not read is ignored: a draft is
    a convenience, never a reason for an error."""
    if not body:
        return
    try:
        data = json.loads(body)
        kept = {
            kind: [upload(str(f["name"]), base64.b64decode(f["data"])) for f in entries]
            for kind, entries in data.get("files", {}).items()
        }
        edits = str(data.get("map_edits") or "")
        lost = [str(name) for name in data.get("not_kept", [])]
    except (ValueError, TypeError, KeyError, AttributeError):
        return
    if lost:
        st.session_state["_workspace_not_kept"] = lost
    if kept:
        st.session_state["evidence_files"] = kept
    if edits:
        st.session_state["evidence_map_edits"] = edits
