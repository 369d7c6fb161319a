"""Arrow's one-pass reads of the CSV exports, without pandas: the command line starts them on
a thread before it imports pandas, so a large export is parsed while the rest loads.

A transitions file is read in batches of BATCH_BYTES (transition_columns): each batch's text
becomes integer codes into names kept once for the whole file, its times nanoseconds, and the
batch is let go. The peak grows with the rows (a few bytes of codes and 16 of times each),
never with the file's bytes, so a file of any size is read within the memory budget.

Each read returns None when Arrow cannot take the file as it is (a time without a zone, a
header in capitals...): reading.py then reads it the careful way and names what it sets
aside.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from advisor.evidence.limits import BATCH_BYTES, MAX_COLUMNS, MAX_HEADER_BYTES

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
    return [c.strip().lower() for c in raw_header(data)]


def raw_header(data: Data) -> list[str]:
    """The first line's column names as they are written."""
    if isinstance(data, Path):
        with data.open("rb") as f:
            first = f.readline(MAX_HEADER_BYTES)
    else:
        raw = data.encode() if isinstance(data, str) else data
        first = raw[:MAX_HEADER_BYTES].split(b"\n", 1)[0]
    try:
        return next(csv.reader([first.decode("utf-8-sig", "replace")]), [])
    except csv.Error:  # a NUL byte, say: the careful path says what is wrong
        return []


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


NAT = np.iinfo(np.int64).min  # an empty time, as numpy's NaT
MIN_ROW_BYTES = 24  # a row of a key, a type, two statuses and a time takes more


def code_dtype(names: int):
    """The integer type pandas keeps a Categorical's codes in for `names` categories (so a
    frame built from these codes takes them without a copy)."""
    for kind in (np.int8, np.int16, np.int32):
        if names < np.iinfo(kind).max:
            return kind
    return np.int64


class _Names:
    """A text column's batches: each batch's dictionary (trimmed), kept as Arrow text, while
    its rows keep codes into it. The names of all batches are made one set at the end
    (_unified): no Python string per name while the file is read."""

    def __init__(self):
        self.dictionaries: list = []
        self.lengths: list[int] = []  # each batch's rows
        self.changed = False  # trimming changed a name: two names may have become one

    def codes_of(self, column) -> np.ndarray:
        """A batch's dictionary column as codes into its own dictionary, which is kept."""
        import pyarrow as pa
        import pyarrow.compute as pc

        if not pa.types.is_dictionary(column.type):  # a column of nothing but nulls, say
            column = pc.dictionary_encode(column.cast(pa.string()))
        trimmed = pc.utf8_trim_whitespace(column.dictionary)
        self.changed = self.changed or not trimmed.equals(column.dictionary)
        indices = column.indices
        if indices.null_count:  # none with strings_can_be_null=False; read as "" all the same
            trimmed = pa.concat_arrays([trimmed, pa.array([""], pa.string())])
            indices = indices.fill_null(len(trimmed) - 1)
        self.dictionaries.append(trimmed)
        self.lengths.append(len(indices))
        return indices.to_numpy(zero_copy_only=False).astype(code_dtype(len(trimmed)))


class _Growing:
    """One column's values for the whole file in one array, sized from an estimate of the
    rows and grown (or widened) when the file holds more: pages of the array that are never
    written take no memory, and no batch is copied twice."""

    def __init__(self, dtype, capacity: int):
        self.values = np.empty(capacity, dtype=dtype)
        self.size = 0

    def add(self, chunk: np.ndarray) -> None:
        end = self.size + len(chunk)
        dtype = np.promote_types(self.values.dtype, chunk.dtype)
        if end > len(self.values) or dtype != self.values.dtype:
            grown = np.empty(max(end, 2 * len(self.values)), dtype=dtype)
            grown[: self.size] = self.values[: self.size]
            self.values = grown
        self.values[self.size : end] = chunk
        self.size = end

    def array(self) -> np.ndarray:
        return self.values[: self.size]


def _unified(parts: list[tuple[_Names, _Growing]]) -> tuple[list[np.ndarray], np.ndarray]:
    """Each part's batch codes as one array of codes into one set of names, in the order
    they are first seen (over the parts in turn), and those names. One hashing pass over
    every batch's dictionary (pandas' factorize keeps first-seen order; Arrow's own hash
    table took 200 MB for a million keys, against about 40 MB)."""
    import pandas as pd

    every = [d.to_numpy(zero_copy_only=False) for names, _ in parts for d in names.dictionaries]
    codes, names = pd.factorize(np.concatenate(every) if every else np.array([], object))
    del every
    names = np.asarray(names, dtype=object)
    dtype = code_dtype(len(names))
    out, at = [], 0
    for part, local in parts:
        values = local.array()
        joined = values if values.dtype == dtype else np.empty(len(values), dtype=dtype)
        row = 0
        for dictionary, length in zip(part.dictionaries, part.lengths, strict=True):
            lut = codes[at : at + len(dictionary)].astype(dtype)
            joined[row : row + length] = lut[values[row : row + length]]
            at += len(dictionary)
            row += length
        local.values = None
        out.append(joined)
    return out, names


@dataclass
class TransitionColumns:
    """A transitions file as compact columns: per text column, codes into its names (trimmed,
    in the order first seen) and whether trimming changed a name; times as ns since the
    epoch, UTC, NAT where empty. `created` is None when the file has no created_at."""

    codes: dict[str, np.ndarray]
    names: dict[str, np.ndarray]
    changed: dict[str, bool]
    at: np.ndarray
    created: np.ndarray | None
    rows: int


def _times(column) -> np.ndarray:
    import pyarrow as pa

    values = column.cast(pa.int64())
    if values.null_count:
        values = values.fill_null(NAT)
    return values.to_numpy()


def _pieces(data: Data):
    """The rows after the header, BATCH_BYTES at a time, each piece ending at a line's end.
    Arrow's own streaming reader keeps dozens of blocks in flight (about 550 MB of 16 MB
    blocks, measured); read_csv over one piece at a time keeps one. Arrow splits its blocks
    at any line end too (ParseOptions.newlines_in_values is off), so no row is cut."""
    if isinstance(data, Path):
        with data.open("rb") as f:
            f.readline(MAX_HEADER_BYTES)
            rest = b""
            while True:
                block = f.read(BATCH_BYTES)
                if not block:
                    break
                end = block.rfind(b"\n") + 1
                if end == 0:  # no line end in a whole block: carried on
                    rest += block
                    continue
                yield rest + block[:end]
                rest = block[end:]
            if rest:
                yield rest
        return
    raw = data.encode() if isinstance(data, str) else data
    view = memoryview(raw)
    at = raw.find(b"\n") + 1 if b"\n" in raw[:MAX_HEADER_BYTES] else len(raw)
    while at < len(raw):
        end = raw.rfind(b"\n", at, at + BATCH_BYTES) + 1
        end = len(raw) if end <= at or at + BATCH_BYTES >= len(raw) else end
        yield view[at:end]
        at = end


def transition_columns(
    data: Data, progress: Callable[[int, int], None] | None = None
) -> TransitionColumns | None:
    """A transitions file read in batches into compact columns, when every time has a zone
    and the header is already in lower case (else None: the careful path reads it). Only the
    columns measuring uses are read (a title column is skipped). `progress(rows, batch)` is
    called after each batch with the rows read so far and the batch's number (from 1): it
    may raise to stop the read (the memory budget does)."""
    import pyarrow as pa
    from pyarrow import csv as arrow

    if not _plain_header(data):
        return None
    names = raw_header(data)
    if names != [c.strip().lower() for c in names]:  # a name in capitals, say
        return None
    if any(c not in names for c in TRANSITION_COLUMNS):
        return None
    stamp = pa.timestamp("ns", tz="UTC")
    text = pa.dictionary(pa.int32(), pa.string())
    wanted = [c for c in (*TEXT_COLUMNS, "changed_at", "created_at") if c in names]
    types = {"changed_at": stamp, "created_at": stamp, **dict.fromkeys(TEXT_COLUMNS, text)}
    found = {c: _Names() for c in wanted if c in TEXT_COLUMNS}
    size = data.stat().st_size if isinstance(data, Path) else len(data)
    capacity = size // MIN_ROW_BYTES + 1  # more than any file of this size holds, as a rule
    chunks = {
        c: _Growing(np.int32 if c == "key" else np.int16 if c in found else np.int64, capacity)
        for c in wanted
    }
    rows = 0
    read = arrow.ReadOptions(column_names=names, block_size=BATCH_BYTES)
    convert = arrow.ConvertOptions(
        column_types={c: types[c] for c in wanted},
        include_columns=wanted,
        strings_can_be_null=False,
    )
    try:
        for number, piece in enumerate(_pieces(data), 1):
            batch = arrow.read_csv(
                pa.BufferReader(piece), read_options=read, convert_options=convert
            )
            del piece
            for c in wanted:
                for column in batch.column(c).chunks:
                    chunks[c].add(found[c].codes_of(column) if c in found else _times(column))
            rows += batch.num_rows
            del batch
            if progress is not None:
                progress(rows, number)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, OSError):
        return None
    if rows == 0:
        return None
    codes, names = {}, {}
    for c in found:
        if c == "to_status":
            continue
        parts = [(found[c], chunks.pop(c))]
        if c == "from_status":  # one set of names for both status columns: a code means
            parts.append((found["to_status"], chunks.pop("to_status")))  # the same status
        joined, names[c] = _unified(parts)
        codes[c] = joined[0]
        if c == "from_status":
            codes["to_status"], names["to_status"] = joined[1], names[c]
    changed = {c: n.changed for c, n in found.items()}
    return TransitionColumns(
        codes,
        names,
        changed,
        chunks.pop("changed_at").array(),
        chunks.pop("created_at").array() if "created_at" in chunks else None,
        rows,
    )


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


def _csv_file(path: str | None) -> Path | None:
    """The path when it is a CSV file (anything else is read later, and refused there with
    its reason)."""
    if not path or not path.lower().endswith(".csv"):
        return None
    p = Path(path)
    try:
        return p if p.is_file() else None
    except OSError:
        return None


def _items_early(path: Path, budget):
    """The transitions as Arrow reads them, then (pandas being loaded by now, or loaded
    here) as the frame the readers make of them, with the rows they set aside: this work
    overlaps the rest of the start-up instead of following it. A file over the memory budget
    stops here and is refused by the usual read."""
    from advisor.evidence.reading import Early

    return Early.read(path, str(path), budget)


class EarlyReads:
    """The transitions and deployments files read by Arrow on a thread, started at once.
    `budget`: a budget.Budget the transitions must fit (none: the default budget)."""

    def __init__(self, items: str | None, deployments: str | None = None, budget=None):
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="early-read")
        items_path, deploys_path = _csv_file(items), _csv_file(deployments)
        self._items: Future | None = (
            pool.submit(_items_early, items_path, budget) if items_path else None
        )
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
