import datetime as dt

import factory
from django.utils import timezone

from accounts.models import BillingAccount, Block, Line
from billing.models import BasicPackage, Bill, Scope, SpendingLimit
from billing.services import spending_limit_open
from tests.accounts.factories import PostpaidLineFactory

TODAY = dt.date(2026, 11, 10)


def package(code: str = "halo_kick") -> BasicPackage:
    return BasicPackage.objects.get(code=code)


def open_line(
    *, package_code: str = "halo_kick", payment_method: str = BillingAccount.PaymentMethod.CASH,
    activated_on: dt.date = dt.date(2025, 1, 1), today: dt.date = TODAY, cycle_day: int = 1, **line_kwargs,
) -> Line:
    """A postpaid line with its package and suggested limits (the package fee already counted as usage)."""
    line = PostpaidLineFactory(activated_on=activated_on, billing_account__payment_method=payment_method,
                               billing_account__bill_cycle_day=cycle_day, **line_kwargs)
    spending_limit_open(line=line, package=package(package_code), actor=None, today=today)
    return line


def set_limit(line: Line, amount: int, scope: str = Scope.DOMESTIC, used: int | None = None) -> SpendingLimit:
    """Test setup only: put a limit (and usage) straight into the row."""
    limit = SpendingLimit.objects.get(line=line, scope=scope)
    limit.amount = amount
    if used is not None:
        limit.used = used
        limit.settled = 0
    limit.save()
    return limit


def limit_of(line: Line, scope: str = Scope.DOMESTIC) -> SpendingLimit:
    return SpendingLimit.objects.get(line=line, scope=scope)


def block(line: Line, reason: str, scope: str = Block.Scope.ALL) -> Block:
    return Block.objects.create(line=line, reason=reason, scope=scope, started_at=timezone.now(), note="test")


class BillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Bill

    period_start = dt.date(2026, 9, 1)
    period_end = dt.date(2026, 9, 30)
    issued_on = dt.date(2026, 10, 1)
    due_date = dt.date(2026, 10, 21)
    total = 150_000
