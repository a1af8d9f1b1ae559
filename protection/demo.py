"""Demo data for TecProtec: phones on postpaid lines, subscriptions of both payment options (some still in the
waiting period), claims in every workflow state (one past its SLA, one with a pending shipping reimbursement),
and postpaid lines left without a subscription.

Deterministic (the plan is drawn from `rng` before looking at the database) and idempotent (a line that already
has a subscription is left alone; device IMEIs are set to the same value again), so a second run creates nothing.
"""

import datetime as dt
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q

from accounts.identifiers import make_imei
from accounts.models import Line, User
from core.dates import local_today
from core.models import Channel
from protection import services
from protection.models import Claim, Enrollment, LineDevice

DEMO_POSTPAID_PREFIXES = ("+62811", "+62813")  # accounts.demo's postpaid ranges
IMEI_BASE = 7_000_000  # demo IMEIs: 35 + 12 digits from IMEI_BASE + line id
PLANNED_LINES = 48

# What happens to each claim after filing, in order: (event, kwargs). "days" are days after the pickup.
CLAIM_STORIES = {
    "filed": [],
    "fee_paid": [("fee_paid", {})],
    "picked_up_breached": [("fee_paid", {}), ("picked_up", {})],  # picked up long ago, never returned (TP-10)
    "at_repair": [("fee_paid", {}), ("picked_up", {}), ("at_repair", {})],
    "returned_excess": [("fee_paid", {}), ("picked_up", {}), ("at_repair", {}),
                        ("returned", {"repair_cost": 1_250_000, "days": 5})],  # TP-08: Rp 250.000 excess
    "reimbursement_pending": [("fee_paid", {}), ("shipping_reimbursement", {"amount": 35_000}),
                              ("picked_up", {}), ("at_repair", {})],  # TP-11
    "rejected": [("fee_paid", {}), ("rejected", {"reason": "Kerusakan akibat cairan tidak ditanggung"})],
    "closed": [("fee_paid", {}), ("picked_up", {}), ("at_repair", {}), ("returned", {"repair_cost": 650_000,
                                                                                     "days": 4}), ("closed", {})],
}


def _receipt() -> SimpleUploadedFile:
    return SimpleUploadedFile("nota.pdf", b"%PDF-1.4\n% demo receipt\n", content_type="application/pdf")


def _plan(rng: random.Random, count: int) -> list[dict]:
    """One entry per line, drawn before the database is read so that the same seed always gives the same data."""
    stories = list(CLAIM_STORIES)
    plan = []
    for index in range(count):
        kind = "none" if index % 4 == 3 else ("device_only" if index % 8 == 2 else "enroll")
        entry = {
            "kind": kind,
            "option": rng.choice([Enrollment.PaymentOption.MONTHLY, Enrollment.PaymentOption.MONTHLY,
                                  Enrollment.PaymentOption.UPFRONT]),
            "channel": rng.choice([Channel.GRAPARI, Channel.UMB]),
            "age_days": rng.randint(2, 170),
            "phone_age_days": rng.randint(30, 700),
            "claim": None,
        }
        plan.append(entry)
    # Claims: every story once on the older subscriptions, the rest without claims.
    enroll_indexes = [i for i, entry in enumerate(plan) if entry["kind"] == "enroll"]
    for story, index in zip(stories, enroll_indexes[: len(stories)], strict=False):
        plan[index]["claim"] = story
        plan[index]["age_days"] = 75 if story == "picked_up_breached" else rng.randint(45, 150)
    # A few subscriptions still in their waiting period (TP-07).
    for index in enroll_indexes[len(stories): len(stories) + 4]:
        plan[index]["age_days"] = rng.randint(1, 12)
    return plan


def seed_demo_data(*, rng: random.Random, stdout) -> None:
    today = local_today()
    demo_numbers = Q()
    for prefix in DEMO_POSTPAID_PREFIXES:
        demo_numbers |= Q(msisdn__startswith=prefix)
    lines = list(Line.objects.filter(demo_numbers, kind=Line.Kind.POSTPAID, status=Line.Status.ACTIVE)
                 .select_related("customer").order_by("msisdn"))
    plan = _plan(rng, PLANNED_LINES)
    agent = User.objects.filter(groups__name="Agent").order_by("username").first()
    enrolled = set(Enrollment.objects.filter(line__in=lines).values_list("line_id", flat=True))
    made = claims = devices = 0
    for line, entry in zip(lines, plan, strict=False):
        if entry["kind"] == "none":
            continue  # postpaid lines left without a subscription
        imei = make_imei(IMEI_BASE + line.pk)
        if not LineDevice.objects.filter(line=line, imei=imei).exists():
            services.line_device_set(line=line, imei=imei, actor_label="demo-network", channel=Channel.API)
            devices += 1
        if entry["kind"] != "enroll" or line.pk in enrolled:
            continue
        start = today - dt.timedelta(days=entry["age_days"])
        extra = {}
        if entry["channel"] == Channel.GRAPARI:
            extra = {"purchase_date": start - dt.timedelta(days=entry["phone_age_days"]),
                     "receipt_number": f"NOTA-{line.pk:06d}", "receipt": _receipt()}
        enrollment = services.protection_enroll(
            line=line, payment_option=entry["option"], channel=entry["channel"],
            actor=agent if entry["channel"] == Channel.GRAPARI else None,
            actor_label="" if entry["channel"] == Channel.GRAPARI else "ussd:*500*777#",
            today=start, **extra)
        made += 1
        if entry["claim"]:
            _claim_story(enrollment, entry, story=entry["claim"], today=today, agent=agent)
            claims += 1
    # Monthly instalments due up to today, then the daily flags (TP-03, TP-10, TP-11).
    while services.installments_charge_chunk(today=today).selected:
        pass
    while services.claims_flag_sla_chunk(today=today).selected:
        pass
    while services.reimbursements_flag_overdue_chunk(today=today).selected:
        pass
    stdout.write(f"protection: {devices} device IMEIs, {made} subscriptions, {claims} claims")


def _claim_story(enrollment: Enrollment, entry: dict, *, story: str, today: dt.date, agent) -> Claim:
    filed_on = min(enrollment.claims_from + dt.timedelta(days=3), today)
    if story == "picked_up_breached":
        filed_on = enrollment.claims_from + dt.timedelta(days=1)
    umb = enrollment.purchase_date is None
    claim = services.claim_file(
        enrollment=enrollment, imei=enrollment.imei, damage="Layar retak setelah terjatuh", actor=agent,
        channel=Channel.PARTNER if umb else Channel.GRAPARI,
        purchase_date=enrollment.start_date - dt.timedelta(days=entry["phone_age_days"]) if umb else None,
        receipt_number=f"NOTA-{enrollment.line_id:06d}" if umb else "", today=filed_on,
    )
    pickup = min(filed_on + dt.timedelta(days=1), today)
    for event, kwargs in CLAIM_STORIES[story]:
        kwargs = dict(kwargs)
        days = kwargs.pop("days", 0)
        on = filed_on if event in ("fee_paid", "shipping_reimbursement") else min(pickup + dt.timedelta(days=days),
                                                                                  today)
        claim = services.claim_advance(claim=claim, event=event, actor=None, actor_label="demo-amsi",
                                       channel=Channel.API, on=on, **kwargs)
    return claim
