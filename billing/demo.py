"""Demo data for billing: a package and suggested limits on every demo postpaid line, a cycle of usage (some lines
past 80 % and 100 %), bill history per account (paid on time, paid late, unpaid, overdue) and an open objection.

Only the demo lines (accounts.demo's postpaid number ranges) and their accounts: a database that also holds a million
generated lines (`generate_lines`) is seeded in the same time as an empty one, and the generated lines stay as they
are. Deterministic (the rng is drawn the same way whatever the database holds) and idempotent: a line that has
limits and an account that has bills are left alone."""

import datetime as dt
import random

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.demo import DEMO_POSTPAID_PREFIXES
from accounts.models import BillingAccount, Line
from billing.cycles import cycle_for
from billing.models import BasicPackage, Bill, BillCharge, Objection, Scope, SpendingLimit
from billing.ppn import ppn_amount
from billing.services import (
    bills_overdue_chunk,
    objection_file,
    payment_record,
    purchase_authorize,
    spending_limit_open,
    usage_record,
)
from core.dates import add_months, local_today
from core.parameters import parameter
from core.verdicts import RuleViolation

PACKAGE_WEIGHTS = [("halo_kick", 30), ("halofit_80k", 15), ("halofit_125k", 15), ("halohybrid", 10), ("flash", 10),
                   ("halo_plus_170", 8), ("halo_plus_300", 6), ("halo_plus_550", 6)]
# Share of the limit each line's usage reaches this cycle.
USAGE_LEVELS = [(0.35, 50), (0.6, 25), (0.85, 15), (1.02, 10)]
HISTORY_BILLS = 4


def _weighted(rng: random.Random, choices):
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights=weights)[0]


def _seed_line(line: Line, rng: random.Random, today: dt.date, packages: dict) -> bool:
    code = _weighted(rng, PACKAGE_WEIGHTS)
    level = _weighted(rng, USAGE_LEVELS)
    buys = [rng.randint(10, 60) * 1_000 for _ in range(3)]
    if SpendingLimit.objects.filter(line=line).exists():
        return False
    spending_limit_open(line=line, package=packages[code], actor=None, today=today)
    limit = SpendingLimit.objects.get(line=line, scope=Scope.DOMESTIC)
    target = int(limit.amount * level)
    for index, amount in enumerate(buys):
        purchase_authorize(request_id=f"demo:{line.pk}:buy:{index}", line=line, scope=Scope.DOMESTIC,
                           category="addon", amount=amount, description="Paket Ekstra Kuota", client="demo")
    limit.refresh_from_db()
    rest = target - limit.counted
    if rest > 0:
        usage_record(record_id=f"demo:{line.pk}:data", line=line, scope=Scope.DOMESTIC, category="data",
                     amount=rest, occurred_at=timezone.now(), client="demo")
    purchase_authorize(request_id=f"demo:{line.pk}:big", line=line, scope=Scope.DOMESTIC, category="addon",
                       amount=125_000, description="3GB Ekstra Kuota", client="demo")
    return True


def _seed_bills(account: BillingAccount, rng: random.Random, today: dt.date) -> int:
    fate = _weighted(rng, [("on_time", 65), ("late_once", 12), ("unpaid_current", 13), ("overdue", 10)])
    totals = [rng.randint(90, 400) * 1_000 for _ in range(HISTORY_BILLS)]
    objection = rng.random() < 0.08
    if Bill.objects.filter(billing_account=account).exists():
        return 0
    lines = list(account.lines.order_by("pk"))
    if not lines:
        return 0
    cycle_start, _end = cycle_for(today, account.bill_cycle_day)
    due_days = parameter("bill_due_days")
    ppn_percent = parameter("ppn_percent")
    created = 0
    for back in range(HISTORY_BILLS, 0, -1):  # oldest first
        start = add_months(cycle_start, -back)
        end = add_months(start, 1) - dt.timedelta(days=1)
        issued = end + dt.timedelta(days=1)
        usage = totals[back - 1]
        ppn = ppn_amount(taxable=usage, percent=ppn_percent)  # BIL-10
        total = usage + ppn
        with transaction.atomic():
            bill = Bill.objects.create(billing_account=account, period_start=start, period_end=end, issued_on=issued,
                                       due_date=issued + dt.timedelta(days=due_days), total=total,
                                       taxable_amount=usage, ppn_percent=ppn_percent, ppn=ppn)
            BillCharge.objects.create(billing_account=account, line=lines[0], bill=bill, source=BillCharge.Source.USAGE,
                                      source_ref=f"demo:{account.pk}:{start.isoformat()}", amount=usage,
                                      description="Pemakaian", charged_on=end)
        created += 1
        if objection and back == 1:
            try:
                objection_file(bill=bill, amount=min(total, 50_000), description="Tagihan roaming tidak dikenal",
                               actor=None, today=today)
            except RuleViolation:
                pass
        unpaid = (fate == "unpaid_current" and back == 1) or (fate == "overdue" and back <= 2)
        late = fate == "late_once" and back == 2
        paid_on = bill.due_date + dt.timedelta(days=4 if late else -3)
        if unpaid or paid_on > today:
            continue
        payment_record(bill=bill, amount=total, method=account.payment_method, actor=None, paid_on=paid_on,
                       reference=f"DEMO-{account.number}-{start:%Y%m}")
    return created


def _demo_numbers() -> Q:
    """accounts.demo's postpaid number ranges."""
    numbers = Q()
    for prefix in DEMO_POSTPAID_PREFIXES:
        numbers |= Q(msisdn__startswith=f"+62{prefix}")
    return numbers


def seed_demo_data(*, rng: random.Random, stdout) -> None:
    today = local_today()
    packages = {package.code: package for package in BasicPackage.objects.all()}
    lines = list(Line.objects.filter(_demo_numbers(), kind=Line.Kind.POSTPAID, status=Line.Status.ACTIVE,
                                     billing_account__isnull=False).order_by("pk"))
    opened = sum(_seed_line(line, rng, today, packages) for line in lines)
    demo_accounts = Line.objects.filter(_demo_numbers(), kind=Line.Kind.POSTPAID).values("billing_account_id")
    accounts = list(BillingAccount.objects.filter(pk__in=demo_accounts).order_by("pk"))
    bills = sum(_seed_bills(account, rng, today) for account in accounts)
    blocked = 0
    while True:
        # The overdue job itself (BIL-05), on the demo accounts only.
        result = bills_overdue_chunk(today=today, account_ids=[account.pk for account in accounts])
        if result.selected == 0:
            break
        blocked += result.changed
    if stdout is not None:
        objections = Objection.objects.filter(status=Objection.Status.OPEN).count()
        stdout.write(f"billing: limits opened on {opened} lines, {bills} bills, {blocked} accounts blocked for "
                     f"overdue bills, {objections} open objections")
