"""3. Agent pages at scale: the search box (MSISDN, NIK, name prefix, surname), the line page and its tabs, the
line page of a customer with 10 and with 1,000 lines (the customer 360 header), and the largest admin changelists.
In-process with django.test.Client, logged in as a supervisor; each page gets a warm-up, then `requests` timed
requests on different subjects, with the SQL queries counted (CaptureQueriesContext)."""

import math
import random
import statistics
import time

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

WARMUP = 3
ADMIN_PAGES = [
    ("admin: lines", "admin:accounts_line_changelist"),
    ("admin: customers", "admin:accounts_customer_changelist"),
    ("admin: audit events", "admin:core_auditevent_changelist"),
    ("admin: prepaid ledger", "admin:prepaid_ledgerentry_changelist"),
]


def _supervisor():
    from django.contrib.auth.models import Group

    from accounts.models import User

    user, _created = User.objects.get_or_create(username="bench-supervisor", defaults={"is_staff": True})
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.groups.add(Group.objects.get(name="Supervisor"))
    return user


def _second_factor(client: Client, user) -> None:
    """Staff need the second factor (django-otp) on every page: without it each request measured only the redirect
    to the code form. What a log-in with a good code leaves in the session: django_otp.login() with a device."""
    import django_otp
    from django.http import HttpRequest
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = (TOTPDevice.objects.filter(user=user, confirmed=True).first()
              or TOTPDevice.objects.create(user=user, name="bench", confirmed=True))
    request = HttpRequest()
    request.session = client.session
    request.user = user
    django_otp.login(request, device)
    request.session.save()


def _sample_lines(count: int, seed: int = 7) -> list[tuple]:
    """Random generated lines with their customer's NIK and name: (id, msisdn, kind, nik, full_name)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM accounts_line")
        low, high = cursor.fetchone()
        rng = random.Random(seed)
        ids = sorted({rng.randint(low, high) for _ in range(count * 3)})
        cursor.execute("SELECT l.id, l.msisdn, l.kind, c.id_number, c.full_name FROM accounts_line l "
                       "JOIN accounts_customer c ON c.id = l.customer_id WHERE l.id = ANY(%s) AND c.id_type = 'ktp'",
                       [ids])
        rows = cursor.fetchall()
    rng.shuffle(rows)
    return rows[:count]


# The line page of a customer with few lines against one with many: the customer 360 header (core.header) lists
# the customer's other lines and sums the account's open bills, so its query count must not follow either.
CUSTOMER_SIZES = (10, 1_000)
BILLS_PER_SIZE = {10: 1, 1_000: 36}


def _customer_with_lines(count: int) -> list[int]:
    """A postpaid customer with `count` lines on one (SAMU) account and BILLS_PER_SIZE[count] open bills, kept in
    the bench database between runs (found again by its passport number); identifiers apart from the generated
    ones (prefix 0858, other ICCID/IMSI ranges). Returns the lines' ids."""
    import datetime as dt

    from accounts.identifiers import make_iccid, make_imsi, make_msisdn
    from accounts.models import BillingAccount, Customer, Line
    from billing.models import Bill
    from core.dates import local_today

    today = local_today()
    customer, _created = Customer.objects.get_or_create(
        id_type=Customer.IdType.PASSPORT, id_number=f"BENCH{count}",
        defaults={"full_name": f"Bench Many Lines {count}", "city": "Jakarta",
                  "verification": Customer.Verification.VERIFIED})
    account, _created = BillingAccount.objects.get_or_create(
        number=f"59{count:08d}", defaults={"customer": customer, "opened_on": today - dt.timedelta(days=400)})
    have = Line.objects.filter(customer=customer).count()
    base = 13 * 100_000_000 + count * 10_000  # make_msisdn's prefix 0858: not used by generate_lines
    Line.objects.bulk_create([
        Line(msisdn=make_msisdn(base + n), iccid=make_iccid(700_000_000_000 + base + n),
             imsi=make_imsi(7_000_000_000 + base % 1_000_000_000 + n), kind=Line.Kind.POSTPAID,
             status=Line.Status.ACTIVE, customer=customer, billing_account=account,
             activated_on=today - dt.timedelta(days=400))
        for n in range(have, count)])
    for month in range(Bill.objects.filter(billing_account=account).count(), BILLS_PER_SIZE[count]):
        start = dt.date(2020 + month // 12, month % 12 + 1, 1)
        Bill.objects.create(billing_account=account, period_start=start, period_end=start + dt.timedelta(days=27),
                            issued_on=start + dt.timedelta(days=28), due_date=start + dt.timedelta(days=48),
                            total=150_000)
    return list(Line.objects.filter(customer=customer).order_by("pk").values_list("pk", flat=True))


def _line_page_by_customer_size(client: Client, total: int) -> tuple[list[dict], dict]:
    pages = []
    for count in CUSTOMER_SIZES:
        ids = _customer_with_lines(count)
        urls = [reverse("accounts:line_detail", args=[ids[index % len(ids)]]) for index in range(total)]
        pages.append(_measure(client, f"line page: customer with {count:,} lines", urls))
    counts = [(page["queries_min"], page["queries_max"]) for page in pages]
    constant = len(set(counts)) == 1 and counts[0][0] == counts[0][1]
    print(f"  line page queries, customer with {CUSTOMER_SIZES[0]:,} vs {CUSTOMER_SIZES[-1]:,} lines: "
          f"{counts[0][1]} vs {counts[-1][1]} ({'constant' if constant else 'GROWS'})", flush=True)
    return pages, {"sizes": list(CUSTOMER_SIZES), "queries": [c[1] for c in counts], "constant": constant}


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _measure(client: Client, label: str, urls: list[str], headers: dict | None = None) -> dict:
    headers = headers or {}
    for url in urls[:WARMUP]:
        client.get(url, headers=headers)
    times, queries, statuses = [], [], {}
    for url in urls[WARMUP:]:
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            response = client.get(url, headers=headers)
            times.append((time.perf_counter() - began) * 1000)
        queries.append(len(captured))
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        if response.status_code >= 400:
            raise RuntimeError(f"{label}: {url} answered {response.status_code}")
    result = {
        "page": label, "requests": len(times), "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(_percentile(times, 0.95), 1), "max_ms": round(max(times), 1),
        "queries_min": min(queries), "queries_max": max(queries), "statuses": statuses, "example": urls[-1],
    }
    print(f"  {label:<28} p50 {result['p50_ms']:>7.1f} ms  p95 {result['p95_ms']:>7.1f} ms  "
          f"queries {result['queries_min']}–{result['queries_max']}  {statuses}", flush=True)
    return result


def run(*, requests: int = 25) -> dict:
    from accounts.models import Line
    from core.tabs import line_tabs

    client = Client()
    supervisor = _supervisor()
    client.force_login(supervisor)
    _second_factor(client, supervisor)
    total = requests + WARMUP
    sample = _sample_lines(total * 6)
    subjects = sample[:total]
    search = reverse("accounts:search")
    pages = []
    pages.append(_measure(client, "search: MSISDN (08…)", [f"{search}?q=0{row[1][3:]}" for row in subjects]))
    pages.append(_measure(client, "search: NIK", [f"{search}?q={row[3]}" for row in subjects]))
    pages.append(_measure(client, "search: name prefix", [f"{search}?q={row[4].split()[0][:4]}" for row in subjects]))
    pages.append(_measure(client, "search: surname", [f"{search}?q={row[4].split()[-1]}" for row in subjects]))
    # Per kind: the customer 360 header asks each app for its part, so a postpaid page (bills, limits, TecProtec)
    # makes a few more queries than a prepaid one (the card); within a kind the count is the same for every line.
    for kind in ("prepaid", "postpaid"):
        of_kind = [row for row in sample if row[2] == kind][:total]
        pages.append(_measure(client, f"line page: {kind}",
                              [reverse("accounts:line_detail", args=[row[0]]) for row in of_kind]))
    by_size, header_queries = _line_page_by_customer_size(client, total)
    pages.extend(by_size)

    # Each tab of the line page (loaded by htmx) on lines it applies to.
    lines = list(Line.objects.select_related("customer", "billing_account").filter(pk__in=[row[0] for row in sample]))
    tabs = {}
    for line in lines:
        for tab in line_tabs(line):
            tabs.setdefault(tab.key, []).append(line.pk)
    for key, ids in sorted(tabs.items()):
        if len(ids) < total:
            continue
        urls = [reverse("accounts:line_tab", args=[pk, key]) for pk in ids[:total]]
        pages.append(_measure(client, f"line tab: {key}", urls, headers={"HX-Request": "true"}))

    for label, name in ADMIN_PAGES:
        url = reverse(name)
        pages.append(_measure(client, label, [url] * total))
    return {"pages": pages, "warmup": WARMUP, "requests": requests, "line_page_by_customer_size": header_queries}
