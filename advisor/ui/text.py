"""User text shown as text: Markdown and HTML characters escaped, so nothing renders or loads."""

from __future__ import annotations

import re

# Every ASCII punctuation mark may be backslash-escaped in Markdown; escaping all of them also
# disarms Streamlit's own directives (`:red[...]`, `:material/...:`) and `$` math.
_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&=\"'^%@,;?/])")
# Markdown also links a bare address or e-mail found in the text once parsed (escapes do not
# stop it): an invisible word joiner inside "://", "www." and after "@" does.
_JOINER = "\u2060"
_AUTOLINK = re.compile(r"(?i)(?<=:)(?=//)|(?<=\bwww)(?=\.)|(?<=@)")


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # tab and line breaks aside


def md(text: object) -> str:
    """`text` escaped for any element that renders Markdown (markdown, captions, alerts, labels);
    control characters read as escapes (`\\x1b`), as on the command line."""
    shown = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text))
    escaped = _SPECIAL.sub(r"\\\1", _AUTOLINK.sub(_JOINER, shown))
    # A line break inside a label or a list item would start a new block; keep it one line.
    return escaped.replace("\r", " ").replace("\n", " ")


_NOT_IN_NAMES = re.compile(r"[^\w-]+")


def file_stem(name: str, fallback: str = "scenario") -> str:
    """A download's file name from a scenario's name: letters, digits, `-` and `_` kept
    (any script), the rest joined by `-`, at most 60 characters.

    >>> file_stem("Scale-up - development bottleneck / Q3")
    'Scale-up-development-bottleneck-Q3'
    """
    stem = re.sub("-{2,}", "-", _NOT_IN_NAMES.sub("-", name)).strip("-_")[:60].strip("-_")
    return stem or fallback
