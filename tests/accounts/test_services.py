"""accounts/services.py at every boundary (ACC-01..07). Refusals are asserted by their reason codes."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from accounts import services
from accounts.models import BillingAccount, Block, Customer, Line, TransferApproval
from accounts.selectors import line_is_blocked
from billing.models import BasicPackage
from core.dates import local_today
from core.models import AuditEvent, Channel, Parameter
from core.verdicts import RuleViolation
from tests.accounts.factories import (
    BillingAccountFactory,
    BlockFactory,
    CustomerFactory,
    LineFactory,
    PostpaidLineFactory,
)

pytestmark = pytest.mark.django_db

NIK = "3171014101900001"
NPWP = "013121660091000"


def _refused(code: str, call, **kwargs):
    with pytest.raises(RuleViolation) as info:
        call(**kwargs)
    assert info.value.codes == [code]
    return info.value


def _register(actor, **change):
    data = {"kind": Customer.Kind.INDIVIDUAL, "full_name": "Siti Rahmawati", "id_type": Customer.IdType.KTP,
            "id_number": NIK}
    return services.customer_register(actor=actor, **{**data, **change})


# ACC-01 customers -----------------------------------------------------------------------------------------------


@pytest.mark.rule("ACC-01")
def test_acc01_register_an_individual_with_a_ktp(agent):
    # when
    customer = _register(agent, full_name="  Siti   Rahmawati ", id_number="3171 0141 0190 0001")
    # then
    assert (customer.full_name, customer.id_number, customer.registered_at) == ("Siti Rahmawati", NIK, agent.outlet)
    assert customer.verification == Customer.Verification.PENDING
    event = AuditEvent.objects.get(verb="customer.registered")
    assert (event.actor, event.outlet, event.channel, event.customer) == (agent, agent.outlet, Channel.GRAPARI,
                                                                          customer)


@pytest.mark.rule("ACC-01")
def test_acc01_register_an_organisation_with_its_npwp(agent):
    customer = _register(agent, kind=Customer.Kind.ORGANISATION, full_name="PT Maju Jaya", id_type="npwp",
                         id_number="01.312.166.0-091.000")
    assert (customer.kind, customer.id_number) == ("organisation", NPWP)


@pytest.mark.rule("ACC-01")
@pytest.mark.parametrize(("change", "code"), [
    ({"kind": Customer.Kind.ORGANISATION}, "document_kind"),  # organisation with a KTP
    ({"id_type": Customer.IdType.NPWP, "id_number": NPWP}, "document_kind"),  # individual with an NPWP
    ({"full_name": "   "}, "name_required"),
])
@pytest.mark.rule("ACC-01")
def test_acc01_register_refusals_write_nothing(agent, change, code):
    _refused(code, _register, actor=agent, **change)
    assert not Customer.objects.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.rule("ACC-01")
@pytest.mark.parametrize(("id_number", "code"), [
    ("317101410190000", "nik_length"), ("31710141019000011", "nik_length"), ("31710141019A0001", "nik_length"),
    ("", "nik_length"), ("3171017201900001", "nik_invalid"),
])
@pytest.mark.rule("ACC-01")
def test_acc01_bad_nik_is_refused(agent, id_number, code):
    with pytest.raises(ValidationError) as info:
        _register(agent, id_number=id_number)
    assert info.value.code == code
    assert not Customer.objects.exists()


@pytest.mark.rule("ACC-01")
def test_acc01_duplicate_document_is_refused(agent):
    # given
    _register(agent)
    # when / then
    _refused("document_taken", _register, actor=agent, full_name="Someone Else")
    assert Customer.objects.count() == 1


@pytest.mark.rule("ACC-01")
def test_acc01_same_number_on_another_document_type_is_another_customer(agent):
    _register(agent, id_type=Customer.IdType.PASSPORT, id_number="123456789012")
    _register(agent, id_type=Customer.IdType.DRIVING_LICENCE, id_number="123456789012", full_name="Other")
    assert Customer.objects.count() == 2


@pytest.mark.rule("ACC-07")
def test_identity_reveal_is_audited(agent):
    customer = CustomerFactory(id_number=NIK)
    assert services.customer_reveal_identity(customer=customer, actor=agent) == NIK
    event = AuditEvent.objects.get(verb="customer.identity_shown")
    assert (event.actor, event.outlet, event.customer) == (agent, agent.outlet, customer)


@pytest.mark.rule("ACC-01")
def test_verification_is_set_by_a_supervisor_with_a_reason(supervisor):
    customer = CustomerFactory(verification=Customer.Verification.PENDING)
    services.customer_set_verification(customer=customer, status="verified", actor=supervisor, reason="KTP seen")
    customer.refresh_from_db()
    assert customer.verification == "verified"
    event = AuditEvent.objects.get(verb="customer.verification")
    assert (event.actor, event.old, event.new, event.reason) == (supervisor, "pending", "verified", "KTP seen")


@pytest.mark.rule("ACC-01")
@pytest.mark.parametrize(("who", "status", "reason", "code"), [
    ("agent", "verified", "KTP seen", "supervisor_only"),
    ("supervisor", "maybe", "KTP seen", "invalid_status"),
    ("supervisor", "verified", "  ", "reason_required"),
])
def test_verification_refusals(request, who, status, reason, code):
    customer = CustomerFactory(verification=Customer.Verification.PENDING)
    actor = request.getfixturevalue(who)
    _refused(code, services.customer_set_verification, customer=customer, status=status, actor=actor, reason=reason)
    customer.refresh_from_db()
    assert customer.verification == "pending"
    assert not AuditEvent.objects.exists()


# ACC-02 lines ---------------------------------------------------------------------------------------------------


def _activate(actor, customer, **change):
    data = {"msisdn": "081234567890", "iccid": "8962100000000000002", "imsi": "510101234567890",
            "kind": Line.Kind.PREPAID}
    return services.line_activate(customer=customer, actor=actor, **{**data, **change})


@pytest.mark.rule("ACC-02")
@pytest.mark.parametrize("msisdn", ["081234567890", "6281234567890", "+6281234567890"])
def test_acc02_line_number_is_stored_e164(agent, msisdn):
    line = _activate(agent, CustomerFactory(), msisdn=msisdn)
    assert (line.msisdn, line.status, line.activated_on) == ("+6281234567890", "active", local_today())
    event = AuditEvent.objects.get(verb="line.activated")
    assert (event.actor, event.outlet, event.line, event.new["msisdn"]) == (agent, agent.outlet, line,
                                                                             "+6281234567890")


@pytest.mark.rule("ACC-02")
@pytest.mark.parametrize("status", [Line.Status.ACTIVE, Line.Status.INACTIVE, Line.Status.TERMINATED])
def test_acc02_msisdn_is_unique_among_lines_not_recycled(agent, status):
    # given: the number is held by a line that is not recycled (a terminated one is in quarantine)
    LineFactory(msisdn="+6281234567890", status=status, terminated_on=dt.date(2026, 1, 1),
                activated_on=None if status == Line.Status.INACTIVE else dt.date(2025, 1, 1))
    # when / then
    _refused("msisdn_taken", _activate, actor=agent, customer=CustomerFactory())
    assert Line.objects.count() == 1


@pytest.mark.rule("ACC-02")
def test_acc02_a_recycled_number_can_be_activated_again(agent):
    old = LineFactory(msisdn="+6281234567890", status=Line.Status.RECYCLED, terminated_on=dt.date(2026, 1, 1))
    line = _activate(agent, CustomerFactory(), iccid="8962100000000000051")
    assert line.msisdn == old.msisdn
    assert line.pk != old.pk


@pytest.mark.rule("ACC-02")
def test_acc02_iccid_in_use_is_refused(agent):
    LineFactory(iccid="8962100000000000002")
    _refused("iccid_taken", _activate, actor=agent, customer=CustomerFactory())


@pytest.mark.rule("ACC-02")
@pytest.mark.parametrize(("change", "code"), [
    ({"msisdn": "0812345"}, "msisdn_invalid"), ({"iccid": "8962100000000000003"}, "iccid_checksum"),
    ({"imsi": "310101234567890"}, "imsi_country"),
])
@pytest.mark.rule("ACC-02")
def test_acc02_bad_identifiers_are_refused(agent, change, code):
    with pytest.raises(ValidationError) as info:
        _activate(agent, CustomerFactory(), **change)
    assert info.value.code == code
    assert not Line.objects.exists()


@pytest.mark.rule("ACC-02")
def test_acc02_unknown_kind_is_refused(agent):
    _refused("invalid_kind", _activate, actor=agent, customer=CustomerFactory(), kind="hybrid")


@pytest.mark.rule("ACC-02")
def test_acc02_customer_who_failed_verification_gets_no_line(agent):
    _refused("verification_failed", _activate, actor=agent,
             customer=CustomerFactory(verification=Customer.Verification.FAILED))
    assert not Line.objects.exists()


# ACC-03 billing accounts and SAMU -------------------------------------------------------------------------------


@pytest.mark.rule("ACC-03")
@pytest.mark.parametrize(("day", "allowed"), [(0, False), (1, True), (28, True), (29, False)])
def test_acc03_bill_cycle_day_is_1_to_28(agent, day, allowed):
    customer = CustomerFactory()
    call = dict(customer=customer, payment_method="cash", bill_cycle_day=day, actor=agent)
    if allowed:
        account = services.billing_account_open(**call)
        assert account.bill_cycle_day == day
        assert AuditEvent.objects.get(verb="account.opened").customer == customer
    else:
        _refused("cycle_day", services.billing_account_open, **call)
        assert not BillingAccount.objects.exists()


@pytest.mark.rule("ACC-03")
def test_acc03_unknown_payment_method_is_refused(agent):
    _refused("invalid_payment_method", services.billing_account_open, customer=CustomerFactory(),
             payment_method="bitcoin", bill_cycle_day=1, actor=agent)


@pytest.mark.rule("ACC-03")
def test_acc03_several_postpaid_lines_share_one_account(agent):
    # given
    customer = CustomerFactory()
    account = services.billing_account_open(customer=customer, payment_method="cash", bill_cycle_day=5, actor=agent)
    # when
    subscription = {"package": BasicPackage.objects.get(code="halo_kick"), "domestic_limit": 300_000}  # LIM-12
    first = _activate(agent, customer, kind=Line.Kind.POSTPAID, billing_account=account, params=subscription)
    second = _activate(agent, customer, kind=Line.Kind.POSTPAID, billing_account=account, msisdn="081234567891",
                       iccid="8962100000000000051", imsi="510101234567891", params=subscription)
    # then
    assert set(account.lines.all()) == {first, second}


@pytest.mark.rule("ACC-03")
@pytest.mark.parametrize("problem", ["none", "other_customer", "closed"])
def test_acc03_postpaid_line_needs_an_open_account_of_the_customer(agent, problem):
    customer = CustomerFactory()
    account = {
        "none": None,
        "other_customer": BillingAccountFactory(),
        "closed": BillingAccountFactory(customer=customer, status=BillingAccount.Status.CLOSED),
    }[problem]
    code = {"none": "account_required", "other_customer": "account_not_customers", "closed": "account_closed"}[problem]
    _refused(code, _activate, actor=agent, customer=customer, kind=Line.Kind.POSTPAID, billing_account=account)
    assert not Line.objects.exists()


# ACC-04 blocks, permanent block, quarantine, recycling ----------------------------------------------------------


@pytest.mark.rule("ACC-04")
def test_acc04_temporary_block_and_lift(agent):
    # given
    line = LineFactory()
    # when
    block = services.line_block(line=line, reason=Block.Reason.CUSTOMER_REQUEST, scope=Block.Scope.OUTGOING,
                                note="Travelling", actor=agent)
    # then
    assert line_is_blocked(line)
    assert line_is_blocked(line, scopes=(Block.Scope.OUTGOING,))
    assert not line_is_blocked(line, scopes=(Block.Scope.PURCHASES,))
    # when
    services.line_unblock(block=block, actor=agent, note="Back home")
    # then
    assert not line_is_blocked(line)
    line.refresh_from_db()
    assert line.status == Line.Status.ACTIVE
    assert list(AuditEvent.objects.filter(line=line).order_by("id").values_list("verb", flat=True)) == [
        "line.blocked", "line.unblocked"]


@pytest.mark.rule("ACC-04")
def test_acc04_permanent_block_starts_the_quarantine(supervisor):
    # given
    line = LineFactory()
    # when
    block = services.line_block(line=line, reason=Block.Reason.VIOLATION_OF_LAW, permanent=True, note="Court order",
                                actor=supervisor)
    # then
    line.refresh_from_db()
    assert block.permanent is True
    assert (line.status, line.terminated_on) == (Line.Status.TERMINATED, local_today())
    assert line.quarantine_until == local_today() + dt.timedelta(days=90)


@pytest.mark.rule("ACC-04")
def test_acc04_quarantine_length_is_a_parameter(supervisor):
    Parameter.objects.update_or_create(code="quarantine_days", defaults={"value": 30, "description": "test"})
    line = LineFactory()
    services.line_block(line=line, reason=Block.Reason.TERMINATION, note="Written request", actor=supervisor)
    line.refresh_from_db()
    assert line.quarantine_until == local_today() + dt.timedelta(days=30)


@pytest.mark.rule("ACC-04")
def test_acc04_termination_reason_is_always_permanent(agent):
    line = LineFactory()
    block = services.line_block(line=line, reason=Block.Reason.TERMINATION, scope=Block.Scope.PURCHASES,
                                note="Written request", actor=agent)
    assert (block.permanent, block.scope) == (True, Block.Scope.ALL)


@pytest.mark.rule("ACC-04")
def test_acc04_permanent_block_cannot_be_lifted(supervisor):
    line = LineFactory()
    block = services.line_block(line=line, reason=Block.Reason.DEATH, permanent=True, note="Certificate",
                                actor=supervisor)
    _refused("permanent_block", services.line_unblock, block=block, actor=supervisor, note="mistake")


@pytest.mark.rule("ACC-04")
def test_acc04_terminated_line_cannot_be_blocked_again(supervisor):
    line = LineFactory(status=Line.Status.TERMINATED, terminated_on=dt.date(2026, 1, 1))
    _refused("line_not_in_service", services.line_block, line=line, reason=Block.Reason.CUSTOMER_REQUEST,
             note="x", actor=supervisor)
    assert not Block.objects.exists()


@pytest.mark.rule("ACC-04")
@pytest.mark.parametrize(("offset", "allowed"), [(-1, False), (0, True), (1, True)])
def test_acc04_recycling_on_the_day_before_of_and_after_the_quarantine_end(offset, allowed):
    # given: quarantine ends on 1 March 2027
    end = dt.date(2027, 3, 1)
    line = LineFactory(status=Line.Status.TERMINATED, terminated_on=end - dt.timedelta(days=90), quarantine_until=end)
    today = end + dt.timedelta(days=offset)
    # when / then
    if allowed:
        services.line_recycle(line=line, actor=None, today=today)
        line.refresh_from_db()
        assert line.status == Line.Status.RECYCLED
        event = AuditEvent.objects.get(verb="line.recycled")
        assert (event.actor, event.channel, event.actor_label) == (None, Channel.SYSTEM, "system")
    else:
        _refused("in_quarantine", services.line_recycle, line=line, actor=None, today=today)
        line.refresh_from_db()
        assert line.status == Line.Status.TERMINATED


@pytest.mark.rule("ACC-04")
def test_acc04_only_a_terminated_line_is_recycled():
    _refused("not_terminated", services.line_recycle, line=LineFactory(), actor=None, today=dt.date(2030, 1, 1))


@pytest.mark.rule("ACC-04")
def test_acc04_block_needs_a_reason_text(agent):
    _refused("reason_required", services.line_block, line=LineFactory(), reason=Block.Reason.CUSTOMER_REQUEST,
             note="  ", actor=agent)


@pytest.mark.rule("ACC-04")
def test_acc04_one_open_block_per_reason(agent):
    # given
    line = LineFactory()
    block = services.line_block(line=line, reason=Block.Reason.CUSTOMER_REQUEST, note="first", actor=agent)
    # then
    _refused("already_blocked", services.line_block, line=line, reason=Block.Reason.CUSTOMER_REQUEST, note="again",
             actor=agent)
    # when lifted, it may be blocked again
    services.line_unblock(block=block, actor=agent, note="lifted")
    services.line_block(line=line, reason=Block.Reason.CUSTOMER_REQUEST, note="again", actor=agent)
    assert line.blocks.count() == 2


@pytest.mark.rule("ACC-04")
def test_acc04_lifting_twice_is_refused(agent):
    block = BlockFactory()
    services.line_unblock(block=block, actor=agent, note="ok")
    _refused("already_lifted", services.line_unblock, block=block, actor=agent, note="again")


@pytest.mark.rule("ACC-04")
def test_institution_request_needs_the_letter_reference(supervisor):
    _refused("reference_required", services.line_block, line=LineFactory(), reason=Block.Reason.INSTITUTION_REQUEST,
             note="Police", actor=supervisor)


@pytest.mark.rule("ACC-04")
@pytest.mark.parametrize(("reason", "scope", "code"), [("nonsense", "all", "invalid_reason"),
                                                      ("customer_request", "half", "invalid_scope")])
def test_unknown_reason_or_scope_is_refused(agent, reason, scope, code):
    _refused(code, services.line_block, line=LineFactory(), reason=reason, scope=scope, note="x", actor=agent)


# Supervisor-only reasons ----------------------------------------------------------------------------------------


@pytest.mark.rule("ACC-04")
@pytest.mark.parametrize("reason", sorted(services.SUPERVISOR_ONLY_REASONS))
def test_agent_cannot_block_for_a_supervisor_only_reason(agent, reason):
    _refused("supervisor_only", services.line_block, line=LineFactory(), reason=reason, note="x", reference="L-1",
             actor=agent)
    assert not Block.objects.exists()


@pytest.mark.rule("ACC-04")
def test_supervisor_and_system_may_block_for_a_supervisor_only_reason(supervisor):
    services.line_block(line=LineFactory(), reason=Block.Reason.ILLEGAL_ACTIVITY, note="Fraud team", actor=supervisor)
    services.line_block(line=LineFactory(), reason=Block.Reason.UNPAID_BILL, actor=None, channel=Channel.SYSTEM)
    assert Block.objects.count() == 2


@pytest.mark.rule("ACC-04")
def test_agent_cannot_lift_a_supervisor_only_block_but_a_supervisor_can(agent, supervisor):
    block = BlockFactory(reason=Block.Reason.UNPAID_BILL)
    _refused("supervisor_only", services.line_unblock, block=block, actor=agent, note="paid")
    services.line_unblock(block=block, actor=supervisor, note="paid at the counter")
    block.refresh_from_db()
    assert block.ended_by == supervisor


# ACC-05 lost SIM ------------------------------------------------------------------------------------------------


@pytest.mark.rule("ACC-05")
def test_acc05_lost_sim_blocks_the_line_at_once(agent):
    # given
    line = PostpaidLineFactory()
    # when
    block = services.line_report_lost(line=line, actor=agent, statement_number="LS-1", identity_copy_received=True)
    # then: blocked now, all service
    assert line_is_blocked(line)
    assert (block.reason, block.scope, block.reference, block.started_by) == ("lost_sim", "all", "LS-1", agent)
    assert block.started_at is not None and block.ended_at is None
    event = AuditEvent.objects.get(verb="line.blocked")
    assert (event.actor, event.outlet, event.new["reason"], event.new["reference"]) == (
        agent, agent.outlet, "lost_sim", "LS-1")


@pytest.mark.rule("ACC-05")
@pytest.mark.parametrize(("statement", "copy", "code"), [
    ("", True, "statement_required"), ("  ", True, "statement_required"), ("LS-1", False, "identity_copy_required"),
])
@pytest.mark.rule("ACC-05")
def test_acc05_lost_sim_needs_statement_and_identity_copy(agent, statement, copy, code):
    line = LineFactory()
    _refused(code, services.line_report_lost, line=line, actor=agent, statement_number=statement,
             identity_copy_received=copy)
    assert not line_is_blocked(line)
    assert not AuditEvent.objects.exists()


# ACC-06 transfer ------------------------------------------------------------------------------------------------


def _transfer(actor, line, to_customer, **change):
    data = {"letter_number": "APR-1", "reason": "Family member takes over"}
    return services.line_transfer(line=line, to_customer=to_customer, actor=actor, **{**data, **change})


@pytest.mark.rule("ACC-06")
def test_acc06_transfer_is_recorded_with_the_approval(supervisor):
    # given
    line = LineFactory()
    old_holder, new_holder = line.customer, CustomerFactory()
    # when
    approval = _transfer(supervisor, line, new_holder)
    # then
    line.refresh_from_db()
    assert line.customer == new_holder
    assert TransferApproval.objects.get() == approval
    assert (approval.from_customer, approval.to_customer, approval.approved_by, approval.letter_number) == (
        old_holder, new_holder, supervisor, "APR-1")
    event = AuditEvent.objects.get(verb="line.transferred")
    assert (event.actor, event.old["customer"], event.new["customer"], event.reason) == (
        supervisor, old_holder.pk, new_holder.pk, "Family member takes over")


@pytest.mark.rule("ACC-06")
def test_acc06_postpaid_transfer_moves_the_line_to_the_new_holders_account(supervisor):
    line = PostpaidLineFactory()
    new_holder = CustomerFactory()
    account = BillingAccountFactory(customer=new_holder)
    _refused("account_required", _transfer, actor=supervisor, line=line, to_customer=new_holder)
    _transfer(supervisor, line, new_holder, to_billing_account=account)
    line.refresh_from_db()
    assert line.billing_account == account


@pytest.mark.rule("ACC-06")
@pytest.mark.parametrize(("setup", "code"), [
    ("agent", "not_allowed"),
    ("no_letter", "letter_required"),
    ("no_reason", "reason_required"),
    ("same_customer", "same_customer"),
    ("unverified", "not_verified"),
    ("terminated", "line_not_active"),
    ("letter_used", "letter_used"),
])
@pytest.mark.rule("ACC-06")
def test_acc06_transfer_refusals_write_nothing(request, setup, code):
    # given
    actor = request.getfixturevalue("agent" if setup == "agent" else "supervisor")
    line = LineFactory(status=Line.Status.TERMINATED, terminated_on=dt.date(2026, 1, 1)) if setup == "terminated" \
        else LineFactory()
    to_customer = line.customer if setup == "same_customer" else CustomerFactory(
        verification=Customer.Verification.PENDING if setup == "unverified" else Customer.Verification.VERIFIED)
    change = {"letter_number": " "} if setup == "no_letter" else {"reason": ""} if setup == "no_reason" else {}
    if setup == "letter_used":
        _transfer(actor, LineFactory(), CustomerFactory())
    before = TransferApproval.objects.count()
    # when / then
    _refused(code, _transfer, actor=actor, line=line, to_customer=to_customer, **change)
    assert TransferApproval.objects.count() == before
    line.refresh_from_db()
    assert line.customer != to_customer or setup == "same_customer"


# ACC-07 audit ---------------------------------------------------------------------------------------------------


@pytest.mark.rule("ACC-07")
def test_acc07_every_change_records_who_when_where_what_and_why(agent, supervisor):
    # given
    customer = _register(agent)
    services.customer_set_verification(customer=customer, status="verified", actor=supervisor, reason="seen")
    account = services.billing_account_open(customer=customer, payment_method="cash", bill_cycle_day=1, actor=agent)
    line = _activate(agent, customer, kind=Line.Kind.PREPAID)
    block = services.line_block(line=line, reason=Block.Reason.CUSTOMER_REQUEST, note="asked", actor=agent,
                                channel=Channel.CALL_CENTRE_188)
    services.line_unblock(block=block, actor=agent, note="asked again")
    # then
    events = list(AuditEvent.objects.order_by("id"))
    assert [event.verb for event in events] == [
        "customer.registered", "customer.verification", "account.opened", "line.activated", "line.blocked",
        "line.unblocked"]
    assert all(event.created_at is not None for event in events)
    assert all(event.customer_id == customer.pk for event in events)
    assert [(event.actor, event.outlet) for event in events] == [(agent, agent.outlet), (
        supervisor, supervisor.outlet)] + [(agent, agent.outlet)] * 4
    assert events[4].channel == Channel.CALL_CENTRE_188
    assert [event.reason for event in events[4:]] == ["asked", "asked again"]
    assert events[1].reason == "seen" and account.customer == customer
    assert events[3].line == line and events[4].line == line
