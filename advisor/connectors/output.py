"""Writing a pull to disk page by page, merged by key: each page of items becomes one JSON
file (`PREFIX-00001.json`, ...) the evidence reader takes, and an item fetched again (an
incremental pull, or an item that moved between pages) replaces its old copy, so no key is in
two files. Only the keys are held in memory (a dict key -> file), never all the items."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from advisor.connectors.http import ConnectorError
from advisor.connectors.state import write_atomic

PAGE_DIGITS = 5  # PREFIX-00001.json ... PREFIX-99999.json


class PageWriter:
    """The pages of one kind of item in folder `out`, as files `PREFIX-NNNNN.json`.

    key: an item's identity (e.g. a pull's number, an issue's key), as a string; envelope:
    None writes each file as a JSON list of items (GitHub, GitLab), a name (e.g. "issues")
    writes `{"issues": [...]}` (Jira's search response). Existing files are read once (one at
    a time) to learn which key is in which file. Raises ConnectorError (exit 2) when an
    existing file cannot be read as this kind of page.
    """

    def __init__(
        self,
        out: Path,
        prefix: str,
        key: Callable[[Mapping[str, Any]], str],
        envelope: str | None = None,
    ):
        self.out = Path(out)
        self.out.mkdir(parents=True, exist_ok=True)
        self.prefix = prefix
        self.key = key
        self.envelope = envelope
        self.index: dict[str, str] = {}
        self._pattern = re.compile(rf"^{re.escape(prefix)}-(\d{{{PAGE_DIGITS},}})\.json$")
        self._number = 0
        for path in sorted(self.out.iterdir()):
            m = self._pattern.match(path.name)
            if not m:
                continue
            self._number = max(self._number, int(m.group(1)))
            for item in self.read(path.name):
                self.index[str(self.key(item))] = path.name

    @property
    def files(self) -> list[str]:
        """The page files holding at least one item, in page order."""
        return sorted(set(self.index.values()))

    def __len__(self) -> int:
        return len(self.index)

    def read(self, name: str) -> list[dict[str, Any]]:
        """The items of page file `name`."""
        path = self.out / name
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ConnectorError(f"{path}: cannot be read as JSON ({exc})", 2) from None
        if self.envelope:
            items = document.get(self.envelope) if isinstance(document, dict) else None
        else:
            items = document
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            shape = f'{{"{self.envelope}": [...]}}' if self.envelope else "a list of objects"
            raise ConnectorError(f"{path}: is not {shape}; move it out of the folder", 2)
        return items

    def _dump(self, name: str, items: Sequence[Mapping[str, Any]]) -> None:
        document: Any = {self.envelope: list(items)} if self.envelope else list(items)
        write_atomic(self.out / name, json.dumps(document, ensure_ascii=False))

    def write(self, items: Iterable[Mapping[str, Any]]) -> str | None:
        """Write one page as a new file and return its name (None for an empty page). Items
        whose key is already in an older file are first removed from that file (a file left
        empty is deleted), so each key is in exactly one file: the newest copy."""
        page: dict[str, Mapping[str, Any]] = {}
        for item in items:
            k = str(self.key(item))
            page.pop(k, None)  # a key twice in one page: the later copy, in its place
            page[k] = item
        if not page:
            return None
        stale: dict[str, set[str]] = {}
        for k in page:
            old = self.index.get(k)
            if old is not None:
                stale.setdefault(old, set()).add(k)
        for old, keys in stale.items():
            kept = [i for i in self.read(old) if str(self.key(i)) not in keys]
            if kept:
                self._dump(old, kept)
            else:
                (self.out / old).unlink(missing_ok=True)
            for k in keys:
                del self.index[k]
        self._number += 1
        name = f"{self.prefix}-{self._number:0{PAGE_DIGITS}d}.json"
        self._dump(name, list(page.values()))
        for k in page:
            self.index[k] = name
        return name


def merge_csv(
    path: Path,
    rows: Iterable[Mapping[str, Any]],
    key: str,
    columns: Sequence[str],
    order: Callable[[Mapping[str, str]], Any] | None = None,
) -> list[dict[str, str]]:
    """Merge `rows` into the CSV at `path` by column `key` (a row fetched again replaces the
    old one), sorted by `order` if given, written atomically with `columns` as its header.
    Returns the merged rows (values as strings; None written empty). For files that fit in
    memory (a repository's deployments), not for work items."""
    merged: dict[str, dict[str, str]] = {}
    path = Path(path)
    if path.is_file():
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                merged[row.get(key, "")] = {c: row.get(c) or "" for c in columns}
    for row in rows:
        clean = {c: "" if row.get(c) is None else str(row.get(c)) for c in columns}
        merged[clean[key]] = clean
    result = list(merged.values())
    if order is not None:
        result.sort(key=order)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(result)
    write_atomic(path, buffer.getvalue())
    return result
