"""`manage.py bench_lifecycle --cards 1000000 --confirm`: the daily lifecycle job (PRE-02) against the raw SQL that
makes the same changes, in the same run, on PostgreSQL.

Loads N bench cards (10 % due: half active past their active-until, half at the end of grace), times the raw SQL
inside a transaction that is rolled back, then times the real job (`job_run` + `lifecycle_chunk`, committed per
chunk), checks both changed the same rows, and prints the ratio. The bench rows (numbers +62899…) are removed at the
start and at the end.
"""

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from core.jobs import job_run
from core.models import JobRun
from prepaid.models import ActivationArea, Card, LedgerEntry
from prepaid.services import lifecycle_chunk

PREFIX = "+62899"


class Command(BaseCommand):
    help = "Benchmark the prepaid lifecycle job against equivalent raw SQL (PostgreSQL only)."

    def add_arguments(self, parser):
        parser.add_argument("--cards", type=int, default=1_000_000)
        parser.add_argument("--chunk", type=int, default=5000)
        parser.add_argument("--confirm", action="store_true", help="Really write (and then delete) the bench rows.")
        parser.add_argument("--keep", action="store_true", help="Leave the bench rows in place at the end.")

    def handle(self, *args, cards: int, chunk: int, confirm: bool, keep: bool, **options):
        if connection.vendor != "postgresql":
            raise CommandError("The benchmark runs on PostgreSQL (DATABASE_URL=postgres://…).")
        if not confirm:
            raise CommandError(f"This writes {cards:,} lines and cards; add --confirm.")
        today = timezone.localdate()
        self._cleanup()
        started = time.perf_counter()
        self._load(cards, today)
        self.stdout.write(f"loaded {cards:,} cards in {time.perf_counter() - started:.1f} s")

        raw_seconds, raw_counts = self._raw(today)
        self.stdout.write(f"raw SQL: {raw_seconds:.2f} s, grace {raw_counts[0]:,}, invalid {raw_counts[1]:,} "
                          f"(rolled back)")

        JobRun.objects.filter(job="prepaid.lifecycle.bench").delete()
        started = time.perf_counter()
        run = job_run(job="prepaid.lifecycle.bench", period_key=today.isoformat(), force=True,
                      chunk=lambda: lifecycle_chunk(today=today, size=chunk))
        job_seconds = time.perf_counter() - started
        bench = Card.objects.filter(line__msisdn__startswith=PREFIX)
        job_counts = (bench.filter(state=Card.State.GRACE).count(), bench.filter(state=Card.State.INVALID).count())
        self.stdout.write(f"job (chunks of {chunk:,}): {job_seconds:.2f} s, grace {job_counts[0]:,}, "
                          f"invalid {job_counts[1]:,}, {run.chunks} chunks")
        if job_counts != raw_counts:
            raise CommandError(f"the job and the raw SQL changed different rows: {job_counts} != {raw_counts}")
        self.stdout.write(self.style.SUCCESS(f"ratio job / raw SQL = {job_seconds / raw_seconds:.2f} "
                                             f"(target ≤ 2.00)"))
        if not keep:
            self._cleanup()

    def _cleanup(self):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {LedgerEntry._meta.db_table} WHERE card_id IN (SELECT c.id FROM prepaid_card c "
                f"JOIN accounts_line l ON l.id = c.line_id WHERE l.msisdn LIKE %s)", [PREFIX + "%"])
            cursor.execute("DELETE FROM prepaid_card WHERE line_id IN "
                           "(SELECT id FROM accounts_line WHERE msisdn LIKE %s)", [PREFIX + "%"])
            cursor.execute("DELETE FROM accounts_line WHERE msisdn LIKE %s", [PREFIX + "%"])
            cursor.execute("DELETE FROM accounts_customer WHERE id_type = 'passport' AND id_number = 'BENCH0001'")

    def _load(self, count: int, today: dt.date):
        area = ActivationArea.objects.order_by("code").first()
        now = timezone.now()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO accounts_customer (kind, full_name, id_type, id_number, address, city, contact_phone, "
                "email, verification, created_at) VALUES ('individual', 'Bench Customer', 'passport', 'BENCH0001', "
                "'', '', '', '', 'verified', %s) RETURNING id", [now])
            customer_id = cursor.fetchone()[0]
            cursor.execute(
                "INSERT INTO accounts_line (msisdn, iccid, imsi, kind, status, customer_id, activated_on, created_at) "
                "SELECT %s || lpad(i::text, 8, '0'), '8962999' || lpad(i::text, 12, '0'), "
                "'51099' || lpad(i::text, 10, '0'), 'prepaid', 'active', %s, %s, %s "
                "FROM generate_series(1, %s) AS i", [PREFIX, customer_id, today - dt.timedelta(days=400), now, count])
            # i % 20 = 0: active until yesterday (→ grace); i % 20 = 1: grace ended yesterday (→ invalid).
            cursor.execute(
                "INSERT INTO prepaid_card (line_id, activation_area_id, state, balance, active_until, grace_until, "
                "activated_on, created_at, updated_at) "
                "SELECT l.id, %s, CASE WHEN g.i %% 20 = 1 THEN 'grace' ELSE 'active' END, (g.i %% 97) * 1000, "
                "CASE WHEN g.i %% 20 = 0 THEN %s::date - 1 WHEN g.i %% 20 = 1 THEN %s::date - 31 "
                "ELSE %s::date + (g.i %% 60) + 1 END, "
                "CASE WHEN g.i %% 20 = 1 THEN %s::date - 1 END, %s, %s, %s "
                "FROM accounts_line l JOIN LATERAL (SELECT substr(l.msisdn, 7)::int AS i) g ON true "
                "WHERE l.msisdn LIKE %s",
                [area.pk, today, today, today, today, today - dt.timedelta(days=400), now, now, PREFIX + "%"])
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE accounts_line")
            cursor.execute("ANALYZE prepaid_card")
            cursor.execute(f"ANALYZE {LedgerEntry._meta.db_table}")

    def _raw(self, today: dt.date) -> tuple[float, tuple[int, int]]:
        """The same changes in three set-based statements, timed, then rolled back."""
        now = timezone.now()
        with transaction.atomic(), connection.cursor() as cursor:
            started = time.perf_counter()
            cursor.execute("UPDATE prepaid_card SET state = 'grace', grace_until = active_until + 30, updated_at = %s "
                           "WHERE state = 'active' AND active_until < %s", [now, today])
            grace = cursor.rowcount
            cursor.execute(
                f"INSERT INTO {LedgerEntry._meta.db_table} (card_id, kind, reference, amount, balance_after, "
                f"created_at, channel, note) SELECT id, 'forfeiture', 'forfeit:' || id, -balance, 0, %s, 'system', "
                f"'' FROM prepaid_card WHERE state = 'grace' AND grace_until < %s", [now, today])
            cursor.execute("UPDATE prepaid_card SET state = 'invalid', balance = 0, invalid_since = %s, "
                           "updated_at = %s WHERE state = 'grace' AND grace_until < %s", [today, now, today])
            invalid = cursor.rowcount
            seconds = time.perf_counter() - started
            transaction.set_rollback(True)
        return seconds, (grace, invalid)
