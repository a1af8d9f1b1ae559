"""axe-core on every page an agent or a supervisor works in (issue #11): no violation of impact serious or
critical. The demo data fills the pages (bills, claims, prepaid cards, blocks), in Bahasa Indonesia, the default."""

import io

import pytest
from django.core.management import call_command

from accounts.models import Line, User
from protection.models import Enrollment
from tests.e2e.axe import axe_check
from tests.e2e.sessions import log_in_session
from tests.e2e.test_workspace import _log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _demo(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    settings.DEBUG = False


def _settled(page, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")


def _check_line_page_and_its_tabs(page, line) -> list[str]:
    """The line page with each of its tabs shown (htmx), then every action form it links to."""
    _settled(page, f"/lines/{line.pk}/")
    axe_check(page, where=f"line {line.pk}")
    tabs = page.locator("#line-tabs [data-tab-link]")
    for index in range(tabs.count()):
        tab = tabs.nth(index)
        tab.click()
        page.wait_for_load_state("networkidle")
        page.wait_for_function("!document.querySelector('#tab-body.htmx-request')")
        axe_check(page, where=f"line {line.pk}, tab {tab.inner_text()}")
    return page.eval_on_selector_all("#line-actions a[href]", "links => links.map(a => a.getAttribute('href'))")


def test_agent_pages_have_no_serious_or_critical_axe_violations(page, settings):
    # given the demo data and an agent who reads Bahasa Indonesia
    _demo(settings)
    agent = User.objects.filter(groups__name="Agent").exclude(groups__name="Supervisor").first()
    agent.set_password("demo-pass-123")
    agent.language = "id"
    agent.save()
    postpaid = Enrollment.objects.select_related("line").first().line
    prepaid = Line.objects.filter(kind=Line.Kind.PREPAID, status=Line.Status.ACTIVE).first()
    # when / then: the log-in page, the search, the customer, both kinds of line with every tab, every action form
    _settled(page, "/accounts/login/")
    axe_check(page, where="log-in")
    _log_in(page, agent.username, "demo-pass-123")
    for url in ["/search/", f"/search/?q={postpaid.customer.full_name.split()[0]}",
                f"/customers/{postpaid.customer_id}/", "/customers/new/", "/visits/",
                f"/visits/kiosk/{agent.outlet.code}/", f"/customers/{postpaid.customer_id}/identity-check/"]:
        _settled(page, url)
        axe_check(page, where=url)
    actions = _check_line_page_and_its_tabs(page, postpaid) + _check_line_page_and_its_tabs(page, prepaid)
    forms = sorted(set(actions)) + [f"/protection/lines/{postpaid.pk}/enroll/",
                                    f"/customers/{postpaid.customer_id}/lines/new/"]
    assert len(forms) >= 5, forms
    for url in forms:
        _settled(page, url)
        axe_check(page, where=url)


def test_supervisor_pages_have_no_serious_or_critical_axe_violations(page, live_server, settings):
    # given a supervisor whose session passed the second factor
    _demo(settings)
    supervisor = User.objects.filter(groups__name="Supervisor").first()
    supervisor.language = "id"
    supervisor.save()
    log_in_session(page, supervisor, live_server.url)
    # when / then: their own pages and the admin pages they use (index, catalogue, parameters, a change form)
    from billing.models import BasicPackage
    from core.models import Parameter

    pages = ["/core/dashboard/", "/core/jobs/", "/security/lockouts/", "/admin/",
             "/admin/billing/basicpackage/", "/admin/prepaid/package/", "/admin/core/parameter/",
             f"/admin/core/parameter/{Parameter.objects.first().pk}/change/",
             f"/admin/billing/basicpackage/{BasicPackage.objects.first().pk}/change/",
             "/admin/protection/claim/", "/admin/core/jobrun/", "/admin/django_celery_beat/periodictask/",
             "/visits/queues/", "/admin/visits/ticket/", "/admin/visits/visit/", "/admin/visits/counter/",
             "/admin/accounts/identitycheck/", "/admin/accounts/identityreveal/"]
    for url in pages:
        _settled(page, url)
        assert page.locator("#content-main, main").count(), url  # the page itself, not a log-in or MFA redirect
        axe_check(page, where=url)


def test_axe_check_fails_on_a_serious_violation(page, live_server):
    # given a page whose text does not contrast with its background and whose image has no alternative text
    bad = ('<html lang="en"><head><title>Bad</title></head><body><main><p style="color:#ccc;background:#fff">Faint'
           '</p><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="></main></body></html>')
    page.route(f"{live_server.url}/__tests__/bad.html",
               lambda route: route.fulfill(body=bad, content_type="text/html"))
    page.goto("/__tests__/bad.html")
    # when / then
    with pytest.raises(AssertionError, match="color-contrast"):
        axe_check(page)
