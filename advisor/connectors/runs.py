"""What the GitHub and GitLab pulls share: the result they return, the state they start from
(a fresh pull, an incremental one, or the resumption of an interrupted one), and the reading of
the providers' times."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from advisor.connectors.http import BAD_INPUT, ConnectorError
from advisor.connectors.output import PageWriter, merge_csv
from advisor.connectors.state import PullState, load_state

Progress = Callable[[int, int | None, str], None]
DEPLOYMENTS_FILE = "deployments.csv"
DEPLOYMENT_COLUMNS = (
    "id",
    "deployed_at",
    "commit_at",
    "status",
    "recovered_at",
    "unplanned",
    "commit",
)
# A deployment's statuses can change after it is created (pending, then success): an
# incremental pull reads again the deployments created this long before its watermark.
DEPLOYMENT_LOOKBACK = timedelta(days=7)


@dataclass
class PullResult:
    """What one pull did. fetched: items fetched this run per kind (e.g. `{"pulls": 40,
    "deployments": 3}`); in_folder: items in the folder after it, per kind; files: the data
    files in the folder (relative names); requests: HTTP requests made (retries included);
    mode: "full", "incremental" or "resumed"; updated_to: the watermark recorded."""

    provider: str
    target: str
    out: Path
    mode: str
    fetched: dict[str, int] = field(default_factory=dict)
    in_folder: dict[str, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    requests: int = 0
    updated_to: datetime | None = None

    def summary(self) -> str:
        """One paragraph in plain words for the command line and the app."""
        got = ", ".join(f"{n:,} {k}" for k, n in self.fetched.items()) or "nothing new"
        held = ", ".join(f"{n:,} {k}" for k, n in self.in_folder.items())
        mark = self.updated_to.isoformat() if self.updated_to else "none"
        return (
            f"{self.provider} {self.target}: {self.mode} pull fetched {got} in "
            f"{self.requests:,} requests. {self.out} now holds {held} in {len(self.files)} "
            f"files (and pull-state.json); the next pull asks only for changes after {mark}."
        )


def parse_time(value: str | None) -> datetime | None:
    """An ISO 8601 time from a provider (`2025-03-01T12:00:00Z`, `...+01:00`, `.123Z`) as an
    aware UTC datetime; None for None or an empty string."""
    if not value:
        return None
    when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC)


def iso(when: datetime | None) -> str:
    """`2025-03-01T12:00:00Z` for an aware datetime, "" for None."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if when else ""


def starting_state(
    out: Path, provider: str, target: str, since: date | None, query: str | None = None
) -> tuple[PullState, str]:
    """The state a pull starts from and its mode: "resumed" (an unfinished pull of the same
    target: continue from its cursor), "incremental" (a finished one: ask only for what was
    updated after its watermark) or "full". Raises ConnectorError (exit 2) when the folder
    holds another target's pull."""
    out.mkdir(parents=True, exist_ok=True)
    state = load_state(out)
    if state is not None and (state.provider, state.target, state.query) != (
        provider,
        target,
        query,
    ):
        raise ConnectorError(
            f"{out} holds a pull of {state.provider} {state.target}"
            + (f" ({state.query})" if state.query else "")
            + "; choose another --out folder for this one",
            BAD_INPUT,
        )
    if state is None:
        return PullState(provider=provider, target=target, query=query, since=since), "full"
    if not state.complete and state.cursor is not None:
        return state, "resumed"
    if state.updated_to is None:
        state.since = since
        return state, "full"
    return state, "incremental"


def lower_bound(state: PullState) -> datetime | None:
    """The earliest update a pull asks for: the watermark, else `since` (midnight UTC)."""
    if state.updated_to is not None:
        return state.updated_to
    if state.since is not None:
        return datetime(state.since.year, state.since.month, state.since.day, tzinfo=UTC)
    return None


def write_deployments(
    out: Path, rows: list[dict[str, str]], commit_times: Mapping[str, str]
) -> int:
    """Merge rows into `out/deployments.csv` by id, fill `commit_at` from the pulls where the
    deployed sha is a pull's merge commit, and set each failed deployment's `recovered_at` to
    the next successful deployment's time. Returns the rows in the file."""
    path = out / DEPLOYMENTS_FILE
    merged = merge_csv(
        path, rows, "id", DEPLOYMENT_COLUMNS, order=lambda r: (r["deployed_at"], r["id"])
    )
    for i, row in enumerate(merged):
        if not row["commit_at"] and row["commit"] in commit_times:
            first = commit_times[row["commit"]]
            row["commit_at"] = first if first <= row["deployed_at"] else ""
        row["recovered_at"] = ""
        if row["status"] == "failed":
            later = (r["deployed_at"] for r in merged[i + 1 :] if r["status"] == "success")
            row["recovered_at"] = next(later, "")
    merge_csv(path, merged, "id", DEPLOYMENT_COLUMNS, order=lambda r: (r["deployed_at"], r["id"]))
    return len(merged)


def written_files(out: Path, folder: str, writer: PageWriter) -> list[str]:
    """The files a pull wrote into `out`, as `pull-state.json` lists them: the pages in
    `folder`, and the deployments file when there is one."""
    files = [f"{folder}/{name}" for name in writer.files]
    if (out / DEPLOYMENTS_FILE).is_file():
        files.append(DEPLOYMENTS_FILE)
    return files
