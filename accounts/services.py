"""Every write to customers, accounts and lines. Each runs in one transaction and leaves an audit event."""

import datetime as dt
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import BillingAccount, Block, Customer, Line, TransferApproval, User
from accounts.validators import (
    normalize_msisdn,
    validate_driving_licence,
    validate_iccid,
    validate_imsi,
    validate_nik,
    validate_npwp,
    validate_passport,
)
from core.audit import audit_record
from core.dates import local_today
from core.locks import lock_line
from core.models import Channel
from core.parameters import parameter
from core.verdicts import RuleViolation, require

DOCUMENT_VALIDATORS = {
    Customer.IdType.KTP: validate_nik,
    Customer.IdType.DRIVING_LICENCE: validate_driving_licence,
    Customer.IdType.PASSPORT: validate_passport,
    Customer.IdType.NPWP: validate_npwp,
}

# Reasons only a supervisor may set or lift: they follow an investigation or a legal document.
SUPERVISOR_ONLY_REASONS = frozenset({
    Block.Reason.ILLEGAL_ACTIVITY, Block.Reason.FALSE_DATA, Block.Reason.BREACH_OF_TERMS,
    Block.Reason.BANKRUPTCY, Block.Reason.DEATH, Block.Reason.VIOLATION_OF_LAW, Block.Reason.FORCE_MAJEURE,
    Block.Reason.INSTITUTION_REQUEST, Block.Reason.MISUSE, Block.Reason.SYSTEM_HOLD,
    Block.Reason.SMS_FAIR_USAGE, Block.Reason.UNPAID_BILL, Block.Reason.EARLY_SETTLEMENT_UNMET,
    Block.Reason.CREDIT_LIMIT, Block.Reason.VERIFICATION_LIMIT,
})
# Lifted only by their own process: a new SIM for a lost one, the bill paid for an unpaid bill.
NOT_LIFTABLE_BY_HAND = frozenset({Block.Reason.TERMINATION})



def _is_supervisor(user) -> bool:
    return bool(user and (user.is_superuser or user.has_perm("accounts.block_any_reason")))


def customer_register(
    *, actor: User, kind: str, full_name: str, id_type: str, id_number: str, birth_date: dt.date | None = None,
    address: str = "", city: str = "", jabodetabek: bool | None = None, contact_phone: str = "", email: str = "",
    channel: str = Channel.GRAPARI,
) -> Customer:
    """Register an individual or organisation with one identity document (ACC-01)."""
    full_name = " ".join(full_name.split())
    require(bool(full_name), "name_required", _("Enter the customer's name."))
    if kind == Customer.Kind.ORGANISATION:
        require(id_type == Customer.IdType.NPWP, "document_kind",
                 _("An organisation registers with its NPWP."))
    else:
        require(id_type in (Customer.IdType.KTP, Customer.IdType.DRIVING_LICENCE, Customer.IdType.PASSPORT),
                 "document_kind", _("An individual registers with a KTP, a driving licence or a passport."))
    id_number = DOCUMENT_VALIDATORS[id_type](id_number)
    with transaction.atomic():
        if Customer.objects.filter(id_type=id_type, id_number=id_number).exists():
            raise RuleViolation.single("document_taken", _("A customer with this identity document already exists."))
        try:
            with transaction.atomic():
                customer = Customer.objects.create(
                    kind=kind, full_name=full_name, id_type=id_type, id_number=id_number, birth_date=birth_date,
                    address=address, city=city, jabodetabek=jabodetabek, contact_phone=contact_phone, email=email,
                    registered_at=getattr(actor, "outlet", None),
                )
        except IntegrityError:
            raise RuleViolation.single(
                "document_taken", _("A customer with this identity document already exists.")) from None
        audit_record(actor=actor, channel=channel, verb="customer.registered", subject=customer,
                     new={"name": full_name, "id_type": id_type})
    return customer


def customer_set_verification(*, customer: Customer, status: str, actor: User | None, reason: str) -> Customer:
    """Record the result of the identity check. A person doing it must be a supervisor."""
    if actor is not None and not _is_supervisor(actor):
        raise RuleViolation.single("supervisor_only", _("Only a supervisor may set the verification status."))
    require(status in Customer.Verification.values, "invalid_status", _("Choose a verification status."))
    require(bool(reason.strip()), "reason_required", _("Give a reason."))
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        old = customer.verification
        customer.verification = status
        customer.save(update_fields=["verification"])
        audit_record(actor=actor, verb="customer.verification", subject=customer, old=old, new=status, reason=reason)
    return customer


def customer_reveal_identity(*, customer: Customer, actor: User) -> str:
    """Show the full document number to an agent; every look is audited."""
    audit_record(actor=actor, verb="customer.identity_shown", subject=customer)
    return customer.id_number


def _new_account_number() -> str:
    while True:
        number = str(secrets.choice("12345")) + "".join(secrets.choice("0123456789") for _ in range(9))
        if not BillingAccount.objects.filter(number=number).exists():
            return number


def billing_account_open(
    *, customer: Customer, payment_method: str, bill_cycle_day: int, actor: User, channel: str = Channel.GRAPARI
) -> BillingAccount:
    """Open a postpaid billing account; add lines to it for SAMU (ACC-03)."""
    require(1 <= bill_cycle_day <= 28, "cycle_day", _("The bill cycle day is between 1 and 28."))
    require(payment_method in BillingAccount.PaymentMethod.values, "invalid_payment_method",
             _("Choose a payment method."))
    with transaction.atomic():
        account = BillingAccount.objects.create(
            number=_new_account_number(), customer=customer, payment_method=payment_method,
            bill_cycle_day=bill_cycle_day, opened_on=local_today(),
        )
        audit_record(actor=actor, channel=channel, verb="account.opened", subject=account,
                     new={"payment_method": payment_method, "bill_cycle_day": bill_cycle_day})
    return account


def line_activate(
    *, customer: Customer, msisdn: str, iccid: str, imsi: str, kind: str, actor: User,
    billing_account: BillingAccount | None = None, channel: str = Channel.GRAPARI,
) -> Line:
    """Put a number and SIM in service for a registered customer (ACC-02, ACC-03)."""
    msisdn, iccid, imsi = normalize_msisdn(msisdn), validate_iccid(iccid), validate_imsi(imsi)
    require(kind in Line.Kind.values, "invalid_kind", _("A line is prepaid or postpaid."))
    require(customer.verification != Customer.Verification.FAILED, "verification_failed",
             _("The customer's identity failed verification: no new line can be activated."))
    if kind == Line.Kind.POSTPAID:
        require(billing_account is not None, "account_required", _("A postpaid line needs a billing account."))
        require(billing_account.customer_id == customer.pk, "account_not_customers",
                 _("That billing account belongs to another customer."))
        require(billing_account.status == BillingAccount.Status.OPEN, "account_closed",
                 _("That billing account is closed."))
    else:
        billing_account = None
    with transaction.atomic():
        if Line.objects.filter(msisdn=msisdn).exclude(status=Line.Status.RECYCLED).exists():
            raise RuleViolation.single("msisdn_taken", _("This number belongs to another line."))
        if Line.objects.filter(iccid=iccid).exclude(status=Line.Status.RECYCLED).exists():
            raise RuleViolation.single("iccid_taken", _("This SIM (ICCID) is already in use."))
        try:
            with transaction.atomic():
                line = Line.objects.create(
                    msisdn=msisdn, iccid=iccid, imsi=imsi, kind=kind, status=Line.Status.ACTIVE,
                    customer=customer, billing_account=billing_account, activated_on=local_today(),
                )
        except IntegrityError:
            raise RuleViolation.single("msisdn_taken", _("This number or SIM is already in use.")) from None
        audit_record(actor=actor, channel=channel, verb="line.activated", subject=line,
                     new={"msisdn": msisdn, "iccid": iccid, "kind": kind})
    return line


def line_lock(line: Line) -> Line:
    return lock_line(line)  # FOR NO KEY UPDATE: see core.locks for the order


def line_block(
    *, line: Line, reason: str, actor: User | None, scope: str = Block.Scope.ALL, note: str = "",
    reference: str = "", permanent: bool = False, channel: str = Channel.GRAPARI,
) -> Block:
    """Block a line, temporarily or permanently (ACC-04, BIL-05, PRE-04). A permanent block starts quarantine."""
    require(reason in Block.Reason.values, "invalid_reason", _("Choose a blocking reason."))
    require(scope in Block.Scope.values, "invalid_scope", _("Choose what is blocked."))
    if actor is not None and reason in SUPERVISOR_ONLY_REASONS and not _is_supervisor(actor):
        raise RuleViolation.single("supervisor_only", _("Only a supervisor may block for this reason."))
    if permanent or reason == Block.Reason.TERMINATION:
        permanent = True
        scope = Block.Scope.ALL
    require(bool(note.strip()) or actor is None, "reason_required", _("Say why the line is blocked."))
    if reason == Block.Reason.INSTITUTION_REQUEST:
        require(bool(reference.strip()), "reference_required",
                 _("An institution's request needs its letter reference number."))
    with transaction.atomic():
        line = line_lock(line)
        require(line.status in (Line.Status.ACTIVE, Line.Status.INACTIVE), "line_not_in_service",
                 _("This line is no longer in service."))
        if line.blocks.filter(reason=reason, ended_at__isnull=True).exists():
            raise RuleViolation.single("already_blocked", _("The line already has an open block for this reason."))
        block = Block.objects.create(
            line=line, scope=scope, reason=reason, permanent=permanent, reference=reference.strip(), note=note,
            started_at=timezone.now(), started_by=actor,
        )
        if permanent:
            today = local_today()
            line.status = Line.Status.TERMINATED
            line.terminated_on = today
            line.quarantine_until = today + dt.timedelta(days=parameter("quarantine_days"))  # ACC-04
            line.save(update_fields=["status", "terminated_on", "quarantine_until"])
        audit_record(actor=actor, channel=channel, verb="line.blocked", subject=line, reason=note,
                     new={"reason": reason, "scope": scope, "permanent": permanent, "reference": reference})
    return block


def line_unblock(*, block: Block, actor: User | None, note: str, channel: str = Channel.GRAPARI) -> Block:
    """Lift an open, temporary block."""
    if actor is not None and block.reason in SUPERVISOR_ONLY_REASONS and not _is_supervisor(actor):
        raise RuleViolation.single("supervisor_only", _("Only a supervisor may lift this block."))
    require(block.reason not in NOT_LIFTABLE_BY_HAND and not block.permanent, "permanent_block",
             _("A permanent block cannot be lifted."))
    require(bool(note.strip()) or actor is None, "reason_required", _("Say why the block is lifted."))
    with transaction.atomic():
        line_lock(block.line)
        block = Block.objects.select_for_update().get(pk=block.pk)
        require(block.ended_at is None, "already_lifted", _("This block was already lifted."))
        block.ended_at = timezone.now()
        block.ended_by = actor
        block.end_note = note
        block.save(update_fields=["ended_at", "ended_by", "end_note"])
        audit_record(actor=actor, channel=channel, verb="line.unblocked", subject=block.line, reason=note,
                     old={"reason": block.reason, "scope": block.scope})
    return block


def line_report_lost(
    *, line: Line, actor: User, statement_number: str, identity_copy_received: bool, note: str = "",
    channel: str = Channel.GRAPARI,
) -> Block:
    """A lost SIM, reported with a signed statement and an identity copy, is blocked at once (ACC-05).

    The customer stays liable for every charge made before the block.
    """
    require(bool(statement_number.strip()), "statement_required",
             _("Enter the number of the signed loss statement."))
    require(identity_copy_received, "identity_copy_required",
             _("A copy of the customer's identity document is required."))
    return line_block(
        line=line, reason=Block.Reason.LOST_SIM, actor=actor, reference=statement_number,
        note=note or _("SIM reported lost"), channel=channel,
    )


def line_transfer(
    *, line: Line, to_customer: Customer, letter_number: str, actor: User, reason: str,
    to_billing_account: BillingAccount | None = None,
) -> TransferApproval:
    """Hand a line to another customer with the operator's written approval (ACC-06)."""
    if not actor.has_perm("accounts.add_transferapproval"):
        raise RuleViolation.single("not_allowed", _("You may not approve transfers."))
    require(bool(letter_number.strip()), "letter_required", _("Enter the approval letter number."))
    require(bool(reason.strip()), "reason_required", _("Give a reason."))
    require(to_customer.pk != line.customer_id, "same_customer", _("The line already belongs to this customer."))
    require(to_customer.verification == Customer.Verification.VERIFIED, "not_verified",
             _("The new holder's identity must be verified first."))
    with transaction.atomic():
        line = line_lock(line)
        require(line.status == Line.Status.ACTIVE, "line_not_active", _("Only an active line can be transferred."))
        if line.kind == Line.Kind.POSTPAID:
            require(to_billing_account is not None and to_billing_account.customer_id == to_customer.pk,
                     "account_required", _("Choose a billing account of the new holder."))
        if TransferApproval.objects.filter(letter_number=letter_number.strip()).exists():
            raise RuleViolation.single("letter_used", _("This approval letter was already used."))
        approval = TransferApproval.objects.create(
            line=line, from_customer_id=line.customer_id, to_customer=to_customer,
            letter_number=letter_number.strip(), approved_by=actor, reason=reason,
        )
        old = {"customer": line.customer_id, "billing_account": line.billing_account_id}
        line.customer = to_customer
        if line.kind == Line.Kind.POSTPAID:
            line.billing_account = to_billing_account
        line.save(update_fields=["customer", "billing_account"])
        audit_record(actor=actor, verb="line.transferred", subject=line, reason=reason, old=old,
                     new={"customer": to_customer.pk, "billing_account": line.billing_account_id,
                          "letter": approval.letter_number})
    return approval


def line_recycle(*, line: Line, actor: User | None, today: dt.date | None = None) -> Line:
    """Release a terminated number after its quarantine so that it can be given to another customer (ACC-04)."""
    today = today or local_today()
    with transaction.atomic():
        line = line_lock(line)
        require(line.status == Line.Status.TERMINATED, "not_terminated", _("Only a terminated number is recycled."))
        require(line.quarantine_until is not None and today >= line.quarantine_until, "in_quarantine",
                 _("The number is in quarantine until %(date)s.") % {"date": line.quarantine_until})
        line.status = Line.Status.RECYCLED
        line.save(update_fields=["status"])
        audit_record(actor=actor, channel=Channel.SYSTEM if actor is None else Channel.ADMIN,
                     verb="line.recycled", subject=line)
    return line
