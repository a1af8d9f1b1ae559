import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Block
from billing.models import LimitChange, Purchase, Scope, UsageRecord
from billing.services import purchase_authorize, usage_record
from core.models import AuditEvent
from core.verdicts import RuleViolation
from tests.accounts.factories import LineFactory
from tests.billing.factories import TODAY, BillFactory, block, limit_of, open_line, set_limit

pytestmark = pytest.mark.django_db


def buy(line, amount, category="addon", scope=Scope.DOMESTIC, request_id=None, today=TODAY):
    buy.counter = getattr(buy, "counter", 0) + 1
    return purchase_authorize(request_id=request_id or f"req-{buy.counter}", msisdn=line.msisdn, scope=scope,
                              category=category, amount=amount, description="test", client="ocs", today=today)


@pytest.mark.rule("LIM-01", "LIM-03", "LIM-06")
def test_new_postpaid_line_gets_package_and_suggested_limits():
    # given / when: a Halo Kick line paying cash gets a domestic and an international limit (LIM-01, LIM-06)
    line = open_line(package_code="halo_kick")
    # then
    domestic, international = limit_of(line), limit_of(line, Scope.INTERNATIONAL)
    assert domestic.amount == 300_000
    assert international.amount == 1_000_000
    assert (domestic.cycle_start, domestic.cycle_end) == (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert domestic.used == 100_000  # the basic package counts against the limit (LIM-03)
    assert line.package.package.code == "halo_kick"
    assert LimitChange.objects.filter(line=line, kind=LimitChange.Kind.INITIAL).count() == 2
    assert AuditEvent.objects.filter(line=line, verb="limit.opened").exists()


def test_card_payer_gets_the_card_column():
    line = open_line(package_code="halo_plus_550", payment_method="credit_card")
    assert limit_of(line).amount == 2_500_000


@pytest.mark.rule("LIM-02")
def test_lim02_seed_example_add_on_declined():
    # given Halo Kick Rp 100.000 billed, limit Rp 200.000 (LIM-02)
    line = open_line(package_code="halo_kick")
    set_limit(line, 200_000)
    # when buying 3GB Ekstra Kuota Rp 125.000
    purchase = buy(line, 125_000)
    # then declined: 225.000 > 200.000
    assert purchase.decision == "declined"
    assert purchase.reason == "limit_exceeded"
    assert limit_of(line).used == 100_000
    assert Purchase.objects.get(pk=purchase.pk).usage_after == 100_000


@pytest.mark.rule("LIM-02")
@pytest.mark.parametrize(("amount", "decision"), [(199_999, "approved"), (200_000, "approved"), (200_001, "declined")])
def test_lim02_usage_equal_to_limit_is_allowed_one_rupiah_over_is_not(amount, decision):
    # given usage 100.000 of 300.000
    line = open_line()
    # when
    purchase = buy(line, amount)
    # then
    assert purchase.decision == decision
    assert limit_of(line).used == (100_000 + amount if decision == "approved" else 100_000)


@pytest.mark.rule("LIM-03")
@pytest.mark.parametrize(("category", "scope"), [
    ("addon_recurring", Scope.DOMESTIC), ("penalty", Scope.DOMESTIC), ("roaming_voice", Scope.INTERNATIONAL),
])
@pytest.mark.rule("LIM-03")
def test_lim03_categories_that_do_not_count_are_approved_without_touching_usage(category, scope):
    # given a line at its limit in both scopes
    line = open_line()
    set_limit(line, 100_000, used=100_000)
    set_limit(line, 100_000, scope=Scope.INTERNATIONAL, used=100_000)
    # when
    purchase = buy(line, 50_000, category=category, scope=scope)
    # then
    assert purchase.decision == "approved"
    assert purchase.counted is False
    assert limit_of(line, scope).used == 100_000


@pytest.mark.rule("LIM-03")
def test_lim03_international_counts_in_its_own_scope():
    line = open_line()
    purchase = buy(line, 400_000, category="roaming_addon", scope=Scope.INTERNATIONAL)
    assert purchase.decision == "approved"
    assert limit_of(line, Scope.INTERNATIONAL).used == 400_000
    assert limit_of(line).used == 100_000


def test_decline_not_postpaid():
    prepaid = LineFactory()
    purchase = buy(prepaid, 10_000)
    assert (purchase.decision, purchase.reason) == ("declined", "not_postpaid")


@pytest.mark.parametrize(("category", "scope"), [("gold_bars", Scope.DOMESTIC), ("roaming_addon", Scope.DOMESTIC)])
def test_decline_unknown_category(category, scope):
    line = open_line()
    purchase = buy(line, 10_000, category=category, scope=scope)
    assert (purchase.decision, purchase.reason) == ("declined", "unknown_category")
    assert limit_of(line).used == 100_000


@pytest.mark.rule("LIM-05")
@pytest.mark.parametrize(("reason", "scope", "expected"), [
    (Block.Reason.CUSTOMER_REQUEST, Block.Scope.PURCHASES, "customer_bar"),
    (Block.Reason.SYSTEM_HOLD, Block.Scope.ALL, "system_hold"),
    (Block.Reason.UNPAID_BILL, Block.Scope.OUTGOING, "unpaid_bill"),
    (Block.Reason.LOST_SIM, Block.Scope.ALL, "line_blocked"),
    (Block.Reason.CREDIT_LIMIT, Block.Scope.PURCHASES, "line_blocked"),
])
@pytest.mark.rule("LIM-05")
def test_lim05_decline_reason_from_blocks(reason, scope, expected):
    # given an open block
    line = open_line()
    block(line, reason, scope)
    # when
    purchase = buy(line, 10_000)
    # then exactly one reason
    assert (purchase.decision, purchase.reason) == ("declined", expected)
    assert limit_of(line).used == 100_000


def test_an_outgoing_only_block_does_not_stop_purchases():
    line = open_line()
    block(line, Block.Reason.FORCE_MAJEURE, Block.Scope.OUTGOING)
    assert buy(line, 10_000).decision == "approved"


def test_a_lifted_block_no_longer_declines():
    line = open_line()
    bar = block(line, Block.Reason.CUSTOMER_REQUEST)
    bar.ended_at = timezone.now()
    bar.save()
    assert buy(line, 10_000).decision == "approved"


def test_bar_wins_over_limit_exceeded():
    line = open_line()
    block(line, Block.Reason.CUSTOMER_REQUEST)
    assert buy(line, 10_000_000).reason == "customer_bar"


@pytest.mark.rule("LIM-05")
@pytest.mark.parametrize(("due_date", "expected"), [
    (TODAY - dt.timedelta(days=1), "unpaid_bill"),  # due yesterday, unpaid: declined (LIM-05)
    (TODAY, None),                                  # due today: still allowed
])
@pytest.mark.rule("LIM-05")
def test_lim05_unpaid_bill_past_due_date(due_date, expected):
    line = open_line()
    BillFactory(billing_account=line.billing_account, issued_on=due_date - dt.timedelta(days=20), due_date=due_date)
    purchase = buy(line, 10_000)
    assert purchase.reason == (expected or "")
    assert purchase.decision == ("declined" if expected else "approved")


def test_paid_bill_past_due_does_not_decline():
    line = open_line()
    BillFactory(billing_account=line.billing_account, due_date=TODAY - dt.timedelta(days=5),
                issued_on=TODAY - dt.timedelta(days=25), status="paid", paid=150_000, paid_on=TODAY)
    assert buy(line, 10_000).decision == "approved"


def test_terminated_line_is_declined_as_blocked():
    line = open_line()
    line.status, line.terminated_on = "terminated", TODAY
    line.save()
    assert buy(line, 10_000).reason == "line_blocked"


@pytest.mark.rule("LIM-04")
def test_after_100_percent_no_purchase_is_allowed():
    # LIM-04: at 100 % nothing more, even one rupiah
    line = open_line()
    assert buy(line, 200_000).decision == "approved"
    assert buy(line, 1).reason == "limit_exceeded"


@pytest.mark.parametrize("category", ["addon", "addon_recurring", "penalty"])
@pytest.mark.rule("LIM-04")
def test_lim04_above_100_percent_every_category_is_declined(category):
    # given usage one rupiah above the limit (usage records may pass it, LIM-04)
    line = open_line()
    set_limit(line, 100_000, used=100_001)
    # when a counting add-on, a 30-day add-on or a penalty is bought
    purchase = buy(line, 1_000, category=category)
    # then declined whatever the category, and nothing counted
    assert (purchase.decision, purchase.reason) == ("declined", "limit_exceeded")
    assert limit_of(line).used == 100_001


@pytest.mark.parametrize(("used", "decision"), [(99_999, "approved"), (100_000, "approved"), (100_001, "declined")])
@pytest.mark.rule("LIM-04")
def test_lim04_non_counting_category_approved_at_exactly_100_percent_declined_above(used, decision):
    # given a limit of 100.000 and usage a rupiah below, at, a rupiah above it (LIM-04 decision)
    line = open_line()
    set_limit(line, 100_000, used=used)
    # when a penalty (does not count, LIM-03) is charged
    purchase = buy(line, 50_000, category="penalty")
    # then
    assert purchase.decision == decision
    assert limit_of(line).used == used


def test_replay_returns_the_first_decision_and_changes_nothing():
    # given an approved request
    line = open_line()
    first = buy(line, 50_000, request_id="abc-1")
    # when replayed
    again = buy(line, 50_000, request_id="abc-1")
    # then
    assert again.pk == first.pk and again.replayed and not first.replayed
    assert limit_of(line).used == 150_000
    assert Purchase.objects.filter(request_id="abc-1").count() == 1


def test_replay_of_a_declined_request_stays_declined_after_room_appears():
    line = open_line()
    set_limit(line, 200_000)
    first = buy(line, 150_000, request_id="abc-2")
    set_limit(line, 1_000_000)
    again = buy(line, 150_000, request_id="abc-2")
    assert (first.decision, again.decision, again.reason) == ("declined", "declined", "limit_exceeded")
    assert limit_of(line).used == 100_000


def test_same_request_id_with_another_body_is_refused():
    line = open_line()
    buy(line, 50_000, request_id="abc-3")
    with pytest.raises(RuleViolation) as exc:
        buy(line, 60_000, request_id="abc-3")
    assert exc.value.codes == ["request_id_reused"]
    assert limit_of(line).used == 150_000


@pytest.mark.rule("LIM-02")
def test_the_stored_row_is_the_returned_decision():
    # given usage 100.000 of 300.000
    line = open_line()
    # when an add-on is approved (LIM-02)
    purchase = buy(line, 50_000, request_id="row-1")
    # then the row written by the raw INSERT holds every column the returned object shows
    stored = Purchase.objects.select_related("category").get(request_id="row-1")
    assert stored.pk == purchase.pk
    assert (stored.line_id, stored.scope, stored.category_code, stored.category.code, stored.amount) == (
        line.pk, "domestic", "addon", "addon", 50_000)
    assert (stored.decision, stored.reason, stored.counted) == ("approved", "", True)
    assert (stored.usage_after, stored.limit_amount, stored.cycle_start) == (150_000, 300_000, dt.date(2026, 11, 1))
    assert (stored.description, stored.channel, stored.client) == ("test", "api", "ocs")
    assert stored.created_at == purchase.created_at
    assert (purchase.usage_after, purchase.limit_amount, purchase.line.msisdn) == (150_000, 300_000, line.msisdn)


@pytest.mark.rule("LIM-03")
def test_lim03_a_non_counting_purchase_stores_the_usage_as_it_stands():
    line = open_line()
    purchase = buy(line, 50_000, category="penalty", request_id="row-2")
    stored = Purchase.objects.get(request_id="row-2")
    assert (stored.decision, stored.counted, stored.usage_after, stored.limit_amount) == ("approved", False,
                                                                                          100_000, 300_000)
    assert purchase.usage_after == 100_000


def test_a_postpaid_line_without_limits_is_declined_as_limit_exceeded():
    # given a postpaid line whose limits were never opened
    line = open_line()
    line.spending_limits.all().delete()
    # when / then one reason, no usage to show
    purchase = buy(line, 1_000)
    assert (purchase.decision, purchase.reason, purchase.usage_after) == ("declined", "limit_exceeded", None)


def test_replay_after_the_number_left_the_line_returns_the_first_decision():
    # given an approved request, then the number is recycled (no line holds it any more)
    line = open_line()
    first = buy(line, 50_000, request_id="abc-4")
    msisdn = line.msisdn
    line.status, line.terminated_on = "recycled", TODAY
    line.save()
    # when the charging system replays the request
    again = purchase_authorize(request_id="abc-4", msisdn=msisdn, scope="domestic", category="addon",
                               amount=50_000, today=TODAY)
    # then the first decision comes back; a new request id for that number is refused
    assert (again.pk, again.replayed, again.decision) == (first.pk, True, "approved")
    with pytest.raises(RuleViolation) as exc:
        purchase_authorize(request_id="abc-5", msisdn=msisdn, scope="domestic", category="addon", amount=1,
                           today=TODAY)
    assert exc.value.codes == ["unknown_line"]
    assert Purchase.objects.count() == 1


def test_a_replay_with_another_line_is_refused_and_debits_nothing():
    # given a request on one line
    line, other = open_line(), open_line()
    buy(line, 50_000, request_id="abc-6")
    # when the same request id comes for another line
    with pytest.raises(RuleViolation) as exc:
        buy(other, 50_000, request_id="abc-6")
    # then refused, and the other line's debit (made before the INSERT failed) is rolled back
    assert exc.value.codes == ["request_id_reused"]
    assert (limit_of(line).used, limit_of(other).used) == (150_000, 100_000)


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"amount": 0}, "invalid_amount"), ({"amount": -5}, "invalid_amount"), ({"amount": True}, "invalid_amount"),
    ({"scope": "mars"}, "invalid_scope"), ({"request_id": ""}, "invalid_request_id"),
    ({"request_id": "x" * 201}, "invalid_request_id"), ({"msisdn": "+6281999999999"}, "unknown_line"),
])
def test_bad_purchase_input_is_refused_and_nothing_written(kwargs, code):
    line = open_line()
    args = {"request_id": "bad-1", "msisdn": line.msisdn, "scope": "domestic", "category": "addon",
            "amount": 1000, **kwargs}
    with pytest.raises(RuleViolation) as exc:
        purchase_authorize(**args)
    assert exc.value.codes == [code]
    assert Purchase.objects.count() == 0


# --- usage -------------------------------------------------------------------------------------------------------


def test_usage_counts_even_past_the_limit_and_is_idempotent():
    # given a line at 100.000 of 300.000
    line = open_line()
    now = timezone.now()
    # when usage past the limit arrives twice with one record id
    record, created = usage_record(record_id="cdr-1", msisdn=line.msisdn, scope="domestic", category="data",
                                   amount=250_000, occurred_at=now)
    again, created_again = usage_record(record_id="cdr-1", msisdn=line.msisdn, scope="domestic", category="data",
                                        amount=250_000, occurred_at=now)
    # then it counted once
    assert (created, created_again, again.pk) == (True, False, record.pk)
    assert limit_of(line).used == 350_000
    assert record.counted and record.cycle_start == dt.date(2026, 11, 1)


def test_usage_of_a_non_counting_category_is_kept_but_not_counted():
    line = open_line()
    record, _ = usage_record(record_id="cdr-2", line=line, scope="international", category="roaming_voice",
                             amount=90_000, occurred_at=timezone.now())
    assert record.counted is False
    assert limit_of(line, Scope.INTERNATIONAL).used == 0


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"category": "nope"}, "unknown_category"), ({"category": "roaming_voice"}, "unknown_category"),
    ({"amount": -1}, "invalid_amount"), ({"record_id": ""}, "invalid_record_id"), ({"scope": "x"}, "invalid_scope"),
    ({"msisdn": "+6281999999999"}, "unknown_line"),
])
def test_bad_usage_input(kwargs, code):
    line = open_line()
    args = {"record_id": "cdr-x", "msisdn": line.msisdn, "scope": "domestic", "category": "data", "amount": 1,
            "occurred_at": timezone.now(), **kwargs}
    before = UsageRecord.objects.count()
    with pytest.raises(RuleViolation) as exc:
        usage_record(**args)
    assert exc.value.codes == [code]
    assert UsageRecord.objects.count() == before


def test_usage_record_id_with_other_data_is_refused():
    line = open_line()
    usage_record(record_id="cdr-3", line=line, scope="domestic", category="sms", amount=500, occurred_at=timezone.now())
    with pytest.raises(RuleViolation) as exc:
        usage_record(record_id="cdr-3", line=line, scope="domestic", category="sms", amount=600,
                     occurred_at=timezone.now())
    assert exc.value.codes == ["record_id_reused"]
    assert limit_of(line).used == 100_500


def test_usage_on_a_prepaid_line_is_refused():
    prepaid = LineFactory()
    with pytest.raises(RuleViolation) as exc:
        usage_record(record_id="cdr-4", line=prepaid, scope="domestic", category="sms", amount=5,
                     occurred_at=timezone.now())
    assert exc.value.codes == ["not_postpaid"]
