"""`manage.py generate_lines --count N`: bulk customers, billing accounts and lines with valid identifiers.

For scale tests and benchmarks. Every row is a pure function of its sequence number `n`, taken from a reserved
range (MSISDN `0822…`, ICCID serials from 5×10¹¹, account numbers `5…`, NIK serials ≥ 5000) that the demo data
and the test factories never use, so a run continues after the highest `n` already in the database and never
collides. In each group of ten lines: five prepaid lines of five customers, two postpaid lines with their own
accounts, and one customer with three postpaid lines on one account (SAMU, ACC-03).

PostgreSQL: COPY (psycopg 3) into the three tables, one transaction per batch. SQLite: batched bulk_create.
"""

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Max
from django.db.models.fields import NOT_PROVIDED
from django.utils import timezone
from stdnum import luhn

from accounts.demo import FAMILY_NAMES, FEMALE_FAMILY_NAMES, FEMALE_NAMES, MALE_NAMES, OUTLETS, STREETS
from accounts.models import BillingAccount, Customer, Line, Outlet
from core.dates import local_today

MSISDN_PREFIX = "+62822"  # identifiers.make_msisdn's prefix index 4, kept for this generator
MAX_LINES = 100_000_000  # eight digits after the prefix
ICCID_BASE = 500_000_000_000
IMSI_BASE = 5_000_000_000
ACCOUNT_PREFIX = "5"
NIK_SERIAL_BASE = 5000
NIK_DAYS = 18_000  # birth dates from 1950-01-01 over 49 years: the two-digit year stays unambiguous
NIK_BIRTH_START = dt.date(1950, 1, 1)
GROUP = 10
PAYMENT_METHODS = BillingAccount.PaymentMethod.values


def owner_of(n: int) -> int:
    """The sequence number of the line whose customer (and account) line `n` belongs to."""
    return n - (n % GROUP - 7) if n % GROUP >= 7 else n


def kind_of(n: int) -> str:
    return Line.Kind.PREPAID if n % GROUP < 5 else Line.Kind.POSTPAID


def _mix(n: int) -> int:
    """splitmix64's finaliser: neighbouring sequence numbers get unrelated names, sexes and dates."""
    x = ((n + 1) * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    return x ^ (x >> 27)


class Identity:
    """Valid, distinct identifiers and a realistic customer for each sequence number."""

    def __init__(self, today: dt.date, outlet_ids: dict[str, int]):
        self.today = today
        self.regions = [(region, city, jabodetabek, outlet_ids.get(code))
                        for code, _name, city, jabodetabek, region in OUTLETS]

    def customer(self, n: int) -> dict:
        h = _mix(n)
        female = bool(h >> 63)
        firsts = FEMALE_NAMES if female else MALE_NAMES
        families = FAMILY_NAMES + FEMALE_FAMILY_NAMES if female else FAMILY_NAMES
        first = firsts[(h >> 40) % len(firsts)]
        name = first if (h >> 20) % 10 == 0 else f"{first} {families[(h >> 8) % len(families)]}"
        count = len(self.regions)
        region, city, jabodetabek, outlet_id = self.regions[n % count]
        birth = NIK_BIRTH_START + dt.timedelta(days=(n // count) % NIK_DAYS)
        serial = NIK_SERIAL_BASE + n // (count * NIK_DAYS)
        nik = f"{region}{birth.day + (40 if female else 0):02d}{birth:%m%y}{serial:04d}"
        return {
            "kind": Customer.Kind.INDIVIDUAL, "full_name": name, "id_type": Customer.IdType.KTP, "id_number": nik,
            "birth_date": birth, "address": f"{STREETS[h % len(STREETS)]} No. {(h >> 32) % 250 + 1}, {city}",
            "city": city, "jabodetabek": jabodetabek, "contact_phone": "", "email": "",
            "verification": Customer.Verification.VERIFIED, "registered_at_id": outlet_id,
        }

    def activated_on(self, n: int) -> dt.date:
        owner = owner_of(n)
        return self.today - dt.timedelta(days=30 + _mix(owner) % 2000 - (n - owner) * 7)

    def account(self, n: int) -> dict:
        return {
            "number": f"{ACCOUNT_PREFIX}{n:09d}", "payment_method": PAYMENT_METHODS[n % len(PAYMENT_METHODS)],
            "bill_cycle_day": 1 + n % 28, "status": BillingAccount.Status.OPEN, "opened_on": self.activated_on(n),
        }

    @staticmethod
    def msisdn(n: int) -> str:
        return f"{MSISDN_PREFIX}{n:08d}"

    @staticmethod
    def iccid(n: int) -> str:
        body = f"896210{ICCID_BASE + n:012d}"
        return body + luhn.calc_check_digit(body)

    @staticmethod
    def imsi(n: int) -> str:
        return f"51010{IMSI_BASE + n:010d}"

    def line(self, n: int) -> dict:
        return {
            "msisdn": self.msisdn(n), "iccid": self.iccid(n), "imsi": self.imsi(n), "kind": kind_of(n),
            "status": Line.Status.ACTIVE, "activated_on": self.activated_on(n), "terminated_on": None,
            "quarantine_until": None,
        }


def next_sequence() -> int:
    """The first free sequence number: after the highest generated MSISDN, at the start of a group of ten."""
    highest = (
        Line.objects.filter(msisdn__gte=MSISDN_PREFIX, msisdn__lt=MSISDN_PREFIX[:-1] + "3")
        .aggregate(highest=Max("msisdn"))["highest"]
    )
    if highest is None:
        return 0
    n = int(highest[len(MSISDN_PREFIX):]) + 1
    return -(-n // GROUP) * GROUP


def _extra_columns(model, provided: set[str]) -> tuple[list[str], list]:
    """Columns this generator does not know (added by a later migration): filled with their default."""
    columns, values = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key or field.attname in provided:
            continue
        if field.has_default():
            value = field.get_default()
        elif field.null:
            value = None
        elif field.db_default is not NOT_PROVIDED:
            continue
        else:
            raise CommandError(f"generate_lines cannot fill {model._meta.label}.{field.name}: give it a default.")
        columns.append(field.column)
        values.append(field.get_db_prep_save(value, connection))
    return columns, values


class Command(BaseCommand):
    help = "Bulk-create customers, billing accounts and lines with valid identifiers (COPY on PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, required=True, help="How many lines to add.")
        parser.add_argument("--batch", type=int, default=20_000, help="Lines per transaction (default 20000).")

    def handle(self, *args, count: int, batch: int, **options):
        if count < 1:
            raise CommandError("--count must be at least 1.")
        if batch < GROUP:
            raise CommandError(f"--batch must be at least {GROUP}.")
        batch = batch // GROUP * GROUP  # a batch never splits a SAMU group
        start = next_sequence()
        if start + count > MAX_LINES:
            raise CommandError(f"The generator's number range holds {MAX_LINES:,} lines; {start:,} are used.")
        outlet_ids = dict(Outlet.objects.filter(code__in=[o[0] for o in OUTLETS]).values_list("code", "id"))
        identity = Identity(local_today(), outlet_ids)
        postgres = connection.vendor == "postgresql"
        write = self._write_copy if postgres else self._write_orm
        self.stdout.write(f"Generating {count:,} lines from sequence {start:,} "
                          f"({'COPY' if postgres else 'bulk_create'}, batches of {batch:,})")
        began = time.monotonic()
        done = 0
        while done < count:
            size = min(batch, count - done)
            with transaction.atomic():
                write(identity, range(start + done, start + done + size))
            done += size
            elapsed = time.monotonic() - began
            self.stdout.write(f"\r  {done:>12,} / {count:,} lines  {done * 100 // count:3d} %  "
                              f"{done / max(elapsed, 1e-6):>9,.0f} lines/s  {elapsed:7.1f} s", ending="")
            self.stdout.flush()
        if postgres:
            with connection.cursor() as cursor:
                for model in (Customer, BillingAccount, Line):
                    cursor.execute(f"ANALYZE {model._meta.db_table}")
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(
            f"{count:,} lines in {time.monotonic() - began:.1f} s; next run starts at sequence {start + count:,}."))

    @staticmethod
    def _rows(identity: Identity, sequence: range):
        owners = [n for n in sequence if owner_of(n) == n]
        accounts = [n for n in owners if kind_of(n) == Line.Kind.POSTPAID]
        return owners, accounts

    # PostgreSQL ---------------------------------------------------------------------------------------------

    def _ids(self, cursor, model, how_many: int) -> list[int]:
        table = model._meta.db_table
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                       [table, how_many])
        return [row[0] for row in cursor.fetchall()]

    def _copy(self, cursor, model, columns: list[str], rows) -> None:
        provided = {model._meta.get_field(name).attname for name in columns}
        extra_columns, extra_values = _extra_columns(model, provided | {"id"})
        db_columns = [model._meta.get_field(name).column for name in columns] + extra_columns
        sql = f"COPY {model._meta.db_table} ({', '.join(db_columns)}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            if extra_values:
                for row in rows:
                    copy.write_row((*row, *extra_values))
            else:
                for row in rows:
                    copy.write_row(row)

    def _write_copy(self, identity: Identity, sequence: range) -> None:
        now = timezone.now()
        owners, accounts = self._rows(identity, sequence)
        customer_columns = ["id", "kind", "full_name", "id_type", "id_number", "birth_date", "address", "city",
                            "jabodetabek", "contact_phone", "email", "verification", "registered_at", "created_at"]
        with connection.cursor() as cursor:
            customer_ids = dict(zip(owners, self._ids(cursor, Customer, len(owners)), strict=True))
            self._copy(cursor, Customer, customer_columns, (
                (customer_ids[n], *identity.customer(n).values(), now) for n in owners))
            account_ids = dict(zip(accounts, self._ids(cursor, BillingAccount, len(accounts)), strict=True))
            self._copy(cursor, BillingAccount,
                       ["id", "number", "payment_method", "bill_cycle_day", "status", "opened_on", "customer"],
                       ((account_ids[n], *identity.account(n).values(), customer_ids[n]) for n in accounts))
            self._copy(cursor, Line,
                       ["msisdn", "iccid", "imsi", "kind", "status", "activated_on", "terminated_on",
                        "quarantine_until", "customer", "billing_account", "created_at"],
                       ((*identity.line(n).values(), customer_ids[owner_of(n)], account_ids.get(owner_of(n)), now)
                        for n in sequence))

    # SQLite and others ------------------------------------------------------------------------------------------

    def _write_orm(self, identity: Identity, sequence: range) -> None:
        owners, accounts = self._rows(identity, sequence)
        customers = {n: Customer(**identity.customer(n)) for n in owners}
        Customer.objects.bulk_create(customers.values(), batch_size=2000)
        if any(customer.pk is None for customer in customers.values()):
            # A backend that does not return ids from a bulk insert: read them back by document number.
            ids = dict(Customer.objects.filter(id_type=Customer.IdType.KTP, id_number__in=[
                c.id_number for c in customers.values()]).values_list("id_number", "id"))
            for customer in customers.values():
                customer.pk = ids[customer.id_number]
        billing = {n: BillingAccount(customer=customers[n], **identity.account(n)) for n in accounts}
        BillingAccount.objects.bulk_create(billing.values(), batch_size=2000)
        if any(account.pk is None for account in billing.values()):
            ids = dict(BillingAccount.objects.filter(number__in=[a.number for a in billing.values()])
                       .values_list("number", "id"))
            for account in billing.values():
                account.pk = ids[account.number]
        Line.objects.bulk_create(
            (Line(customer=customers[owner_of(n)], billing_account=billing.get(owner_of(n)), **identity.line(n))
             for n in sequence),
            batch_size=2000,
        )
