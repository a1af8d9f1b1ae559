"""Bills, charges, payments, objections, credits, early settlement and overdue blocks (BIL-01..08, LIM-11)."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import BillingAccount, Block, Line
from accounts.services import line_block, line_unblock
from billing.cycles import next_cycle_start
from billing.models import (
    TAXABLE_SOURCES,
    Bill,
    BillCharge,
    BillingProfile,
    CreditNote,
    Decision,
    EarlySettlementDemand,
    LinePackage,
    Objection,
    Payment,
    Purchase,
    Scope,
    SpendingCycle,
    SpendingLimit,
    UsageRecord,
)
from billing.ppn import ppn_amount
from billing.selectors import account_overdue_bills, current_cycle_usage
from billing.services.statements import bill_statement_send
from core.audit import audit_record
from core.dates import add_months, format_day, local_today
from core.jobs import ChunkResult
from core.locks import lock_line
from core.models import Channel
from core.money import format_rupiah
from core.outbox import sms_enqueue
from core.parameters import parameter
from core.verdicts import RuleViolation, require


def _positive(amount) -> bool:
    return isinstance(amount, int) and not isinstance(amount, bool) and amount > 0


# ---------------------------------------------------------------------------------------------------------------------
# Charges: the hook other apps (TecProtec installments) use
# ---------------------------------------------------------------------------------------------------------------------


def bill_charge_add(
    *, billing_account: BillingAccount, source: str, source_ref: str, amount: int, description: str,
    charged_on: dt.date, line: Line | None = None,
) -> tuple[BillCharge, bool]:
    """Add a charge (or a credit, negative) to the account's next bill. Idempotent by `source_ref`:
    (charge, created). E.g. protection: source="tecprotec", source_ref=f"tecprotec:{installment.pk}"."""
    require(bool(source_ref), "source_ref_required", _("A charge needs a unique source reference."))
    require(source in BillCharge.Source.values, "invalid_source", _("Unknown charge source."))
    existing = BillCharge.objects.filter(source_ref=source_ref).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            charge = BillCharge.objects.create(
                billing_account=billing_account, line=line, source=source, source_ref=source_ref, amount=amount,
                description=description[:200], charged_on=charged_on,
            )
    except IntegrityError:
        return BillCharge.objects.get(source_ref=source_ref), False
    return charge, True


# ---------------------------------------------------------------------------------------------------------------------
# Bill run (BIL-01): one bill per account per closed cycle
# ---------------------------------------------------------------------------------------------------------------------


def _bill_issue(*, account_id: int, period_start: dt.date, period_end: dt.date, today: dt.date) -> Bill | None:
    try:
        with transaction.atomic():
            bill = Bill.objects.create(
                billing_account_id=account_id, period_start=period_start, period_end=period_end, issued_on=today,
                due_date=today + dt.timedelta(days=parameter("bill_due_days")), total=0,
            )
    except IntegrityError:
        return None  # another worker issued it
    lines = Line.objects.filter(billing_account_id=account_id)
    charges = []
    usage = (UsageRecord.objects.filter(line__in=lines, cycle_start=period_start)
             .values("line_id", "category__code", "category__name", "late_cycle_start").annotate(total=Sum("amount"))
             .order_by("line_id", "late_cycle_start"))
    for row in usage:
        ref = f"usage:{row['line_id']}:{period_start.isoformat()}:{row['category__code']}"
        late = row["late_cycle_start"]  # BIL-11: usage of a closed cycle, on its own line marked with that cycle
        charges.append(BillCharge(
            billing_account_id=account_id, line_id=row["line_id"], bill=bill, source=BillCharge.Source.USAGE,
            source_ref=f"{ref}:late:{late.isoformat()}" if late else ref,
            description=row["category__name"], amount=row["total"], charged_on=period_end, usage_cycle_start=late,
            usage_cycle_end=next_cycle_start(late) - dt.timedelta(days=1) if late else None,
        ))
    purchases = (Purchase.objects.filter(line__in=lines, cycle_start=period_start, decision=Decision.APPROVED)
                 .values("line_id", "category__code", "category__name").annotate(total=Sum("amount"))
                 .order_by("line_id"))
    for row in purchases:
        charges.append(BillCharge(
            billing_account_id=account_id, line_id=row["line_id"], bill=bill, source=BillCharge.Source.PURCHASE,
            source_ref=f"purchase:{row['line_id']}:{period_start.isoformat()}:{row['category__code']}",
            description=row["category__name"], amount=row["total"], charged_on=period_end,
        ))
    BillCharge.objects.bulk_create(charges)
    BillCharge.objects.filter(billing_account_id=account_id, bill__isnull=True, charged_on__lte=period_end).update(
        bill=bill)
    sums = BillCharge.objects.filter(bill=bill).aggregate(
        total=Sum("amount"), taxable=Sum("amount", filter=Q(source__in=TAXABLE_SOURCES)))
    bill.taxable_amount = sums["taxable"] or 0
    bill.ppn_percent = parameter("ppn_percent")
    bill.ppn = ppn_amount(taxable=bill.taxable_amount, percent=bill.ppn_percent)  # BIL-10
    bill.total = (sums["total"] or 0) + bill.ppn
    fields = ["total", "taxable_amount", "ppn_percent", "ppn"]
    if bill.total <= 0:
        bill.status, bill.paid_on = Bill.Status.PAID, today
        fields += ["status", "paid_on"]
    bill.save(update_fields=fields)
    bill_statement_send(bill=bill)  # BIL-09, in this transaction: every bill (the final one too) gets it once
    return bill


def bills_issue_chunk(*, today: dt.date, size: int = 200) -> ChunkResult:
    """Issue the bills of accounts whose lines' cycles have closed (SpendingCycle history) and have no bill yet.

    Accounts that still have a line in an unclosed old cycle wait for the cycle close job."""
    has_bill = Bill.objects.filter(billing_account_id=OuterRef("line__billing_account_id"),
                                   period_start=OuterRef("cycle_start"))
    pending = (SpendingCycle.objects.filter(scope=Scope.DOMESTIC, cycle_end__lt=today,
                                            line__billing_account__isnull=False)
               .exclude(Exists(has_bill))
               .values_list("line__billing_account_id", "cycle_start", "cycle_end").distinct()
               .order_by("line__billing_account_id", "cycle_start")[:size])
    pending = list(pending)
    if not pending:
        return ChunkResult(selected=0)
    changed = skipped = 0
    for account_id, period_start, period_end in pending:
        unclosed = SpendingLimit.objects.filter(line__billing_account_id=account_id, cycle_start__lte=period_start)
        if unclosed.exists():
            skipped += 1
            continue
        bill = _bill_issue(account_id=account_id, period_start=period_start, period_end=period_end, today=today)
        changed += bill is not None
        skipped += bill is None
    if changed == 0:
        return ChunkResult(selected=0, skipped=skipped)  # only waiting accounts left: stop this run
    return ChunkResult(selected=len(pending), changed=changed, skipped=skipped)


# ---------------------------------------------------------------------------------------------------------------------
# Payments (BIL-02) and settlement during the cycle (LIM-11)
# ---------------------------------------------------------------------------------------------------------------------


def _blocked_lines(account: BillingAccount) -> list[Line]:
    """BIL-06: every line of the account, or only the one its billing profile names."""
    profile = BillingProfile.objects.filter(billing_account=account).select_related("block_only_line").first()
    if profile is not None and profile.block_only_line is not None:
        return [profile.block_only_line]
    return list(Line.objects.filter(billing_account=account, status=Line.Status.ACTIVE).order_by("pk"))


def _lift_blocks(account: BillingAccount, reason: str, note: str, channel: str) -> int:
    lifted = 0
    blocks = Block.objects.filter(line__billing_account=account, reason=reason, ended_at__isnull=True)
    for block in blocks.select_related("line").order_by("pk"):
        line_unblock(block=block, actor=None, note=note, channel=channel)
        lifted += 1
    return lifted


def payment_record(
    *, bill: Bill, amount: int, method: str, reference: str, actor, channel: str = Channel.GRAPARI,
    paid_on: dt.date | None = None,
) -> Payment:
    """Record a payment of a bill; partial payments are allowed, more than the outstanding amount is not.

    Paying the last overdue bill in full lifts the account's unpaid-bill blocks (BIL-05)."""
    paid_on = paid_on or local_today()
    reference = (reference or "").strip()
    require(_positive(amount), "invalid_amount", _("The amount is a positive whole number of rupiah."))
    require(bool(reference), "reference_required", _("Enter the payment reference."))
    require(method in Payment.Method.values, "invalid_method", _("Unknown payment method."))
    with transaction.atomic():
        bill = Bill.objects.select_for_update(of=("self",)).select_related("billing_account").get(pk=bill.pk)
        require(not Payment.objects.filter(reference=reference).exists(), "reference_used",
                 _("A payment with this reference was already recorded."))
        require(bill.status == Bill.Status.OPEN, "bill_paid", _("This bill of %(total)s was paid in full on %(date)s.")
                % {"total": format_rupiah(bill.total), "date": format_day(bill.paid_on)})
        require(amount <= bill.outstanding, "overpayment",
                 _("The amount is more than the outstanding %(amount)s.") % {"amount": format_rupiah(bill.outstanding)})
        payment = Payment.objects.create(
            billing_account=bill.billing_account, bill=bill, method=method, reference=reference, amount=amount,
            paid_on=paid_on, channel=channel, recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        old = {"paid": bill.paid, "status": bill.status}
        bill.paid += amount
        if bill.paid >= bill.total:
            bill.status, bill.paid_on = Bill.Status.PAID, paid_on
        bill.save(update_fields=["paid", "status", "paid_on"])
        audit_record(actor=actor, channel=channel, verb="bill.payment", subject=bill, old=old,
                     new={"paid": bill.paid, "status": bill.status, "amount": amount, "reference": reference,
                          "method": method})
        if bill.status == Bill.Status.PAID and not account_overdue_bills(bill.billing_account_id, paid_on).exists():
            _lift_blocks(bill.billing_account, Block.Reason.UNPAID_BILL, _("Bill paid in full"), channel)
    return payment


def payment_current_usage(
    *, line: Line, amount: int, method: str, reference: str, actor, scope: str = Scope.DOMESTIC,
    channel: str = Channel.GRAPARI, paid_on: dt.date | None = None,
) -> Payment:
    """LIM-11: a customer who does not want to upgrade pays the current usage; the usage counted against the limit
    drops by the amount paid (Decision) and purchases are allowed again. The payment is credited on the next bill.
    It also meets an open early-settlement demand once the cycle's payments reach it (BIL-04)."""
    paid_on = paid_on or local_today()
    reference = (reference or "").strip()
    require(_positive(amount), "invalid_amount", _("The amount is a positive whole number of rupiah."))
    require(bool(reference), "reference_required", _("Enter the payment reference."))
    require(method in Payment.Method.values, "invalid_method", _("Unknown payment method."))
    with transaction.atomic():
        lock_line(line)  # core.locks: line, then its limit
        limit = SpendingLimit.objects.select_for_update(of=("self",)).select_related("line__billing_account").filter(
            line=line, scope=scope).first()
        require(limit is not None, "no_limit", _("This line has no spending limit yet."))
        require(not Payment.objects.filter(reference=reference).exists(), "reference_used",
                 _("A payment with this reference was already recorded."))
        require(amount <= limit.counted, "overpayment",
                 _("The amount is more than the current usage %(amount)s.") % {"amount": format_rupiah(limit.counted)})
        account = limit.line.billing_account
        payment = Payment.objects.create(
            billing_account=account, line=limit.line, scope=scope, method=method, reference=reference, amount=amount,
            paid_on=paid_on, channel=channel, recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        old = limit.counted
        SpendingLimit.objects.filter(pk=limit.pk).update(settled=F("settled") + amount)
        bill_charge_add(billing_account=account, line=limit.line, source=BillCharge.Source.ADVANCE_PAYMENT,
                        source_ref=f"payment:{payment.pk}", amount=-amount, charged_on=paid_on,
                        description=_("Paid during the cycle (%(reference)s)") % {"reference": reference})
        audit_record(actor=actor, channel=channel, verb="limit.settled", subject=limit.line,
                     old={"scope": scope, "usage": old}, new={"scope": scope, "usage": old - amount,
                                                               "reference": reference})
        _early_settlement_check(account=account, cycle_start=limit.cycle_start, channel=channel)
    return payment


# ---------------------------------------------------------------------------------------------------------------------
# Overdue (BIL-05, BIL-06, LIM-05)
# ---------------------------------------------------------------------------------------------------------------------


def _block_account(account: BillingAccount, reason: str, note: str) -> int:
    blocked = 0
    for line in _blocked_lines(account):
        if Block.objects.filter(line=line, reason=reason, ended_at__isnull=True).exists():
            continue
        try:
            line_block(line=line, reason=reason, actor=None, scope=Block.Scope.OUTGOING, note=note,
                       channel=Channel.SYSTEM)
        except RuleViolation:
            continue  # the line left service meanwhile
        blocked += 1
    return blocked


def bills_overdue_chunk(*, today: dt.date, size: int = 100, account_ids: list[int] | None = None) -> ChunkResult:
    """Block the lines of accounts with a bill unpaid past its due date (BIL-05; BIL-06 one line or all).
    The bill stays owed (BIL-07): a block never changes what is outstanding. `account_ids` limits the run to those
    accounts (the demo seeding); the scheduled job passes none."""
    due = Bill.objects.filter(status=Bill.Status.OPEN, due_date__lt=today, overdue_blocked_on__isnull=True)
    if account_ids is not None:
        due = due.filter(billing_account_id__in=account_ids)
    bills = list(due.select_for_update(skip_locked=True, of=("self",))
                 .select_related("billing_account").order_by("due_date", "pk")[:size])
    if not bills:
        return ChunkResult(selected=0)
    changed = 0
    for bill in bills:
        account = bill.billing_account
        blocked = _block_account(account, Block.Reason.UNPAID_BILL,
                                 _("Bill %(period)s unpaid after its due date %(due)s")
                                 % {"period": bill.period_start.strftime("%Y-%m"), "due": bill.due_date.isoformat()})
        bill.overdue_blocked_on = today
        bill.save(update_fields=["overdue_blocked_on"])
        changed += bool(blocked)
        for line in Line.objects.filter(billing_account=account, status=Line.Status.ACTIVE).order_by("pk")[:1]:
            sms_enqueue(msisdn=line.msisdn, template_code="billing_bill_overdue", line=line,
                        dedup_key=f"bill-overdue:{bill.pk}",
                        context={"account": account.number, "amount": format_rupiah(bill.outstanding),
                                 "due_date": bill.due_date.strftime("%d-%m-%Y")})
    return ChunkResult(selected=len(bills), changed=changed, skipped=len(bills) - changed)


# ---------------------------------------------------------------------------------------------------------------------
# Objections (BIL-03), credit notes and goodwill (BIL-08)
# ---------------------------------------------------------------------------------------------------------------------


def objection_file(
    *, bill: Bill, amount: int, description: str, actor, channel: str = Channel.GRAPARI, today: dt.date | None = None,
) -> Objection:
    """BIL-03: accepted only up to 2 months after the bill was processed; it does not move the due date."""
    today = today or local_today()
    require(_positive(amount), "invalid_amount", _("The disputed amount is a positive whole number of rupiah."))
    require(bool((description or "").strip()), "description_required", _("Describe what the customer disputes."))
    window_end = add_months(bill.issued_on, parameter("objection_window_months"))
    require(today <= window_end, "objection_window_closed",
             _("This bill was processed on %(issued)s; objections to it were accepted until %(date)s.")
             % {"issued": format_day(bill.issued_on), "date": format_day(window_end)})
    require(amount <= max(bill.total, 0), "amount_above_bill",
            _("The disputed %(amount)s is more than the bill of %(total)s.")
            % {"amount": format_rupiah(amount), "total": format_rupiah(max(bill.total, 0))})
    with transaction.atomic():
        objection = Objection.objects.create(
            bill=bill, filed_on=today, amount=amount, description=description.strip(), channel=channel,
            filed_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_record(actor=actor, channel=channel, verb="bill.objection_filed", subject=objection,
                     new={"bill": bill.pk, "amount": amount}, reason=description.strip())
    return objection


def _credit_note(*, account: BillingAccount, line: Line | None, kind: str, amount: int, reason: str, actor,
                 objection: Objection | None, today: dt.date) -> CreditNote:
    note = CreditNote.objects.create(
        billing_account=account, line=line, kind=kind, objection=objection, amount=amount, reason=reason,
        created_by=actor if getattr(actor, "is_authenticated", False) else None, created_on=today,
    )
    bill_charge_add(billing_account=account, line=line, source=BillCharge.Source.CREDIT_NOTE,
                    source_ref=f"credit-note:{note.pk}", amount=-amount, charged_on=today,
                    description=_("Credit note: %(kind)s") % {"kind": note.get_kind_display()})
    return note


def objection_resolve(
    *, objection: Objection, upheld: bool, resolution: str, actor, credit_amount: int | None = None,
    today: dt.date | None = None,
) -> Objection:
    """A supervisor resolves an objection: upheld → a credit note on the next bill; rejected → nothing owed."""
    today = today or local_today()
    require(actor is not None and actor.has_perm("billing.resolve_objection"), "not_allowed",
             _("Only a supervisor may resolve an objection."))
    require(bool((resolution or "").strip()), "reason_required", _("Explain the resolution."))
    with transaction.atomic():
        objection = (Objection.objects.select_for_update(of=("self",)).select_related("bill__billing_account")
                     .get(pk=objection.pk))
        require(objection.status == Objection.Status.OPEN, "already_resolved", _("This objection is resolved."))
        if upheld:
            credit_amount = objection.amount if credit_amount is None else credit_amount
            require(_positive(credit_amount) and credit_amount <= objection.amount, "invalid_amount",
                     _("The credit is between Rp 1 and the disputed amount."))
            _credit_note(account=objection.bill.billing_account, line=None, kind=CreditNote.Kind.OBJECTION,
                         amount=credit_amount, reason=resolution.strip(), actor=actor, objection=objection, today=today)
            objection.credit_amount = credit_amount
        objection.status = Objection.Status.UPHELD if upheld else Objection.Status.REJECTED
        objection.resolved_by = actor
        objection.resolved_at = timezone.now()
        objection.resolution = resolution.strip()
        objection.save(update_fields=["status", "resolved_by", "resolved_at", "resolution", "credit_amount"])
        audit_record(actor=actor, channel=Channel.ADMIN, verb="bill.objection_resolved", subject=objection,
                     old={"status": Objection.Status.OPEN},
                     new={"status": objection.status, "credit": objection.credit_amount}, reason=resolution.strip())
    return objection


def goodwill_credit_grant(*, line: Line, amount: int, reason: str, actor, today: dt.date | None = None) -> CreditNote:
    """BIL-08: a credit for the operator's proven fault, at most 3 months of the line's subscription fee."""
    today = today or local_today()
    require(actor is not None and actor.has_perm("billing.add_creditnote"), "not_allowed",
             _("Only a supervisor may grant a goodwill credit."))
    require(bool((reason or "").strip()), "reason_required", _("Describe the operator's fault."))
    require(_positive(amount), "invalid_amount", _("The amount is a positive whole number of rupiah."))
    require(line.kind == Line.Kind.POSTPAID and line.billing_account_id, "not_postpaid",
             _("Goodwill credits go on a postpaid bill."))
    package = LinePackage.objects.select_related("package").filter(line=line).first()
    fee = package.package.monthly_fee if package else 0
    cap = fee * parameter("goodwill_cap_months")
    require(amount <= cap, "above_cap", _("A goodwill credit is at most %(months)d months' fee: %(cap)s.")
             % {"months": parameter("goodwill_cap_months"), "cap": format_rupiah(cap)})
    with transaction.atomic():
        note = _credit_note(account=line.billing_account, line=line, kind=CreditNote.Kind.GOODWILL, amount=amount,
                            reason=reason.strip(), actor=actor, objection=None, today=today)
        audit_record(actor=actor, channel=Channel.ADMIN, verb="bill.goodwill_credit", subject=line,
                     new={"amount": amount, "cap": cap}, reason=reason.strip())
    return note


# ---------------------------------------------------------------------------------------------------------------------
# Early settlement (BIL-04)
# ---------------------------------------------------------------------------------------------------------------------


def _early_settlement_check(*, account: BillingAccount, cycle_start: dt.date, channel: str) -> None:
    demand = (EarlySettlementDemand.objects.select_for_update()
              .filter(billing_account=account, status__in=[EarlySettlementDemand.Status.OPEN,
                                                           EarlySettlementDemand.Status.UNMET])
              .order_by("-demanded_on").first())
    if demand is None:
        return
    paid = (Payment.objects.filter(billing_account=account, bill__isnull=True, paid_on__gte=demand.demanded_on)
            .aggregate(total=Sum("amount"))["total"] or 0)
    if paid < demand.amount:
        return
    was_unmet = demand.status == EarlySettlementDemand.Status.UNMET
    demand.status = EarlySettlementDemand.Status.MET
    demand.settled_on = local_today()
    demand.save(update_fields=["status", "settled_on"])
    if was_unmet:
        _lift_blocks(account, Block.Reason.EARLY_SETTLEMENT_UNMET, _("Early settlement paid"), channel)


def early_settlement_scan(*, today: dt.date, after_id: int = 0, size: int = 500) -> tuple[ChunkResult, int]:
    """Demand early settlement where the current cycle's usage reaches 150 % of the average of the last 3 bills
    (BIL-04 Decision, both configurable). Returns (result, last account id) so the job walks the accounts once."""
    accounts = list(BillingAccount.objects.filter(pk__gt=after_id, status=BillingAccount.Status.OPEN)
                    .order_by("pk").values_list("pk", flat=True)[:size])
    if not accounts:
        return ChunkResult(selected=0), after_id
    needed = parameter("early_settlement_bills")
    percent = parameter("early_settlement_percent")
    usage = current_cycle_usage(accounts)
    bills: dict[int, list[int]] = {}
    for account_id, total in (Bill.objects.filter(billing_account_id__in=accounts).order_by("billing_account_id",
                              "-period_start").values_list("billing_account_id", "total")):
        bills.setdefault(account_id, []).append(total)
    changed = 0
    for account_id in accounts:
        recent = bills.get(account_id, [])[:needed]
        current = usage.get(account_id, 0)
        if len(recent) < needed or current <= 0:
            continue
        average = sum(recent) // len(recent)
        if current * 100 < average * percent:
            continue
        limit = (SpendingLimit.objects.filter(line__billing_account_id=account_id, scope=Scope.DOMESTIC)
                 .order_by("pk").first())
        if limit is None:
            continue
        settle_by = today + dt.timedelta(days=parameter("early_settlement_days"))
        try:
            with transaction.atomic():
                demand = EarlySettlementDemand.objects.create(
                    billing_account_id=account_id, cycle_start=limit.cycle_start, amount=current, average=average,
                    demanded_on=today, settle_by=settle_by,
                )
        except IntegrityError:
            continue  # already demanded this cycle
        account = demand.billing_account
        line = Line.objects.filter(billing_account_id=account_id, status=Line.Status.ACTIVE).order_by("pk").first()
        if line is not None:
            sms_enqueue(msisdn=line.msisdn, template_code="billing_early_settlement", line=line,
                        dedup_key=f"early-settlement:{demand.pk}",
                        context={"account": account.number, "amount": format_rupiah(current),
                                 "settle_by": settle_by.strftime("%d-%m-%Y")})
        audit_record(actor=None, channel=Channel.SYSTEM, verb="bill.early_settlement_demanded", subject=account,
                     new={"amount": current, "average": average, "settle_by": settle_by})
        changed += 1
    return ChunkResult(selected=len(accounts), changed=changed, skipped=len(accounts) - changed), accounts[-1]


def early_settlement_enforce_chunk(*, today: dt.date, size: int = 100) -> ChunkResult:
    """An early-settlement demand not met by its date blocks the account's lines (BIL-04, BIL-05)."""
    demands = list(EarlySettlementDemand.objects.select_for_update(skip_locked=True, of=("self",))
                   .filter(status=EarlySettlementDemand.Status.OPEN, settle_by__lt=today)
                   .select_related("billing_account").order_by("settle_by", "pk")[:size])
    if not demands:
        return ChunkResult(selected=0)
    for demand in demands:
        _block_account(demand.billing_account, Block.Reason.EARLY_SETTLEMENT_UNMET,
                       _("Early settlement of %(amount)s not paid by %(date)s")
                       % {"amount": format_rupiah(demand.amount), "date": demand.settle_by.isoformat()})
        demand.status = EarlySettlementDemand.Status.UNMET
        demand.save(update_fields=["status"])
    return ChunkResult(selected=len(demands), changed=len(demands))
