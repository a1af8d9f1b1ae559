"""The retention job (UU 27/2022 PDP): a customer whose last line ended `personal_data_retention_years` ago loses
their identity; bills, payments, ledgers and the rest of the money records stay, pointing at the anonymous row.

Decision: "more than N years" is read as N whole calendar years elapsed: a line that ended on 1 Dec 2021 is
anonymised from 1 Dec 2026 (N = 5), not on 30 Nov 2026.
"""

import datetime as dt

from django.db import connection
from django.db.models import CharField, Count, Max, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils.translation import gettext_noop as N_

from core.dates import add_months
from core.jobs import ChunkResult
from core.parameters import parameter

PARAMETERS = {
    # code: (value, unit, rule, description)
    "personal_data_retention_years": (
        5, N_("years"), "UU 27/2022",
        N_("Years after a customer's last line ended before their identity is removed (money records stay)."),
    ),
}
RETENTION_CHUNK = 500


def retention_cutoff(today: dt.date) -> dt.date:
    """The latest last-line end date that is past retention today."""
    return add_months(today, -12 * parameter("personal_data_retention_years"))


def _due_customers(cutoff: dt.date):
    from accounts.models import Customer, Line

    ended = Q(lines__status__in=[Line.Status.TERMINATED, Line.Status.RECYCLED])
    return (Customer.objects.filter(anonymisation__isnull=True, lines__isnull=False)
            .annotate(open_lines=Count("lines", filter=~ended), last_end=Max("lines__terminated_on"))
            .filter(open_lines=0, last_end__lte=cutoff))


def retention_chunk(*, today: dt.date, size: int = RETENTION_CHUNK) -> ChunkResult:
    """Anonymise up to `size` due customers in the caller's transaction (one set-based UPDATE)."""
    from accounts.models import Customer
    from security.models import Anonymisation

    due = dict(_due_customers(retention_cutoff(today)).values_list("pk", "last_end")[:size])
    if not due:
        return ChunkResult(selected=0)
    locked = Customer.objects.filter(pk__in=list(due)).exclude(
        pk__in=Anonymisation.objects.values("customer_id"))
    if connection.features.has_select_for_update_skip_locked:
        locked = locked.select_for_update(skip_locked=True)
    ids = list(locked.values_list("pk", flat=True))
    pk_text = Cast("pk", CharField())
    Customer.objects.filter(pk__in=ids).update(
        full_name=Concat(Value("Anonymised customer "), pk_text), id_number=Concat(Value("ANON-"), pk_text),
        birth_date=None, address="", city="", contact_phone="", email="", jabodetabek=None,
    )
    Anonymisation.objects.bulk_create(
        [Anonymisation(customer_id=pk, last_line_ended_on=due[pk]) for pk in ids])
    return ChunkResult(selected=len(due), changed=len(ids), skipped=len(due) - len(ids))
