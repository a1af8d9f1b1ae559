"""`core` is the ground floor: it imports no app, every app imports it. Apps register what core needs to know
(timeline verbs, parameters, tabs, USSD menus, schedules) in their AppConfig.ready()."""

import ast
from pathlib import Path

from django.conf import settings

from core.parameters import DEFAULTS

ROOT = Path(settings.BASE_DIR)
APPS = {"accounts", "billing", "prepaid", "protection", "security", "visits"}


def _app_imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                 else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
        found += [name for name in names if name.split(".")[0] in APPS]
    return found


def test_core_imports_no_app():
    offenders = {}
    for path in (ROOT / "core").rglob("*.py"):
        relative = str(path.relative_to(ROOT))
        if "migrations" in path.parts:
            continue
        if imports := _app_imports(path):
            offenders[relative] = imports
    assert offenders == {}


def test_the_scan_sees_an_app_import(tmp_path):
    module = tmp_path / "module.py"
    module.write_text("import os\n\ndef f():\n    from accounts.models import Line\n    import billing.rules\n")
    assert _app_imports(module) == ["accounts.models", "billing.rules"]


def test_accounts_registers_its_quarantine_parameter():
    # ACC-04's quarantine is accounts' number, registered like billing's and prepaid's
    assert DEFAULTS["quarantine_days"][2] == "ACC-04"
    from accounts.parameters import PARAMETERS

    assert "quarantine_days" in PARAMETERS
