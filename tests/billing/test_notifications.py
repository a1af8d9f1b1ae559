"""LIM-04: one SMS at 80 % and one at 100 % per line, scope and cycle; never re-armed within the cycle."""

import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing.models import Scope
from billing.services import (
    cycles_close_chunk,
    payment_current_usage,
    purchase_authorize,
    spending_limit_override,
    usage_record,
)
from core.models import OutboundSms
from tests.billing.factories import TODAY, limit_of, open_line, set_limit

pytestmark = pytest.mark.django_db

_counter = iter(range(10**9))


def _id(prefix="r"):
    return f"{prefix}-{next(_counter)}"


def buy(line, amount, scope="domestic", category="addon"):
    return purchase_authorize(request_id=_id(), line=line, scope=scope, category=category, amount=amount,
                              today=TODAY)


def use(line, amount, scope="domestic", category="data"):
    return usage_record(record_id=_id("u"), line=line, scope=scope, category=category, amount=amount,
                        occurred_at=timezone.now())


def sms(line, threshold=None):
    rows = OutboundSms.objects.filter(line=line)
    if threshold:
        rows = rows.filter(template_code=f"billing_limit_{threshold}")
    return rows


@pytest.mark.parametrize(("amount", "expected"), [(139_999, 0), (140_000, 0), (140_001, 1)])
@pytest.mark.rule("LIM-04")
def test_lim04_80_percent_boundary_by_purchase(amount, expected):
    # given 100.000 used of 300.000
    line = open_line()
    # when a purchase takes usage to a rupiah under / exactly / a rupiah above 80 % ("above 80 %": at sends nothing)
    buy(line, amount)
    # then
    assert sms(line, "warn").count() == expected
    assert sms(line, "full").count() == 0
    assert limit_of(line).warn_notified is bool(expected)


@pytest.mark.rule("LIM-04")
def test_lim04_sms_row_carries_the_dedup_key_and_text():
    line = open_line()
    buy(line, 150_000)
    row = sms(line, "warn").get()
    assert row.dedup_key == f"limit:{line.pk}:domestic:2026-11-01:warn"
    assert "Rp 300.000" in row.text and "80%" in row.text
    assert row.msisdn == line.msisdn


@pytest.mark.parametrize(("amount", "expected"), [(199_999, 0), (200_000, 0), (200_001, 1), (500_000, 1)])
@pytest.mark.rule("LIM-04")
def test_lim04_100_percent_boundary_by_usage(amount, expected):
    # LIM-04: exactly 100 % sends no SMS, the first rupiah above does
    line = open_line()
    use(line, amount)
    assert sms(line, "full").count() == expected
    assert sms(line, "warn").count() == 1  # passing 100 % also passed 80 %


@pytest.mark.rule("LIM-04", "LIM-11")
def test_lim04_each_threshold_once_per_cycle_even_after_dropping_back(supervisor):
    # given 80 % reached
    line = open_line()
    buy(line, 150_000)
    # when usage drops under (payment, LIM-11) and a limit increase, then climbs again
    payment_current_usage(line=line, amount=200_000, method="cash", reference="P-1", actor=supervisor)
    spending_limit_override(line=line, new_amount=400_000, actor=supervisor, reason="exception")
    buy(line, 300_000)
    use(line, 300_000)
    # then still one each
    assert sms(line, "warn").count() == 1
    assert sms(line, "full").count() == 1


@pytest.mark.rule("LIM-04")
def test_lim04_limit_decrease_crosses_both_thresholds(supervisor):
    # given 100.000 used of 300.000 (33 %)
    line = open_line()
    # when the limit drops to 99.999 (a rupiah past 100 %)
    spending_limit_override(line=line, new_amount=99_999, actor=supervisor, reason="fraud risk")
    # then both SMS
    assert set(sms(line).values_list("template_code", flat=True)) == {"billing_limit_warn", "billing_limit_full"}


@pytest.mark.rule("LIM-04")
def test_lim04_limit_decrease_to_exactly_the_usage_sends_only_the_80_percent_sms(supervisor):
    # given 100.000 used of 300.000; when the limit drops to 100.000 (exactly 100 %: not above it)
    line = open_line()
    spending_limit_override(line=line, new_amount=100_000, actor=supervisor, reason="fraud risk")
    # then only the 80 % SMS (LIM-04)
    assert list(sms(line).values_list("template_code", flat=True)) == ["billing_limit_warn"]


@pytest.mark.rule("LIM-04")
def test_lim04_international_scope_has_its_own_thresholds():
    line = open_line()
    buy(line, 800_001, scope="international", category="roaming_addon")  # a rupiah above 80 %
    assert sms(line, "warn").get().dedup_key.endswith(":international:2026-11-01:warn")
    assert limit_of(line).warn_notified is False


@pytest.mark.rule("LIM-04")
def test_lim04_a_new_cycle_rearms_the_thresholds():
    # given 80 % reached in November
    line = open_line()
    buy(line, 150_000)
    # when the cycle closes and December usage reaches 80 % again
    cycles_close_chunk(today=dt.date(2026, 12, 1))
    assert limit_of(line).warn_notified is False
    buy(line, 150_000)
    # then a second SMS, for the new cycle
    keys = sorted(sms(line, "warn").values_list("dedup_key", flat=True))
    assert keys == [f"limit:{line.pk}:domestic:2026-11-01:warn", f"limit:{line.pk}:domestic:2026-12-01:warn"]


@pytest.mark.rule("LIM-04")
def test_lim04_a_declined_purchase_sends_nothing():
    line = open_line()
    set_limit(line, 200_000)
    buy(line, 125_000)
    assert sms(line).count() == 0


OPERATIONS = st.lists(
    st.tuples(st.sampled_from(["buy", "use", "limit", "pay"]), st.integers(min_value=1, max_value=400_000)),
    max_size=12,
)


@pytest.mark.rule("LIM-04")
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=OPERATIONS)
def test_lim04_property_exactly_one_sms_per_threshold_whatever_the_order(supervisor, operations):
    # given a fresh line (100.000 used of 300.000) and any order of purchases, usage, limit changes and payments
    line = open_line()
    amount, counted, warn_expected, full_expected = 300_000, 100_000, False, False
    for kind, value in operations:
        if kind == "buy":
            if buy(line, value).decision == "approved":
                counted += value
        elif kind == "use":
            use(line, value)
            counted += value
        elif kind == "limit":
            spending_limit_override(line=line, new_amount=value, actor=supervisor, reason="property test")
            amount = value
        elif counted > 0:
            pay = min(value, counted)
            payment_current_usage(line=line, amount=pay, method="cash", reference=_id("pay"), actor=supervisor)
            counted -= pay
        warn_expected |= counted > 0 and counted * 100 > amount * 80
        full_expected |= counted > 0 and counted > amount
    # then, whatever happened, each threshold notified at most once and exactly when it was passed
    assert sms(line, "warn").count() == int(warn_expected)
    assert sms(line, "full").count() == int(full_expected)
    # and when usage finally passes the limit, there is exactly one of each
    use(line, amount + 1)
    assert sms(line, "warn").count() == 1
    assert sms(line, "full").count() == 1
    assert limit_of(line).counted == counted + amount + 1
    assert limit_of(line, Scope.INTERNATIONAL).used == 0
