"""User text as text: escaped for Markdown, and never made a link."""

import re

from advisor.ui.text import md


def _unescaped(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def test_bare_addresses_and_e_mails_are_broken_by_an_invisible_joiner():
    text = "see https://example.org/x, WWW.example.net or mail a@b.co"
    plain = _unescaped(md(text))
    assert "://" not in plain and "WWW." not in plain and "@b" not in plain
    assert plain.replace("\u2060", "") == text


def test_markdown_and_line_breaks_stay_text_on_one_line():
    assert md("**bold**\n# head") == "\\*\\*bold\\*\\* \\# head"
