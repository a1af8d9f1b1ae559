import datetime as dt

import pytest

from billing.models import LimitChange
from billing.rules import limit_change_eligibility
from billing.services import spending_limit_change, spending_limit_override
from core.models import AuditEvent
from core.verdicts import RuleViolation
from tests.billing.factories import TODAY, BillFactory, limit_of, open_line, set_limit

pytestmark = pytest.mark.django_db


def verdict(line, amount=None, today=TODAY, scope="domestic"):
    return limit_change_eligibility(line=line, new_amount=amount, today=today, scope=scope)


@pytest.mark.rule("LIM-07")
@pytest.mark.parametrize(("activated_on", "allowed"), [
    (dt.date(2026, 8, 11), False),  # 2 months and 30 days
    (dt.date(2026, 8, 10), True),   # exactly 3 months
    (dt.date(2026, 8, 9), True),
])
@pytest.mark.rule("LIM-07")
def test_lim07_upgrade_needs_three_months_tenure(activated_on, allowed):
    line = open_line(activated_on=activated_on)
    result = verdict(line, 400_000)
    assert result.allowed is allowed
    assert ("tenure" in result.codes) is not allowed


@pytest.mark.rule("LIM-07")
def test_lim07_tenure_does_not_stop_a_downgrade():
    line = open_line(activated_on=dt.date(2026, 10, 1))
    set_limit(line, 800_000)
    assert verdict(line, 500_000).allowed


@pytest.mark.rule("LIM-07")
def test_lim07_outstanding_bill_blocks_an_upgrade_not_a_downgrade():
    line = open_line()
    BillFactory(billing_account=line.billing_account, due_date=TODAY + dt.timedelta(days=5),
                issued_on=TODAY - dt.timedelta(days=10))
    assert verdict(line, 400_000).codes == ["outstanding_bill"]
    set_limit(line, 500_000)
    assert verdict(line, 400_000).allowed


@pytest.mark.rule("LIM-07")
def test_lim07_paid_bill_is_not_outstanding():
    line = open_line()
    BillFactory(billing_account=line.billing_account, status="paid", paid=150_000, paid_on=dt.date(2026, 10, 20))
    assert verdict(line, 400_000).allowed


@pytest.mark.rule("LIM-07")
@pytest.mark.parametrize(("paid_on", "allowed"), [
    (dt.date(2026, 10, 21), True),   # on the due date
    (dt.date(2026, 10, 22), False),  # one day late
])
@pytest.mark.rule("LIM-07")
def test_lim07_regular_customer_policy_for_halofit(paid_on, allowed):
    # given a HaloFit 80K line whose last bill was due on 21 Oct
    line = open_line(package_code="halofit_80k")
    BillFactory(billing_account=line.billing_account, status="paid", paid=150_000, paid_on=paid_on)
    # then
    result = verdict(line, 400_000)
    assert result.allowed is allowed
    assert ("regular_customer_policy" in result.codes) is not allowed


@pytest.mark.rule("LIM-07")
def test_lim07_regular_customer_policy_looks_back_six_cycles_only():
    line = open_line(package_code="halohybrid")
    account = line.billing_account
    # the 7th bill back was late; the 6 after it were on time
    late = dt.date(2026, 3, 1)
    BillFactory(billing_account=account, period_start=late, period_end=dt.date(2026, 3, 31),
                issued_on=dt.date(2026, 4, 1), due_date=dt.date(2026, 4, 21), status="paid", paid=150_000,
                paid_on=dt.date(2026, 5, 1))
    for month in range(4, 10):
        start = dt.date(2026, month, 1)
        BillFactory(billing_account=account, period_start=start, period_end=start + dt.timedelta(days=27),
                    issued_on=dt.date(2026, month + 1, 1), due_date=dt.date(2026, month + 1, 21), status="paid",
                    paid=150_000, paid_on=dt.date(2026, month + 1, 20))
    assert verdict(line, 400_000).allowed


@pytest.mark.rule("LIM-07")
def test_lim07_policy_does_not_apply_to_other_packages():
    line = open_line(package_code="halo_kick")
    BillFactory(billing_account=line.billing_account, status="paid", paid=150_000, paid_on=dt.date(2026, 10, 30))
    assert verdict(line, 400_000).allowed


@pytest.mark.rule("LIM-08")
@pytest.mark.parametrize(("today", "allowed"), [
    (dt.date(2026, 11, 30), False),  # same calendar month
    (dt.date(2026, 12, 1), True),    # next month
])
@pytest.mark.rule("LIM-08")
def test_lim08_once_per_calendar_month(agent, today, allowed):
    line = open_line()
    spending_limit_change(line=line, new_amount=400_000, channel="grapari", actor=agent, today=dt.date(2026, 11, 3))
    result = verdict(line, 350_000, today=today)
    assert result.allowed is allowed
    if not allowed:
        assert result.codes == ["once_per_month"]
        assert "3" in result.reasons[0].message


@pytest.mark.rule("LIM-08")
def test_lim08_the_initial_limit_is_not_a_change():
    line = open_line()
    assert verdict(line, 400_000).allowed


@pytest.mark.rule("LIM-09")
@pytest.mark.parametrize(("method", "activated_on", "amount", "allowed"), [
    ("cash", dt.date(2026, 1, 1), 299_999, False),
    ("cash", dt.date(2026, 1, 1), 300_000, True),
    ("cash", dt.date(2026, 1, 1), 1_000_000, True),
    ("cash", dt.date(2026, 1, 1), 1_000_001, False),
    ("credit_card", dt.date(2026, 1, 1), 499_999, False),
    ("credit_card", dt.date(2026, 1, 1), 2_500_000, True),
    ("credit_card", dt.date(2026, 1, 1), 2_500_001, False),
    ("cash", dt.date(2025, 11, 11), 1_000_001, False),   # 11 months 30 days
    ("cash", dt.date(2025, 11, 10), 1_000_001, True),    # 12 months
    ("cash", dt.date(2025, 11, 10), 5_000_000, True),
    ("cash", dt.date(2025, 11, 10), 5_000_001, False),
    ("credit_card", dt.date(2025, 11, 10), 499_999, False),
])
@pytest.mark.rule("LIM-09")
def test_lim09_bounds_by_tenure_and_payment_method(method, activated_on, amount, allowed):
    line = open_line(payment_method=method, activated_on=activated_on)
    set_limit(line, 700_000)
    result = verdict(line, amount)
    assert result.allowed is allowed
    assert result.codes == ([] if allowed else ["out_of_range"])


def test_verdict_lists_every_reason_and_the_allowed_range():
    # given a young line with an outstanding bill that already changed its limit this month
    line = open_line(activated_on=dt.date(2026, 9, 1))
    set_limit(line, 300_000)
    LimitChange.objects.create(line=line, scope="domestic", old_amount=200_000, new_amount=300_000,
                               channel="grapari", changed_on=dt.date(2026, 11, 2))
    BillFactory(billing_account=line.billing_account)
    # when asking for too much
    result = verdict(line, 9_000_000)
    # then every reason at once
    assert result.codes == ["once_per_month", "out_of_range", "tenure", "outstanding_bill"]
    assert result.details["minimum"] == 300_000
    assert result.details["maximum"] == 1_000_000
    assert result.details["suggested"] == 300_000
    assert result.details["upgrade_allowed"] is False
    assert result.details["allowed_max"] == 300_000


def test_preview_without_amount_shows_upgrade_blockers_in_details():
    line = open_line(activated_on=dt.date(2026, 10, 1))
    result = verdict(line)
    assert result.allowed
    assert len(result.details["upgrade_blockers"]) == 1


@pytest.mark.rule("LIM-10")
def test_change_records_channel_actor_and_audit(agent):
    # given
    line = open_line()
    # when (LIM-10: call centre 188)
    change = spending_limit_change(line=line, new_amount=600_000, channel="call_centre_188", actor=agent,
                                   reason="customer asked", today=TODAY)
    # then
    assert (change.old_amount, change.new_amount, change.channel, change.actor) == (300_000, 600_000,
                                                                                    "call_centre_188", agent)
    assert limit_of(line).amount == 600_000
    event = AuditEvent.objects.get(line=line, verb="limit.changed")
    assert (event.old, event.new, event.channel) == ({"scope": "domestic", "amount": 300_000},
                                                     {"scope": "domestic", "amount": 600_000}, "call_centre_188")


def test_refused_change_writes_nothing(agent):
    line = open_line(activated_on=dt.date(2026, 10, 1))
    with pytest.raises(RuleViolation) as exc:
        spending_limit_change(line=line, new_amount=600_000, channel="umb", actor=None, today=TODAY)
    assert exc.value.codes == ["tenure"]
    assert limit_of(line).amount == 300_000
    assert not LimitChange.objects.filter(line=line, kind="change").exists()


@pytest.mark.rule("LIM-10")
@pytest.mark.parametrize("channel", ["api", "system", "admin", "nowhere"])
def test_lim10_only_the_listed_channels(agent, channel):
    line = open_line()
    with pytest.raises(RuleViolation) as exc:
        spending_limit_change(line=line, new_amount=600_000, channel=channel, actor=agent, today=TODAY)
    assert exc.value.codes == ["invalid_channel"]


def test_change_on_a_prepaid_line_is_refused(agent):
    from tests.accounts.factories import LineFactory

    assert verdict(LineFactory()).codes == ["not_postpaid"]


def test_supervisor_override_goes_outside_the_rules_with_a_reason(supervisor):
    line = open_line(activated_on=dt.date(2026, 10, 1))
    change = spending_limit_override(line=line, new_amount=9_000_000, actor=supervisor, reason="VIP", today=TODAY)
    assert change.kind == "override"
    assert limit_of(line).amount == 9_000_000
    assert AuditEvent.objects.get(line=line, verb="limit.overridden").reason == "VIP"


def test_override_needs_a_supervisor_and_a_reason(agent, supervisor):
    line = open_line()
    with pytest.raises(RuleViolation) as exc:
        spending_limit_override(line=line, new_amount=9_000_000, actor=agent, reason="VIP")
    assert exc.value.codes == ["not_allowed"]
    with pytest.raises(RuleViolation) as exc:
        spending_limit_override(line=line, new_amount=9_000_000, actor=supervisor, reason="  ")
    assert exc.value.codes == ["reason_required"]
    assert limit_of(line).amount == 300_000
