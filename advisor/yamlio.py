"""Safe YAML loading with line numbers, and pydantic validation that reports file:line: field.

Bounded work: a file is refused above `MAX_BYTES` (checked before it is read), above
`MAX_DEPTH` levels of nesting, or when aliases would expand it beyond `MAX_NODES` nodes
(the expanded size is counted on the composed graph, in time linear in the file).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from advisor.errors import InputError, Problem

MAX_BYTES = 1_000_000  # inputs are small hand-written files; refuse anything larger before parsing
MAX_NODES = 200_000  # nodes after alias expansion
MAX_DEPTH = 64  # nesting levels
MAX_PROBLEMS = 200  # problems listed for one file; the rest are counted

M = TypeVar("M", bound=BaseModel)
# libyaml's safe loader and dumper where the wheel has them (several times faster), else
# PyYAML's own.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def dump_yaml(data: Any) -> str:
    """Plain data as YAML the loaders here read back exactly: keys in their order, Unicode
    kept as it is."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True)


def read_input(path: str | Path, error: type[InputError] = InputError) -> bytes:
    """The bytes of a user's file, its size checked before anything is read."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise error([Problem(str(path), "is a folder, not a file")])
        if size > MAX_BYTES:
            raise error([Problem(str(path), f"file is larger than {MAX_BYTES:,} bytes")])
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise error([Problem(str(path), f"cannot be read ({exc.strerror})")]) from None
    if len(data) > MAX_BYTES:
        raise error([Problem(str(path), f"file is larger than {MAX_BYTES:,} bytes")])
    return data


def text_of(data: str | bytes, file: str, error: type[InputError] = InputError) -> str:
    """Bytes as UTF-8 text (a BOM is dropped), size checked first."""
    if len(data) > MAX_BYTES:
        raise error([Problem(file, f"file is larger than {MAX_BYTES:,} bytes")])
    if isinstance(data, bytes):
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            raise error([Problem(file, "is UTF-16 text: save it as UTF-8")])
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise error([Problem(file, f"not UTF-8 text ({exc.reason})")]) from None
    return data.removeprefix("\ufeff")


class Located:
    """Parsed YAML data plus the composed node tree, to turn a field path into a line number."""

    def __init__(self, data: Any, root: yaml.Node | None, file: str):
        self.data = data
        self.root = root
        self.file = file
        self._keys: dict[int, dict[str, yaml.Node]] = {}

    def _child(self, node: yaml.Node, step: str | int) -> yaml.Node | None:
        if isinstance(node, yaml.MappingNode):
            index = self._keys.get(id(node))
            if index is None:  # built once per mapping, so locating many errors stays linear
                index = {}
                for key, value in node.value:
                    index.setdefault(str(key.value), value)
                self._keys[id(node)] = index
            return index.get(str(step))
        if isinstance(node, yaml.SequenceNode) and isinstance(step, int):
            return node.value[step] if 0 <= step < len(node.value) else None
        return None

    def line_of(self, path: Sequence[str | int]) -> int | None:
        """1-based line of the deepest node on `path` that exists (a missing key: its parent)."""
        node = self.root
        if node is None:
            return None
        line = node.start_mark.line + 1
        for step in path:
            child = self._child(node, step)
            if child is None:
                break
            node = child
            line = node.start_mark.line + 1
        return line


def _check_graph(root: yaml.Node | None, file: str, error: type[InputError]) -> list[Problem]:
    """Depth, expanded size and duplicate keys, each node visited once (aliases share nodes)."""
    if root is None:
        return []
    size: dict[int, int] = {}
    problems: list[Problem] = []
    # Iterative post-order walk: (node, depth, children done?)
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 1, False)]
    while stack:
        node, depth, done = stack.pop()
        if id(node) in size:
            continue
        if depth > MAX_DEPTH:
            raise error(
                [
                    Problem(
                        file,
                        f"nested more than {MAX_DEPTH} levels deep",
                        line=node.start_mark.line + 1,
                    )
                ]
            )
        if isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        else:
            size[id(node)] = 1
            continue
        if not done:
            stack.append((node, depth, True))
            stack.extend((c, depth + 1, False) for c in children if id(c) not in size)
            continue
        total = 1 + sum(size.get(id(c), 1) for c in children)
        if total > MAX_NODES:
            raise error(
                [
                    Problem(
                        file,
                        f"expands to more than {MAX_NODES:,} values (aliases repeat parts of "
                        "the file); write the values out",
                        line=node.start_mark.line + 1,
                    )
                ]
            )
        size[id(node)] = total
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key, _ in node.value:
                name = str(key.value)
                if name in seen and len(problems) < MAX_PROBLEMS:
                    problems.append(
                        Problem(
                            file,
                            "appears twice in the same mapping",
                            name,
                            line=key.start_mark.line + 1,
                        )
                    )
                seen.add(name)
    return problems


def parse_yaml(text: str | bytes, file: str, error: type[InputError] = InputError) -> Located:
    """Parse YAML safely (no tags, no objects); raise `error` with the line on a fault."""
    text = text_of(text, file, error)
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        problems = _check_graph(root, file, error)
        if problems:
            raise error(problems)
        data = loader.construct_document(root) if root is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise error([Problem(file, f"not valid YAML: {reason}", line=line)]) from None
    except InputError:
        raise
    except RecursionError:
        raise error([Problem(file, f"nested more than {MAX_DEPTH} levels deep")]) from None
    except (ValueError, OverflowError) as exc:
        # PyYAML's constructors raise these for impossible dates and over-long integers.
        reason = str(exc).splitlines()[0][:200]
        raise error([Problem(file, f"a value cannot be read: {reason}")]) from None
    finally:
        loader.dispose()
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
    errors = exc.errors(include_url=False)
    for err in errors[:MAX_PROBLEMS]:
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
            message = f"{_short(err['input'])} is not one of {choices}"
        if err["type"] == "extra_forbidden":
            message = "unknown field (check the spelling)"
        if err["type"] == "missing":
            message = "required field is missing"
        problems.append(Problem(located.file, message, field, line=located.line_of(path)))
    if len(errors) > MAX_PROBLEMS:
        problems.append(
            Problem(located.file, f"... and {len(errors) - MAX_PROBLEMS:,} more problems")
        )
    return problems


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def validate(model: type[M], located: Located, error: type[InputError] = InputError) -> M:
    """Validate parsed YAML against `model`; every problem at once, each with its line."""
    if not isinstance(located.data, dict):
        got = "an empty file" if located.data is None else type(located.data).__name__
        raise error([Problem(located.file, f"expected a mapping of fields, got {got}", line=1)])
    try:
        return model.model_validate(located.data)
    except ValidationError as exc:
        raise error(problems_from(exc, located)) from None
    except (ValueError, OverflowError) as exc:  # a few parsers raise plain errors, not pydantic's
        raise error(
            [Problem(located.file, f"a value cannot be read: {_short(str(exc))}")]
        ) from None
