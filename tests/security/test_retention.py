"""The retention job (issue 16, UU 27/2022): identities removed N years after the last line ended, money kept."""

import datetime as dt

import pytest

from accounts.models import Customer, Line
from core.models import AuditEvent, JobRun, Parameter
from security.models import Anonymisation
from security.tasks import retention_task
from tests.accounts.factories import LineFactory
from tests.billing.factories import BillFactory, open_line

TODAY = dt.date(2031, 6, 15)


def _ended(line: Line, on: dt.date) -> Line:
    Line.objects.filter(pk=line.pk).update(status=Line.Status.TERMINATED, terminated_on=on)
    return line


@pytest.fixture
def five_years(db):
    Parameter.objects.update_or_create(code="personal_data_retention_years",
                                       defaults={"value": 5, "description": "retention"})


def test_anonymised_at_n_years_not_one_day_before(five_years):
    # given: two customers whose last lines ended exactly 5 years ago and 5 years minus one day ago
    due = _ended(LineFactory(), dt.date(2026, 6, 15)).customer
    not_yet = _ended(LineFactory(), dt.date(2026, 6, 16)).customer
    # when
    run = JobRun.objects.get(pk=retention_task(day=TODAY.isoformat())["run"])
    # then
    assert run.status == JobRun.Status.SUCCEEDED and run.changed == 1
    due.refresh_from_db()
    not_yet.refresh_from_db()
    assert due.full_name == f"Anonymised customer {due.pk}" and due.id_number == f"ANON-{due.pk}"
    assert (due.birth_date, due.address, due.contact_phone, due.email, due.city) == (None, "", "", "", "")
    assert Anonymisation.objects.get(customer=due).last_line_ended_on == dt.date(2026, 6, 15)
    assert not_yet.full_name.startswith("Budi") and not Anonymisation.objects.filter(customer=not_yet).exists()
    assert AuditEvent.objects.filter(verb="job.succeeded", subject_id=str(run.pk)).exists()


def test_the_last_line_counts_and_an_open_line_keeps_the_customer(five_years):
    # given: one customer with an older and a recent ended line, one with a line still active
    recent = _ended(LineFactory(), dt.date(2020, 1, 1)).customer
    _ended(LineFactory(customer=recent), dt.date(2027, 1, 1))
    active = _ended(LineFactory(), dt.date(2020, 1, 1)).customer
    LineFactory(customer=active)
    # when
    retention_task(day=TODAY.isoformat())
    # then
    assert not Anonymisation.objects.exists()
    assert Customer.objects.filter(full_name__startswith="Anonymised").count() == 0


def test_money_records_stay_with_the_identity_removed(five_years):
    line = open_line()
    bill = BillFactory(billing_account=line.billing_account)
    _ended(line, dt.date(2025, 12, 31))
    retention_task(day=TODAY.isoformat())
    bill.refresh_from_db()
    assert bill.billing_account.customer.full_name == f"Anonymised customer {line.customer_id}"
    assert bill.total == 150_000


def test_the_parameter_sets_the_period(five_years):
    Parameter.objects.filter(code="personal_data_retention_years").update(value=10)
    customer = _ended(LineFactory(), dt.date(2026, 6, 15)).customer
    retention_task(day=TODAY.isoformat())
    assert not Anonymisation.objects.filter(customer=customer).exists()


def test_a_forced_rerun_anonymises_nobody_twice(five_years):
    _ended(LineFactory(), dt.date(2020, 1, 1))
    retention_task(day=TODAY.isoformat())
    run = JobRun.objects.get(pk=retention_task(day=TODAY.isoformat(), force=True)["run"])
    assert run.changed == 0 and Anonymisation.objects.count() == 1
