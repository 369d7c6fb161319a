"""Input errors that name the file, line or row, and field, for the CLI and the UI alike."""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input: where it is and what is wrong."""

    file: str
    message: str
    field: str = ""
    line: int | None = None
    row: int | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        elif self.row is not None:
            where += f": row {self.row}"
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"


class InputError(ValueError):
    """Every problem found in one input, reported together rather than one at a time."""

    kind = "input"

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def under(prefix: str, problems: list[Problem]) -> list[Problem]:
    """The same problems, their fields named inside the part `prefix` (e.g. `roi.`)."""
    return [replace(p, field=f"{prefix}.{p.field}" if p.field else prefix) for p in problems]


class CatalogError(InputError):
    kind = "catalog"


class AnswersError(InputError):
    kind = "answers"


class ScenarioError(InputError):
    kind = "scenario"


class BacklogError(InputError):
    kind = "backlog"


class EvidenceError(InputError):
    kind = "evidence"
