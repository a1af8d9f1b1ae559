"""Every write to customers, accounts and lines. Each runs in one transaction and leaves an audit event."""

import datetime as dt
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import identity, lifecycle
from accounts.models import BillingAccount, Block, Customer, IdentityCheck, Line, SimChange, TransferApproval, User
from accounts.texts import line_not_active
from core.audit import audit_record
from core.dates import local_today
from core.identifiers import (
    normalize_msisdn,
    validate_driving_licence,
    validate_iccid,
    validate_imsi,
    validate_nik,
    validate_npwp,
    validate_passport,
)
from core.locks import lock_line
from core.models import Channel
from core.parameters import parameter
from core.verdicts import RuleViolation, Verdict, require

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
        audit_record(actor=actor, channel=channel, verb="customer.registered", subject=customer, customer=customer,
                     new={"name": full_name, "id_type": id_type})
    return customer


def customer_set_verification(*, customer: Customer, status: str, actor: User | None, reason: str) -> Customer:
    """Record the result of the identity check. A person doing it must be a supervisor.

    ACC-08: failing it after activation blocks every line of the customer in service with `false_data`; passing it
    lifts those blocks."""
    if actor is not None and not _is_supervisor(actor):
        raise RuleViolation.single("supervisor_only", _("Only a supervisor may set the verification status."))
    require(status in Customer.Verification.values, "invalid_status", _("Choose a verification status."))
    require(bool(reason.strip()), "reason_required", _("Give a reason."))
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        old = customer.verification
        customer.verification = status
        customer.save(update_fields=["verification"])
        audit_record(actor=actor, verb="customer.verification", subject=customer, customer=customer, old=old,
                     new=status, reason=reason)
        lines = customer.lines.filter(status=Line.Status.ACTIVE).order_by("pk")
        if status == Customer.Verification.FAILED:
            for line in lines.exclude(blocks__reason=Block.Reason.FALSE_DATA, blocks__ended_at__isnull=True):
                line_block(line=line, reason=Block.Reason.FALSE_DATA, actor=actor, channel=Channel.GRAPARI,
                           note=_("Identity verification failed: %(reason)s") % {"reason": reason.strip()})
        elif status == Customer.Verification.VERIFIED:
            blocks = Block.objects.filter(line__customer=customer, reason=Block.Reason.FALSE_DATA,
                                          ended_at__isnull=True).select_related("line").order_by("pk")
            for block in blocks:
                line_unblock(block=block, actor=actor, note=_("Identity verified: %(reason)s")
                             % {"reason": reason.strip()})
    return customer


def customer_reveal_identity(*, customer: Customer, actor: User, reason: str = "") -> str:
    """Show the full document number to an agent; every look is audited, with the reason the agent gave."""
    audit_record(actor=actor, verb="customer.identity_shown", subject=customer, customer=customer,
                 reason=reason.strip()[:500])
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


def _activation(*, customer: Customer, kind: str, billing_account: BillingAccount | None, actor, channel: str,
                params: dict | None, line: Line | None = None) -> lifecycle.Transition:
    return lifecycle.Transition(
        name=lifecycle.ACTIVATE, line=line, customer=customer, kind=kind, billing_account=billing_account,
        actor=actor, channel=channel, today=local_today(), params=dict(params or {}),
    )


def activation_eligibility(*, customer: Customer, kind: str, billing_account: BillingAccount | None = None,
                           params: dict | None = None, actor=None) -> Verdict:
    """What the agent reads before activating: accounts' own rules and every app's (e.g. LIM-12's package, limit,
    suggestion and range), with `details["notes"]` to show."""
    verdict = lifecycle.check(_activation(customer=customer, kind=kind, billing_account=billing_account, actor=actor,
                                          channel=Channel.GRAPARI, params=params))
    own = Verdict()
    if customer.verification == Customer.Verification.FAILED:
        own.refuse("verification_failed", _("The customer's identity failed verification: no new line can be "
                                            "activated."))
    elif customer.verification != Customer.Verification.VERIFIED:  # ACC-08
        own.refuse("not_verified", _("The customer's identity is not verified yet: a line is activated only for a "
                                     "verified customer."))
    if kind == Line.Kind.PREPAID and customer.kind != Customer.Kind.INDIVIDUAL:  # PRE-07
        own.refuse("prepaid_individuals_only", _("A prepaid card is for individuals, not organisations."))
    verdict.reasons[:0] = own.reasons
    return verdict


def line_activate(
    *, customer: Customer, msisdn: str, iccid: str, imsi: str, kind: str, actor: User,
    billing_account: BillingAccount | None = None, channel: str = Channel.GRAPARI, params: dict | None = None,
) -> Line:
    """Put a number and SIM in service for a verified customer (ACC-02, ACC-03, ACC-08), in every app at once:
    a postpaid line opens with its basic package and both limits (LIM-12; `params` carries the apps' inputs)."""
    msisdn, iccid, imsi = normalize_msisdn(msisdn), validate_iccid(iccid), validate_imsi(imsi)
    require(kind in Line.Kind.values, "invalid_kind", _("A line is prepaid or postpaid."))
    if kind == Line.Kind.POSTPAID:
        require(billing_account is not None, "account_required", _("A postpaid line needs a billing account."))
        require(billing_account.customer_id == customer.pk, "account_not_customers",
                 _("That billing account belongs to another customer."))
        require(billing_account.status == BillingAccount.Status.OPEN, "account_closed",
                 _("That billing account is closed."))
    else:
        billing_account = None
    customer = Customer.objects.get(pk=customer.pk)  # the verification as it is now (ACC-08)
    activation_eligibility(customer=customer, kind=kind, billing_account=billing_account, params=params,
                           actor=actor).raise_if_incomplete()
    with transaction.atomic():
        if Line.objects.filter(msisdn=msisdn).exclude(status=Line.Status.RECYCLED).exists():
            raise RuleViolation.single("msisdn_taken", _("This number belongs to another line."))
        _require_free_sim(iccid, imsi)
        try:
            with transaction.atomic():
                line = Line.objects.create(
                    msisdn=msisdn, iccid=iccid, imsi=imsi, kind=kind, status=Line.Status.ACTIVE,
                    customer=customer, billing_account=billing_account, activated_on=local_today(),
                )
        except IntegrityError:
            raise RuleViolation.single("msisdn_taken", _("This number or SIM is already in use.")) from None
        audit_record(actor=actor, channel=channel, verb="line.activated", subject=line, line=line,
                     new={"msisdn": msisdn, "iccid": iccid, "kind": kind})
        lifecycle.apply(_activation(customer=customer, kind=kind, billing_account=billing_account, actor=actor,
                                    channel=channel, params=params, line=line))
    return line


def _require_free_sim(iccid: str, imsi: str) -> None:
    in_use = Line.objects.exclude(status=Line.Status.RECYCLED)
    if in_use.filter(iccid=iccid).exists():
        raise RuleViolation.single("iccid_taken", _("This SIM (ICCID) is already in use."))
    if in_use.filter(imsi=imsi).exists():
        raise RuleViolation.single("imsi_taken", _("This IMSI is already in use."))


def line_lock(line: Line) -> Line:
    """The first lock of every transition (accounts/lifecycle.py): FOR NO KEY UPDATE, see core.locks for the order."""
    return lock_line(line)


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
        audit_record(actor=actor, channel=channel, verb="line.blocked", subject=line, line=line, reason=note,
                     new={"reason": reason, "scope": scope, "permanent": permanent, "reference": reference})
        if permanent:
            # ACC-09: the line ends in every app; a permanent block is not refused by any of them.
            _line_end(line=line, today=local_today())
            lifecycle.apply(lifecycle.Transition(name=lifecycle.TERMINATE, line=line, actor=actor, channel=channel,
                                                 today=local_today(), forced=True))
    return block


def _line_end(*, line: Line, today: dt.date, reference: str = "") -> None:
    """The number enters quarantine (ACC-04) on the day the line ends."""
    line.status = Line.Status.TERMINATED
    line.terminated_on = today
    line.quarantine_until = today + dt.timedelta(days=parameter("quarantine_days"))
    line.termination_reference = reference
    line.save(update_fields=["status", "terminated_on", "quarantine_until", "termination_reference"])


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
        audit_record(actor=actor, channel=channel, verb="line.unblocked", subject=block.line, line=block.line,
                     reason=note, old={"reason": block.reason, "scope": block.scope})
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
        require(line.status == Line.Status.ACTIVE, "line_not_active",
                _("Only an active line can be transferred; this one is %(status)s.")
                % {"status": line.get_status_display().lower()})
        if line.kind == Line.Kind.POSTPAID:
            require(to_billing_account is not None and to_billing_account.customer_id == to_customer.pk,
                     "account_required", _("Choose a billing account of the new holder."))
        if TransferApproval.objects.filter(letter_number=letter_number.strip()).exists():
            raise RuleViolation.single("letter_used", _("This approval letter was already used."))
        approval = TransferApproval.objects.create(
            line=line, from_customer_id=line.customer_id, to_customer=to_customer,
            letter_number=letter_number.strip(), approved_by=actor, reason=reason,
        )
        # ACC-06: the apps may refuse or follow the line to its new holder (accounts/lifecycle.py).
        transition = _transition(lifecycle.TRANSFER, line=line, actor=actor, channel=Channel.GRAPARI,
                                 params={"to_customer": to_customer, "to_billing_account": to_billing_account})
        lifecycle.apply(transition)
        old = {"customer": line.customer_id, "billing_account": line.billing_account_id}
        line.customer = to_customer
        if line.kind == Line.Kind.POSTPAID:
            line.billing_account = to_billing_account
        line.save(update_fields=["customer", "billing_account"])
        audit_record(actor=actor, verb="line.transferred", subject=line, line=line, reason=reason, old=old,
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
                     verb="line.recycled", subject=line, line=line)
    return line


# Lifecycle transitions (accounts/lifecycle.py) ----------------------------------------------------------------


def _transition_lock(line: Line) -> Line:
    """line_lock's NO KEY UPDATE, with the customer and billing account the participants read."""
    return (Line.objects.select_for_update(of=("self",), no_key=True).select_related("customer", "billing_account")
            .get(pk=line.pk))


def _transition(name: str, *, line: Line, actor, channel: str, params: dict | None = None,
                today: dt.date | None = None) -> lifecycle.Transition:
    return lifecycle.Transition(name=name, line=line, customer=line.customer, kind=line.kind,
                                billing_account=line.billing_account, actor=actor, channel=channel,
                                today=today or local_today(), params=dict(params or {}))


def _in_service(verdict: Verdict, line: Line) -> None:
    if line.status != Line.Status.ACTIVE:
        verdict.refuse("line_not_active", line_not_active(line))


def package_change_eligibility(*, line: Line, params: dict | None = None, actor=None) -> Verdict:
    """LIM-13: what the agent reads before changing the basic package (billing says when and the new range)."""
    verdict = Verdict()
    _in_service(verdict, line)
    if line.kind != Line.Kind.POSTPAID:
        verdict.refuse("not_postpaid", _("Only a KartuHalo (postpaid) line has a basic package."))
        return verdict
    checked = lifecycle.check(_transition(lifecycle.PACKAGE_CHANGE, line=line, actor=actor, channel=Channel.GRAPARI,
                                          params=params))
    checked.reasons[:0] = verdict.reasons
    return checked


def line_package_change(*, line: Line, actor, channel: str = Channel.GRAPARI, params: dict | None = None,
                        reason: str = "") -> lifecycle.Transition:
    """Change a postpaid line's basic package from the next cycle start (LIM-13), audited with its channel."""
    with transaction.atomic():
        line = _transition_lock(line)
        package_change_eligibility(line=line, params=params, actor=actor).raise_if_incomplete()
        transition = lifecycle.apply(_transition(lifecycle.PACKAGE_CHANGE, line=line, actor=actor, channel=channel,
                                                 params=params))
        audit_record(actor=actor, channel=channel, verb="line.package_changed", subject=line, reason=reason,
                     new=transition.results.get("billing"))
    return transition


def identity_check_record(*, line: Line, method: str, result: str, actor: User, note: str = "") -> IdentityCheck:
    """ACC-10: the identity check before a SIM replacement, recorded whatever its result (accounts.identity)."""
    return identity.identity_check_record(line=line, method=method, result=result, actor=actor, note=note)


def sim_replace_eligibility(*, line: Line, identity_check: IdentityCheck | None, params: dict | None = None,
                            actor=None) -> Verdict:
    verdict = Verdict()
    _in_service(verdict, line)
    if identity_check is None or identity_check.line_id != line.pk:
        verdict.refuse("identity_check_required", _("Record the customer's identity check first."))
    elif identity_check.result != IdentityCheck.Result.PASSED:
        verdict.refuse("identity_check_failed", _("The identity check failed: the SIM cannot be replaced."))
    elif SimChange.objects.filter(identity_check=identity_check).exists():
        verdict.refuse("identity_check_used", _("This identity check was already used for a replacement."))
    checked = lifecycle.check(_transition(lifecycle.SIM_REPLACE, line=line, actor=actor, channel=Channel.GRAPARI,
                                          params=params))
    checked.reasons[:0] = verdict.reasons
    return checked


def line_sim_replace(
    *, line: Line, identity_check: IdentityCheck, new_iccid: str, new_imsi: str, reason: str, actor: User,
    channel: str = Channel.GRAPARI, params: dict | None = None,
) -> SimChange:
    """ACC-10: a new SIM on the same number after a passed identity check; the old SIM stops at once, and an open
    lost-SIM block is lifted. Each app joins (prepaid: the PRE-03 fee, free on Prime)."""
    from django.core.exceptions import ValidationError

    try:
        new_iccid = validate_iccid(new_iccid)
    except ValidationError as error:
        raise RuleViolation.single("iccid_invalid", error.messages[0]) from None
    try:
        new_imsi = validate_imsi(new_imsi)
    except ValidationError as error:
        raise RuleViolation.single("imsi_invalid", error.messages[0]) from None
    require(reason in SimChange.Reason.values, "reason_invalid", _("Choose why the SIM is replaced."))
    params = {**(params or {}), "reason": reason, "new_iccid": new_iccid}
    with transaction.atomic():
        line = _transition_lock(line)
        identity_check = IdentityCheck.objects.select_for_update().get(pk=identity_check.pk)
        sim_replace_eligibility(line=line, identity_check=identity_check, params=params,
                                actor=actor).raise_if_refused()
        require(new_iccid != line.iccid, "same_sim", _("That is the SIM the line already has."))
        require(new_imsi != line.imsi, "same_imsi", _("That is the IMSI the line already has."))
        _require_free_sim(new_iccid, new_imsi)
        change = SimChange.objects.create(
            line=line, identity_check=identity_check, reason=reason, old_iccid=line.iccid, old_imsi=line.imsi,
            new_iccid=new_iccid, new_imsi=new_imsi, actor=actor, created_at=timezone.now(),
        )
        transition = _transition(lifecycle.SIM_REPLACE, line=line, actor=actor, channel=channel, params=params)
        transition.params["sim_change"] = change
        lifecycle.apply(transition)  # before the line changes: the old ICCID is still the line's
        line.iccid, line.imsi = new_iccid, new_imsi  # the old SIM stops at once
        line.save(update_fields=["iccid", "imsi"])
        for block in line.blocks.filter(reason=Block.Reason.LOST_SIM, ended_at__isnull=True):
            line_unblock(block=block, actor=actor, note=_("Replacement SIM issued"), channel=channel)
        audit_record(actor=actor, channel=channel, verb="line.sim_replaced", subject=line,
                     old={"iccid": change.old_iccid, "imsi": change.old_imsi},
                     new={"iccid": new_iccid, "imsi": new_imsi, "reason": reason,
                          "identity_check": identity_check.method, **(transition.results.get("prepaid") or {})})
    change.transition = transition
    return change


def termination_eligibility(*, line: Line, actor=None, today: dt.date | None = None) -> Verdict:
    """ACC-09: a postpaid line ends at the customer's written request; any app may refuse (e.g. an open TecProtec
    claim, TP-12). `details["notes"]` say what ends and what stays owed."""
    verdict = Verdict()
    _in_service(verdict, line)
    if line.kind != Line.Kind.POSTPAID:
        verdict.refuse("not_postpaid", _("A prepaid line ends when its card becomes invalid."))
    checked = lifecycle.check(_transition(lifecycle.TERMINATE, line=line, actor=actor, channel=Channel.GRAPARI,
                                          today=today))
    checked.reasons[:0] = verdict.reasons
    return checked


def line_terminate(*, line: Line, request_reference: str, actor, reason: str, channel: str = Channel.GRAPARI,
                   today: dt.date | None = None) -> lifecycle.Transition:
    """ACC-09, BIL-07: end a postpaid line at the customer's written request (its reference recorded) in every app in
    one transaction: the final bill with the prorated fee, nothing charged after it, protection ended; what was owed
    stays owed; the number enters quarantine (ACC-04)."""
    request_reference = (request_reference or "").strip()
    require(bool(request_reference), "request_reference_required",
             _("Enter the reference of the customer's written request."))
    require(bool((reason or "").strip()), "reason_required", _("Give a reason."))
    today = today or local_today()
    with transaction.atomic():
        line = _transition_lock(line)
        termination_eligibility(line=line, actor=actor, today=today).raise_if_refused()
        Block.objects.create(line=line, scope=Block.Scope.ALL, reason=Block.Reason.TERMINATION, permanent=True,
                             reference=request_reference, note=reason.strip(), started_at=timezone.now(),
                             started_by=actor if getattr(actor, "is_authenticated", False) else None)
        _line_end(line=line, today=today, reference=request_reference)
        transition = lifecycle.apply(_transition(lifecycle.TERMINATE, line=line, actor=actor, channel=channel,
                                                 today=today))
        audit_record(actor=actor, channel=channel, verb="line.terminated", subject=line, reason=reason.strip(),
                     old={"status": Line.Status.ACTIVE},
                     new={"status": line.status, "reference": request_reference,
                          "quarantine_until": line.quarantine_until, **(transition.results.get("billing") or {})})
    return transition


def lines_end_cards_invalid(*, line_ids: list[int], today: dt.date) -> int:
    """PRE-02, ACC-09: the lines of cards that became invalid end in every app (set-based, in the caller's
    transaction, for the lifecycle job): the number enters quarantine; Prime is disabled by prepaid's participant."""
    if not line_ids:
        return 0
    ended = Line.objects.filter(pk__in=line_ids, status=Line.Status.ACTIVE).update(
        status=Line.Status.TERMINATED, terminated_on=today,
        quarantine_until=today + dt.timedelta(days=parameter("quarantine_days")))
    lifecycle.apply_many(lifecycle.CARD_INVALID, line_ids, today)
    return ended
