"""The supervisors' admin: every page for anonymous / agent / supervisor, searches, actions through services, audit."""

import datetime as dt

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.models import Block, Customer, Line, Outlet, TransferApproval, User
from core.dates import local_today
from core.models import AuditEvent, Channel
from tests.accounts.factories import (
    AgentFactory,
    BlockFactory,
    CustomerFactory,
    LineFactory,
    OutletFactory,
    PostpaidLineFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def line():
    return PostpaidLineFactory(customer__full_name="Budi Santoso")


@pytest.fixture
def pages(line, supervisor):
    block = BlockFactory(line=line)
    other = CustomerFactory(full_name="Siti Rahayu")
    transfer = TransferApproval.objects.create(line=line, from_customer=other, to_customer=line.customer,
                                               letter_number="AP/2026/001", approved_by=supervisor, reason="Hibah")
    objects = {
        "outlet": supervisor.outlet, "user": supervisor, "customer": line.customer,
        "billingaccount": line.billing_account, "line": line, "block": block, "transferapproval": transfer,
    }
    urls = [reverse("admin:index"), reverse("admin:app_list", args=["accounts"])]
    for model, obj in objects.items():
        urls += [reverse(f"admin:accounts_{model}_changelist"),
                 reverse(f"admin:accounts_{model}_change", args=[obj.pk])]
    urls += [reverse("admin:accounts_outlet_add"), reverse("admin:accounts_user_add"),
             reverse("admin:auth_user_password_change", args=[supervisor.pk])]
    return urls


# Access -------------------------------------------------------------------------------------------------------


def test_every_admin_page_loads_for_a_supervisor(supervisor_client, pages):
    # given a supervisor and one row of every accounts model
    for url in pages:
        # when they open each changelist, change page and add page
        response = supervisor_client.get(url)
        # then it loads
        assert response.status_code == 200, url


def test_an_agent_is_sent_to_the_admin_login(agent_client, pages):
    # given an agent (not staff)
    for url in pages:
        # when they open an admin page
        response = agent_client.get(url)
        # then the admin asks for a staff login
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("admin:login")), url


def test_anonymous_is_sent_to_the_admin_login(client, pages):
    for url in pages:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("admin:login")), url


def test_change_pages_link_to_the_agent_workspace(supervisor_client, line):
    page = supervisor_client.get(reverse("admin:accounts_line_change", args=[line.pk])).content.decode()
    assert f'href="{reverse("accounts:line_detail", args=[line.pk])}"' in page
    page = supervisor_client.get(reverse("admin:accounts_customer_change", args=[line.customer.pk])).content.decode()
    assert f'href="{reverse("accounts:customer_detail", args=[line.customer.pk])}"' in page


def test_a_staff_user_without_permissions_is_refused(client, line):
    # given a staff user in no role
    user = UserFactory(is_staff=True)
    client.force_login(user)
    # when they open the lines changelist
    response = client.get(reverse("admin:accounts_line_changelist"))
    # then the admin refuses
    assert response.status_code == 403


def test_nothing_can_be_added_or_deleted_where_a_service_must_be_used(supervisor_client, line):
    for model in ["customer", "billingaccount", "line", "block", "transferapproval"]:
        assert supervisor_client.get(reverse(f"admin:accounts_{model}_add")).status_code == 403, model
    assert supervisor_client.get(reverse("admin:accounts_line_delete", args=[line.pk])).status_code == 403
    assert supervisor_client.get(reverse("admin:accounts_customer_delete", args=[line.customer.pk])).status_code == 403


def test_a_line_cannot_be_changed_by_posting_its_form(supervisor_client, line):
    # given a line shown read-only
    url = reverse("admin:accounts_line_change", args=[line.pk])
    # when someone posts a new number to its change form
    response = supervisor_client.post(url, {"msisdn": "+6281299999999", "status": "recycled"})
    # then it is refused and nothing changed
    assert response.status_code == 403
    line.refresh_from_db()
    assert line.status == Line.Status.ACTIVE and line.msisdn != "+6281299999999"


# Searches -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["{national}", "{e164}", "{e164_no_plus}", "{iccid}", "{imsi}", "{nik}",
                                   "{account}", "Budi", "budi san"])
def test_the_line_list_finds_a_line_by_every_identifier(supervisor_client, line, query):
    # given two lines of two customers
    other = LineFactory(customer__full_name="Siti Rahayu")
    values = {"national": line.msisdn_national, "e164": line.msisdn, "e164_no_plus": line.msisdn[1:],
              "iccid": line.iccid, "imsi": line.imsi, "nik": line.customer.id_number,
              "account": line.billing_account.number}
    # when the supervisor searches
    response = supervisor_client.get(reverse("admin:accounts_line_changelist"), {"q": query.format(**values)})
    # then only the matching line is listed
    shown = list(response.context["cl"].result_list)
    assert shown == [line]
    assert other not in shown


def test_a_bad_search_lists_nothing_instead_of_failing(supervisor_client, line):
    for query in ["0899", "x", "+62 8"]:
        response = supervisor_client.get(reverse("admin:accounts_line_changelist"), {"q": query})
        assert response.status_code == 200
        assert list(response.context["cl"].result_list) == []


@pytest.mark.parametrize("query", ["Budi", "{nik}", "{national}", "{account}", "{iccid}"])
def test_the_customer_list_finds_a_customer(supervisor_client, line, query):
    CustomerFactory(full_name="Siti Rahayu")
    values = {"nik": line.customer.id_number, "national": line.msisdn_national,
              "account": line.billing_account.number, "iccid": line.iccid}
    response = supervisor_client.get(reverse("admin:accounts_customer_changelist"), {"q": query.format(**values)})
    assert list(response.context["cl"].result_list) == [line.customer]


def test_the_customer_list_finds_a_passport_number(supervisor_client):
    tourist = CustomerFactory(full_name="John Smith", id_type=Customer.IdType.PASSPORT, id_number="C1234567")
    response = supervisor_client.get(reverse("admin:accounts_customer_changelist"), {"q": "c1234567"})
    assert list(response.context["cl"].result_list) == [tourist]


def test_the_customer_list_never_shows_a_full_nik(supervisor_client, line):
    response = supervisor_client.get(reverse("admin:accounts_customer_changelist"))
    assert line.customer.id_number not in response.content.decode()
    assert line.customer.id_number[-4:] in response.content.decode()


def test_the_account_and_block_lists_search(supervisor_client, line):
    block = BlockFactory(line=line, reason=Block.Reason.INSTITUTION_REQUEST, reference="POLDA/123")
    BlockFactory()
    accounts = supervisor_client.get(reverse("admin:accounts_billingaccount_changelist"), {"q": "Budi"})
    assert list(accounts.context["cl"].result_list) == [line.billing_account]
    by_number = supervisor_client.get(reverse("admin:accounts_block_changelist"), {"q": line.msisdn_national})
    assert list(by_number.context["cl"].result_list) == [block]
    by_reference = supervisor_client.get(reverse("admin:accounts_block_changelist"), {"q": "POLDA/123"})
    assert list(by_reference.context["cl"].result_list) == [block]


@pytest.mark.rule("ACC-04")
def test_line_filters(supervisor_client, line):
    # given an open block on one line, a number whose quarantine ended, one still in quarantine
    BlockFactory(line=line)
    today = local_today()
    ended = LineFactory(status=Line.Status.TERMINATED, terminated_on=today - dt.timedelta(days=91),
                        quarantine_until=today - dt.timedelta(days=1))
    waiting = LineFactory(status=Line.Status.TERMINATED, terminated_on=today, quarantine_until=today)
    waiting.quarantine_until = today + dt.timedelta(days=1)
    waiting.save()
    url = reverse("admin:accounts_line_changelist")
    # then each filter lists exactly its lines (ACC-04: the day the quarantine ends, recycling is allowed)
    assert list(supervisor_client.get(url, {"blocked": "yes"}).context["cl"].result_list) == [line]
    assert list(supervisor_client.get(url, {"quarantine": "ended"}).context["cl"].result_list) == [ended]
    assert list(supervisor_client.get(url, {"quarantine": "in"}).context["cl"].result_list) == [waiting]
    assert line not in supervisor_client.get(url, {"blocked": "no"}).context["cl"].result_list


def test_the_line_list_query_count_does_not_grow_with_rows(supervisor_client, django_assert_max_num_queries):
    # given 30 lines, some blocked
    for index in range(30):
        line = PostpaidLineFactory()
        if index % 3 == 0:
            BlockFactory(line=line)
    # then the changelist uses a fixed number of queries
    with django_assert_max_num_queries(12):
        response = supervisor_client.get(reverse("admin:accounts_line_changelist"))
    assert len(response.context["cl"].result_list) == 30


# Actions ------------------------------------------------------------------------------------------------------


def _action(client, model: str, action: str, objects, **data):
    payload = {"action": action, ACTION_CHECKBOX_NAME: [obj.pk for obj in objects], **data}
    return client.post(reverse(f"admin:accounts_{model}_changelist"), payload)


def test_block_action_first_asks_for_a_reason(supervisor_client, line):
    # when the supervisor picks "block" for a line
    response = _action(supervisor_client, "line", "block_lines", [line])
    # then a confirmation page asks for the reason and nothing is written yet
    assert response.status_code == 200
    assert "reason" in response.context["form"].fields
    assert not Block.objects.exists()
    assert not AuditEvent.objects.filter(verb="line.blocked").exists()


@pytest.mark.parametrize(("data", "field"), [
    ({"reason": "illegal_activity", "scope": "all", "note": "   "}, "note"),
    ({"reason": "not_a_reason", "scope": "all", "note": "x"}, "reason"),
    ({"reason": "illegal_activity", "scope": "sideways", "note": "x"}, "scope"),
    ({"reason": "institution_request", "scope": "all", "note": "Letter", "reference": " "}, "reference"),
    ({"reason": "termination", "scope": "all", "note": "x"}, "reason"),
])
def test_block_action_bad_input_writes_nothing(supervisor_client, line, data, field):
    response = _action(supervisor_client, "line", "block_lines", [line], apply="yes", **data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Block.objects.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.rule("BIL-05", "BIL-06")
def test_block_action_blocks_every_selected_line_through_the_service(supervisor_client, supervisor, line):
    # given two lines of a SAMU account (BIL-06: one line or all lines of the account)
    second = PostpaidLineFactory(customer=line.customer, billing_account=line.billing_account)
    # when the supervisor blocks both for suspected illegal activity (BIL-05), confirming with a reason
    response = _action(supervisor_client, "line", "block_lines", [line, second], apply="yes",
                       reason="illegal_activity", scope="outgoing", note="Laporan penipuan", reference="")
    # then each line has an open block set by the supervisor, and an audit event from the admin channel
    assert response.status_code == 302
    for each in (line, second):
        block = each.blocks.get()
        assert (block.reason, block.scope, block.started_by, block.ended_at) == (
            "illegal_activity", "outgoing", supervisor, None)
        event = AuditEvent.objects.get(verb="line.blocked", line=each)
        assert (event.actor, event.channel, event.reason) == (supervisor, Channel.ADMIN, "Laporan penipuan")
    assert "2 lines blocked." in _messages(response)[0]


def test_block_action_reports_the_lines_the_service_refused(supervisor_client, line):
    # given a line that already has an open block for the same reason
    BlockFactory(line=line, reason=Block.Reason.CUSTOMER_REQUEST)
    free = LineFactory()
    # when both are blocked for that reason
    response = _action(supervisor_client, "line", "block_lines", [line, free], apply="yes",
                       reason="customer_request", scope="all", note="Permintaan")
    # then the free one is blocked and the other refused with the service's message
    assert free.blocks.filter(ended_at__isnull=True).count() == 1
    assert line.blocks.count() == 1
    texts = _messages(response)
    assert any("1 lines blocked" in text for text in texts)
    assert any(line.msisdn_national in text and "already has an open block" in text for text in texts)


@pytest.mark.rule("ACC-04")
def test_permanent_block_action_starts_the_quarantine(supervisor_client, line):
    # ACC-04: a permanent block terminates the line and starts a 90-day quarantine
    _action(supervisor_client, "line", "block_lines", [line], apply="yes", reason="violation_of_law",
            scope="outgoing", note="Putusan pengadilan", permanent="on")
    line.refresh_from_db()
    assert line.status == Line.Status.TERMINATED
    assert line.quarantine_until == local_today() + dt.timedelta(days=90)
    assert line.blocks.get().permanent is True


def test_unblock_action_lifts_open_blocks_with_a_reason(supervisor_client, supervisor, line):
    # given a line with two open blocks and another line with none
    bar = BlockFactory(line=line, reason=Block.Reason.CUSTOMER_REQUEST)
    unpaid = BlockFactory(line=line, reason=Block.Reason.UNPAID_BILL)
    # when the supervisor lifts the customer's bar only
    response = _action(supervisor_client, "line", "unblock_lines", [line], apply="yes",
                       reason="customer_request", note="Pelanggan minta buka")
    # then that block is closed by the supervisor, the other stays, and it is audited
    bar.refresh_from_db()
    unpaid.refresh_from_db()
    assert (bar.ended_by, bar.end_note) == (supervisor, "Pelanggan minta buka") and bar.ended_at is not None
    assert unpaid.ended_at is None
    event = AuditEvent.objects.get(verb="line.unblocked")
    assert (event.line, event.channel, event.old["reason"]) == (line, Channel.ADMIN, "customer_request")
    assert "1 blocks lifted." in _messages(response)[0]


def test_unblock_action_every_reason_skips_permanent_blocks(supervisor_client, line):
    BlockFactory(line=line, reason=Block.Reason.CUSTOMER_REQUEST)
    BlockFactory(line=line, reason=Block.Reason.SYSTEM_HOLD)
    _action(supervisor_client, "line", "unblock_lines", [line], apply="yes", reason="__any__", note="Selesai")
    assert not line.blocks.filter(ended_at__isnull=True).exists()


def test_unblock_action_without_a_note_writes_nothing(supervisor_client, line):
    block = BlockFactory(line=line)
    response = _action(supervisor_client, "line", "unblock_lines", [line], apply="yes",
                       reason="customer_request", note="")
    assert "note" in response.context["form"].errors
    block.refresh_from_db()
    assert block.ended_at is None
    assert not AuditEvent.objects.exists()


def test_unblock_action_with_no_matching_block_says_so(supervisor_client, line):
    response = _action(supervisor_client, "line", "unblock_lines", [line], apply="yes",
                       reason="unpaid_bill", note="Lunas")
    assert any("has such an open block" in text for text in _messages(response))


@pytest.mark.rule("ACC-04")
def test_lift_blocks_action_on_the_block_list(supervisor_client, supervisor, line):
    block = BlockFactory(line=line, reason=Block.Reason.CREDIT_LIMIT)
    permanent = BlockFactory(line=LineFactory(status=Line.Status.TERMINATED, terminated_on=local_today()),
                             reason=Block.Reason.TERMINATION, permanent=True)
    response = _action(supervisor_client, "block", "lift_blocks", [block, permanent], apply="yes", note="Dibayar")
    block.refresh_from_db()
    permanent.refresh_from_db()
    assert block.ended_by == supervisor
    assert permanent.ended_at is None  # ACC-04: a permanent block is never lifted
    assert any("permanent block cannot be lifted" in text for text in _messages(response))


@pytest.mark.rule("ACC-04")
def test_recycle_action_asks_to_confirm_then_recycles_only_after_quarantine(supervisor_client, supervisor):
    # given one number whose quarantine ended today and one whose quarantine ends tomorrow (ACC-04 boundary)
    today = local_today()
    due = LineFactory(status=Line.Status.TERMINATED, terminated_on=today - dt.timedelta(days=90),
                      quarantine_until=today)
    early = LineFactory(status=Line.Status.TERMINATED, terminated_on=today - dt.timedelta(days=89),
                        quarantine_until=today + dt.timedelta(days=1))
    # when the action is picked, a confirmation page comes first
    confirm = _action(supervisor_client, "line", "recycle_numbers", [due, early])
    assert confirm.status_code == 200
    assert Line.objects.filter(status=Line.Status.RECYCLED).count() == 0
    # when it is confirmed
    response = _action(supervisor_client, "line", "recycle_numbers", [due, early], apply="yes")
    # then only the number out of quarantine is recycled, audited, and the other refused
    due.refresh_from_db()
    early.refresh_from_db()
    assert due.status == Line.Status.RECYCLED
    assert early.status == Line.Status.TERMINATED
    assert AuditEvent.objects.get(verb="line.recycled").line == due
    assert any("quarantine" in text for text in _messages(response))


def test_actions_refuse_too_many_rows(supervisor_client, monkeypatch):
    monkeypatch.setattr("core.admin_base.MAX_ACTION_ROWS", 2)
    lines = [LineFactory() for _ in range(3)]
    response = _action(supervisor_client, "line", "block_lines", lines, apply="yes",
                       reason="customer_request", scope="all", note="x")
    assert not Block.objects.exists()
    assert any("at most 2" in text for text in _messages(response))


def test_verification_action_uses_the_service_and_audits(supervisor_client, supervisor):
    customer = CustomerFactory(verification=Customer.Verification.PENDING)
    response = _action(supervisor_client, "customer", "set_verification", [customer], apply="yes",
                       status="failed", reason="KTP palsu")
    customer.refresh_from_db()
    assert customer.verification == Customer.Verification.FAILED
    event = AuditEvent.objects.get(verb="customer.verification", customer=customer)
    assert (event.old, event.new, event.reason, event.actor) == ("pending", "failed", "KTP palsu", supervisor)
    assert response.status_code == 302


@pytest.mark.parametrize("data", [{"status": "verified", "reason": " "}, {"status": "maybe", "reason": "x"}])
def test_verification_action_bad_input_writes_nothing(supervisor_client, data):
    customer = CustomerFactory(verification=Customer.Verification.PENDING)
    response = _action(supervisor_client, "customer", "set_verification", [customer], apply="yes", **data)
    assert response.status_code == 200 and response.context["form"].errors
    customer.refresh_from_db()
    assert customer.verification == Customer.Verification.PENDING
    assert not AuditEvent.objects.exists()


def test_an_agent_cannot_run_actions(agent_client, line):
    response = _action(agent_client, "line", "block_lines", [line], apply="yes", reason="customer_request",
                       scope="all", note="x")
    assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))
    assert not Block.objects.exists()


# Audited edits (ACC-07) ---------------------------------------------------------------------------------------


def _form_data(response) -> dict:
    """The change form's current values, as the browser would post them back."""
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form[name].value()
        if value is None:
            continue
        data[name] = [getattr(v, "pk", v) for v in value] if isinstance(value, list | tuple) else value
    for formset in response.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[f"{management.prefix}-{name}"] = management[name].value()
        for inline in formset.formset.forms:
            for name in inline.fields:
                value = inline[name].value()
                if value is not None:
                    data[inline.add_prefix(name)] = getattr(value, "pk", value)
    return data


@pytest.mark.rule("ACC-07")
def test_editing_contact_details_needs_a_reason_and_is_audited(supervisor_client, supervisor, line):
    customer = line.customer
    url = reverse("admin:accounts_customer_change", args=[customer.pk])
    data = _form_data(supervisor_client.get(url))
    # when the address changes without a reason, nothing is saved
    data.update(address="Jl. Kenanga No. 5, Depok", audit_reason="")
    response = supervisor_client.post(url, data)
    assert response.status_code == 200 and "audit_reason" in response.context["adminform"].form.errors
    customer.refresh_from_db()
    assert customer.address == ""
    # when it is given, the change is saved with an audit event holding old → new and the reason
    data["audit_reason"] = "Pindah rumah, surat keterangan RT"
    response = supervisor_client.post(url, data)
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.address == "Jl. Kenanga No. 5, Depok"
    event = AuditEvent.objects.get(verb="customer.changed")
    assert (event.old, event.new) == ({"address": ""}, {"address": "Jl. Kenanga No. 5, Depok"})
    assert (event.actor, event.channel, event.customer) == (supervisor, Channel.ADMIN, customer)
    assert event.reason == "Pindah rumah, surat keterangan RT"


def test_identity_and_verification_are_read_only_in_the_customer_form(supervisor_client, line):
    customer = line.customer
    url = reverse("admin:accounts_customer_change", args=[customer.pk])
    data = _form_data(supervisor_client.get(url))
    data.update(id_number="3171010101900009", verification="failed", kind="organisation", audit_reason="x")
    supervisor_client.post(url, data)
    customer.refresh_from_db()
    assert customer.verification == Customer.Verification.VERIFIED
    assert customer.kind == Customer.Kind.INDIVIDUAL
    assert customer.id_number != "3171010101900009"


@pytest.mark.rule("ACC-07")
def test_changing_a_users_role_is_audited(supervisor_client, supervisor):
    from django.contrib.auth.models import Group

    agent = AgentFactory()
    url = reverse("admin:accounts_user_change", args=[agent.pk])
    data = _form_data(supervisor_client.get(url))
    data.update(groups=[Group.objects.get(name="Supervisor").pk], is_staff="on", audit_reason="Promosi")
    response = supervisor_client.post(url, data)
    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.is_staff and agent.groups.filter(name="Supervisor").exists()
    event = AuditEvent.objects.get(verb="user.changed")
    assert event.new["groups"] == ["Supervisor"] and event.new["is_staff"] is True
    assert event.reason == "Promosi"


def test_a_supervisor_cannot_make_anyone_superuser(supervisor_client, supervisor):
    url = reverse("admin:accounts_user_change", args=[supervisor.pk])
    data = _form_data(supervisor_client.get(url))
    data.update(is_superuser="on", audit_reason="Saya ingin")
    supervisor_client.post(url, data)
    supervisor.refresh_from_db()
    assert supervisor.is_superuser is False


@pytest.mark.rule("ACC-07")
def test_adding_a_user_and_setting_a_password_are_audited(supervisor_client, supervisor):
    outlet = OutletFactory(code="bekasi", name="GraPARI Bekasi")
    response = supervisor_client.post(reverse("admin:accounts_user_add"), {
        "username": "agent.baru", "first_name": "Dewi", "last_name": "Lestari", "outlet": outlet.pk,
        "language": "id", "password1": "Kata-sandi-panjang-2026", "password2": "Kata-sandi-panjang-2026",
        "usable_password": "true", "audit_reason": "Agen baru GraPARI Bekasi",
    })
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(username="agent.baru")
    created = AuditEvent.objects.get(verb="user.created")
    assert created.subject_id == str(user.pk) and created.new["outlet"] == outlet.pk
    assert "password1" not in created.new
    response = supervisor_client.post(reverse("admin:auth_user_password_change", args=[user.pk]), {
        "password1": "Sandi-lain-yang-panjang-1", "password2": "Sandi-lain-yang-panjang-1",
        "usable_password": "true",
    })
    assert response.status_code == 302
    assert AuditEvent.objects.filter(verb="user.password_set", subject_id=str(user.pk)).count() == 1


@pytest.mark.rule("ACC-07")
def test_outlet_edit_is_audited(supervisor_client, supervisor):
    outlet = supervisor.outlet
    url = reverse("admin:accounts_outlet_change", args=[outlet.pk])
    response = supervisor_client.post(url, {"code": outlet.code, "name": outlet.name, "city": "Jakarta Pusat",
                                            "jabodetabek": "on", "is_active": "on", "audit_reason": "Pindah"})
    assert response.status_code == 302
    assert Outlet.objects.get(pk=outlet.pk).city == "Jakarta Pusat"
    event = AuditEvent.objects.get(verb="outlet.changed")
    assert event.new == {"city": "Jakarta Pusat"} and event.old == {"city": "Jakarta"}


@pytest.mark.rule("ACC-07")
def test_a_billing_account_edit_is_audited_and_its_owner_is_read_only(supervisor_client, supervisor, line):
    account = line.billing_account
    other = CustomerFactory()
    url = reverse("admin:accounts_billingaccount_change", args=[account.pk])
    data = _form_data(supervisor_client.get(url))
    data.update(payment_method="credit_card", customer=other.pk, audit_reason="Formulir autodebet")
    assert supervisor_client.post(url, data).status_code == 302
    account.refresh_from_db()
    assert account.payment_method == "credit_card" and account.customer == line.customer
    event = AuditEvent.objects.get(verb="billingaccount.changed")
    assert event.old == {"payment_method": "cash"} and event.new == {"payment_method": "credit_card"}


@pytest.mark.rule("ACC-07")
def test_saving_without_changes_writes_no_audit_event(supervisor_client, line):
    url = reverse("admin:accounts_customer_change", args=[line.customer.pk])
    data = _form_data(supervisor_client.get(url))
    data["audit_reason"] = "Cek"
    assert supervisor_client.post(url, data).status_code == 302
    assert not AuditEvent.objects.exists()


def test_the_unfiltered_count_is_exact_on_small_tables(supervisor_client, line):
    # LargeTablePaginator only estimates on PostgreSQL above 10 000 rows
    for _ in range(2):
        LineFactory()
    response = supervisor_client.get(reverse("admin:accounts_line_changelist"))
    assert response.context["cl"].result_count == 3



@pytest.mark.rule("ACC-09")
def test_acc09_supervisor_terminates_lines_at_the_written_request(supervisor_client):
    """ACC-09 through the admin: the same transition as the agent's; a prepaid line is refused with its reason."""
    from billing.models import BasicPackage
    from billing.services import spending_limit_open
    from tests.accounts.factories import PostpaidLineFactory

    postpaid, prepaid = PostpaidLineFactory(), LineFactory()
    spending_limit_open(line=postpaid, package=BasicPackage.objects.get(code="halo_kick"), actor=None)
    confirm = _action(supervisor_client, "line", "terminate_lines", [postpaid, prepaid])
    assert confirm.status_code == 200 and Line.objects.filter(status=Line.Status.TERMINATED).count() == 0
    response = _action(supervisor_client, "line", "terminate_lines", [postpaid, prepaid], apply="yes",
                       request_reference="REQ-ADM-1", reason="customer letter")
    postpaid.refresh_from_db()
    prepaid.refresh_from_db()
    assert (postpaid.status, postpaid.termination_reference) == (Line.Status.TERMINATED, "REQ-ADM-1")
    assert prepaid.status == Line.Status.ACTIVE
    assert AuditEvent.objects.get(verb="line.terminated").channel == "admin"
    assert any("card becomes invalid" in text for text in _messages(response))
