"""Arrow's one-pass reads of the CSV exports, without pandas: the command line starts them on
a thread before it imports pandas, so a large export is parsed while the rest loads.

Each read returns None when Arrow cannot take the file as it is (a time without a zone, a
header in capitals...): reading.py then reads it the careful way and names what it sets
aside.
"""

from __future__ import annotations

import csv
import io
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from advisor.evidence.limits import MAX_FILE_BYTES as MAX_BYTES  # refused before it is read

TEXT_COLUMNS = ("key", "type", "team", "from_status", "to_status", "project")
TRANSITION_COLUMNS = ("key", "type", "from_status", "to_status", "changed_at")
DEPLOYMENT_TIMES = ("deployed_at", "commit_at", "recovered_at")
INCIDENT_TIMES = ("created_at", "resolved_at")

Data = bytes | str | Path


def source(data: Data):
    return (
        data
        if isinstance(data, Path)
        else io.BytesIO(data.encode() if isinstance(data, str) else data)
    )


def header(data: Data) -> list[str]:
    """The first line's column names, trimmed and in lower case."""
    if isinstance(data, Path):
        with data.open("rb") as f:
            first = f.readline(65_536)
    else:
        first = (data.encode() if isinstance(data, str) else data)[:65_536].split(b"\n", 1)[0]
    try:
        names = next(csv.reader([first.decode("utf-8-sig", "replace")]), [])
    except csv.Error:  # a NUL byte, say: the careful path says what is wrong
        return []
    return [c.strip().lower() for c in names]


def transitions_table(data: Data):
    """Transitions with text as dictionaries and times typed in UTC, when every time has a
    zone and the header is already in lower case."""
    import pyarrow as pa
    from pyarrow import csv as arrow

    stamp = pa.timestamp("ns", tz="UTC")
    text = pa.dictionary(pa.int32(), pa.string())
    types = {"changed_at": stamp, "created_at": stamp, **dict.fromkeys(TEXT_COLUMNS, text)}
    try:
        table = arrow.read_csv(
            source(data),
            convert_options=arrow.ConvertOptions(column_types=types, strings_can_be_null=False),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, OSError):
        return None
    names = table.column_names
    if any(c not in names for c in TRANSITION_COLUMNS) or table.num_rows == 0:
        return None
    if [c.strip().lower() for c in names] != names:
        return None
    return table


def typed_table(data: Data, times: tuple[str, ...]):
    """Every column as text but `times`, typed as UTC timestamps; the header is trimmed and
    put in lower case first."""
    import pyarrow as pa
    from pyarrow import csv as arrow

    names = header(data)
    if not names or len(set(names)) < len(names):
        return None
    stamp = pa.timestamp("ns", tz="UTC")
    types = {c: stamp if c in times else pa.string() for c in names}
    try:
        return arrow.read_csv(
            source(data),
            read_options=arrow.ReadOptions(column_names=names, skip_rows=1),
            convert_options=arrow.ConvertOptions(column_types=types, strings_can_be_null=False),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, OSError):
        return None


def _small_csv(path: str | None) -> Path | None:
    """The path when it is a CSV file within MAX_BYTES (anything else is read later, and
    refused there with its reason)."""
    if not path or not path.lower().endswith(".csv"):
        return None
    p = Path(path)
    try:
        return p if p.is_file() and p.stat().st_size <= MAX_BYTES else None
    except OSError:
        return None


def _items_early(path: Path):
    """The transitions as Arrow reads them, then (pandas being loaded by now, or loaded
    here) as the frame the readers make of them, with the rows they set aside: this work
    overlaps the rest of the start-up instead of following it."""
    table = transitions_table(path)
    if table is None:
        return None
    from advisor.evidence.reading import Early

    return Early.of(table, str(path))


class EarlyReads:
    """The transitions and deployments files read by Arrow on a thread, started at once."""

    def __init__(self, items: str | None, deployments: str | None = None):
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="early-read")
        items_path, deploys_path = _small_csv(items), _small_csv(deployments)
        self._items: Future | None = pool.submit(_items_early, items_path) if items_path else None
        self._deployments: Future | None = (
            pool.submit(typed_table, deploys_path, DEPLOYMENT_TIMES) if deploys_path else None
        )
        pool.shutdown(wait=False)

    def items(self):
        return _result(self._items)

    def deployments(self):
        return _result(self._deployments)


def _result(future: Future | None):
    """The table, or None: whatever went wrong is met again, and reported, when the file is
    read the usual way."""
    try:
        return future.result() if future else None
    except Exception:
        return None
