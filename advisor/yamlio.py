"""Safe YAML loading with line numbers, and pydantic validation that reports file:line: field."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from advisor.errors import InputError, Problem

MAX_BYTES = 1_000_000  # inputs are small hand-written files; refuse anything larger before parsing

M = TypeVar("M", bound=BaseModel)


class Located:
    """Parsed YAML data plus the composed node tree, to turn a field path into a line number."""

    def __init__(self, data: Any, root: yaml.Node | None, file: str):
        self.data = data
        self.root = root
        self.file = file

    def line_of(self, path: Sequence[str | int]) -> int | None:
        """1-based line of the deepest node on `path` that exists (a missing key: its parent)."""
        node = self.root
        if node is None:
            return None
        line = node.start_mark.line + 1
        for step in path:
            child = _child(node, step)
            if child is None:
                break
            node = child
            line = node.start_mark.line + 1
        return line


def _child(node: yaml.Node, step: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if str(key.value) == str(step):
                return value
    elif (
        isinstance(node, yaml.SequenceNode)
        and isinstance(step, int)
        and (0 <= step < len(node.value))
    ):
        return node.value[step]
    return None


def _duplicate_keys(node: yaml.Node | None, file: str) -> list[Problem]:
    """YAML silently keeps the last of two equal keys; a user deserves to hear about it."""
    problems: list[Problem] = []
    stack = [node] if node is not None else []
    while stack:
        current = stack.pop()
        if isinstance(current, yaml.MappingNode):
            seen: set[str] = set()
            for key, value in current.value:
                name = str(key.value)
                if name in seen:
                    problems.append(
                        Problem(
                            file,
                            "appears twice in the same mapping",
                            name,
                            line=key.start_mark.line + 1,
                        )
                    )
                seen.add(name)
                stack.append(value)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
    return problems


def parse_yaml(text: str | bytes, file: str, error: type[InputError] = InputError) -> Located:
    """Parse YAML safely (no tags, no objects); raise `error` with the line on a syntax fault."""
    if isinstance(text, bytes):
        if len(text) > MAX_BYTES:
            raise error([Problem(file, f"file is larger than {MAX_BYTES:,} bytes")])
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise error([Problem(file, f"not UTF-8 text ({exc.reason})")]) from None
    if len(text) > MAX_BYTES:
        raise error([Problem(file, f"file is larger than {MAX_BYTES:,} bytes")])
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise error([Problem(file, f"not valid YAML: {reason}", line=line)]) from None
    problems = _duplicate_keys(root, file)
    if problems:
        raise error(problems)
    return Located(data, root, file)


def _field_name(loc: Sequence[str | int]) -> str:
    parts: list[str] = []
    for step in loc:
        if isinstance(step, int):
            parts.append(f"[{step}]")
        else:
            parts.append(("." if parts else "") + step)
    return "".join(parts)


def problems_from(
    exc: ValidationError, located: Located, prefix: Sequence[str | int] = ()
) -> list[Problem]:
    """Turn pydantic's errors into problems naming line and the field's own name."""
    problems = []
    for err in exc.errors():
        # Drop pydantic's internal markers (function validators, tagged unions) from the path.
        loc = [p for p in err["loc"] if not (isinstance(p, str) and "[" in p)]
        path = [*prefix, *loc]
        field = str(loc[-1]) if loc else ""
        if isinstance(loc[-1] if loc else None, int) and len(loc) > 1:
            field = _field_name(loc[-2:])
        if located.root is None:  # a form, not a file: no line to point at, so the full path
            field = _field_name(loc)
        message = err["msg"]
        if message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        if err["type"] == "literal_error":
            expected = err.get("ctx", {}).get("expected", "")
            choices = expected.replace("'", "").replace(" or ", ", ")
            message = f"{err['input']!r} is not one of {choices}"
        if err["type"] == "extra_forbidden":
            message = "unknown field (check the spelling)"
        if err["type"] == "missing":
            message = "required field is missing"
        problems.append(Problem(located.file, message, field, line=located.line_of(path)))
    return problems


def validate(model: type[M], located: Located, error: type[InputError] = InputError) -> M:
    """Validate parsed YAML against `model`; every problem at once, each with its line."""
    if not isinstance(located.data, dict):
        got = "an empty file" if located.data is None else type(located.data).__name__
        raise error([Problem(located.file, f"expected a mapping of fields, got {got}", line=1)])
    try:
        return model.model_validate(located.data)
    except ValidationError as exc:
        raise error(problems_from(exc, located)) from None
