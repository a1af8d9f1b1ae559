"""`seed_demo` and `generate_lines`: valid identifiers, idempotent re-runs, the COPY path on PostgreSQL."""

import io
import re

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db.models import Count

from accounts.management.commands import generate_lines
from accounts.models import BillingAccount, Block, Customer, Line, Outlet, User
from accounts.validators import normalize_msisdn, validate_iccid, validate_imsi, validate_nik, validate_npwp
from core.dates import local_today

pytestmark = pytest.mark.django_db


def _run(*args, **options) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


def _counts() -> dict:
    return {model.__name__: model.objects.count() for model in (Outlet, User, Customer, BillingAccount, Line, Block)}


def _assert_valid(line: Line) -> None:
    """ACC-01, ACC-02: every identifier passes the same validators as an agent's input."""
    assert normalize_msisdn(line.msisdn) == line.msisdn
    assert normalize_msisdn(line.msisdn_national) == line.msisdn
    assert validate_iccid(line.iccid) == line.iccid
    assert validate_imsi(line.imsi) == line.imsi
    customer = line.customer
    if customer.id_type == Customer.IdType.KTP:
        assert validate_nik(customer.id_number) == customer.id_number
    else:
        assert validate_npwp(customer.id_number) == customer.id_number
    if line.kind == Line.Kind.POSTPAID:
        assert re.fullmatch(r"[1-5][0-9]{9}", line.billing_account.number)
        assert line.billing_account.customer_id == line.customer_id
        assert 1 <= line.billing_account.bill_cycle_day <= 28
    else:
        assert line.billing_account_id is None


# seed_demo ----------------------------------------------------------------------------------------------------


def test_seed_demo_refuses_without_debug():
    # given DEBUG off (as in production)
    assert settings.DEBUG is False
    # when seed_demo runs without --force, then it refuses and writes nothing
    with pytest.raises(CommandError, match="DEBUG"):
        _run("seed_demo")
    assert Customer.objects.count() == 0 and not User.objects.filter(username__startswith="agent.").exists()


@pytest.mark.rule("ACC-03", "ACC-04", "ACC-05")
def test_seed_demo_creates_valid_data_and_prints_the_logins():
    # when the demo data is loaded
    output = _run("seed_demo", "--force")
    # then outlets, some in Jabodetabek, each with an agent and a staff supervisor
    outlets = Outlet.objects.all()
    assert outlets.count() >= 6
    assert outlets.filter(jabodetabek=True).exists() and outlets.filter(jabodetabek=False).exists()
    assert outlets.filter(name="GraPARI Jakarta Pusat", jabodetabek=True).exists()
    for outlet in outlets:
        agent = User.objects.get(username=f"agent.{outlet.code}")
        supervisor = User.objects.get(username=f"spv.{outlet.code}")
        assert agent.outlet == outlet and not agent.is_staff and agent.groups.filter(name="Agent").exists()
        assert supervisor.is_staff and supervisor.groups.filter(name="Supervisor").exists()
        assert agent.check_password(settings.DEMO_PASSWORD)
        # and the logins table lists them with the password
        assert re.search(rf"agent\.{outlet.code}\s+Agent\s+.*{settings.DEMO_PASSWORD}", output)
        assert re.search(rf"spv\.{outlet.code}\s+Supervisor\s+.*{settings.DEMO_PASSWORD}", output)
    # and ~200 customers with valid identifiers, both kinds of line, SAMU accounts
    assert Customer.objects.count() == 200
    assert Customer.objects.filter(kind=Customer.Kind.ORGANISATION).exists()
    for line in Line.objects.select_related("customer", "billing_account"):
        _assert_valid(line)
    assert Line.objects.filter(kind=Line.Kind.PREPAID).count() > 50
    assert Line.objects.filter(kind=Line.Kind.POSTPAID).count() > 50
    samu = BillingAccount.objects.annotate(n=Count("lines")).filter(n__gte=2)
    assert samu.count() >= 5  # ACC-03
    # and a few blocks, a lost SIM, a number in quarantine and one whose quarantine ended (ACC-04, ACC-05)
    assert Block.objects.filter(ended_at__isnull=True, permanent=False).count() >= 4
    assert Block.objects.filter(reason=Block.Reason.LOST_SIM).exists()
    today = local_today()
    assert Line.objects.filter(status=Line.Status.TERMINATED, quarantine_until__gt=today).exists()
    assert Line.objects.filter(status=Line.Status.TERMINATED, quarantine_until__lte=today).exists()
    # and the names are Indonesian, not test placeholders
    assert not Customer.objects.filter(full_name__icontains="test").exists()


def test_seed_demo_twice_creates_nothing_new_and_still_prints_the_logins():
    # given the demo data loaded once
    _run("seed_demo", "--force")
    before = _counts()
    lines_before = set(Line.objects.values_list("msisdn", "iccid", "status"))
    # when it runs again (the same seeded choices: a non-deterministic run would add new customers)
    output = _run("seed_demo", "--force")
    # then nothing is added or changed, and the logins are printed again
    assert _counts() == before
    assert set(Line.objects.values_list("msisdn", "iccid", "status")) == lines_before
    assert "0 customers, 0 billing accounts, 0 lines, 0 blocks created" in output
    assert "spv.jkt-pusat" in output and settings.DEMO_PASSWORD in output


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_seed_demo_runs_outside_a_test_transaction_on_postgresql():
    # given a real PostgreSQL database and no surrounding transaction (as with `make run`): every app's demo
    # (job chunks with SELECT … FOR UPDATE included) must run
    output = _run("seed_demo", "--force")
    before = _counts()
    # then a second run adds nothing
    again = _run("seed_demo", "--force")
    assert _counts() == before
    assert "spv.medan" in output and "spv.medan" in again


# generate_lines -----------------------------------------------------------------------------------------------


@pytest.mark.rule("ACC-03")
def test_generate_lines_makes_valid_rows_half_prepaid_half_postpaid_with_samu():
    # when 200 lines are generated
    output = _run("generate_lines", "--count", "200", "--batch", "50")
    # then 200 valid lines exist: half prepaid, half postpaid, some on shared (SAMU) accounts
    lines = list(Line.objects.select_related("customer", "billing_account"))
    assert len(lines) == 200
    for line in lines:
        _assert_valid(line)
        assert line.status == Line.Status.ACTIVE and line.activated_on <= local_today()
    assert sum(line.kind == Line.Kind.PREPAID for line in lines) == 100
    sizes = sorted(BillingAccount.objects.annotate(n=Count("lines")).values_list("n", flat=True))
    assert sizes.count(3) == 20 and sizes.count(1) == 40  # ACC-03
    assert Customer.objects.count() == 160
    # and names are realistic
    assert Customer.objects.filter(full_name__contains=" ").count() > 100
    assert "200 / 200 lines" in output


def test_generate_lines_a_second_run_continues_after_the_first():
    # given 200 generated lines
    _run("generate_lines", "--count", "200")
    first = set(Line.objects.values_list("msisdn", flat=True))
    # when it runs again
    output = _run("generate_lines", "--count", "105")
    # then 105 new lines follow the first ones, none reused
    assert Line.objects.count() == 305
    new = set(Line.objects.values_list("msisdn", flat=True)) - first
    assert len(new) == 105
    assert min(new) > max(first)
    assert "from sequence 200" in output
    # and a third run after an odd count starts a fresh group of ten (a SAMU group is never split)
    assert "from sequence 310" in _run("generate_lines", "--count", "10")
    for line in Line.objects.select_related("customer", "billing_account"):
        _assert_valid(line)


def test_generate_lines_never_collides_with_the_demo_data():
    _run("seed_demo", "--force")
    demo = _counts()
    _run("generate_lines", "--count", "100")
    assert Line.objects.count() == demo["Line"] + 100
    # the generated customers are attached to the demo outlets of their region
    assert Customer.objects.filter(id_number__endswith="5000", registered_at__isnull=False).exists()


@pytest.mark.parametrize(("args", "message"), [(["--count", "0"], "at least 1"),
                                               (["--count", "5", "--batch", "3"], "at least 10")])
def test_generate_lines_bad_arguments(args, message):
    with pytest.raises(CommandError, match=message):
        _run("generate_lines", *args)
    assert Line.objects.count() == 0


def test_generate_lines_refuses_to_leave_its_number_range(monkeypatch):
    monkeypatch.setattr(generate_lines, "MAX_LINES", 150)
    _run("generate_lines", "--count", "100")
    with pytest.raises(CommandError, match="number range"):
        _run("generate_lines", "--count", "100")
    assert Line.objects.count() == 100


def test_generated_identities_are_distinct_far_into_the_range():
    # The NIK, MSISDN and ICCID are pure functions of the sequence number: check them far from the start.
    identity = generate_lines.Identity(local_today(), {})
    numbers = list(range(0, 2_000)) + list(range(5_000_000, 5_002_000)) + list(range(99_998_000, 100_000_000))
    niks = {identity.customer(n)["id_number"] for n in numbers}
    assert len(niks) == len(numbers)
    for n in numbers[::250]:
        validate_nik(identity.customer(n)["id_number"])
        assert normalize_msisdn(identity.msisdn(n)) == identity.msisdn(n)
        validate_iccid(identity.iccid(n))
        validate_imsi(identity.imsi(n))


@pytest.mark.postgres
def test_generate_lines_uses_copy_on_postgresql():
    # given the demo data (so that ids from the sequences interleave with ORM inserts)
    _run("seed_demo", "--force")
    before = _counts()
    # when lines are generated on PostgreSQL
    output = _run("generate_lines", "--count", "250", "--batch", "100")
    # then COPY wrote them, with valid identifiers and consistent ids
    assert "COPY" in output
    assert Line.objects.count() == before["Line"] + 250
    assert Customer.objects.count() == before["Customer"] + 200
    assert BillingAccount.objects.count() == before["BillingAccount"] + 75
    for line in Line.objects.filter(msisdn__startswith="+62822").select_related("customer", "billing_account"):
        _assert_valid(line)
    # and the ORM keeps inserting after them (the id sequences moved on)
    customer = Customer.objects.create(full_name="Dewi Lestari", id_type=Customer.IdType.PASSPORT,
                                       id_number="X1234567")
    assert customer.pk > Customer.objects.exclude(pk=customer.pk).order_by("-pk").first().pk
    # and a second run continues
    assert "from sequence 250" in _run("generate_lines", "--count", "20")
