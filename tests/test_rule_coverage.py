"""Every rule of DOMAIN.md is cited in the code that enforces it and carried by a test that proves it.

A test carries a rule with `@pytest.mark.rule("LIM-07")` (registered in pyproject.toml) or with the hyphenated ID in
its docstring, so that `grep -rn LIM-07` finds both the code and the tests.
"""

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
DOMAIN = ROOT.parent / "shared" / "DOMAIN.md"
RULE_ID = re.compile(r"\b(?:ACC|LIM|BIL|TP|PRE|PRM)-\d{2}\b")
CODE_DIRS = ("accounts", "billing", "core", "prepaid", "protection", "config", "templates")



def domain_rule_ids() -> list[str]:
    return re.findall(r"^- ((?:ACC|LIM|BIL|TP|PRE|PRM)-\d{2}) ", DOMAIN.read_text(encoding="utf-8"), re.M)


def cited_in_code() -> set[str]:
    cited = set()
    for folder in CODE_DIRS:
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in {".py", ".html", ".txt"} and "migrations" not in path.parts:
                cited.update(RULE_ID.findall(path.read_text(encoding="utf-8")))
    return cited


def _marker_ids(decorator: ast.expr) -> list[str]:
    """The IDs of `@pytest.mark.rule("A", "B")`; other decorators give none."""
    if isinstance(decorator, ast.Call) and ast.unparse(decorator.func).endswith("mark.rule"):
        return [arg.value for arg in decorator.args if isinstance(arg, ast.Constant)]
    return []


def carried_by_tests() -> dict[str, set[str]]:
    """Rule ID → the tests that carry it (by marker on the test, its class or module, or in the test's docstring)."""
    carried: dict[str, set[str]] = {}
    for path in (ROOT / "tests").rglob("test_*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        module_ids = [i for node in tree.body if isinstance(node, ast.Assign)
                      and any(getattr(t, "id", "") == "pytestmark" for t in node.targets)
                      for i in _marker_ids(node.value)]
        for node in ast.walk(tree):
            if not (isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test_")):
                continue
            ids = set(module_ids)
            for decorator in node.decorator_list:
                ids.update(_marker_ids(decorator))
            ids.update(RULE_ID.findall(ast.get_docstring(node) or ""))
            for rule_id in ids:
                carried.setdefault(rule_id, set()).add(f"{path.relative_to(ROOT)}::{node.name}")
    return carried


def test_domain_md_is_read():
    ids = domain_rule_ids()
    # given the IDs of every section (accounts, limits, billing, TecProtec, prepaid, Prime)
    assert {"ACC-01", "LIM-07", "BIL-03", "TP-12", "PRE-05", "PRM-04"} <= set(ids)
    assert len(ids) == len(set(ids)), "a rule ID appears twice in DOMAIN.md"


def test_every_rule_is_cited_in_the_code_that_enforces_it():
    missing = [i for i in domain_rule_ids() if i not in cited_in_code()]
    assert not missing, f"no code outside tests/ cites {missing}"


def test_every_rule_is_carried_by_a_test():
    carried = carried_by_tests()
    missing = [i for i in domain_rule_ids() if i not in carried]
    assert not missing, f"no test carries {missing}: add @pytest.mark.rule(...) to the tests that prove them"


def test_rule_markers_name_rules_that_exist():
    unknown = sorted(set(carried_by_tests()) - set(domain_rule_ids()))
    assert not unknown, f"tests carry IDs that DOMAIN.md does not define: {unknown}"


@pytest.mark.rule("LIM-07")
def test_the_marker_is_registered_and_readable(request):
    # the marker this module counts is the one pytest sees on the item
    assert request.node.get_closest_marker("rule").args == ("LIM-07",)


GETTEXT_NAMES = {"_", "gettext", "gettext_lazy", "pgettext", "pgettext_lazy", "ngettext", "ngettext_lazy"}
TEMPLATE_TEXT = re.compile(
    r"{%\s*translate\s+(\"[^\"]*\"|'[^']*')|{%\s*blocktranslate[^%]*%}(.*?){%\s*endblocktranslate", re.S)


def translatable_texts() -> list[tuple[str, str]]:
    """(file, text) of every literal a person may read: gettext calls in the code, translate tags in templates."""
    texts = []
    for folder in CODE_DIRS:
        for path in (ROOT / folder).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                name = getattr(node.func, "id", getattr(node.func, "attr", "")) if isinstance(node, ast.Call) else ""
                if name in GETTEXT_NAMES:
                    texts += [(str(path.relative_to(ROOT)), arg.value) for arg in node.args
                              if isinstance(arg, ast.Constant) and isinstance(arg.value, str)]
    for path in (ROOT / "templates").rglob("*.html"):
        for match in TEMPLATE_TEXT.finditer(path.read_text(encoding="utf-8")):
            texts.append((str(path.relative_to(ROOT)), match.group(1) or match.group(2)))
    return texts


def test_no_rule_id_in_text_that_customers_or_agents_read():
    texts = translatable_texts()
    assert any(text == "Reason" for _file, text in texts)  # the scan reads the code
    shown = [(file, text) for file, text in texts if RULE_ID.search(text)]
    assert not shown, f"rule IDs belong in comments and docstrings, not in what people read: {shown}"
