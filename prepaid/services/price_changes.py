"""PRE-08: package price changes take effect on a stated date and are announced before it; until then the old
price applies (prices are read by date: `prepaid.selectors.list_prices`)."""

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Line
from core.audit import audit_record
from core.jobs import ChunkResult
from core.models import Channel
from core.money import format_rupiah
from core.outbox import sms_enqueue
from core.parameters import parameter
from core.verdicts import RuleViolation
from prepaid.models import Card, Package, PackagePurchase, PriceChange
from prepaid.rules import price_change_eligibility
from prepaid.selectors import list_prices

TEMPLATE = "prepaid_price_change"


def price_change_schedule(
    *, package: Package, new_price: int, effective_on: dt.date, reason: str, actor, new_prime_price: int | None = None,
    today: dt.date | None = None,
) -> PriceChange:
    """A supervisor schedules new prices for a package from a date at least the lead time away. The announcement SMS
    go out from the `prepaid.price_changes` job (within the hour), once per affected customer."""
    today = today or timezone.localdate()
    reason = (reason or "").strip()
    if not (actor is not None and actor.has_perm("prepaid.add_pricechange")):
        raise RuleViolation.single("not_allowed", _("Only a supervisor may schedule a price change."))
    if not reason:
        raise RuleViolation.single("reason_required", _("Give the reason for the price change."))
    with transaction.atomic():
        package = Package.objects.select_for_update().get(pk=package.pk)
        price_change_eligibility(package=package, new_price=new_price, new_prime_price=new_prime_price,
                                 effective_on=effective_on, today=today).raise_if_refused()
        old_price, old_prime = list_prices(package, effective_on - dt.timedelta(days=1))
        try:
            with transaction.atomic():
                change = PriceChange.objects.create(
                    package=package, new_price=new_price, new_prime_price=new_prime_price, effective_on=effective_on,
                    scheduled_on=today, scheduled_by=actor, reason=reason[:255],
                )
        except IntegrityError:
            raise RuleViolation.single("already_scheduled", _("This package already has a price change on %(date)s.")
                                       % {"date": effective_on.strftime("%d-%m-%Y")}) from None
        audit_record(actor=actor, channel=Channel.ADMIN, verb="package.price_change_scheduled", subject=change,
                     old={"price": old_price, "prime_price": old_prime},
                     new={"price": new_price, "prime_price": new_prime_price, "effective_on": effective_on},
                     reason=reason)
    return change


def _audience(change: PriceChange, size: int) -> list[dict]:
    """Customers (one line each) whose card, active or in grace, bought the package recently, after the cursor."""
    since = dt.datetime.combine(change.scheduled_on - dt.timedelta(days=parameter("price_change_audience_days")),
                                dt.time.min, tzinfo=timezone.get_current_timezone())
    return list(
        PackagePurchase.objects.filter(package_id=change.package_id, purchased_at__gte=since,
                                       card__state__in=[Card.State.ACTIVE, Card.State.GRACE],
                                       card__line__customer_id__gt=change.announce_cursor)
        .values("card__line__customer_id").annotate(line_id=Min("card__line_id"))
        .order_by("card__line__customer_id")[:size]
    )


def price_changes_announce_chunk(*, size: int = 500) -> ChunkResult:
    """Queue the announcement of one change to its next `size` customers, in one transaction with the change's
    cursor. A legal notice: sent whatever the marketing consent says (ACC-11). Once per customer and change (dedup
    key), so a re-run or a crash between chunks never sends twice."""
    with transaction.atomic():
        change = (PriceChange.objects.select_for_update(skip_locked=True).select_related("package")
                  .filter(announced_at__isnull=True).order_by("effective_on", "pk").first())
        if change is None:
            return ChunkResult(selected=0)
        rows = _audience(change, size)
        lines = Line.objects.select_related("customer").in_bulk([row["line_id"] for row in rows])
        old_price, _old_prime = list_prices(change.package, change.effective_on - dt.timedelta(days=1))
        context = {"brand": settings.CUSTOMER_PREPAID_BRAND, "call_centre": settings.CUSTOMER_PREPAID_CALL_CENTRE,
                   "package": change.package.display_name, "old_price": format_rupiah(old_price),
                   "new_price": format_rupiah(change.new_price),
                   "effective_on": change.effective_on.strftime("%d-%m-%Y")}
        for row in rows:
            line = lines[row["line_id"]]
            sms_enqueue(msisdn=line.msisdn, line=line, template_code=TEMPLATE, context=context,
                        language=line.customer.language,
                        dedup_key=f"price-change:{change.pk}:{row['card__line__customer_id']}")
        change.announced_count += len(rows)
        if rows:
            change.announce_cursor = rows[-1]["card__line__customer_id"]
        fields = ["announced_count", "announce_cursor"]
        if len(rows) < size:
            change.announced_at = timezone.now()
            fields.append("announced_at")
            audit_record(actor=None, channel=Channel.SYSTEM, verb="package.price_change_announced", subject=change,
                         new={"customers": change.announced_count, "effective_on": change.effective_on})
        change.save(update_fields=fields)
    return ChunkResult(selected=max(len(rows), 1), changed=len(rows))


def price_changes_apply_chunk(*, today: dt.date, size: int = 100) -> ChunkResult:
    """On (or after) its date a change's prices are copied into its package, in date order, so the catalogue shows
    them; purchases already paid the new price from the first minute of the day (read by date)."""
    with transaction.atomic():
        changes = list(PriceChange.objects.select_for_update(skip_locked=True)
                       .filter(effective_on__lte=today, applied_at__isnull=True).order_by("effective_on", "pk")[:size])
        for change in changes:
            package = Package.objects.select_for_update().get(pk=change.package_id)
            old = {"price": package.price, "prime_price": package.prime_price}
            package.price, package.prime_price = change.new_price, change.new_prime_price
            package.save(update_fields=["price", "prime_price"])
            change.applied_at = timezone.now()
            change.save(update_fields=["applied_at"])
            audit_record(actor=None, channel=Channel.SYSTEM, verb="package.price_changed", subject=package, old=old,
                         new={"price": change.new_price, "prime_price": change.new_prime_price,
                              "price_change": change.pk})
    return ChunkResult(selected=len(changes), changed=len(changes))
