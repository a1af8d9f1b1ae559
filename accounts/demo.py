"""Demo data for the accounts app: outlets, agents and supervisors, ~200 customers with their lines.

Deterministic (every random choice comes from the `rng` passed in, consumed the same way whatever the database
holds) and idempotent (every row is found by its natural key before it is created), so a second run creates
nothing. The identifiers come from number ranges reserved for the demo (see `NUMBER RANGES` below), so the bulk
generator (`generate_lines`) and the test factories never collide with it.
"""

import datetime as dt
import random
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from stdnum import luhn

from accounts import services
from accounts.identifiers import make_iccid, make_imsi
from accounts.models import BillingAccount, Block, Customer, Line, Outlet, User
from accounts.roles import AGENT, SUPERVISOR
from core.audit import audit_record
from core.dates import local_today
from core.identifiers import validate_nik, validate_npwp
from core.models import Channel

# NUMBER RANGES (identifiers.make_msisdn's prefix index = number // 10⁸):
#   demo (this module): MSISDN prefixes 0811, 0813 (postpaid), 0814, 0855, 0856 (prepaid); ICCID/IMSI serials
#                       1_000_000–1_999_999; account numbers starting with 2; NIK serials 1–4999
#   test factories:     MSISDN prefix 0812; ICCID/IMSI serials from 100_000_000; accounts starting with 1
#   generate_lines:     MSISDN prefix 0822; ICCID serials from 5×10¹¹; accounts starting with 5; NIK serials ≥ 5000
DEMO_POSTPAID_PREFIXES = ["811", "813"]
DEMO_PREPAID_PREFIXES = ["814", "855", "856"]
DEMO_SERIAL_BASE = 1_000_000

OUTLETS = [
    # code, name, city, Jabodetabek, NIK region (province + regency + district)
    ("jkt-pusat", "GraPARI Jakarta Pusat", "Jakarta Pusat", True, "317301"),
    ("jkt-selatan", "GraPARI Jakarta Selatan", "Jakarta Selatan", True, "317101"),
    ("bekasi", "GraPARI Bekasi", "Bekasi", True, "327501"),
    ("depok", "GraPARI Depok", "Depok", True, "327601"),
    ("tangerang", "GraPARI Tangerang", "Tangerang", True, "367101"),
    ("bandung", "GraPARI Bandung", "Bandung", False, "327301"),
    ("surabaya", "GraPARI Surabaya", "Surabaya", False, "357801"),
    ("medan", "GraPARI Medan", "Medan", False, "127101"),
]

MALE_NAMES = [
    "Budi", "Agus", "Andi", "Ahmad", "Bambang", "Dedi", "Eko", "Fajar", "Hendra", "Irfan", "Joko", "Kurniawan",
    "Lukman", "Muhammad", "Nugroho", "Rizky", "Slamet", "Teguh", "Wahyu", "Yusuf", "Arif", "Bayu", "Dimas",
    "Gilang", "Hadi", "Imam", "Rudi", "Sigit", "Taufik", "Yoga", "Aditya", "Rahmat", "Fikri", "Hasan", "Ilham",
    "Reza", "Surya", "Wawan", "Yudi", "Zainal", "Putu", "Made", "Ketut", "Gede", "Ucok", "Asep", "Ujang",
]
FEMALE_NAMES = [
    "Siti", "Dewi", "Sri", "Ayu", "Putri", "Rina", "Nur", "Wulan", "Fitri", "Indah", "Lestari", "Maya", "Novi",
    "Ratna", "Sari", "Tuti", "Yuni", "Intan", "Kartika", "Mega", "Nabila", "Rahma", "Anisa", "Dian", "Eka",
    "Fatimah", "Hana", "Lina", "Mira", "Nia", "Ratih", "Suci", "Wati", "Yanti", "Citra", "Dina", "Eni", "Kadek",
    "Nyoman", "Nurul", "Ani", "Endang", "Tri", "Ida", "Rosa", "Ningsih",
]
FAMILY_NAMES = [
    "Santoso", "Wijaya", "Saputra", "Pratama", "Setiawan", "Hidayat", "Kusuma", "Nugraha", "Siregar",
    "Nasution", "Simanjuntak", "Harahap", "Lubis", "Sitompul", "Hutapea", "Pane", "Tanjung", "Daulay",
    "Gunawan", "Halim", "Salim", "Sutanto", "Wibowo", "Hartono", "Prasetyo", "Firmansyah", "Ramadhan",
    "Hakim", "Syahputra", "Manurung", "Sinaga", "Pardede", "Tambunan",
    "Wahyudi", "Sulistyo", "Hermawan", "Suryadi", "Mahendra", "Lesmana", "Rangkuti", "Batubara", "Sembiring",
    "Ginting", "Tarigan", "Sitepu", "Purba", "Damanik", "Lumbantobing", "Simatupang",
]
# Second names that only women carry.
FEMALE_FAMILY_NAMES = ["Rahayu", "Susanti", "Handayani", "Wulandari", "Purnamasari", "Permatasari", "Anggraini",
                       "Kurniasih", "Kurniawati", "Maharani", "Utami", "Lestari", "Safitri"]
ORGANISATION_NAMES = [
    "PT Maju Bersama Sejahtera", "CV Sinar Jaya Abadi", "PT Nusantara Logistik", "PT Karya Mandiri Utama",
    "Koperasi Sejahtera Bersama", "PT Cahaya Timur Niaga", "CV Berkah Makmur", "PT Samudra Biru Teknologi",
    "Yayasan Pendidikan Harapan", "PT Sentosa Retail Indonesia",
]
STREETS = ["Jl. Merdeka", "Jl. Sudirman", "Jl. Thamrin", "Jl. Gatot Subroto", "Jl. Diponegoro", "Jl. Ahmad Yani",
           "Jl. Gajah Mada", "Jl. Pemuda", "Jl. Veteran", "Jl. Pahlawan", "Jl. Kartini", "Jl. Imam Bonjol"]

DEMO_CUSTOMERS = 200


def full_name(rng: random.Random) -> tuple[str, bool]:
    """A realistic Indonesian name and whether it is a woman's (the NIK adds 40 to her birth day)."""
    female = rng.random() < 0.5
    first = rng.choice(FEMALE_NAMES if female else MALE_NAMES)
    if rng.random() < 0.12:
        return first, female  # many Indonesians have a single name
    return f"{first} {rng.choice(FAMILY_NAMES + FEMALE_FAMILY_NAMES if female else FAMILY_NAMES)}", female


def nik(region: str, birth_date: dt.date, female: bool, serial: int) -> str:
    """16 digits: region (6), birth day (+40 for women), month, 2-digit year, serial (4) (ACC-01)."""
    day = birth_date.day + (40 if female else 0)
    return f"{region}{day:02d}{birth_date:%m%y}{serial:04d}"


def npwp(serial: int) -> str:
    """15-digit NPWP: 8 digits, a Luhn check digit on the first 9, branch and office codes."""
    body = f"01{serial:06d}"
    return body + luhn.calc_check_digit(body) + "407000"


@dataclass
class Login:
    username: str
    role: str
    outlet: str


def seed_outlets_and_staff(*, rng: random.Random) -> tuple[list[Outlet], list[Login]]:
    agent_group, supervisor_group = Group.objects.get(name=AGENT), Group.objects.get(name=SUPERVISOR)
    outlets, logins = [], []
    for code, name, city, jabodetabek, _region in OUTLETS:
        outlet, _created = Outlet.objects.get_or_create(
            code=code, defaults={"name": name, "city": city, "jabodetabek": jabodetabek})
        outlets.append(outlet)
        for role, group, prefix, is_staff in ((AGENT, agent_group, "agent", False),
                                              (SUPERVISOR, supervisor_group, "spv", True)):
            first, _female = full_name(rng)
            username = f"{prefix}.{code}"
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(username=username, first_name=first.split()[0], last_name=" ".join(first.split()[1:]),
                            outlet=outlet, is_staff=is_staff)
                user.set_password(settings.DEMO_PASSWORD)
                user.save()
                user.groups.add(group)
            logins.append(Login(username=username, role=role, outlet=outlet.name))
    return outlets, logins


def _distinct(rng: random.Random, used: set, make):
    while True:
        value = make()
        if value not in used:
            used.add(value)
            return value


def seed_customers(*, rng: random.Random, outlets: list[Outlet], stdout=None) -> dict:
    """~200 customers, prepaid and postpaid lines, SAMU accounts. Returns the counts of rows created."""
    today = local_today()
    created = {"customers": 0, "accounts": 0, "lines": 0}
    used_niks, used_msisdns, used_accounts = set(), set(), set()
    serial = DEMO_SERIAL_BASE
    regions = {code: region for code, _n, _c, _j, region in OUTLETS}
    lines_by_kind: dict[str, list[Line]] = {Line.Kind.PREPAID: [], Line.Kind.POSTPAID: []}

    for index in range(DEMO_CUSTOMERS):
        outlet = outlets[index % len(outlets)]
        organisation = index % 20 == 19  # 10 organisations, each a SAMU account with several lines
        name, female = (ORGANISATION_NAMES[index // 20], False) if organisation else full_name(rng)
        birth = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randint(0, 16_000))
        if organisation:
            id_type, id_number = Customer.IdType.NPWP, validate_npwp(npwp(index))
        else:
            id_type = Customer.IdType.KTP
            id_number = _distinct(rng, used_niks, lambda region=regions[outlet.code], birth=birth, female=female: nik(
                region, birth, female, rng.randint(1, 4999)))
            validate_nik(id_number)
        verification = rng.choices([Customer.Verification.VERIFIED, Customer.Verification.PENDING,
                                    Customer.Verification.FAILED], weights=[90, 8, 2])[0]
        address = f"{rng.choice(STREETS)} No. {rng.randint(1, 250)}, {outlet.city}"
        contact = "08" + f"{rng.randint(11, 59)}{rng.randint(10_000_000, 99_999_999)}"
        # What this customer holds: organisations get one SAMU account of 3–6 lines; individuals mostly one line.
        if organisation:
            plan = [Line.Kind.POSTPAID] * rng.randint(3, 6)
        else:
            # Two postpaid lines of one person share one account (SAMU) too.
            plan = list(rng.choices([[Line.Kind.PREPAID], [Line.Kind.POSTPAID], [Line.Kind.PREPAID, Line.Kind.POSTPAID],
                                     [Line.Kind.POSTPAID, Line.Kind.POSTPAID]], weights=[50, 36, 8, 6])[0])
        payment = rng.choice(BillingAccount.PaymentMethod.values)
        cycle_day = rng.randint(1, 28)
        account_number = _distinct(rng, used_accounts, lambda: f"2{rng.randint(0, 999_999_999):09d}")
        activated = [today - dt.timedelta(days=rng.randint(20, 2200)) for _kind in plan]
        numbers = []
        for kind in plan:
            prefixes = DEMO_POSTPAID_PREFIXES if kind == Line.Kind.POSTPAID else DEMO_PREPAID_PREFIXES
            numbers.append(_distinct(rng, used_msisdns,
                                     lambda p=prefixes: f"+62{rng.choice(p)}{rng.randint(10_000_000, 99_999_999)}"))

        with transaction.atomic():
            customer, was_created = Customer.objects.get_or_create(
                id_type=id_type, id_number=id_number,
                defaults={
                    "kind": Customer.Kind.ORGANISATION if organisation else Customer.Kind.INDIVIDUAL,
                    "full_name": name, "birth_date": None if organisation else birth, "address": address,
                    "city": outlet.city, "jabodetabek": outlet.jabodetabek, "contact_phone": contact,
                    "email": f"{name.split()[0].lower()}{index}@contoh.co.id", "verification": verification,
                    "registered_at": outlet,
                },
            )
            created["customers"] += was_created
            account = None
            for kind, msisdn, activated_on in zip(plan, numbers, activated, strict=True):
                serial += 1
                if kind == Line.Kind.POSTPAID and account is None:
                    account, was_created = BillingAccount.objects.get_or_create(
                        number=account_number, defaults={"customer": customer, "payment_method": payment,
                                                 "bill_cycle_day": cycle_day, "opened_on": activated_on})
                    created["accounts"] += was_created
                line, was_created = Line.objects.get_or_create(
                    msisdn=msisdn,
                    defaults={"iccid": make_iccid(serial), "imsi": make_imsi(serial), "kind": kind,
                              "status": Line.Status.ACTIVE, "customer": customer,
                              "billing_account": account if kind == Line.Kind.POSTPAID else None,
                              "activated_on": activated_on},
                )
                created["lines"] += was_created
                lines_by_kind[line.kind].append(line)
    return {"created": created, "lines": lines_by_kind}


def seed_blocks(*, lines: dict, outlets: list[Outlet]) -> int:
    """A few blocks through the services (so the timeline shows them), and two terminated numbers (ACC-04)."""
    agent = User.objects.get(username=f"agent.{outlets[0].code}")
    supervisor = User.objects.get(username=f"spv.{outlets[0].code}")
    prepaid, postpaid = lines[Line.Kind.PREPAID], lines[Line.Kind.POSTPAID]
    plans = [
        (prepaid[3], Block.Reason.CUSTOMER_REQUEST, agent, Block.Scope.OUTGOING, "Pelanggan minta blokir sementara"),
        (postpaid[5], Block.Reason.CUSTOMER_REQUEST, agent, Block.Scope.PURCHASES, "Pelanggan minta bar pembelian"),
        (postpaid[8], Block.Reason.UNPAID_BILL, supervisor, Block.Scope.OUTGOING, "Tagihan lewat jatuh tempo"),
        (postpaid[13], Block.Reason.CREDIT_LIMIT, supervisor, Block.Scope.PURCHASES, "Batas kredit tercapai"),
        (prepaid[11], Block.Reason.SMS_FAIR_USAGE, supervisor, Block.Scope.OUTGOING, "SMS > 1.000 per hari"),
    ]
    created = 0
    for line, reason, actor, scope, note in plans:
        if not line.blocks.filter(reason=reason).exists():
            services.line_block(line=line, reason=reason, actor=actor, scope=scope, note=note)
            created += 1
    lost = prepaid[7]
    if not lost.blocks.filter(reason=Block.Reason.LOST_SIM).exists():
        services.line_report_lost(line=lost, actor=agent, statement_number="SKH/2026/0042",
                                  identity_copy_received=True, note="Kartu SIM hilang di KRL")
        created += 1
    # A number terminated today: in quarantine for 90 days (the parameter).
    terminated = postpaid[21]
    if not terminated.blocks.filter(reason=Block.Reason.TERMINATION).exists():
        services.line_block(line=terminated, reason=Block.Reason.TERMINATION, actor=supervisor, permanent=True,
                            note="Berhenti berlangganan atas permintaan tertulis pelanggan")
        created += 1
    # A number terminated long ago whose quarantine has ended: the admin's "recycle" action applies to it.
    old = prepaid[17]
    if not old.blocks.filter(reason=Block.Reason.TERMINATION).exists():
        with transaction.atomic():
            ended = local_today() - dt.timedelta(days=120)
            started = timezone.now() - dt.timedelta(days=120)
            Block.objects.create(line=old, reason=Block.Reason.TERMINATION, scope=Block.Scope.ALL, permanent=True,
                                 started_at=started, started_by=supervisor, note="Permintaan tertulis pelanggan")
            Line.objects.filter(pk=old.pk).update(
                status=Line.Status.TERMINATED, terminated_on=ended, quarantine_until=ended + dt.timedelta(days=90))
            audit_record(actor=supervisor, channel=Channel.SYSTEM, verb="line.blocked", subject=old,
                         reason="demo data: terminated 120 days ago", new={"reason": "termination", "permanent": True})
        created += 1
    return created


def seed_demo_data(*, rng: random.Random, stdout=None) -> list[Login]:
    """Accounts' demo data. Returns the demo logins (the command prints them)."""
    outlets, logins = seed_outlets_and_staff(rng=rng)
    result = seed_customers(rng=rng, outlets=outlets)
    blocks = seed_blocks(lines=result["lines"], outlets=outlets)
    if stdout is not None:
        counts = result["created"]
        stdout.write(
            f"accounts: {counts['customers']} customers, {counts['accounts']} billing accounts, "
            f"{counts['lines']} lines, {blocks} blocks created")
    return logins
