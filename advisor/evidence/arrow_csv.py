"""Arrow's one-pass reads of the CSV exports, without pandas: the command line starts them on
a thread before it imports pandas, so a large export is parsed while the rest loads.

Each read returns None when Arrow cannot take the file as it is (a time without a zone, a
header in capitals...): reading.py then reads it the careful way and names what it sets
aside.
"""

from __future__ import annotations

import csv
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from advisor.evidence.limits import MAX_COLUMNS, MAX_HEADER_BYTES
from advisor.evidence.limits import MAX_FILE_BYTES as MAX_BYTES  # refused before it is read

TEXT_COLUMNS = ("key", "type", "team", "from_status", "to_status", "project")
TRANSITION_COLUMNS = ("key", "type", "from_status", "to_status", "changed_at")
DEPLOYMENT_TIMES = ("deployed_at", "commit_at", "recovered_at")
INCIDENT_TIMES = ("created_at", "resolved_at")

Data = bytes | str | Path


def source(data: Data):
    """The file as an Arrow stream, to be closed by the caller (`with source(data) as s`).
    Never a Python file object: Arrow reads ahead on its own threads, and after a failed
    read of a Python object the interpreter can hang or crash at exit (apache/arrow#43892,
    #50482; a row longer than Arrow's 1 MB block did it here about one run in fifteen)."""
    import pyarrow as pa

    if isinstance(data, Path):
        return pa.OSFile(str(data))
    return pa.BufferReader(data.encode() if isinstance(data, str) else data)


def header(data: Data) -> list[str]:
    """The first line's column names, trimmed and in lower case."""
    if isinstance(data, Path):
        with data.open("rb") as f:
            first = f.readline(MAX_HEADER_BYTES)
    else:
        raw = data.encode() if isinstance(data, str) else data
        first = raw[:MAX_HEADER_BYTES].split(b"\n", 1)[0]
    try:
        names = next(csv.reader([first.decode("utf-8-sig", "replace")]), [])
    except csv.Error:  # a NUL byte, say: the careful path says what is wrong
        return []
    return [c.strip().lower() for c in names]


def _plain_header(data: Data) -> bool:
    """Whether Arrow may read the file: a header line of UTF-8 shorter than
    MAX_HEADER_BYTES, of at most MAX_COLUMNS names, none repeated. Anything else goes to the
    careful path, which refuses it with its reason; Arrow would first build every column (a
    0.8 MB header of 100,000 names takes about a GB), and a name that is not UTF-8 raises
    when the table's names are read."""
    if isinstance(data, Path):
        with data.open("rb") as f:
            first = f.readline(MAX_HEADER_BYTES)
    else:
        raw = data.encode() if isinstance(data, str) else data
        first = raw[:MAX_HEADER_BYTES]
    if b"\n" not in first and len(first) >= MAX_HEADER_BYTES:
        return False
    try:
        first.split(b"\n", 1)[0].decode("utf-8")
    except UnicodeDecodeError:
        return False
    names = header(data)
    return 0 < len(names) <= MAX_COLUMNS and len(set(names)) == len(names)


def transitions_table(data: Data):
    """Transitions with text as dictionaries and times typed in UTC, when every time has a
    zone and the header is already in lower case."""
    import pyarrow as pa
    from pyarrow import csv as arrow

    if not _plain_header(data):
        return None
    stamp = pa.timestamp("ns", tz="UTC")
    text = pa.dictionary(pa.int32(), pa.string())
    types = {"changed_at": stamp, "created_at": stamp, **dict.fromkeys(TEXT_COLUMNS, text)}
    try:
        with source(data) as stream:
            table = arrow.read_csv(
                stream,
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

    if not _plain_header(data):
        return None
    names = header(data)
    stamp = pa.timestamp("ns", tz="UTC")
    types = {c: stamp if c in times else pa.string() for c in names}
    try:
        with source(data) as stream:
            return arrow.read_csv(
                stream,
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
