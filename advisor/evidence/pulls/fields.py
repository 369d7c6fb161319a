"""Reading one field of a pull request's JSON, checked: every problem names the file, the
pull request (`pulls[3]`, counted from 0 as in the file) and the field (`pulls[3].created_at`).

>>> Fields("f.json", 2).text({"title": "Fix"}, "title")
'Fix'
>>> Fields("f.json", 2).time({"created_at": "yesterday"}, "created_at")
Traceback (most recent call last):
...
advisor.errors.EvidenceError: f.json: pulls[2].created_at: not a date and time: 'yesterday'
"""

from __future__ import annotations

import datetime as dt
import json

from advisor.errors import EvidenceError, Problem

EARLIEST = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(2200, 1, 1, tzinfo=dt.UTC)
MISSING = object()


def load_json(data: bytes, file: str):
    """A JSON document, or EvidenceError naming the file (and the line where JSON says)."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:4]:
        raise EvidenceError([Problem(file, "is UTF-16 text: save it as UTF-8")])
    try:
        return json.loads(data.decode("utf-8-sig"))
    except RecursionError:
        raise EvidenceError(
            [Problem(file, "not a pull-request export: nested too deeply")]
        ) from None
    except json.JSONDecodeError as exc:
        raise EvidenceError([Problem(file, f"not JSON ({exc.msg})", line=exc.lineno)]) from None
    except ValueError as exc:  # not UTF-8, or an integer of over 4,300 digits
        raise EvidenceError([Problem(file, f"not JSON ({str(exc)[:120]})")]) from None


class Fields:
    """Checked reads of the fields of the pull request at `index` of `file`."""

    def __init__(self, file: str, index: int, prefix: str = "pulls"):
        self.file, self.index, self.prefix = file, index, prefix

    def where(self, name: str) -> str:
        return f"{self.prefix}[{self.index}].{name}" if name else f"{self.prefix}[{self.index}]"

    def fail(self, name: str, message: str):
        raise EvidenceError([Problem(self.file, message, self.where(name))])

    def get(self, obj, path: str, required: bool = False):
        """The value at a dotted `path` (`user.login`), None where a step is missing or null;
        a step that is not an object, or a `required` value missing, is an error."""
        value = obj
        for step in path.split("."):
            if value is None:
                break
            if not isinstance(value, dict):
                self.fail(path, "expected an object")
            value = value.get(step)
        if value is None and required:
            self.fail(path, "is missing")
        return value

    def text(self, obj, path: str, required: bool = False) -> str | None:
        value = self.get(obj, path, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, str | int):
            self.fail(path, f"expected text, got {type(value).__name__}")
        return str(value)[:500]

    def flag(self, obj, path: str) -> bool:
        value = self.get(obj, path)
        if value is None:
            return False
        if not isinstance(value, bool):
            self.fail(path, "expected true or false")
        return value

    def lines(self, obj, path: str) -> float:
        """A count of lines (a whole number, 0 or more), NaN when absent: not measured."""
        value = self.get(obj, path)
        if value is None:
            return float("nan")
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.fail(path, "expected a whole number of lines, 0 or more")
        return float(value)

    def time(self, obj, path: str, required: bool = False) -> str | None:
        """An ISO 8601 time with its zone, between 1970 and 2199, as given."""
        value = self.get(obj, path, required)
        if value is None:
            return None
        if not isinstance(value, str) or len(value) > 64:
            self.fail(path, f"not a date and time: {str(value)[:40]!r}")
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            self.fail(path, f"not a date and time: {value[:40]!r}")
        if parsed.tzinfo is None:
            self.fail(path, f"has no time zone: {value[:40]!r}")
        if not EARLIEST <= parsed < LATEST:
            self.fail(path, "outside 1970-2199")
        return value

    def items(self, obj, path: str) -> list:
        """A list (or none: empty)."""
        value = self.get(obj, path)
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(path, f"expected a list, got {type(value).__name__}")
        return value
