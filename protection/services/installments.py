"""TecProtec instalments: the next due month charged and posted to the bill (TP-03)."""

import datetime as dt

from django.db import transaction

from core.dates import add_months
from core.jobs import ChunkResult
from protection.models import Enrollment, Installment


def _bill_post(installment: Installment) -> str:
    """Post an instalment to the postpaid bill when billing offers line items (idempotent by source ref)."""
    from protection.billing_link import bill_item_post

    return bill_item_post(installment)


def _installment_charge_next(*, enrollment: Enrollment) -> Installment | None:
    """Charge the next due month of a locked, active enrollment and move next_charge_on on (TP-03).

    Unique (enrollment, month_index) makes a second charge of the same month impossible."""
    month_index = enrollment.installments_charged + 1
    if month_index > enrollment.installment_count:
        enrollment.next_charge_on = None
        enrollment.save(update_fields=["next_charge_on"])
        return None
    installment = Installment.objects.create(
        enrollment=enrollment, month_index=month_index, amount=enrollment.installment_amount,
        due_on=add_months(enrollment.start_date, month_index - 1),
    )
    enrollment.installments_charged = month_index
    enrollment.next_charge_on = (add_months(enrollment.start_date, month_index)
                                 if month_index < enrollment.installment_count else None)
    enrollment.save(update_fields=["installments_charged", "next_charge_on"])
    ref = _bill_post(installment)
    if ref:
        installment.bill_ref = ref
        installment.save(update_fields=["bill_ref"])
    return installment


def installments_charge_chunk(*, today: dt.date, limit: int = 500) -> ChunkResult:
    """One chunk of the monthly instalment job (TP-03): active enrollments whose next charge is due, locked with
    SKIP LOCKED so workers share the work; charging moves next_charge_on on, so a re-run finds nothing left."""
    changed = 0
    with transaction.atomic():
        due = list(
            Enrollment.objects.select_for_update(skip_locked=True)
            .filter(status=Enrollment.Status.ACTIVE, next_charge_on__lte=today)
            .order_by("next_charge_on", "pk")[:limit]
        )
        for enrollment in due:
            if _installment_charge_next(enrollment=enrollment) is not None:
                changed += 1
    return ChunkResult(selected=len(due), changed=changed, skipped=len(due) - changed)
