"""The layers the guide asks for, checked on the source: the domain never imports streamlit,
and no page imports another (cross-page sends go through advisor/ui/session.py)."""

from __future__ import annotations

import ast

import pytest

from tests.conftest import ROOT

ADVISOR = ROOT / "advisor"
# one page each: its own module or package; the thin entry files only import their page
PAGES = {
    "advisor": "advisor.ui.pages.advisor",
    "catalog": "advisor.ui.pages.catalog",
    "compare": "advisor.ui.pages.compare",
    "delay": "advisor.ui.pages.delay",
    "evidence": "advisor.ui.pages.evidence",
    "realise": "advisor.ui.pages.realise",
    "report": "advisor.ui.pages.report",
    "review": "advisor.ui.pages.review",
    "roi": "advisor.ui.roi",
    "trail": "advisor.ui.pages.trail",
}


def _imports(path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{a.name}" for a in node.names}
    return names


def _page_of(path) -> str | None:
    module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    for page, root in PAGES.items():
        if module == root or module.startswith(root + "."):
            return page
    return None


@pytest.mark.parametrize(
    "path",
    [p for p in ADVISOR.rglob("*.py") if "ui" not in p.relative_to(ADVISOR).parts],
    ids=str,
)
def test_the_domain_never_imports_streamlit(path):
    assert not any(n == "streamlit" or n.startswith("streamlit.") for n in _imports(path))


@pytest.mark.parametrize("path", sorted((ADVISOR / "ui").rglob("*.py")), ids=str)
def test_no_page_imports_another_page(path):
    if path.name.endswith("_page.py"):
        return  # the router's entry files: each imports its own page only
    own = _page_of(path)
    for name in _imports(path):
        for page, root in PAGES.items():
            if page != own and (name == root or name.startswith(root + ".")):
                pytest.fail(f"{path.relative_to(ROOT)} imports the {page} page ({name})")
