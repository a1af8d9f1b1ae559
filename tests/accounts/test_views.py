"""The agent workspace: every URL for anonymous / agent / supervisor, every form with bad input, the success paths."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.models import BillingAccount, Block, Customer, Line, TransferApproval
from billing.models import BasicPackage
from core.models import AuditEvent
from core.tabs import _TABS, LineTab
from core.templatetags.msisdn import msisdn_grouped
from tests.accounts.factories import (
    BillingAccountFactory,
    BlockFactory,
    CustomerFactory,
    LineFactory,
    PostpaidLineFactory,
    identity_checked,
)

pytestmark = pytest.mark.django_db

VALID_NIK = "3171014101900001"  # Jakarta, born 1 Jan 1990, female (+40)


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _refusals(response) -> list[str]:
    """A business refusal is shown once, as the form's error, and nothing is flashed."""
    assert _messages(response) == []
    return list(response.context["form"].non_field_errors())


@pytest.fixture
def line():
    return PostpaidLineFactory()


@pytest.fixture
def urls(line):
    block = BlockFactory(line=line)
    customer = line.customer
    return {
        "search": (reverse("accounts:search") + "?q=Nobody", 200, 200),
        "register": (reverse("accounts:customer_register"), 200, 200),
        "customer": (reverse("accounts:customer_detail", args=[customer.pk]), 200, 200),
        "verification": (reverse("accounts:customer_verification", args=[customer.pk]), 403, 200),
        "account_open": (reverse("accounts:account_open", args=[customer.pk]), 200, 200),
        "activate": (reverse("accounts:line_activate", args=[customer.pk]), 200, 200),
        "line": (reverse("accounts:line_detail", args=[line.pk]), 200, 200),
        "tab": (reverse("accounts:line_tab", args=[line.pk, "blocks"]), 200, 200),
        "block": (reverse("accounts:line_block", args=[line.pk]), 200, 200),
        "unblock": (reverse("accounts:line_unblock", args=[line.pk, block.pk]), 200, 200),
        "lost": (reverse("accounts:line_report_lost", args=[line.pk]), 200, 200),
        "transfer": (reverse("accounts:line_transfer", args=[line.pk]), 403, 200),
        "identity": (reverse("accounts:customer_identity", args=[customer.pk]), 405, 405),  # POST only
    }


URL_NAMES = ["search", "register", "customer", "verification", "account_open", "activate", "line", "tab", "block",
             "unblock", "lost", "transfer", "identity"]


# Access -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", URL_NAMES)
def test_anonymous_is_sent_to_login(client, urls, name):
    # given
    url = urls[name][0]
    # when
    response = client.get(url)
    # then
    assert response.status_code == 302
    assert response.url.startswith(reverse("login") + "?next=")


@pytest.mark.parametrize("name", URL_NAMES)
def test_agent_access(agent_client, urls, name):
    # given
    url, agent_status, _ = urls[name]
    # when
    response = agent_client.get(url)
    # then
    assert response.status_code == agent_status


@pytest.mark.parametrize("name", URL_NAMES)
def test_supervisor_access(supervisor_client, urls, name):
    # given
    url, _, supervisor_status = urls[name]
    # when
    response = supervisor_client.get(url)
    # then
    assert response.status_code == supervisor_status


def test_anonymous_post_to_an_action_writes_nothing(client, line):
    # when
    response = client.post(reverse("accounts:line_block", args=[line.pk]),
                           {"reason": "customer_request", "scope": "all", "note": "x", "confirm": "on"})
    # then
    assert response.status_code == 302
    assert not Block.objects.exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_htmx_request_after_the_idle_timeout_sends_the_page_to_login(client, line, method):
    # given: the session has expired; htmx asks for a partial from the line page
    url = reverse("accounts:line_tab", args=[line.pk, "blocks"]) if method == "get" \
        else reverse("accounts:customer_identity", args=[line.customer_id])
    page = reverse("accounts:line_detail", args=[line.pk])
    # when
    response = getattr(client, method)(url, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL=f"http://testserver{page}")
    # then: htmx redirects the whole page instead of swapping the login form into the tab
    assert response.status_code == 204
    assert response["HX-Redirect"] == f"{reverse('login')}?next={page.replace('/', '%2F')}"
    assert not AuditEvent.objects.exists()


def test_unknown_ids_are_404(agent_client):
    for url in [reverse("accounts:line_detail", args=[999999]), reverse("accounts:customer_detail", args=[999999]),
                reverse("accounts:line_block", args=[999999]), reverse("accounts:line_tab", args=[999999, "blocks"])]:
        assert agent_client.get(url).status_code == 404


def test_home_is_the_counter_for_an_agent_at_an_outlet(agent_client):
    response = agent_client.get("/")
    assert response.status_code == 200
    assert 'id="call-next"' in response.content.decode() or 'id="counter-take"' in response.content.decode()


def test_home_goes_to_search_without_an_outlet(client, agent):
    agent.outlet = None
    agent.save(update_fields=["outlet"])
    client.force_login(agent)
    response = client.get("/")
    assert response.status_code == 302
    assert response.url == reverse("accounts:search")


# Session: login page, logout, idle timeout, language ------------------------------------------------------------


def test_login_page_renders_without_the_search_box(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b'name="username"' in response.content
    assert b'id="global-search"' not in response.content


def test_every_workspace_page_has_the_autofocused_search_box(agent_client, line):
    response = agent_client.get(reverse("accounts:line_detail", args=[line.pk]))
    content = response.content.decode()
    assert 'id="global-search"' in content
    assert "autofocus" in content.split('id="global-search"')[1].split(">")[0]


def test_login_then_logout(client, agent):
    # when
    response = client.post(reverse("login"), {"username": agent.username, "password": "correct-horse-battery"})
    # then
    assert response.status_code == 302
    assert client.get(reverse("accounts:search")).status_code == 200
    # when
    client.post(reverse("logout"))
    # then
    assert client.get(reverse("accounts:search")).status_code == 302


def test_session_expires_after_the_idle_timeout(client, agent, settings):
    # when
    client.post(reverse("login"), {"username": agent.username, "password": "correct-horse-battery"})
    # then: the expiry is pushed forward on every request (idle timeout, default 30 minutes)
    assert client.session.get_expiry_age() == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_login_is_locked_after_repeated_failures(client, agent, settings):
    # given
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": agent.username, "password": "wrong-password"})
    # when: even the right password is refused now
    response = client.post(reverse("login"), {"username": agent.username, "password": "correct-horse-battery"})
    # then
    assert response.status_code == 429
    assert b'id="locked-out"' in response.content
    assert client.get(reverse("accounts:search")).status_code == 302


def test_one_failure_less_than_the_limit_still_logs_in(client, agent, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(reverse("login"), {"username": agent.username, "password": "wrong-password"})
    response = client.post(reverse("login"), {"username": agent.username, "password": "correct-horse-battery"})
    assert response.status_code == 302


def test_language_switch_is_remembered_on_the_user(agent_client, agent):
    # when
    response = agent_client.post(reverse("language_set"), {"language": "en", "next": reverse("accounts:search")})
    # then
    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.language == "en"
    assert '<html lang="en">' in agent_client.get(reverse("accounts:search")).content.decode()


# Customer page and identity -------------------------------------------------------------------------------------


def test_customer_page_masks_the_nik_and_lists_accounts_and_lines(agent_client):
    # given: a SAMU account with two lines and a prepaid line
    customer = CustomerFactory(id_number=VALID_NIK)
    account = BillingAccountFactory(customer=customer)
    PostpaidLineFactory.create_batch(2, customer=customer, billing_account=account)
    prepaid = LineFactory(customer=customer)
    # when
    response = agent_client.get(reverse("accounts:customer_detail", args=[customer.pk]))
    # then
    content = response.content.decode()
    assert VALID_NIK not in content
    assert "••••••••••••0001" in content
    assert account.number in content
    assert "SAMU · 2" in content
    assert msisdn_grouped(prepaid.msisdn) in content


def test_show_identity_reveals_the_number_and_is_audited(agent_client, agent):
    # given
    customer = CustomerFactory(id_number=VALID_NIK)
    identity_checked(customer, agent)
    # when: htmx asks for the partial
    response = agent_client.post(reverse("accounts:customer_identity", args=[customer.pk]), {"reason": "Lost SIM"},
                                 HTTP_HX_REQUEST="true")
    # then
    assert response.status_code == 200
    assert VALID_NIK in response.content.decode()
    assert "<html" not in response.content.decode()
    event = AuditEvent.objects.get(verb="customer.identity_shown")
    assert (event.actor, event.outlet, event.customer, event.reason) == (agent, agent.outlet, customer, "Lost SIM")


def test_show_identity_without_htmx_renders_the_whole_page(agent_client, agent):
    customer = CustomerFactory(id_number=VALID_NIK)
    identity_checked(customer, agent)
    response = agent_client.post(reverse("accounts:customer_identity", args=[customer.pk]), {"reason": "Lost SIM"})
    assert response.status_code == 200
    assert VALID_NIK in response.content.decode()
    assert AuditEvent.objects.filter(verb="customer.identity_shown").count() == 1


def test_show_identity_needs_the_permission(client, agent):
    # given: an agent without reveal_identity
    from django.contrib.auth.models import Permission

    agent.groups.clear()
    agent.user_permissions.add(Permission.objects.get(codename="view_customer"))
    client.force_login(agent)
    customer = CustomerFactory(id_number=VALID_NIK)
    # when
    response = client.post(reverse("accounts:customer_identity", args=[customer.pk]))
    # then
    assert response.status_code == 403
    assert not AuditEvent.objects.exists()


# Register a customer --------------------------------------------------------------------------------------------

REGISTER = {"kind": "individual", "full_name": "Siti  Rahmawati", "id_type": "ktp", "id_number": VALID_NIK,
            "city": "Jakarta", "confirm": "on"}


def test_register_a_customer(agent_client, agent):
    # when
    response = agent_client.post(reverse("accounts:customer_register"), REGISTER)
    # then
    customer = Customer.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("accounts:customer_detail", args=[customer.pk])
    assert (customer.full_name, customer.id_number, customer.registered_at) == (
        "Siti Rahmawati", VALID_NIK, agent.outlet)
    event = AuditEvent.objects.get(verb="customer.registered")
    assert (event.actor, event.outlet, event.customer) == (agent, agent.outlet, customer)
    assert "Siti Rahmawati" in _messages(response)[0]


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"id_number": "317101410190000"}, "id_number", "A NIK has exactly 16 digits."),
    ({"id_number": "31710141019000011"}, "id_number", "A NIK has exactly 16 digits."),
    ({"id_number": "31710141019A0001"}, "id_number", "A NIK has exactly 16 digits."),
    ({"id_number": "3171013201900001"}, "id_number", "This NIK is not valid (region or birth date)."),
    ({"id_number": "9999014101900001"}, "id_number", "This NIK is not valid (region or birth date)."),
    ({"id_number": ""}, "id_number", "This field is required."),
    ({"full_name": "   "}, "full_name", "This field is required."),
    ({"id_type": "passport", "id_number": "A1"}, "id_number", "A passport number has 6 to 12 letters and digits."),
    ({"id_type": "sim", "id_number": "12345"}, "id_number", "A driving licence (SIM) number has 12 to 16 digits."),
    ({"id_type": "npwp"}, "id_type", "An individual registers with a KTP, a driving licence or a passport."),
    ({"kind": "organisation"}, "id_type", "An organisation registers with its NPWP."),
    ({"id_type": "voter_card"}, "id_type", "Select a valid choice."),
    ({"email": "not-an-email"}, "email", "Enter a valid email address."),
    ({"contact_phone": "08-12ab"}, "contact_phone", "A phone number has only digits (and an optional leading +)."),
    ({"confirm": ""}, "confirm", "Tick the box to confirm."),
])
def test_register_with_bad_input_writes_nothing(agent_client, change, field, message):
    # when
    response = agent_client.post(reverse("accounts:customer_register"), {**REGISTER, **change})
    # then
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not Customer.objects.exists()
    assert not AuditEvent.objects.exists()


def test_register_a_duplicate_document_is_refused(agent_client):
    # given
    CustomerFactory(id_type="ktp", id_number=VALID_NIK)
    # when
    response = agent_client.post(reverse("accounts:customer_register"), REGISTER)
    # then
    assert response.status_code == 200
    assert _refusals(response) == ["A customer with this identity document already exists."]
    assert Customer.objects.count() == 1
    assert not AuditEvent.objects.exists()


# Verification (supervisors) -------------------------------------------------------------------------------------


def test_supervisor_sets_the_verification_status(supervisor_client, supervisor):
    # given
    customer = CustomerFactory(verification=Customer.Verification.PENDING)
    # when
    response = supervisor_client.post(reverse("accounts:customer_verification", args=[customer.pk]),
                                      {"status": "failed", "reason": "KTP photo does not match", "confirm": "on"})
    # then
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.verification == Customer.Verification.FAILED
    event = AuditEvent.objects.get(verb="customer.verification")
    assert (event.actor, event.old, event.new, event.reason) == (supervisor, "pending", "failed",
                                                                 "KTP photo does not match")


def test_agent_cannot_post_a_verification(agent_client):
    customer = CustomerFactory(verification=Customer.Verification.PENDING)
    response = agent_client.post(reverse("accounts:customer_verification", args=[customer.pk]),
                                 {"status": "verified", "reason": "ok", "confirm": "on"})
    assert response.status_code == 403
    customer.refresh_from_db()
    assert customer.verification == Customer.Verification.PENDING


@pytest.mark.parametrize(("change", "field"), [({"reason": ""}, "reason"), ({"status": "maybe"}, "status"),
                                               ({"confirm": ""}, "confirm")])
def test_verification_with_bad_input_writes_nothing(supervisor_client, change, field):
    customer = CustomerFactory(verification=Customer.Verification.PENDING)
    data = {"status": "verified", "reason": "checked", "confirm": "on", **change}
    response = supervisor_client.post(reverse("accounts:customer_verification", args=[customer.pk]), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    customer.refresh_from_db()
    assert customer.verification == Customer.Verification.PENDING
    assert not AuditEvent.objects.exists()


# Billing account ------------------------------------------------------------------------------------------------


def test_open_a_billing_account(agent_client, agent):
    # given
    customer = CustomerFactory()
    # when
    response = agent_client.post(reverse("accounts:account_open", args=[customer.pk]),
                                 {"payment_method": "credit_card", "bill_cycle_day": "28", "confirm": "on"})
    # then
    assert response.status_code == 302
    account = BillingAccount.objects.get()
    assert (account.customer, account.payment_method, account.bill_cycle_day) == (customer, "credit_card", 28)
    event = AuditEvent.objects.get(verb="account.opened")
    assert (event.actor, event.outlet, event.customer) == (agent, agent.outlet, customer)


@pytest.mark.parametrize(("change", "field"), [
    ({"bill_cycle_day": "29"}, "bill_cycle_day"), ({"bill_cycle_day": "0"}, "bill_cycle_day"),
    ({"bill_cycle_day": "x"}, "bill_cycle_day"), ({"payment_method": "bitcoin"}, "payment_method"),
    ({"confirm": ""}, "confirm"),
])
def test_open_account_with_bad_input_writes_nothing(agent_client, change, field):
    customer = CustomerFactory()
    data = {"payment_method": "cash", "bill_cycle_day": "1", "confirm": "on", **change}
    response = agent_client.post(reverse("accounts:account_open", args=[customer.pk]), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not BillingAccount.objects.exists()
    assert not AuditEvent.objects.exists()


# Activate a line ------------------------------------------------------------------------------------------------

ACTIVATE = {"kind": "prepaid", "msisdn": "0812-3456-7890", "iccid": "8962100000000000002", "imsi": "510101234567890",
            "confirm": "on"}


def test_activate_a_prepaid_line_from_an_08_number(agent_client, agent):
    # given
    customer = CustomerFactory()
    # when
    response = agent_client.post(reverse("accounts:line_activate", args=[customer.pk]), ACTIVATE)
    # then
    line = Line.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("accounts:line_detail", args=[line.pk])
    assert (line.msisdn, line.kind, line.status, line.billing_account) == ("+6281234567890", "prepaid", "active", None)
    event = AuditEvent.objects.get(verb="line.activated")
    assert (event.actor, event.outlet, event.line, event.customer) == (agent, agent.outlet, line, customer)


def test_activate_a_postpaid_line_on_the_customers_account(agent_client):
    customer = CustomerFactory()
    account = BillingAccountFactory(customer=customer)
    response = agent_client.post(reverse("accounts:line_activate", args=[customer.pk]),
                                 {**ACTIVATE, "kind": "postpaid", "billing_account": account.pk,
                                  "package": BasicPackage.objects.get(code="halo_kick").pk,
                                  "domestic_limit": "300000"})
    assert response.status_code == 302
    line = Line.objects.get()
    assert line.billing_account == account
    assert line.spending_limits.get(scope="domestic").amount == 300_000  # LIM-12


@pytest.mark.parametrize(("change", "field"), [
    ({"msisdn": "0812345"}, "msisdn"),
    ({"msisdn": "0212345678"}, "msisdn"),
    ({"msisdn": "08123456789O"}, "msisdn"),
    ({"msisdn": ""}, "msisdn"),
    ({"iccid": "8962100000000000003"}, "iccid"),  # bad Luhn check digit
    ({"iccid": "896210000000000000"}, "iccid"),  # 18 digits
    ({"iccid": "1962100000000000002"}, "iccid"),
    ({"imsi": "51010123456789"}, "imsi"),
    ({"imsi": "310101234567890"}, "imsi"),
    ({"kind": "hybrid"}, "kind"),
    ({"kind": "postpaid"}, "billing_account"),
    ({"confirm": ""}, "confirm"),
])
def test_activate_with_bad_input_writes_nothing(agent_client, change, field):
    customer = CustomerFactory()
    response = agent_client.post(reverse("accounts:line_activate", args=[customer.pk]), {**ACTIVATE, **change})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Line.objects.exists()
    assert not AuditEvent.objects.exists()


def test_activate_on_another_customers_account_is_not_offered(agent_client):
    customer = CustomerFactory()
    other_account = BillingAccountFactory()
    response = agent_client.post(reverse("accounts:line_activate", args=[customer.pk]),
                                 {**ACTIVATE, "kind": "postpaid", "billing_account": other_account.pk})
    assert "billing_account" in response.context["form"].errors
    assert not Line.objects.exists()


def test_activate_a_number_in_use_shows_the_rule(agent_client):
    # given
    LineFactory(msisdn="+6281234567890")
    customer = CustomerFactory()
    # when
    response = agent_client.post(reverse("accounts:line_activate", args=[customer.pk]), ACTIVATE)
    # then
    assert response.status_code == 200
    assert _refusals(response) == ["This number belongs to another line."]
    assert Line.objects.count() == 1
    assert not AuditEvent.objects.exists()


def test_activate_for_a_customer_who_failed_verification_shows_the_rule(agent_client):
    customer = CustomerFactory(verification=Customer.Verification.FAILED)
    response = agent_client.post(reverse("accounts:line_activate", args=[customer.pk]), ACTIVATE)
    assert _refusals(response) == ["The customer's identity failed verification: no new line can be activated."]
    assert not Line.objects.exists()


# Line page and tabs ---------------------------------------------------------------------------------------------


def test_line_page_shows_the_header_open_blocks_tabs_and_timeline(agent_client, line):
    # given
    BlockFactory(line=line, note="Customer asked for a bar")
    # when
    response = agent_client.get(reverse("accounts:line_detail", args=[line.pk]))
    # then
    content = response.content.decode()
    assert msisdn_grouped(line.msisdn) in content and msisdn_grouped(line.msisdn).startswith("08")
    assert "Postpaid (KartuHalo)" in content
    assert 'id="blocked-badge"' in content
    assert "Customer request (bar)" in content
    assert reverse("accounts:line_tab", args=[line.pk, "blocks"]) in content
    assert 'id="timeline"' in content


def test_blocks_tab_lists_the_block_history(agent_client, line):
    BlockFactory(line=line, reason=Block.Reason.UNPAID_BILL, note="Bill of October unpaid")
    response = agent_client.get(reverse("accounts:line_tab", args=[line.pk, "blocks"]))
    assert response.status_code == 200
    assert "Bill unpaid by its due date" in response.content.decode()
    assert "<html" not in response.content.decode()


@pytest.fixture
def extra_tabs():
    before = dict(_TABS)
    _TABS["postpaid-only"] = LineTab(key="postpaid-only", title="Only postpaid", template="accounts/tabs/blocks.html",
                                     context=lambda request, line: {"blocks": []},
                                     applies=lambda line: line.kind == Line.Kind.POSTPAID)
    yield
    _TABS.clear()
    _TABS.update(before)


def test_tab_of_another_app_is_listed_and_served_when_it_applies(agent_client, extra_tabs):
    # given
    postpaid, prepaid = PostpaidLineFactory(), LineFactory()
    # then
    assert "postpaid-only" in agent_client.get(reverse("accounts:line_detail", args=[postpaid.pk])).content.decode()
    assert "postpaid-only" not in agent_client.get(reverse("accounts:line_detail", args=[prepaid.pk])).content.decode()
    assert agent_client.get(reverse("accounts:line_tab", args=[postpaid.pk, "postpaid-only"])).status_code == 200
    assert agent_client.get(reverse("accounts:line_tab", args=[prepaid.pk, "postpaid-only"])).status_code == 404


def test_unknown_tab_is_404(agent_client, line):
    assert agent_client.get(reverse("accounts:line_tab", args=[line.pk, "no-such-tab"])).status_code == 404


# Block and unblock ----------------------------------------------------------------------------------------------

BLOCK = {"reason": "customer_request", "scope": "outgoing", "note": "Customer travels abroad", "confirm": "on"}


def test_agent_blocks_a_line_with_a_reason(agent_client, agent, line):
    # when
    response = agent_client.post(reverse("accounts:line_block", args=[line.pk]), BLOCK)
    # then
    assert response.status_code == 302
    block = Block.objects.get()
    assert (block.line, block.reason, block.scope, block.note, block.started_by, block.ended_at) == (
        line, "customer_request", "outgoing", "Customer travels abroad", agent, None)
    event = AuditEvent.objects.get(verb="line.blocked")
    assert (event.actor, event.outlet, event.line, event.reason) == (agent, agent.outlet, line,
                                                                     "Customer travels abroad")
    page = agent_client.get(response.url).content.decode()
    assert "Line blocked" in page  # the timeline


@pytest.mark.rule("ACC-05")
def test_block_form_offers_supervisor_only_reasons_to_supervisors_only(client, agent, supervisor, line):
    url = reverse("accounts:line_block", args=[line.pk])
    client.force_login(agent)
    agent_form = client.get(url).context["form"]
    client.force_login(supervisor)
    supervisor_form = client.get(url).context["form"]
    assert set(dict(agent_form.fields["reason"].choices)) == {"customer_request", "termination"}
    assert "permanent" not in agent_form.fields
    supervisor_reasons = set(dict(supervisor_form.fields["reason"].choices))
    assert {"illegal_activity", "unpaid_bill", "institution_request", "customer_request"} <= supervisor_reasons
    assert "lost_sim" not in supervisor_reasons  # has its own form (ACC-05)
    assert "permanent" in supervisor_form.fields


@pytest.mark.parametrize(("change", "field"), [
    ({"note": "  "}, "note"),
    ({"reason": "illegal_activity"}, "reason"),  # supervisor-only: not offered to agents
    ({"reason": "lost_sim"}, "reason"),
    ({"reason": "nonsense"}, "reason"),
    ({"scope": "half"}, "scope"),
    ({"confirm": ""}, "confirm"),
])
def test_block_with_bad_input_writes_nothing(agent_client, line, change, field):
    response = agent_client.post(reverse("accounts:line_block", args=[line.pk]), {**BLOCK, **change})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Block.objects.exists()
    assert not AuditEvent.objects.exists()


def test_institution_request_needs_a_reference(supervisor_client, line):
    response = supervisor_client.post(reverse("accounts:line_block", args=[line.pk]),
                                      {**BLOCK, "reason": "institution_request", "reference": ""})
    assert "reference" in response.context["form"].errors
    assert not Block.objects.exists()


def test_second_block_for_the_same_reason_shows_the_rule(agent_client, line):
    BlockFactory(line=line, reason=Block.Reason.CUSTOMER_REQUEST)
    response = agent_client.post(reverse("accounts:line_block", args=[line.pk]), BLOCK)
    assert response.status_code == 200
    assert _refusals(response) == ["The line already has an open block for this reason."]
    assert Block.objects.count() == 1
    assert not AuditEvent.objects.exists()


@pytest.mark.rule("ACC-04")
def test_supervisor_blocks_permanently_and_the_number_goes_into_quarantine(supervisor_client, line):
    # when (ACC-04)
    response = supervisor_client.post(reverse("accounts:line_block", args=[line.pk]),
                                      {**BLOCK, "reason": "violation_of_law", "permanent": "on"})
    # then
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.status == Line.Status.TERMINATED
    assert line.quarantine_until == line.terminated_on + dt.timedelta(days=90)
    assert Block.objects.get().permanent is True


def test_agent_lifts_a_customer_request_block(agent_client, agent, line):
    # given
    block = BlockFactory(line=line)
    # when
    response = agent_client.post(reverse("accounts:line_unblock", args=[line.pk, block.pk]),
                                 {"note": "Customer is back", "confirm": "on"})
    # then
    assert response.status_code == 302
    block.refresh_from_db()
    assert (block.ended_by, block.end_note) == (agent, "Customer is back")
    assert block.ended_at is not None
    event = AuditEvent.objects.get(verb="line.unblocked")
    assert (event.actor, event.outlet, event.reason) == (agent, agent.outlet, "Customer is back")


def test_agent_cannot_lift_a_supervisor_only_block(agent_client, line):
    # given
    block = BlockFactory(line=line, reason=Block.Reason.UNPAID_BILL)
    # then: no "Lift" button on the page
    page = agent_client.get(reverse("accounts:line_detail", args=[line.pk])).content.decode()
    assert reverse("accounts:line_unblock", args=[line.pk, block.pk]) not in page
    # when: posting anyway
    response = agent_client.post(reverse("accounts:line_unblock", args=[line.pk, block.pk]),
                                 {"note": "please", "confirm": "on"})
    # then
    assert _refusals(response) == ["Only a supervisor may lift this block."]
    block.refresh_from_db()
    assert block.ended_at is None
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(("change", "field"), [({"note": ""}, "note"), ({"confirm": ""}, "confirm")])
def test_unblock_with_bad_input_writes_nothing(agent_client, line, change, field):
    block = BlockFactory(line=line)
    response = agent_client.post(reverse("accounts:line_unblock", args=[line.pk, block.pk]),
                                 {"note": "ok", "confirm": "on", **change})
    assert field in response.context["form"].errors
    block.refresh_from_db()
    assert block.ended_at is None


def test_unblock_a_block_of_another_line_is_404(agent_client, line):
    block = BlockFactory()
    response = agent_client.post(reverse("accounts:line_unblock", args=[line.pk, block.pk]),
                                 {"note": "x", "confirm": "on"})
    assert response.status_code == 404


# Lost SIM -------------------------------------------------------------------------------------------------------

LOST = {"statement_number": "LS-2026-0042", "identity_copy_received": "on", "confirm": "on"}


@pytest.mark.rule("ACC-05")
def test_lost_sim_blocks_the_line_at_once(agent_client, agent, line):
    # when (ACC-05)
    response = agent_client.post(reverse("accounts:line_report_lost", args=[line.pk]), LOST)
    # then
    assert response.status_code == 302
    block = Block.objects.get()
    assert (block.reason, block.scope, block.reference, block.ended_at) == ("lost_sim", "all", "LS-2026-0042", None)
    event = AuditEvent.objects.get(verb="line.blocked")
    assert (event.actor, event.outlet, event.new["reason"]) == (agent, agent.outlet, "lost_sim")


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"statement_number": ""}, "statement_number", "This field is required."),
    ({"identity_copy_received": ""}, "identity_copy_received",
     "A copy of the customer's identity document is required."),
    ({"confirm": ""}, "confirm", "Tick the box to confirm."),
])
def test_lost_sim_with_bad_input_writes_nothing(agent_client, line, change, field, message):
    response = agent_client.post(reverse("accounts:line_report_lost", args=[line.pk]), {**LOST, **change})
    assert response.context["form"].errors[field] == [message]
    assert not Block.objects.exists()
    assert not AuditEvent.objects.exists()


# Transfer (ACC-06) ----------------------------------------------------------------------------------------------


def _transfer_data(to_customer, account=None, **change):
    data = {"to_id_type": to_customer.id_type, "to_id_number": to_customer.id_number,
            "letter_number": "APR/2026/11/001", "reason": "Sold the business", "confirm": "on"}
    if account is not None:
        data["to_account_number"] = account.number
    return {**data, **change}


@pytest.mark.rule("ACC-06")
def test_supervisor_approves_a_transfer(supervisor_client, supervisor, line):
    # given
    identity_checked(line.customer, supervisor)
    new_holder = CustomerFactory()
    account = BillingAccountFactory(customer=new_holder, number="2000000001")
    old_holder = line.customer
    # when
    response = supervisor_client.post(reverse("accounts:line_transfer", args=[line.pk]),
                                      _transfer_data(new_holder, account))
    # then
    assert response.status_code == 302
    line.refresh_from_db()
    assert (line.customer, line.billing_account) == (new_holder, account)
    approval = TransferApproval.objects.get()
    assert (approval.from_customer, approval.to_customer, approval.letter_number, approval.approved_by) == (
        old_holder, new_holder, "APR/2026/11/001", supervisor)
    event = AuditEvent.objects.get(verb="line.transferred")
    assert (event.actor, event.reason, event.new["letter"]) == (supervisor, "Sold the business", "APR/2026/11/001")


@pytest.mark.rule("ACC-06")
def test_agent_cannot_approve_a_transfer(agent_client, line):
    new_holder = CustomerFactory()
    response = agent_client.post(reverse("accounts:line_transfer", args=[line.pk]), _transfer_data(new_holder))
    assert response.status_code == 403
    assert not TransferApproval.objects.exists()


@pytest.mark.rule("ACC-06")
@pytest.mark.parametrize(("change", "field"), [
    ({"to_id_number": "3171014101900099"}, "to_id_number"),  # valid NIK, nobody registered
    ({"to_id_number": "12"}, "to_id_number"),
    ({"to_account_number": "9999999999"}, "to_account_number"),
    ({"letter_number": ""}, "letter_number"),
    ({"reason": ""}, "reason"),
    ({"confirm": ""}, "confirm"),
])
def test_transfer_with_bad_input_writes_nothing(supervisor_client, supervisor, line, change, field):
    identity_checked(line.customer, supervisor)
    new_holder = CustomerFactory(id_number="3171014101900001")
    account = BillingAccountFactory(customer=new_holder)
    response = supervisor_client.post(reverse("accounts:line_transfer", args=[line.pk]),
                                      _transfer_data(new_holder, account, **change))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not TransferApproval.objects.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.rule("ACC-06")
def test_transfer_to_an_unverified_customer_shows_the_rule(supervisor_client, supervisor, line):
    identity_checked(line.customer, supervisor)
    new_holder = CustomerFactory(verification=Customer.Verification.PENDING)
    account = BillingAccountFactory(customer=new_holder)
    response = supervisor_client.post(reverse("accounts:line_transfer", args=[line.pk]),
                                      _transfer_data(new_holder, account))
    assert _refusals(response) == ["The new holder's identity must be verified first."]
    assert not TransferApproval.objects.exists()
