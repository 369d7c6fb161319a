"""Hand-worked evidence cases: small raw files in, the figures worked by hand out.

Each folder of `tests/data/evidence/cases/` with an `expected.json` is one case (in the way
Apache DevLake tests its DORA plugin: raw rows in, a snapshot of expected figures out). The
figures were worked by hand from the definitions in the README ("Evidence") and DESIGN.md, and
`expected.md` beside them shows the working. `expected.json` holds:

- `command`: the `evidence` arguments, paths relative to the folder;
- `tolerance`: the absolute tolerance for numbers (`tolerances` overrides it by path);
- every other key: a dotted path into the `--json` output and its expected value (`null`:
  the output must be null; a list index is a number in the path);
- optional: `also` (more commands that must give the same figures, with `same_sections`:
  the top-level sections whose content must be equal across the commands), `non_null`
  (paths that must hold a value, such as the note of a figure without one), `exit` (the
  expected exit code, 0 unless stated) and `warnings_mention` (strings a warning must hold).

A case in `DISPUTED` is skipped with the reason: the program disagrees with the hand-worked
value and the checker still believes the value (or finds the definition ambiguous).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from advisor.cli import main
from tests.conftest import ROOT

CASES = ROOT / "tests" / "data" / "evidence" / "cases"
OPTIONS = {
    "command",
    "also",
    "same_sections",
    "tolerance",
    "tolerances",
    "non_null",
    "exit",
    "warnings_mention",
}
MISSING = object()

# case -> why the program's figure and the hand-worked one differ (see the case's expected.md)
DISPUTED: dict[str, str] = {}


def _cases() -> list[str]:
    return sorted(p.parent.name for p in CASES.glob("*/expected.json"))


def _run(folder: Path, args: list[str], capsys, monkeypatch) -> tuple[int, dict | None]:
    monkeypatch.chdir(folder)
    capsys.readouterr()
    code = main(["evidence", *args])
    out = capsys.readouterr().out
    return code, (json.loads(out) if out.strip() else None)


def _get(doc, path: str):
    node = doc
    for part in path.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return MISSING
    return node


def _differs(expected, actual, tolerance: float) -> bool:
    if expected is None:
        return actual is not None
    if isinstance(expected, (bool, str)):
        return type(actual) is not type(expected) or actual != expected
    if isinstance(expected, (int, float)):
        if isinstance(actual, bool) or not isinstance(actual, (int, float)):
            return True
        return not (math.isfinite(actual) and abs(actual - expected) <= tolerance)
    if isinstance(expected, list):
        return (
            not isinstance(actual, list)
            or len(actual) != len(expected)
            or any(_differs(e, a, tolerance) for e, a in zip(expected, actual, strict=True))
        )
    return actual != expected


def _problems(expected: dict, doc: dict) -> list[str]:
    tolerance = float(expected.get("tolerance", 1e-4))
    overrides = expected.get("tolerances", {})
    out = []
    for path, want in expected.items():
        if path in OPTIONS:
            continue
        got = _get(doc, path)
        if got is MISSING:
            out.append(f"{path}: missing (expected {want!r})")
        elif _differs(want, got, float(overrides.get(path, tolerance))):
            out.append(f"{path}: expected {want!r}, got {got!r}")
    for path in expected.get("non_null", []):
        got = _get(doc, path)
        if got is MISSING or got is None or got == "":
            out.append(f"{path}: expected a value, got {None if got is MISSING else got!r}")
    warnings = " ".join(doc.get("warnings", []))
    out += [
        f"warnings: none mentions {text!r}"
        for text in expected.get("warnings_mention", [])
        if text not in warnings
    ]
    return out


@pytest.mark.parametrize("case", _cases())
def test_case_gives_the_hand_worked_figures(case, capsys, monkeypatch):
    if case in DISPUTED:
        pytest.skip(f"disputed: {DISPUTED[case]}")
    folder = CASES / case
    expected = json.loads((folder / "expected.json").read_text())
    commands = [expected["command"], *expected.get("also", [])]
    docs = []
    problems = []
    for command in commands:
        code, doc = _run(folder, command, capsys, monkeypatch)
        assert code == expected.get("exit", 0), f"{command}: exit {code}"
        assert doc is not None, f"{command}: no JSON on stdout"
        docs.append(doc)
        problems += [f"{' '.join(command)}: {p}" for p in _problems(expected, doc)]
    for section in expected.get("same_sections", []):
        for command, doc in zip(commands[1:], docs[1:], strict=True):
            if doc.get(section) != docs[0].get(section):
                problems.append(f"{section}: differs between {commands[0]} and {command}")
    assert not problems, "\n".join(problems)


def test_every_case_folder_shows_its_working():
    """A case folder holds expected.md (the working) and expected.json (the figures); a
    `*-data` folder holds only files shared by other cases."""
    for folder in sorted(p for p in CASES.iterdir() if p.is_dir()):
        assert (folder / "expected.md").exists(), folder.name
        if not folder.name.endswith("-data"):
            assert (folder / "expected.json").exists(), folder.name


def test_disputed_cases_exist():
    assert set(DISPUTED) <= set(_cases())
