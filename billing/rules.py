"""Eligibility rules that explain themselves (Verdicts): what the agent reads out before submitting."""

import datetime as dt

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import BillingAccount, Line
from accounts.texts import line_not_active
from billing.cycles import full_months_between
from billing.models import LimitChange, Scope, SpendingLimit
from billing.selectors import account_oldest_open_bill, account_paid_late, line_package, suggested_limit
from billing.texts import pay_bill_step
from core.dates import format_day, local_today
from core.money import format_rupiah
from core.parameters import parameter
from core.verdicts import Reason, Verdict


def limit_bounds(*, line: Line, scope: str, today: dt.date) -> tuple[int, int]:
    """LIM-09: the allowed domestic amounts by tenure and payment method. International: 0 to its maximum."""
    if scope == Scope.INTERNATIONAL:
        return 0, parameter("limit_international_max")
    tenure = full_months_between(line.activated_on or today, today)
    return domestic_limit_bounds(payment_method=line.billing_account.payment_method, tenure_months=tenure)


def domestic_limit_bounds(*, payment_method: str, tenure_months: int) -> tuple[int, int]:
    """LIM-09 for a payment method and a tenure (0 for a new line, LIM-12)."""
    card = payment_method == BillingAccount.PaymentMethod.CREDIT_CARD
    minimum = parameter("limit_min_card") if card else parameter("limit_min_cash")
    if tenure_months >= parameter("limit_tenure_tier_months"):
        maximum = parameter("limit_max_tenured")
    else:
        maximum = parameter("limit_max_card_new") if card else parameter("limit_max_cash_new")
    return minimum, max(maximum, minimum)


def _upgrade_blockers(*, line: Line, today: dt.date) -> list[Reason]:
    """LIM-07: tenure, outstanding bill and (for some packages) the regular-customer policy, each with its figures."""
    blockers = []
    tenure = full_months_between(line.activated_on or today, today)
    needed = parameter("limit_upgrade_tenure_months")
    if tenure < needed:
        blockers.append(Reason("tenure", ngettext(
            "The line is %(months)d month old (since %(since)s); a limit upgrade needs %(needed)d months.",
            "The line is %(months)d months old (since %(since)s); a limit upgrade needs %(needed)d months.", tenure)
            % {"months": tenure, "since": format_day(line.activated_on or today), "needed": needed}))
    unpaid = account_oldest_open_bill(line.billing_account_id)
    if unpaid is not None:
        blockers.append(Reason("outstanding_bill", _("The bill of %(amount)s due %(due)s is unpaid")
                               % {"amount": format_rupiah(unpaid.outstanding), "due": format_day(unpaid.due_date)},
                               next_step=pay_bill_step(unpaid)))
    package = line_package(line)
    if package is not None and package.regular_customer_policy:
        cycles = parameter("regular_customer_cycles")
        late = account_paid_late(line.billing_account_id, cycles, today)
        if late:
            blockers.append(Reason("regular_customer_policy", _(
                "%(package)s needs no late payment in the last %(cycles)d bill cycles; the %(period)s bill was late.")
                % {"package": package.display_name, "cycles": cycles,
                   "period": date_format(late[0].period_start, "F Y")}))
    return blockers


def limit_change_eligibility(
    *, line: Line, new_amount: int | None = None, scope: str = Scope.DOMESTIC, today: dt.date | None = None,
) -> Verdict:
    """May this line's limit be changed (to `new_amount`)? Every reason that applies, plus `details`:
    current, minimum, maximum (LIM-09), upgrade_allowed and allowed_max (LIM-07), suggested (LIM-06),
    last_change_on (LIM-08). With no amount, the upgrade blockers are listed in details only."""
    today = today or local_today()
    verdict = Verdict()
    if line.kind != Line.Kind.POSTPAID or line.billing_account_id is None:
        verdict.refuse("not_postpaid", _("Only a KartuHalo (postpaid) line has a spending limit."))
        return verdict
    if line.status != Line.Status.ACTIVE:
        verdict.refuse("line_not_active", line_not_active(line))
        return verdict
    limit = SpendingLimit.objects.filter(line=line, scope=scope).first()
    if limit is None:
        verdict.refuse("no_limit", _("This line has no spending limit yet."))
        return verdict
    minimum, maximum = limit_bounds(line=line, scope=scope, today=today)
    blockers = _upgrade_blockers(line=line, today=today)
    package = line_package(line)
    if scope == Scope.DOMESTIC and package is not None:
        suggested = suggested_limit(tariff=package.monthly_fee, payment_method=line.billing_account.payment_method)
    else:
        suggested = limit.amount
    suggested = min(max(suggested, minimum), maximum)
    month_start = today.replace(day=1)
    last_change = (LimitChange.objects.filter(line=line, changed_on__gte=month_start, changed_on__lte=today)
                   .exclude(kind=LimitChange.Kind.INITIAL).order_by("-changed_on").first())
    verdict.details.update({
        "scope": scope, "current": limit.amount, "minimum": minimum, "maximum": maximum, "suggested": suggested,
        "upgrade_allowed": not blockers, "allowed_max": maximum if not blockers else max(min(limit.amount, maximum),
                                                                                          minimum),
        "upgrade_blockers": blockers,
        "last_change_on": last_change.changed_on if last_change else None,
    })
    if last_change is not None:  # LIM-08
        verdict.refuse("once_per_month", _("The limit was already changed on %(date)s; once per calendar month.")
                       % {"date": date_format(last_change.changed_on, "j F Y")})
    if new_amount is None:
        return verdict
    if new_amount == limit.amount:
        verdict.refuse("same_amount", _("The limit is already %(amount)s.") % {"amount": format_rupiah(new_amount)})
        return verdict
    if not minimum <= new_amount <= maximum:  # LIM-09
        verdict.refuse("out_of_range", _("The limit must be between %(min)s and %(max)s.")
                       % {"min": format_rupiah(minimum), "max": format_rupiah(maximum)})
    if new_amount > limit.amount:  # LIM-07 applies to upgrades only
        verdict.reasons.extend(blockers)
    return verdict
