"""User text shown as text: Markdown and HTML characters escaped, so nothing renders or loads."""

from __future__ import annotations

import re

# Every ASCII punctuation mark may be backslash-escaped in Markdown; escaping all of them also
# disarms Streamlit's own directives (`:red[...]`, `:material/...:`) and `$` math.
_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&=\"'^%@,;?/])")


def md(text: object) -> str:
    """`text` escaped for any element that renders Markdown (markdown, captions, alerts, labels)."""
    escaped = _SPECIAL.sub(r"\\\1", str(text))
    # A line break inside a label or a list item would start a new block; keep it one line.
    return escaped.replace("\r", " ").replace("\n", " ")
