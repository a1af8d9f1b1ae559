"""Monthly partitions of the tables that grow per event (issue 14), on PostgreSQL: what the migration built, the
partitions job (ranges in WIB months, idempotent, default rows moved, detach past retention), the keys that stay
unique over all months, the append-only triggers on every partition, and Django's pk / admin paths."""

import datetime as dt
import re

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from billing.models import Purchase, UsageRecord
from billing.services import purchase_authorize
from core.audit import audit_record
from core.dates import add_months
from core.models import AuditEvent, OutboundSms, Parameter
from core.partitions import (
    PARTITIONED,
    attached_months,
    month_bound,
    partition_name,
    partitions_detach,
    partitions_ensure,
    partitions_maintain,
)
from core.tasks import partitions_maintain_task
from prepaid.models import LedgerEntry
from tests.accounts.factories import LineFactory
from tests.billing.factories import TODAY, open_line
from tests.prepaid.factories import CardFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

UTC = dt.UTC
TABLES = ["billing_purchase", "billing_usagerecord", "prepaid_ledgerentry", "core_auditevent", "core_outboundsms"]
LEDGER = "prepaid_ledgerentry"


def _one(sql, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def _partition_of(table: str, pk: int) -> str:
    return _one(f"SELECT tableoid::regclass::text FROM {table} WHERE id = %s", [pk])[0]


def _entry(card, reference: str, at: dt.datetime) -> LedgerEntry:
    return LedgerEntry.objects.create(card=card, kind=LedgerEntry.Kind.ADJUSTMENT, amount=1_000, balance_after=1_000,
                                      reference=reference, created_at=at, note="test")


def _bounds(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL TIME ZONE 'UTC'")
        cursor.execute("SELECT pg_get_expr(relpartbound, oid) FROM pg_class WHERE relname = %s", [name])
        return cursor.fetchone()[0]


# --- what the migration built -----------------------------------------------------------------------------------


@pytest.mark.parametrize("table", TABLES)
def test_the_table_is_partitioned_by_month_with_a_default_and_months_ahead(table):
    assert _one("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [table])[0] == "p"
    assert _one("SELECT pg_get_partkeydef(to_regclass(%s))", [table])[0] == "RANGE (created_at)"
    assert _one("SELECT to_regclass(%s) IS NOT NULL", [f"{table}_default"])[0]
    this_month = timezone.localdate().replace(day=1)
    months = attached_months(table)
    assert this_month in months
    assert months[-1] >= this_month.replace(year=this_month.year + (this_month.month + 1) // 12,
                                            month=(this_month.month + 1) % 12 + 1)  # at least 2 months ahead
    assert table in PARTITIONED


@pytest.mark.parametrize("table", TABLES)
def test_the_database_primary_key_is_the_id_with_the_partition_key(table):
    definition = _one("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = to_regclass(%s) "
                      "AND contype = 'p'", [table])[0]
    assert definition == "PRIMARY KEY (id, created_at)"


def test_foreign_keys_to_partitioned_rows_point_at_the_key_tables():
    with connection.cursor() as cursor:
        cursor.execute("SELECT conrelid::regclass::text, pg_get_constraintdef(oid) FROM pg_constraint "
                       "WHERE contype = 'f' AND confrelid IN (to_regclass('prepaid_ledgerentry_key'), "
                       "to_regclass('core_outboundsms_key'))")
        found = dict(cursor.fetchall())
    assert "REFERENCES prepaid_ledgerentry_key(entry_id)" in found["prepaid_packagepurchase"]
    assert "REFERENCES prepaid_ledgerentry_key(entry_id)" in found["prepaid_simreplacement"]
    assert "REFERENCES core_outboundsms_key(sms_id)" in found["core_deliveryreport"]


def test_a_package_purchase_for_a_ledger_entry_that_does_not_exist_is_refused():
    from prepaid.models import PackagePurchase

    card = CardFactory(balance=50_000)
    with pytest.raises(IntegrityError), transaction.atomic():
        PackagePurchase.objects.create(card=card, package_id=1, reference="pp:none", price=1, entry_id=987_654_321,
                                       valid_until=dt.date(2027, 1, 1))
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


# --- month boundaries in WIB ------------------------------------------------------------------------------------


def test_a_month_starts_at_midnight_wib_on_the_first():
    assert month_bound(dt.date(2031, 2, 1)) == "2031-02-01 00:00:00+07:00"
    partitions_ensure(LEDGER, "created_at", months_ahead=1, today=dt.date(2031, 1, 15))
    assert _bounds(partition_name(LEDGER, dt.date(2031, 2, 1))) == (
        "FOR VALUES FROM ('2031-01-31 17:00:00+00') TO ('2031-02-28 17:00:00+00')")
    card = CardFactory()
    last_second_of_january = _entry(card, "b:1", dt.datetime(2031, 1, 31, 16, 59, 59, tzinfo=UTC))  # 23:59:59 WIB
    first_instant_of_february = _entry(card, "b:2", dt.datetime(2031, 1, 31, 17, 0, tzinfo=UTC))  # 00:00 WIB
    assert _partition_of(LEDGER, last_second_of_january.pk) == "prepaid_ledgerentry_p2031_01"
    assert _partition_of(LEDGER, first_instant_of_february.pk) == "prepaid_ledgerentry_p2031_02"


# --- the job ----------------------------------------------------------------------------------------------------


def test_ensure_creates_this_month_and_the_months_ahead_once():
    today = dt.date(2032, 11, 20)
    created = partitions_ensure(LEDGER, "created_at", months_ahead=2, today=today)
    assert created == ["prepaid_ledgerentry_p2032_11", "prepaid_ledgerentry_p2032_12", "prepaid_ledgerentry_p2033_01"]
    assert partitions_ensure(LEDGER, "created_at", months_ahead=2, today=today) == []
    assert _bounds("prepaid_ledgerentry_p2033_01") == (
        "FOR VALUES FROM ('2032-12-31 17:00:00+00') TO ('2033-01-31 17:00:00+00')")


def test_the_job_is_idempotent_and_scheduled():
    from core.schedules import SCHEDULES

    today = timezone.localdate()
    # the migration made this month and the 3 ahead; a supervisor asks for 5 ahead
    Parameter.objects.update_or_create(code="partitions_months_ahead", defaults={"value": 5, "description": "x"})
    first = partitions_maintain(today=today)
    assert set(first) == set(TABLES)
    for table, done in first.items():
        assert done == {"created": [partition_name(table, add_months(today.replace(day=1), n)) for n in (4, 5)],
                        "detached": []}
    again = partitions_maintain(today=today)
    assert all(done == {"created": [], "detached": []} for done in again.values())
    assert partitions_maintain_task() == {table: {"created": [], "detached": []} for table in TABLES}
    assert SCHEDULES["core: monthly partitions"].task == "core.tasks.partitions_maintain_task"


def test_rows_caught_by_the_default_partition_move_into_their_month_when_it_is_created():
    card = CardFactory()
    entry = _entry(card, "late:1", dt.datetime(2034, 3, 10, 12, 0, tzinfo=UTC))
    with connection.cursor() as cursor:  # as in the job's own transaction: no foreign-key check pending
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    assert _partition_of(LEDGER, entry.pk) == "prepaid_ledgerentry_default"
    assert partitions_ensure(LEDGER, "created_at", months_ahead=0, today=dt.date(2034, 3, 1)) == [
        "prepaid_ledgerentry_p2034_03"]
    assert _partition_of(LEDGER, entry.pk) == "prepaid_ledgerentry_p2034_03"
    assert LedgerEntry.objects.get(pk=entry.pk).reference == "late:1"
    with pytest.raises(IntegrityError), transaction.atomic():  # its reference is still taken
        _entry(card, "late:1", dt.datetime(2034, 3, 11, tzinfo=UTC))


def test_months_past_retention_are_detached_not_dropped_and_stay_append_only():
    partitions_ensure(LEDGER, "created_at", months_ahead=1, today=dt.date(2019, 3, 1))
    card = CardFactory()
    old = _entry(card, "old:1", dt.datetime(2019, 3, 5, tzinfo=UTC))
    kept = _entry(card, "old:2", dt.datetime(2019, 4, 5, tzinfo=UTC))
    # 10 years kept, counted in months before 1 April 2029: March 2019 goes, April 2019 stays.
    detached = partitions_detach(LEDGER, retention_months=120, today=dt.date(2029, 4, 15))
    assert detached == ["prepaid_ledgerentry_p2019_03"]
    assert not LedgerEntry.objects.filter(pk=old.pk).exists()
    assert LedgerEntry.objects.filter(pk=kept.pk).exists()
    assert _one("SELECT count(*) FROM prepaid_ledgerentry_p2019_03")[0] == 1  # archived, not dropped
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE prepaid_ledgerentry_p2019_03 SET amount = 1")
    assert partitions_detach(LEDGER, retention_months=120, today=dt.date(2029, 4, 15)) == []


# --- keys unique over all months, replays across the partition key ----------------------------------------------


def _purchase_last_month(request_id: str, line, amount: int) -> int:
    last_month = dt.datetime(2026, 10, 15, 3, 0, tzinfo=UTC)
    partitions_ensure("billing_purchase", "created_at", months_ahead=0, today=dt.date(2026, 10, 1))
    return _one(
        "INSERT INTO billing_purchase (request_id, line_id, scope, category_code, amount, description, channel, "
        "client, decision, reason, counted, created_at) VALUES (%s, %s, 'domestic', 'addon', %s, '', 'api', '', "
        "'approved', '', false, %s) RETURNING id", [request_id, line.pk, amount, last_month])[0]


def test_a_purchase_replayed_in_a_later_month_returns_the_first_decision():
    line = open_line()
    first_id = _purchase_last_month("replay-across-months", line, 5_000)
    assert _partition_of("billing_purchase", first_id) == "billing_purchase_p2026_10"
    replay = purchase_authorize(request_id="replay-across-months", line=line, scope="domestic", category="addon",
                                amount=5_000, today=TODAY)
    assert replay.replayed is True
    assert replay.pk == first_id
    assert Purchase.objects.filter(request_id="replay-across-months").count() == 1


def test_a_usage_record_id_is_unique_over_all_months():
    from billing.services import usage_record

    line = open_line()

    record, created = usage_record(record_id="u-1", line=line, scope="domestic", category="addon", amount=700,
                                   occurred_at=timezone.now())
    assert created
    again, created_again = usage_record(record_id="u-1", line=line, scope="domestic", category="addon", amount=700,
                                        occurred_at=timezone.now())
    assert (again.pk, created_again) == (record.pk, False)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("INSERT INTO billing_usagerecord (record_id, line_id, scope, category_id, amount, occurred_at, "
                       "counted, cycle_start, client, created_at) SELECT record_id, line_id, scope, category_id, "
                       "amount, occurred_at, counted, cycle_start, client, %s FROM billing_usagerecord WHERE id = %s",
                       [dt.datetime(2036, 1, 1, tzinfo=UTC), record.pk])


def test_an_sms_dedup_key_is_unique_over_all_months():
    from core.outbox import sms_enqueue
    from tests.core.factories import SmsTemplateFactory

    SmsTemplateFactory(code="t_part", text_id="Halo", text_en="Hello", variables="")
    first = sms_enqueue(msisdn="+6281234567890", template_code="t_part", context={}, dedup_key="d-1")
    assert sms_enqueue(msisdn="+6281234567890", template_code="t_part", context={}, dedup_key="d-1").pk == first.pk
    with pytest.raises(IntegrityError), transaction.atomic():
        OutboundSms.objects.bulk_create([OutboundSms(msisdn="+6281234567890", template_code="t_part", text="x",
                                                     dedup_key="d-1", next_attempt_at=timezone.now())])
    assert OutboundSms.objects.filter(dedup_key="d-1").count() == 1


def test_a_deleted_sms_frees_its_dedup_key_and_a_changed_key_moves():
    from core.models import OutboundSmsKey

    sms = OutboundSms.objects.create(msisdn="+6281234567890", template_code="x", text="x", dedup_key="gone-1",
                                     next_attempt_at=timezone.now())
    assert OutboundSmsKey.objects.get(dedup_key="gone-1").sms_id == sms.pk
    sms.status = OutboundSms.Status.DEAD
    sms.next_attempt_at = None
    sms.save()  # every column is written, the key unchanged: the key row stays as it was
    assert OutboundSmsKey.objects.get(dedup_key="gone-1").sms_id == sms.pk
    OutboundSms.objects.filter(pk=sms.pk).update(dedup_key="moved-1")
    assert list(OutboundSmsKey.objects.values_list("dedup_key", flat=True)) == ["moved-1"]
    OutboundSms.objects.filter(pk=sms.pk).delete()
    assert not OutboundSmsKey.objects.exists()
    again = OutboundSms.objects.create(msisdn="+6281234567890", template_code="x", text="x", dedup_key="moved-1",
                                       next_attempt_at=timezone.now())
    assert OutboundSmsKey.objects.get(dedup_key="moved-1").sms_id == again.pk


# --- append-only on every partition, Django's pk and the admin --------------------------------------------------


@pytest.fixture
def rows(agent):
    line = open_line()
    purchase = purchase_authorize(request_id="ao-part", line=line, scope="domestic", category="addon",
                                  amount=5_000, today=TODAY)
    audit = audit_record(actor=agent, verb="test.append_only", subject=LineFactory(), reason="test")
    card = CardFactory(balance=5_000)
    return {Purchase: purchase, UsageRecord: UsageRecord.objects.filter(line=line).first(), AuditEvent: audit,
            LedgerEntry: LedgerEntry.objects.filter(card=card).first()}


@pytest.mark.parametrize("model", [Purchase, UsageRecord, AuditEvent, LedgerEntry], ids=lambda m: m.__name__)
def test_a_partition_refuses_update_and_delete(rows, model):
    row = rows[model]
    partition = _partition_of(model._meta.db_table, row.pk)
    assert partition != model._meta.db_table  # a partition, not the parent
    for sql in (f"UPDATE {partition} SET id = id WHERE id = %s", f"DELETE FROM {partition} WHERE id = %s"):
        with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql, [row.pk])
    assert model.objects.get(pk=row.pk) == row


def test_get_by_pk_and_new_rows_keep_their_ids(rows):
    purchase = rows[Purchase]
    assert Purchase.objects.get(pk=purchase.pk).request_id == "ao-part"
    later = purchase_authorize(request_id="ao-part-2", line=purchase.line, scope="domestic", category="addon",
                               amount=1_000, today=TODAY)
    assert later.pk > purchase.pk
    sms = OutboundSms.objects.create(msisdn="+6281234567890", template_code="x", text="x", dedup_key="pk-1",
                                     next_attempt_at=timezone.now())
    sms.status = OutboundSms.Status.DEAD  # the outbox's rows change state: a save updates the row in its partition
    sms.next_attempt_at = None
    sms.save()
    assert OutboundSms.objects.get(pk=sms.pk).status == OutboundSms.Status.DEAD


@pytest.mark.parametrize("model", [Purchase, UsageRecord, AuditEvent, LedgerEntry], ids=lambda m: m.__name__)
def test_the_admin_lists_and_shows_partitioned_rows(rows, supervisor_client, model):
    row = rows[model]
    opts = model._meta
    listing = supervisor_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert listing.status_code == 200
    detail = supervisor_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[row.pk]))
    assert detail.status_code == 200


# --- the hot queries prune to one partition or use the partitions' index ----------------------------------------


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_a_date_bounded_query_prunes_to_one_partition(rows):
    line = rows[Purchase].line
    month = timezone.localdate().replace(day=1)
    start = dt.datetime.fromisoformat(month_bound(month))
    end = start + dt.timedelta(days=32)
    end = dt.datetime.fromisoformat(month_bound(end.date().replace(day=1)))
    plan = _plan(Purchase.objects.filter(line=line, created_at__gte=start, created_at__lt=end)
                 .order_by("-created_at")[:20])
    this = partition_name("billing_purchase", month)
    assert this in plan
    assert "billing_purchase_default" not in plan
    assert re.findall(r" on (billing_purchase_\w+)", plan) == [this], plan
    timeline = _plan(AuditEvent.objects.filter(line=line, created_at__gte=start, created_at__lt=end)
                     .order_by("-created_at", "-id")[:50])
    assert re.findall(r" on (core_auditevent_\w+)", timeline) == [partition_name("core_auditevent", month)], timeline


def test_a_line_s_ledger_page_and_timeline_use_each_partition_s_index(rows):
    from accounts.selectors import line_timeline
    from prepaid.selectors import card_ledger

    card = rows[LedgerEntry].card
    ledger = _plan(card_ledger(card)[:20])
    assert "Seq Scan" not in ledger, ledger
    assert "card_id_created_at_id_idx" in ledger, ledger  # ledger_card_time, per partition
    timeline = _plan(line_timeline(rows[Purchase].line))
    assert "Seq Scan" not in timeline and "line_id_created_at_idx" in timeline, timeline  # audit_line_time


def test_the_outbox_claim_and_the_replay_lookup_use_each_partition_s_index():
    from django.db.models import Q

    now = timezone.now()
    due = Q(status__in=["queued", "failed"], next_attempt_at__lte=now) | Q(status="sending", lease_until__lte=now)
    claim = _plan(OutboundSms.objects.filter(due).order_by("next_attempt_at", "id")[:20])
    assert "Seq Scan" not in claim and "status_next_attempt_at_idx" in claim, claim  # sms_due, per partition
    replay = _plan(Purchase.objects.filter(request_id="x"))
    assert "Seq Scan" not in replay and "request_id_idx" in replay, replay


# --- the conversion on a table that has rows --------------------------------------------------------------------


def test_the_conversion_keeps_rows_ids_keys_foreign_keys_and_the_append_only_trigger():
    from core.append_only import _PG_FUNCTION
    from core.partitions import UniqueKey, convert_to_partitioned

    with connection.cursor() as cursor:
        cursor.execute(_PG_FUNCTION, None)
        cursor.execute("CREATE TABLE t_event (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "
                       "ref varchar(20) NOT NULL UNIQUE, amount int NOT NULL CONSTRAINT t_event_amount CHECK "
                       "(amount > 0), created_at timestamptz NOT NULL)")
        cursor.execute("CREATE INDEX t_event_time ON t_event (created_at DESC)")
        cursor.execute("CREATE TRIGGER t_event_append_only BEFORE UPDATE OR DELETE ON t_event FOR EACH ROW "
                       "EXECUTE FUNCTION append_only_refuse()")
        cursor.execute("CREATE TABLE t_event_key (ref varchar(20) PRIMARY KEY, event_id bigint UNIQUE, "
                       "created_at timestamptz NOT NULL)")
        cursor.execute("INSERT INTO t_event (ref, amount, created_at) VALUES ('a', 1, '2026-09-10 12:00+07'), "
                       "('b', 2, '2026-11-30 23:59:59+07'), ('c', 3, now())")
        cursor.execute("CREATE TABLE t_ref (id serial PRIMARY KEY, event_id bigint NOT NULL "
                       "CONSTRAINT t_ref_event REFERENCES t_event (id) DEFERRABLE INITIALLY DEFERRED)")
        cursor.execute("INSERT INTO t_ref (event_id) SELECT id FROM t_event WHERE ref = 'a'")
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # as in a migration of its own: no check pending
    with connection.schema_editor(atomic=False) as editor:
        convert_to_partitioned(editor, "t_event", "created_at",
                               key=UniqueKey(column="ref", key_table="t_event_key", key_column="ref",
                                             id_column="event_id"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT ref, id, tableoid::regclass::text FROM t_event ORDER BY id")
        assert cursor.fetchall() == [(ref, pk, f"t_event_p{month}") for ref, pk, month in
                                     [("a", 1, "2026_09"), ("b", 2, "2026_11"),
                                      ("c", 3, timezone.localdate().strftime("%Y_%m"))]]
        assert attached_months("t_event")[0] == dt.date(2026, 9, 1)
        cursor.execute("SELECT ref, event_id FROM t_event_key ORDER BY event_id")
        assert cursor.fetchall() == [("a", 1), ("b", 2), ("c", 3)]
        cursor.execute("INSERT INTO t_event (ref, amount, created_at) VALUES ('d', 4, now()) RETURNING id")
        assert cursor.fetchone()[0] == 4  # the ids go on
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 't_event' ORDER BY 1")
        assert [row[0] for row in cursor.fetchall()] == ["t_event_pkey", "t_event_ref_key", "t_event_time"]
        cursor.execute("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 't_ref_event'")
        assert cursor.fetchone()[0].startswith("FOREIGN KEY (event_id) REFERENCES t_event_key(event_id)")
    for sql, error in [("INSERT INTO t_event (ref, amount, created_at) VALUES ('a', 5, '2030-01-01')", "t_event_key"),
                       ("INSERT INTO t_event (ref, amount, created_at) VALUES ('e', 0, now())", "t_event_amount"),
                       ("UPDATE t_event_p2026_09 SET amount = 9", "append-only")]:
        with pytest.raises(IntegrityError, match=error), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
