"""The supervisors' dashboard in a real browser at 1366×768: every panel drawn from the seeded figures, no serious
axe finding, no script or stylesheet from another origin; the README's screenshot (docs/screenshots/dashboard.png)
is taken here."""

from pathlib import Path

import pytest

from tests.accounts.factories import SupervisorFactory
from tests.core.test_dashboard import _seed
from tests.e2e.axe import axe_check
from tests.e2e.sessions import log_in_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "dashboard.png"


def test_supervisor_dashboard_shows_every_panel_and_is_the_readme_screenshot(page, live_server):
    from playwright.sync_api import expect

    # given the seeded figures and a supervisor who passed the second factor, reading Bahasa Indonesia
    _seed()
    supervisor = SupervisorFactory(language="id")
    log_in_session(page, supervisor, live_server.url)
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    # when they open the back office
    page.goto("/")
    page.wait_for_load_state("networkidle")
    # then: the dashboard, with its panels and figures
    expect(page).to_have_url(f"{live_server.url}/core/dashboard/")
    for key in ["claims_overdue", "purchases_declined", "sms", "jobs"]:
        expect(page.locator(f"#panel-{key}")).to_be_visible()
    expect(page.locator("#claims-overdue-total")).to_have_text("3")
    expect(page.locator("#declined-total")).to_have_text("6")
    expect(page.locator("#jobs-attention")).to_contain_text("1")
    expect(page.locator("#nav-dashboard")).to_be_visible()
    assert page.locator("#panel-purchases_declined .bar-chart-bar").count() >= 14
    assert all(url.startswith(live_server.url) for url in requests), requests  # no CDN
    axe_check(page, where="dashboard")
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
