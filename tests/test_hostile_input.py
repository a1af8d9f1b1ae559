"""Bad input on the agent pages: a clear 4xx, never a 500, and nothing written (issue 13, hostile input).

PostgreSQL rejects a NUL character in text, so a NUL in the search box or any agent or admin form is answered 400
with a message before any view reads it. Lone surrogates cannot travel form-encoded (they arrive as U+FFFD) and
10 kB strings are refused by each field's own length check: neither may ever give a 5xx."""

import datetime as dt
import re
from urllib.parse import quote

import pytest
from django.apps import apps
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.dates import local_today
from protection.services import claim_file
from tests.accounts.factories import CustomerFactory
from tests.billing.factories import BillFactory, open_line
from tests.prepaid.factories import CardFactory
from tests.protection.factories import enroll, postpaid_line_with_device, receipt_file

pytestmark = pytest.mark.django_db

NUL_STRINGS = st.builds(lambda a, b: f"{a}\x00{b}", st.text(max_size=5), st.text(max_size=5))
OTHER_HOSTILE = st.one_of(
    st.builds(lambda a: f"\ud800{a}", st.text(max_size=5)),  # a lone surrogate
    st.just("\udfff"), st.just("x" * 10_240), st.just("€" * 4_000), st.text(max_size=30),
)


def _encode(value: str) -> str:
    return quote(value, safe="", encoding="utf-8", errors="surrogatepass")  # hostile bytes, as a fuzzer sends


def _row_counts() -> dict[str, int]:
    """Every table the agent pages may write to."""
    return {model._meta.label: model.objects.count() for app in ("accounts", "billing", "protection", "prepaid",
                                                                   "core")
            for model in apps.get_app_config(app).get_models()}


@pytest.fixture
def forms(supervisor_client):
    """Every agent form (and the Jobs page): its URL and the names of its fields, read from the page."""
    today = local_today()
    postpaid = open_line(today=today)
    enrollment = enroll(postpaid_line_with_device(), start=today - dt.timedelta(days=30), channel="umb")
    claim = claim_file(enrollment=enrollment, imei=enrollment.imei, damage="cracked", actor_label="t",
                       purchase_date=today - dt.timedelta(days=60), receipt_number="R-1", receipt=receipt_file(),
                       today=today)
    bill = BillFactory(billing_account=postpaid.billing_account)
    prepaid = CardFactory().line
    customer = CustomerFactory()
    pk, epk = enrollment.line_id, enrollment.pk
    urls = [
        reverse("accounts:customer_register"), reverse("accounts:customer_identity", args=[customer.pk]),
        reverse("accounts:customer_verification", args=[customer.pk]),
        reverse("accounts:account_open", args=[customer.pk]), reverse("accounts:line_activate", args=[customer.pk]),
        reverse("accounts:line_block", args=[postpaid.pk]), reverse("accounts:line_report_lost", args=[postpaid.pk]),
        reverse("accounts:line_transfer", args=[postpaid.pk]),
        reverse("billing:limit_change", args=[postpaid.pk]), reverse("billing:payment_current", args=[postpaid.pk]),
        reverse("billing:payment_record", args=[bill.pk]), reverse("billing:objection_file", args=[bill.pk]),
        reverse("protection:device_set", args=[pk]), reverse("protection:terminate", args=[pk, epk]),
        reverse("protection:claim_update", args=[pk, claim.pk]), reverse("protection:enroll", args=[postpaid.pk]),
        reverse("prepaid:topup", args=[prepaid.pk]), reverse("prepaid:purchase", args=[prepaid.pk]),
        reverse("prepaid:sim_replace", args=[prepaid.pk]), reverse("prepaid:block", args=[prepaid.pk]),
        reverse("prepaid:prime_join", args=[prepaid.pk]), reverse("core:jobs"),
    ]
    found = []
    for url in urls:
        page = supervisor_client.get(url).content.decode()
        names = sorted(set(re.findall(r'<(?:input|select|textarea)[^>]*\sname="([^"]+)"', page))
                       - {"csrfmiddlewaretoken", "q"})
        found.append((url, names or ["reason"]))
    return found


HYPOTHESIS = settings(max_examples=60, deadline=None,
                      suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@HYPOTHESIS
@given(data=st.data())
def test_hostile_input_nul_in_any_agent_form_is_400_and_nothing_written(supervisor_client, forms, data):
    url, names = data.draw(st.sampled_from(forms))
    values = {name: data.draw(NUL_STRINGS) for name in names}
    before = _row_counts()
    body = "&".join(f"{_encode(name)}={_encode(value)}" for name, value in values.items())
    response = supervisor_client.post(url, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400, (url, response.status_code)
    assert "NUL" in response.content.decode()
    assert _row_counts() == before


@HYPOTHESIS
@given(data=st.data())
def test_hostile_input_surrogates_and_10_kb_in_any_agent_form_never_5xx(supervisor_client, forms, data):
    url, names = data.draw(st.sampled_from(forms))
    body = "&".join(f"{_encode(name)}={_encode(data.draw(OTHER_HOSTILE))}" for name in names)
    response = supervisor_client.post(url, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code < 500, (url, response.status_code)


def test_search_box_nul_byte_is_a_clear_400_not_a_500(agent_client):
    # the exact request
    response = agent_client.get("/accounts/search/?q=ab%00cd")
    assert response.status_code == 400
    assert "NUL character" in response.content.decode()


@pytest.mark.parametrize("raw", ["%ED%A0%80x", "ab%ED%B3%BF", "%F0%9F", "x" * 10_240])
def test_search_box_lone_surrogates_and_long_input_do_not_500(agent_client, raw):
    response = agent_client.get(f"/accounts/search/?q={raw}")
    assert response.status_code < 500


@HYPOTHESIS
@given(value=st.one_of(NUL_STRINGS, OTHER_HOSTILE))
def test_hostile_input_search_box_and_jobs_filter_never_5xx_nothing_written(supervisor_client, value):
    before = _row_counts()
    for path in ("/accounts/search/?q=", "/core/jobs/?status=", "/admin/accounts/line/?q="):
        response = supervisor_client.get(path + _encode(value))
        assert response.status_code < 500, (path, value[:20], response.status_code)
        if "\x00" in value:
            assert response.status_code == 400
    assert _row_counts() == before
