"""axe-core in the browser tests: `axe_check(page)` runs axe on the page as it is and fails on any serious or
critical violation. axe-core comes from the npm registry (package.json, package-lock.json: `npm ci`), served from
node_modules/, never from a CDN. Without it the checks are skipped with the reason (a failure in CI)."""

import json
from pathlib import Path

import pytest

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_MISSING = "needs axe-core from npm: run `npm ci` at the project root (package-lock.json)"
FAILING_IMPACTS = ("serious", "critical")
AXE_PATH = "/__tests__/axe.min.js"  # answered by the test browser itself, never by the app


def axe_available() -> bool:
    return AXE_JS.is_file()


def axe_violations(page) -> list[dict]:
    """axe's violations of impact serious or critical on the current page (WCAG 2.x A and AA rules and best
    practices), each with the selectors of the offending nodes."""
    if not axe_available():
        pytest.skip(AXE_MISSING)
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # The pages' CSP allows scripts from 'self' only (no inline script): the browser fetches axe from a path of
        # the page's own origin, which Playwright answers with the file from node_modules/.
        origin = page.evaluate("location.origin")
        page.context.route(f"{origin}{AXE_PATH}", lambda route: route.fulfill(
            path=str(AXE_JS), content_type="application/javascript"))
        page.add_script_tag(url=f"{origin}{AXE_PATH}")
    result = page.evaluate("async () => await window.axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "nodes": [{"target": n["target"], "summary": n.get("failureSummary", "")} for n in v["nodes"][:5]]}
        for v in result["violations"] if v["impact"] in FAILING_IMPACTS
    ]


def axe_check(page, *, where: str = "") -> None:
    """Fail if axe finds a serious or critical violation on the page (call it after the page has settled)."""
    violations = axe_violations(page)
    assert not violations, f"axe on {where or page.url}:\n{json.dumps(violations, indent=1, ensure_ascii=False)}"
