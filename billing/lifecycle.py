"""Billing's part in a line's life (accounts/lifecycle.py): the package and both limits on activation (LIM-12), the
package change at the next cycle start (LIM-13), and on termination the last fee prorated, the limits closed and the
final bill issued (ACC-09, BIL-07). Lock order: after the line, the line's spending limits, then the bill."""

import datetime as dt

from django import forms
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import lifecycle
from accounts.models import Line
from billing.cycles import cycle_for, full_months_between, prorate
from billing.models import (
    BasicPackage,
    Bill,
    BillCharge,
    Decision,
    LinePackage,
    Purchase,
    Scope,
    SpendingCycle,
    SpendingLimit,
    UsageRecord,
)
from billing.rules import domestic_limit_bounds
from billing.selectors import suggested_limit
from core.dates import format_day, local_today
from core.money import format_rupiah
from core.verdicts import Verdict

ORDER = 10  # after the line: spending limits, then bills


def _package(value) -> BasicPackage | None:
    if isinstance(value, BasicPackage):
        return value
    if value:
        return BasicPackage.objects.filter(code=str(value)).first()
    return None


def _offer(verdict: Verdict, *, package: BasicPackage, payment_method: str, tenure_months: int) -> tuple[int, int]:
    """LIM-06's suggestion and LIM-09's range as notes the agent reads out; returns the range."""
    minimum, maximum = domestic_limit_bounds(payment_method=payment_method, tenure_months=tenure_months)
    suggested = min(max(suggested_limit(tariff=package.monthly_fee, payment_method=payment_method), minimum), maximum)
    verdict.details.update({"suggested": suggested, "minimum": minimum, "maximum": maximum})
    verdict.details["notes"].extend([
        _("Suggested domestic limit for %(package)s (%(fee)s a month): %(amount)s.")
        % {"package": package.display_name, "fee": format_rupiah(package.monthly_fee),
           "amount": format_rupiah(suggested)},
        _("Allowed domestic limit: %(min)s to %(max)s.") % {"min": format_rupiah(minimum),
                                                            "max": format_rupiah(maximum)},
    ])
    return minimum, maximum


# Activation (LIM-12, LIM-13) -------------------------------------------------------------------------------------


def activation_check(transition: lifecycle.Transition) -> Verdict | None:
    if transition.kind != Line.Kind.POSTPAID or transition.billing_account is None:
        return None
    verdict = Verdict(details={"notes": []})
    package = _package(transition.params.get("package"))
    if package is None or not package.is_active:
        verdict.need("package_required", _("Choose the basic package."), field="package")
        return verdict
    minimum, maximum = _offer(verdict, package=package, payment_method=transition.billing_account.payment_method,
                              tenure_months=0)
    today = transition.today or local_today()
    start, end = cycle_for(today, transition.billing_account.bill_cycle_day)
    fee = prorate(package.monthly_fee, cycle_start=start, cycle_end=end, first_day=today, last_day=end)
    verdict.details["first_fee"] = fee
    verdict.details["notes"].append(
        _("First fee, prorated to %(start)s – %(end)s: %(fee)s.")
        % {"start": format_day(today), "end": format_day(end), "fee": format_rupiah(fee)})
    amount = transition.params.get("domestic_limit")
    if amount is None:
        verdict.need("limit_required", _("Choose the initial domestic limit."), field="domestic_limit")
    elif not minimum <= amount <= maximum:  # LIM-09
        verdict.refuse("out_of_range", _("The limit must be between %(min)s and %(max)s.")
                       % {"min": format_rupiah(minimum), "max": format_rupiah(maximum)})
    return verdict


def activation_apply(transition: lifecycle.Transition) -> dict | None:
    if transition.kind != Line.Kind.POSTPAID:
        return None
    from billing.services import spending_limit_open

    package = _package(transition.params["package"])
    spending_limit_open(line=transition.line, package=package, actor=transition.actor, channel=transition.channel,
                        today=transition.today, domestic_amount=transition.params["domestic_limit"])
    return {"package": package.code, "domestic_limit": transition.params["domestic_limit"]}


def activation_fields(kind: str) -> dict:
    return {
        "package": forms.ModelChoiceField(
            label=gettext_lazy("Basic package (postpaid)"), required=False,
            queryset=BasicPackage.objects.filter(is_active=True).order_by("monthly_fee", "name")),
        "domestic_limit": forms.IntegerField(
            label=gettext_lazy("Initial domestic limit (Rp, postpaid)"), required=False, min_value=0,
            help_text=gettext_lazy("The customer's choice within the allowed range.")),
    }


# Package change (LIM-13) -----------------------------------------------------------------------------------------


def package_change_check(transition: lifecycle.Transition) -> Verdict | None:
    verdict = Verdict(details={"notes": []})
    line = transition.line
    current = LinePackage.objects.select_related("package", "next_package").filter(line=line).first()
    limit = SpendingLimit.objects.filter(line=line, scope=Scope.DOMESTIC).first()
    if current is None or limit is None:
        verdict.refuse("no_limit", _("This line has no basic package and spending limit yet."))
        return verdict
    verdict.details["notes"].append(_("Current package: %(package)s.") % {"package": current.package.display_name})
    if current.next_package is not None:
        verdict.details["notes"].append(_("Already changing to %(package)s from %(date)s.") % {
            "package": current.next_package.display_name, "date": format_day(current.next_from)})
    package = _package(transition.params.get("package"))
    if package is None or not package.is_active:
        verdict.need("package_required", _("Choose the basic package."), field="package")
        return verdict
    if package.pk == current.package_id and current.next_package_id is None:
        verdict.refuse("same_package", _("The line already has %(package)s.") % {"package": package.display_name})
    starts = limit.cycle_end + dt.timedelta(days=1)
    verdict.details["next_from"] = starts
    verdict.details["notes"].append(_("%(package)s applies from the next cycle start, %(date)s.")
                                    % {"package": package.display_name, "date": format_day(starts)})
    today = transition.today or local_today()
    _offer(verdict, package=package, payment_method=line.billing_account.payment_method,
           tenure_months=full_months_between(line.activated_on or today, today))
    return verdict


def package_change_apply(transition: lifecycle.Transition) -> dict:
    line = transition.line
    limit = SpendingLimit.objects.select_for_update().get(line=line, scope=Scope.DOMESTIC)
    current = LinePackage.objects.select_for_update().select_related("package").get(line=line)
    package = _package(transition.params["package"])
    starts = limit.cycle_end + dt.timedelta(days=1)
    if package.pk == current.package_id:  # back to the current package: the pending change is dropped
        current.next_package, current.next_from = None, None
    else:
        current.next_package, current.next_from = package, starts
    current.save(update_fields=["next_package", "next_from"])
    return {"package": current.package.code, "next_package": package.code, "from": starts}


def package_change_fields(kind: str) -> dict:
    return {"package": forms.ModelChoiceField(
        label=gettext_lazy("New basic package"),
        queryset=BasicPackage.objects.filter(is_active=True).order_by("monthly_fee", "name"))}


# Termination (ACC-09, BIL-07, LIM-13) ----------------------------------------------------------------------------


def _last_fee(line: Line, limit: SpendingLimit, today: dt.date) -> tuple[int, int]:
    """(fee charged at the cycle start, fee due for the days up to the termination day)."""
    package = LinePackage.objects.select_related("package").filter(line=line).first()
    recorded = (UsageRecord.objects.filter(record_id=f"package:{line.pk}:{limit.cycle_start.isoformat()}")
                .values_list("amount", flat=True).first() or 0)
    if package is None:
        return recorded, 0
    first_day = max(limit.cycle_start, line.activated_on or limit.cycle_start)
    due = prorate(package.package.monthly_fee, cycle_start=limit.cycle_start, cycle_end=limit.cycle_end,
                  first_day=first_day, last_day=today)
    return recorded, min(due, recorded)


def termination_check(transition: lifecycle.Transition) -> Verdict | None:
    line = transition.line
    if line.kind != Line.Kind.POSTPAID:
        return None
    verdict = Verdict(details={"notes": []})
    today = transition.today or local_today()
    limit = SpendingLimit.objects.filter(line=line, scope=Scope.DOMESTIC).first()
    if limit is not None:
        _recorded, due = _last_fee(line, limit, today)
        verdict.details["last_fee"] = due
        verdict.details["notes"].append(_("The final bill has the basic package fee up to %(date)s: %(fee)s.")
                                        % {"date": format_day(today), "fee": format_rupiah(due)})
    owed = sum(bill.outstanding for bill in Bill.objects.filter(billing_account_id=line.billing_account_id,
                                                                 status=Bill.Status.OPEN))
    if owed:  # BIL-07
        verdict.details["notes"].append(_("Bills already issued stay owed: %(amount)s.")
                                        % {"amount": format_rupiah(owed)})
    return verdict


def termination_apply(transition: lifecycle.Transition) -> dict | None:
    """Close the line's limits for good (nothing counts or is charged after today), credit the unused days of the
    package fee, and issue the final bill when no other line of the account is still in service."""
    line = transition.line
    if line.kind != Line.Kind.POSTPAID or line.billing_account_id is None:
        return None
    from billing.services.bills import _bill_issue, bill_charge_add

    today = transition.today or local_today()
    limits = list(SpendingLimit.objects.select_for_update().filter(line=line).order_by("pk"))
    if not limits:
        return {"final_bill": None}
    domestic = next((limit for limit in limits if limit.scope == Scope.DOMESTIC), limits[0])
    recorded, due = _last_fee(line, domestic, today)
    if recorded > due:  # LIM-13: the last cycle's fee is prorated
        bill_charge_add(billing_account=line.billing_account, line=line, source=BillCharge.Source.ADJUSTMENT,
                        source_ref=f"prorate:{line.pk}:{domestic.cycle_start.isoformat()}", amount=due - recorded,
                        charged_on=today, description=_("Basic package prorated to the termination day %(date)s")
                        % {"date": format_day(today)})
    SpendingCycle.objects.bulk_create(
        [SpendingCycle(line=line, scope=limit.scope, cycle_start=limit.cycle_start, cycle_end=limit.cycle_end,
                       amount=limit.amount, used=limit.used, settled=limit.settled) for limit in limits],
        ignore_conflicts=True)
    SpendingLimit.objects.filter(pk__in=[limit.pk for limit in limits]).delete()
    LinePackage.objects.filter(line=line).update(next_package=None, next_from=None)
    others = Line.objects.filter(billing_account_id=line.billing_account_id, status=Line.Status.ACTIVE).exclude(
        pk=line.pk)
    bill = None
    if not others.exists():
        with transaction.atomic():
            bill = _bill_issue(account_id=line.billing_account_id, period_start=domestic.cycle_start,
                               period_end=today, today=today)
    return {"final_bill": bill.pk if bill else None, "final_bill_total": bill.total if bill else None,
            "last_fee": due}


# Transfer (ACC-06) -------------------------------------------------------------------------------------------------
# Decision: the old holder's usage stays the old account's debt and the new holder starts a cycle of their own. On
# the transfer day the line's usage of the cycle so far (rated usage, approved purchases, the package fee less the
# days from today on) is charged to the old account's next bill, and the line's limits restart at today on the new
# account's bill cycle with the package fee prorated from today (LIM-13). Bills already issued stay where they are
# (BIL-07). On the first day of the line's cycle nothing has been used yet by the old holder: the cycle goes along.


def _usage_so_far(line: Line, cycle_start: dt.date) -> list[dict]:
    """The line's usage and approved purchases of the cycle starting `cycle_start`, per kind and category."""
    usage = (UsageRecord.objects.filter(line=line, cycle_start=cycle_start)
             .values("category__code", "category__name").annotate(total=Sum("amount")).order_by("category__code"))
    purchases = (Purchase.objects.filter(line=line, cycle_start=cycle_start, decision=Decision.APPROVED)
                 .values("category__code", "category__name").annotate(total=Sum("amount"))
                 .order_by("category__code"))
    return ([{**row, "source": BillCharge.Source.USAGE} for row in usage]
            + [{**row, "source": BillCharge.Source.PURCHASE} for row in purchases])


def transfer_check(transition: lifecycle.Transition) -> Verdict | None:
    line, account = transition.line, transition.params.get("to_billing_account")
    if line.kind != Line.Kind.POSTPAID or account is None:
        return None
    verdict = Verdict(details={"notes": []})
    today = transition.today or local_today()
    limit = SpendingLimit.objects.filter(line=line, scope=Scope.DOMESTIC).first()
    if limit is not None and today > limit.cycle_start:
        owed = sum(row["total"] or 0 for row in _usage_so_far(line, limit.cycle_start))
        verdict.details["usage_so_far"] = owed
        verdict.details["notes"].append(
            _("The usage since %(start)s (%(amount)s) stays on account %(old)s; from today the line is billed to "
              "account %(new)s.") % {"start": date_format(limit.cycle_start, "j M Y"), "amount": format_rupiah(owed),
                                     "old": line.billing_account.number, "new": account.number})
    return verdict


def transfer_apply(transition: lifecycle.Transition) -> dict | None:
    line, account = transition.line, transition.params.get("to_billing_account")
    if line.kind != Line.Kind.POSTPAID or account is None or line.billing_account_id is None:
        return None
    from billing.services.bills import bill_charge_add

    today = transition.today or local_today()
    limits = list(SpendingLimit.objects.select_for_update().filter(line=line).order_by("pk"))
    domestic = next((limit for limit in limits if limit.scope == Scope.DOMESTIC), None)
    if domestic is None:
        return None
    old_start, end = domestic.cycle_start, cycle_for(today, account.bill_cycle_day)[1]
    moved = 0
    if today > old_start:
        for row in _usage_so_far(line, old_start):
            bill_charge_add(billing_account=line.billing_account, line=line, source=row["source"], charged_on=today,
                            source_ref=f"transfer:{line.pk}:{today.isoformat()}:{row['source']}:{row['category__code']}",
                            amount=row["total"], description=row["category__name"])
            moved += row["total"]
        recorded, due = _last_fee(line, domestic, today - dt.timedelta(days=1))
        if recorded > due:  # LIM-13: the old holder pays the package up to yesterday
            bill_charge_add(billing_account=line.billing_account, line=line, source=BillCharge.Source.ADJUSTMENT,
                            source_ref=f"transfer:{line.pk}:{today.isoformat()}:prorate", amount=due - recorded,
                            charged_on=today, description=_("Basic package prorated to the transfer on %(date)s")
                            % {"date": date_format(today, "j M Y")})
        SpendingLimit.objects.filter(pk__in=[limit.pk for limit in limits]).update(
            cycle_start=today, cycle_end=end, used=0, settled=0, warn_notified=False, full_notified=False)
        package = LinePackage.objects.select_related("package").filter(line=line).first()
        fee = prorate(package.package.monthly_fee, cycle_start=cycle_for(today, account.bill_cycle_day)[0],
                      cycle_end=end, first_day=today, last_day=end) if package else 0
        if fee:
            from billing.services.limits import usage_record

            line.billing_account = account  # the new holder's cycle and notifications
            usage_record(record_id=f"package:{line.pk}:{today.isoformat()}", line=line, scope=Scope.DOMESTIC,
                         category="basic_package", amount=fee, client="billing",
                         occurred_at=dt.datetime.combine(today, dt.time.min, tzinfo=timezone.get_current_timezone()))
    else:
        SpendingLimit.objects.filter(pk__in=[limit.pk for limit in limits]).update(cycle_end=end)
    return {"old_cycle_start": old_start, "usage_moved": moved, "cycle_start": today, "cycle_end": end}


def register() -> None:
    lifecycle.register(lifecycle.ACTIVATE, lifecycle.Participant(
        app="billing", order=ORDER, check=activation_check, apply=activation_apply, form_fields=activation_fields))
    lifecycle.register(lifecycle.PACKAGE_CHANGE, lifecycle.Participant(
        app="billing", order=ORDER, check=package_change_check, apply=package_change_apply,
        form_fields=package_change_fields))
    lifecycle.register(lifecycle.TERMINATE, lifecycle.Participant(
        app="billing", order=ORDER, check=termination_check, apply=termination_apply))
    lifecycle.register(lifecycle.TRANSFER, lifecycle.Participant(
        app="billing", order=ORDER, check=transfer_check, apply=transfer_apply))
