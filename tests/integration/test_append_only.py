"""Append-only money and history (issue 15): ledger entries, audit events, purchases, usage records and payments
refuse UPDATE and DELETE in the ORM and, on PostgreSQL, in the database itself (raw SQL through the app's role)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from billing.models import Payment, Purchase, UsageRecord
from billing.services import payment_current_usage, purchase_authorize
from core.audit import audit_record
from core.models import AuditEvent
from prepaid.models import LedgerEntry
from tests.accounts.factories import LineFactory
from tests.billing.factories import TODAY, open_line

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(agent):
    """One row of each append-only table, written by the services."""
    from tests.prepaid.test_concurrency import _cards

    line = open_line()
    purchase = purchase_authorize(request_id="ao-1", line=line, scope="domestic", category="addon", amount=5_000,
                                  today=TODAY)
    payment = payment_current_usage(line=line, amount=1_000, method="cash", reference="AO-PAY-1", actor=agent)
    audit = audit_record(actor=agent, verb="test.append_only", subject=LineFactory(), reason="test")
    _cards(1, 9100, balance=5_000)
    return {
        Purchase: purchase, UsageRecord: UsageRecord.objects.filter(line=line).first(), Payment: payment,
        AuditEvent: audit, LedgerEntry: LedgerEntry.objects.first(),
    }


MODELS = [Purchase, UsageRecord, Payment, AuditEvent, LedgerEntry]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_orm_refuses_save_update_and_delete(rows, model):
    row = rows[model]
    assert row is not None
    with pytest.raises(ValidationError) as refused:
        row.save()
    assert refused.value.code == "append_only"
    with pytest.raises(ValidationError):
        row.delete()
    with pytest.raises(ValidationError):
        model.objects.filter(pk=row.pk).update(pk=row.pk)
    with pytest.raises(ValidationError):
        model.objects.filter(pk=row.pk).delete()
    assert model.objects.filter(pk=row.pk).exists()


@pytest.mark.postgres
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_database_refuses_update_and_delete_through_raw_sql(rows, model):
    row = rows[model]
    table = model._meta.db_table
    for sql in (f"UPDATE {table} SET id = id WHERE id = %s", f"DELETE FROM {table} WHERE id = %s"):
        with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql, [row.pk])
    assert model.objects.filter(pk=row.pk).exists()


def test_a_new_row_is_still_written(rows, agent):
    before = AuditEvent.objects.count()
    audit_record(actor=agent, verb="test.correction", subject=LineFactory(), reason="compensating row")
    assert AuditEvent.objects.count() == before + 1
