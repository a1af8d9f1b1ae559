import datetime as dt

import pytest
from django.test import override_settings

from accounts.models import Block
from core.dates import local_today
from core.models import AuditEvent, Channel, JobRun, OutboundSms, Parameter
from prepaid import services, tasks
from prepaid.ledger_checks import ledger_mismatches
from prepaid.models import Card, LedgerEntry, PrimeSubscription, SmsHourCounter, VoucherDraw, VoucherWin
from tests.prepaid.factories import CardFactory, prime, tier

pytestmark = pytest.mark.django_db

ACTIVE_UNTIL = dt.date(2026, 1, 10)


# ---------------------------------------------------------------------------------------- lifecycle PRE-02


@pytest.mark.rule("PRE-02")
def test_pre02_card_stays_active_on_its_active_until_day():
    card = CardFactory(active_until=ACTIVE_UNTIL, balance=7000)
    tasks.lifecycle_task(day=ACTIVE_UNTIL.isoformat())
    assert Card.objects.get(pk=card.pk).state == Card.State.ACTIVE


@pytest.mark.rule("PRE-02")
def test_pre02_card_enters_grace_the_day_after_active_until():
    # given
    card = CardFactory(active_until=ACTIVE_UNTIL, balance=7000)
    # when
    run_id = tasks.lifecycle_task(day="2026-01-11")["run"]
    # then
    card.refresh_from_db()
    assert card.state == Card.State.GRACE
    assert card.grace_until == dt.date(2026, 2, 9)  # 30 calendar days of grace: 11 Jan … 9 Feb
    assert card.balance == 7000
    run = JobRun.objects.get(pk=run_id)
    assert run.status == JobRun.Status.SUCCEEDED and run.changed == 1
    assert AuditEvent.objects.filter(verb="job.succeeded", subject_id=str(run.pk)).exists()


@pytest.mark.rule("PRE-02")
def test_pre02_day_30_of_grace_still_grace_day_31_invalid_with_one_forfeiture():
    # given: grace from 11 Jan; day 30 is 9 Feb
    card = CardFactory(state=Card.State.GRACE, active_until=ACTIVE_UNTIL, grace_until=dt.date(2026, 2, 9),
                       balance=12345)
    # when: day 30
    tasks.lifecycle_task(day="2026-02-09")
    # then
    assert Card.objects.get(pk=card.pk).state == Card.State.GRACE
    # when: day 31
    tasks.lifecycle_task(day="2026-02-10")
    # then
    card.refresh_from_db()
    assert card.state == Card.State.INVALID and card.balance == 0 and card.invalid_since == dt.date(2026, 2, 10)
    forfeitures = LedgerEntry.objects.filter(card=card, kind=LedgerEntry.Kind.FORFEITURE)
    assert [(e.amount, e.balance_after, e.reference) for e in forfeitures] == [(-12345, 0, f"forfeit:{card.pk}")]
    assert ledger_mismatches() == []


@pytest.mark.rule("PRE-02")
def test_pre02_lifecycle_rerun_and_forced_rerun_change_nothing():
    card = CardFactory(state=Card.State.GRACE, active_until=ACTIVE_UNTIL, grace_until=dt.date(2026, 2, 9),
                       balance=500)
    tasks.lifecycle_task(day="2026-02-10")
    tasks.lifecycle_task(day="2026-02-10")
    run_id = tasks.lifecycle_task(day="2026-02-10", force=True)["run"]
    assert JobRun.objects.get(pk=run_id).changed == 0
    assert LedgerEntry.objects.filter(card=card, kind=LedgerEntry.Kind.FORFEITURE).count() == 1


@pytest.mark.rule("PRE-02")
def test_lifecycle_catches_up_in_chunks():
    # given: cards long past both periods, processed 2 per chunk
    cards = [CardFactory(active_until=dt.date(2025, 11, 1), balance=1000 * (i + 1)) for i in range(5)]
    # when
    run = JobRun.objects.get(pk=tasks.lifecycle_task(day="2026-01-11", chunk_size=2)["run"])
    # then: grace then invalid in the same run, every card once
    assert run.chunks == 6 and run.changed == 10
    assert set(Card.objects.filter(pk__in=[c.pk for c in cards]).values_list("state", flat=True)) == {"invalid"}
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.FORFEITURE).count() == 5
    assert ledger_mismatches() == []


@pytest.mark.rule("PRE-02")
def test_zero_balance_card_gets_a_zero_forfeiture_entry():
    card = CardFactory(state=Card.State.GRACE, active_until=ACTIVE_UNTIL, grace_until=dt.date(2026, 2, 9))
    services.lifecycle_chunk(today=dt.date(2026, 2, 10))
    assert LedgerEntry.objects.get(card=card).amount == 0


# ---------------------------------------------------------------------------------------- Prime renewal PRM-02/03


@pytest.mark.rule("PRM-02")
def test_prm02_renewal_with_balance_equal_to_fee():
    # given: Prime Joy costs 25.000
    card = CardFactory(balance=25000)
    subscription = prime(card, "joy", started_on=dt.date(2026, 1, 15))
    # when
    tasks.prime_renewal_task(day="2026-02-15")
    # then
    card.refresh_from_db()
    subscription.refresh_from_db()
    assert card.balance == 0
    assert subscription.status == PrimeSubscription.Status.ACTIVE
    assert subscription.renews_on == dt.date(2026, 3, 15) and subscription.periods_charged == 2
    entry = LedgerEntry.objects.get(card=card, kind=LedgerEntry.Kind.PRIME_FEE)
    assert entry.amount == -25000 and entry.balance_after == 0
    assert entry.reference == f"prime:{subscription.pk}:2026-02-15"


@pytest.mark.rule("PRM-03")
def test_prm03_renewal_one_rupiah_short_disables_prime_with_sms():
    # given
    card = CardFactory(balance=24999)
    subscription = prime(card, "joy", started_on=dt.date(2026, 1, 15))
    # when
    tasks.prime_renewal_task(day="2026-02-15")
    # then
    card.refresh_from_db()
    subscription.refresh_from_db()
    assert card.balance == 24999
    assert subscription.status == PrimeSubscription.Status.DISABLED
    assert subscription.end_reason == PrimeSubscription.EndReason.LOW_BALANCE
    assert not LedgerEntry.objects.filter(card=card, kind=LedgerEntry.Kind.PRIME_FEE).exists()
    sms = OutboundSms.objects.get(line=card.line, template_code="prime_disabled_low_balance")
    assert "Prime Joy" in sms.text and "Prime Prime" not in sms.text  # the tier named once (issue 13)
    assert AuditEvent.objects.filter(line=card.line, verb="prime.disabled").count() == 1


@pytest.mark.rule("PRM-03")
def test_prm03_disabled_sms_respects_the_outbox_dedup_key():
    # given: the SMS for this subscription and period is in the outbox already
    from core.outbox import sms_enqueue

    card = CardFactory(balance=100)
    subscription = prime(card, "joy", started_on=dt.date(2026, 1, 15))
    first = sms_enqueue(msisdn=card.line.msisdn, line=card.line, template_code="prime_disabled_low_balance",
                        dedup_key=f"prime-disabled:{subscription.pk}:2026-02-15",
                        context={"msisdn": "x", "tier": "Prime Joy", "fee": "Rp 25.000"})
    # when
    tasks.prime_renewal_task(day="2026-02-15")
    # then: Prime is off, and the outbox still holds the one SMS
    subscription.refresh_from_db()
    assert subscription.status == PrimeSubscription.Status.DISABLED
    assert list(OutboundSms.objects.values_list("pk", flat=True)) == [first.pk]


@pytest.mark.rule("PRM-02")
def test_prm02_renewal_on_31_january_moves_to_end_of_february_then_31_march():
    card = CardFactory(balance=100000)
    subscription = prime(card, "lite", started_on=dt.date(2025, 12, 31))
    assert subscription.renews_on == dt.date(2026, 1, 31)
    tasks.prime_renewal_task(day="2026-01-31")
    subscription.refresh_from_db()
    assert subscription.renews_on == dt.date(2026, 2, 28)
    tasks.prime_renewal_task(day="2026-02-28")
    subscription.refresh_from_db()
    assert subscription.renews_on == dt.date(2026, 3, 31)
    card.refresh_from_db()
    assert card.balance == 80000


@pytest.mark.rule("PRM-02")
def test_renewal_never_charges_a_period_twice():
    card = CardFactory(balance=100000)
    subscription = prime(card, "lite", started_on=dt.date(2026, 1, 15))
    tasks.prime_renewal_task(day="2026-02-15")
    tasks.prime_renewal_task(day="2026-02-15", force=True)
    # a lost update that put the date back: the unique reference stops a second charge
    PrimeSubscription.objects.filter(pk=subscription.pk).update(renews_on=dt.date(2026, 2, 15), periods_charged=1)
    services.prime_renewal_chunk(today=dt.date(2026, 2, 15))
    card.refresh_from_db()
    assert card.balance == 90000
    assert LedgerEntry.objects.filter(card=card, kind=LedgerEntry.Kind.PRIME_FEE).count() == 1


@pytest.mark.rule("PRM-03")
def test_renewal_disabled_when_card_in_grace():
    card = CardFactory(state=Card.State.GRACE, active_until=dt.date(2026, 2, 1), balance=100000)
    subscription = prime(card, "lite", started_on=dt.date(2026, 1, 15))
    services.prime_renewal_chunk(today=dt.date(2026, 2, 15))
    subscription.refresh_from_db()
    assert subscription.end_reason == PrimeSubscription.EndReason.CARD_NOT_ACTIVE
    assert Card.objects.get(pk=card.pk).balance == 100000


@pytest.mark.rule("PRM-02")
def test_prm02_renewal_from_31_december_lands_on_29_february_in_a_leap_year():
    card = CardFactory(balance=100000)
    subscription = prime(card, "lite", started_on=dt.date(2027, 12, 31))
    tasks.prime_renewal_task(day="2028-01-31")
    subscription.refresh_from_db()
    assert subscription.renews_on == dt.date(2028, 2, 29) and subscription.periods_charged == 2


@pytest.mark.rule("PRM-02", "PRM-03")
def test_prm02_prm03_one_chunk_with_payers_and_short_balances():
    # given: in one chunk, Joy (25.000) at the fee, one rupiah short, well above it, and a card in grace
    at_fee = CardFactory(balance=25000)
    short = CardFactory(balance=24999)
    rich = CardFactory(balance=70000)
    in_grace = CardFactory(state=Card.State.GRACE, active_until=dt.date(2026, 2, 1), balance=90000)
    subscriptions = {card.pk: prime(card, "joy", started_on=dt.date(2026, 1, 15))
                     for card in (at_fee, short, rich, in_grace)}
    # when: chunks of 3 (the due order is renews_on, id: the first three, then the fourth)
    run = JobRun.objects.get(pk=tasks.prime_renewal_task(day="2026-02-15", chunk_size=3)["run"])
    # then
    assert (run.chunks, run.selected, run.changed) == (2, 4, 4)
    fees = {e.card_id: (e.amount, e.balance_after, e.reference)
            for e in LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PRIME_FEE)}
    assert fees == {
        at_fee.pk: (-25000, 0, f"prime:{subscriptions[at_fee.pk].pk}:2026-02-15"),
        rich.pk: (-25000, 45000, f"prime:{subscriptions[rich.pk].pk}:2026-02-15"),
    }
    states = {s.card_id: (s.status, s.end_reason, s.renews_on, s.periods_charged, s.ended_on)
              for s in PrimeSubscription.objects.all()}
    assert states == {
        at_fee.pk: ("active", "", dt.date(2026, 3, 15), 2, None),
        rich.pk: ("active", "", dt.date(2026, 3, 15), 2, None),
        short.pk: ("disabled", "low_balance", dt.date(2026, 2, 15), 1, dt.date(2026, 2, 15)),
        in_grace.pk: ("disabled", "card_not_active", dt.date(2026, 2, 15), 1, dt.date(2026, 2, 15)),
    }
    # PRM-03: an SMS to the active card that could not pay, none to the card in grace; an audit row for each
    assert list(OutboundSms.objects.values_list("line_id", "dedup_key")) == [
        (short.line_id, f"prime-disabled:{subscriptions[short.pk].pk}:2026-02-15")]
    assert sorted(AuditEvent.objects.filter(verb="prime.disabled").values_list("line_id", flat=True)) == sorted(
        [short.line_id, in_grace.line_id])
    assert ledger_mismatches() == []
    # and a re-run of the period finds nothing left
    rerun = JobRun.objects.get(pk=tasks.prime_renewal_task(day="2026-02-15", force=True)["run"])
    assert rerun.selected == 0 and LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PRIME_FEE).count() == 2


@pytest.mark.rule("PRM-02")
def test_prime_subscribe_charges_first_month(agent):
    card = CardFactory(balance=30000)
    subscription = services.prime_subscribe(card=card, actor=agent, today=dt.date(2026, 1, 31))
    card.refresh_from_db()
    assert subscription.tier.code == "lite" and subscription.renews_on == dt.date(2026, 2, 28)
    assert card.balance == 20000 and ledger_mismatches() == []


# ---------------------------------------------------------------------------------------- tiers PRM-01


def _spend(card, amount, when):
    LedgerEntry.objects.create(card=card, kind=LedgerEntry.Kind.TOPUP, amount=amount, balance_after=card.balance
                               + amount, reference=f"t-{card.pk}-{when}", created_at=when)
    LedgerEntry.objects.create(card=card, kind=LedgerEntry.Kind.PACKAGE_PURCHASE, amount=-amount,
                               balance_after=card.balance, reference=f"p-{card.pk}-{when}", created_at=when)


@pytest.mark.rule("PRM-01")
@pytest.mark.parametrize("total,expected", [(0, "lite"), (449997, "lite"), (450000, "joy"), (899997, "joy"),
                                            (900000, "first")])
def test_prm01_tier_from_three_month_average(total, expected):
    # given: thresholds Joy 150.000, First 300.000 on the 3-month average; spend in Mar, Apr, May
    card = CardFactory()
    subscription = prime(card, "lite", started_on=dt.date(2026, 1, 15))
    if total:
        _spend(card, total, dt.datetime(2026, 4, 10, 12, tzinfo=dt.UTC))
    # spend in June (the month under way) and in February (outside the window) does not count
    _spend(card, 900000, dt.datetime(2026, 6, 1, 1, tzinfo=dt.UTC))
    _spend(card, 900000, dt.datetime(2026, 2, 27, 12, tzinfo=dt.UTC))
    # when
    tasks.prime_tier_review_task(day="2026-06-01")
    # then
    subscription.refresh_from_db()
    assert subscription.tier.code == expected
    assert subscription.tier_reviewed_for == dt.date(2026, 6, 1)


# ---------------------------------------------------------------------------------------- draw PRM-04


@pytest.mark.rule("PRM-04")
def test_prm04_wednesday_draw_among_joy_and_first_reproducible():
    # given
    eligible = []
    for index in range(12):
        card = CardFactory()
        eligible.append(prime(card, "joy" if index % 2 else "first").pk)
    lite = prime(CardFactory(), "lite")
    Parameter.objects.filter(code="prime_voucher_winners").update(value=5)
    # when
    tasks.prime_voucher_draw_task(day="2026-06-10")
    # then
    draw = VoucherDraw.objects.get(draw_date=dt.date(2026, 6, 10))
    winners = list(VoucherWin.objects.filter(draw=draw).values_list("subscription_id", flat=True))
    assert len(winners) == 5 and lite.pk not in winners
    assert draw.eligible == sorted(eligible)
    assert sorted(services.draw_winners(seed=draw.seed, eligible=draw.eligible, count=5)) == sorted(winners)
    assert OutboundSms.objects.filter(template_code="prime_voucher_won").count() == 5
    # a second run the same day draws nothing new
    tasks.prime_voucher_draw_task(day="2026-06-10", force=True)
    assert VoucherWin.objects.count() == 5


@pytest.mark.rule("PRM-04")
def test_prm04_no_draw_on_a_tuesday():
    prime(CardFactory(), "joy")
    tasks.prime_voucher_draw_task(day="2026-06-09")
    assert not VoucherDraw.objects.exists()


# ---------------------------------------------------------------------------------------- reminder


@pytest.mark.parametrize("until,sent", [(dt.date(2026, 6, 13), True), (dt.date(2026, 6, 14), False),
                                        (dt.date(2026, 6, 10), False)])
def test_reminder_three_days_before_active_until(until, sent):
    card = CardFactory(active_until=until)
    tasks.expiry_reminders_task(day="2026-06-10")
    assert OutboundSms.objects.filter(line=card.line, template_code="prepaid_expiry_reminder").exists() == sent


def test_reminder_sent_once_per_active_until():
    card = CardFactory(active_until=dt.date(2026, 6, 13))
    tasks.expiry_reminders_task(day="2026-06-10")
    tasks.expiry_reminders_task(day="2026-06-11")
    assert OutboundSms.objects.filter(line=card.line).count() == 1
    assert Card.objects.get(pk=card.pk).reminder_sent_for == dt.date(2026, 6, 13)


# ---------------------------------------------------------------------------------------- SMS fair usage PRE-04

AT = dt.datetime(2026, 6, 10, 3, 30, tzinfo=dt.UTC)  # 10:30 WIB


@pytest.mark.rule("PRE-04")
def test_sms_usage_counted_once_per_record():
    card = CardFactory()
    assert services.sms_usage_record(card=card, record_id="r1", occurred_at=AT, count=5)
    assert not services.sms_usage_record(card=card, record_id="r1", occurred_at=AT, count=5)
    services.sms_usage_record(card=card, record_id="r2", occurred_at=AT, count=2)
    counter = SmsHourCounter.objects.get(card=card)
    assert (counter.day, counter.hour, counter.count) == (dt.date(2026, 6, 10), 10, 7)


@pytest.mark.rule("PRE-04")
@pytest.mark.parametrize("count,blocked", [(200, False), (201, True)])
def test_pre04_per_hour_limit(count, blocked):
    card = CardFactory()
    services.sms_usage_record(card=card, record_id="r1", occurred_at=AT, count=count)
    tasks.sms_fair_usage_task(at=AT.isoformat())
    assert Block.objects.filter(line=card.line, reason=Block.Reason.SMS_FAIR_USAGE).exists() == blocked
    assert OutboundSms.objects.filter(template_code="prepaid_sms_fair_usage_block").exists() == blocked


@pytest.mark.rule("PRE-04")
@pytest.mark.parametrize("count,blocked", [(1000, False), (1001, True)])
def test_pre04_per_day_limit(count, blocked):
    # given: spread over hours so that no hour passes 200
    card = CardFactory()
    for hour in range(10):
        share = count // 10 + (1 if hour < count % 10 else 0)
        services.sms_usage_record(card=card, record_id=f"r{hour}", occurred_at=AT.replace(hour=hour), count=share)
    # when
    tasks.sms_fair_usage_task(at=AT.replace(hour=16).isoformat())
    # then
    assert Block.objects.filter(line=card.line, reason=Block.Reason.SMS_FAIR_USAGE).exists() == blocked


@pytest.mark.rule("PRE-04")
def test_pre04_lifted_block_not_set_again_the_same_day(supervisor):
    card = CardFactory()
    services.sms_usage_record(card=card, record_id="r1", occurred_at=AT, count=500)
    services.sms_fair_usage_chunk(now=AT)
    block = Block.objects.get(line=card.line)
    services.card_unblock(card=card, block=block, actor=supervisor, note="business customer, checked")
    result = services.sms_fair_usage_chunk(now=AT + dt.timedelta(minutes=10))
    assert result.selected == 0
    assert AuditEvent.objects.filter(line=card.line, verb="line.blocked", channel=Channel.SYSTEM).count() == 1


def test_tier_helper():
    assert tier("first").voucher_draw and not tier("lite").voucher_draw


# ---------------------------------------------------------------------------------------- "run now" on the Jobs page


def test_every_prepaid_schedule_task_takes_force():
    # the Jobs page passes force=True only to a task whose signature has it (core.services.job_run_now)
    import inspect

    from core.schedules import SCHEDULES
    from core.services import _task_for

    prepaid_schedules = [s for s in SCHEDULES.values() if s.task.startswith("prepaid.tasks.")]
    assert len(prepaid_schedules) == 7  # PRE-08 added prepaid-price-changes
    for schedule in prepaid_schedules:
        parameter = inspect.signature(_task_for(schedule.task).run).parameters.get("force")
        assert parameter is not None and parameter.default is False, schedule.task


@override_settings(CELERY_TASK_ALWAYS_EAGER=True)
def test_forced_run_now_of_a_finished_period_runs_it_again(supervisor_client, supervisor):
    from config.celery_app import app

    # given: today's renewal run finished, then a subscription due today turns up
    today = local_today()
    tasks.prime_renewal_task()
    run = JobRun.objects.get(job="prepaid.prime_renewal", period_key=today.isoformat())
    assert run.status == JobRun.Status.SUCCEEDED and run.selected == 0
    card = CardFactory(balance=50000, active_until=today + dt.timedelta(days=60))
    subscription = prime(card, "lite", started_on=today - dt.timedelta(days=30), renews_on=today)
    app.conf.task_always_eager = True
    try:
        # when: "run now" without force
        supervisor_client.post("/core/jobs/", {"schedule": "prepaid-prime-renewal"})
        # then: a finished period is not run again
        subscription.refresh_from_db()
        run.refresh_from_db()
        assert subscription.renews_on == today and run.attempts == 1
        # when: forced, with a reason
        supervisor_client.post("/core/jobs/", {"schedule": "prepaid-prime-renewal", "force": "on",
                                               "reason": "subscriptions imported late"})
    finally:
        app.conf.task_always_eager = False
    # then: it ran again and charged the new subscription once
    subscription.refresh_from_db()
    run.refresh_from_db()
    assert subscription.renews_on > today and subscription.periods_charged == 2
    assert Card.objects.get(pk=card.pk).balance == 40000
    assert (run.status, run.forced, run.attempts, run.selected, run.changed) == (JobRun.Status.SUCCEEDED, True, 2, 1, 1)
    requested = AuditEvent.objects.filter(verb="job.run_requested").order_by("id")
    # the unforced "run now" on the finished period queued nothing, so only the forced re-run is recorded
    assert [event.new["force"] for event in requested] == [True]
    assert AuditEvent.objects.filter(verb="job.succeeded", subject_id=str(run.pk)).count() == 2
