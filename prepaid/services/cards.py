"""Writes on one card: activation, top-ups, package purchases, SIM replacement, blocks (PRE-01..05).

Every balance change locks the card row (SELECT … FOR UPDATE), writes one LedgerEntry with the balance after it and
updates Card.balance in the same transaction, so a card's balance always equals the sum of its ledger.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Block, Line
from core.api.request_ids import DERIVED_PREFIX_ROOM, KEY_MAX_LENGTH
from core.audit import audit_record
from core.dates import local_today
from core.models import Channel
from core.money import format_rupiah
from core.parameters import parameter
from core.verdicts import RuleViolation
from prepaid.models import (
    ActivationArea,
    Card,
    LedgerEntry,
    Package,
    PackagePurchase,
    SimReplacement,
)
from prepaid.rules import activation_eligibility, package_purchase_eligibility, sim_replacement_verdict, topup_step
from prepaid.selectors import active_prime, line_has_open_block, package_price

# PRE-04: the reasons the operator blocks a prepaid card for.
PREPAID_BLOCK_REASONS = (
    Block.Reason.ILLEGAL_ACTIVITY, Block.Reason.SMS_FAIR_USAGE, Block.Reason.INSTITUTION_REQUEST, Block.Reason.MISUSE,
)


def _refuse(code: str, message: str) -> RuleViolation:
    return RuleViolation.single(code, message)


def card_lock(card: Card | int) -> Card:
    card_id = card if isinstance(card, int) else card.pk
    return Card.objects.select_for_update(of=("self",)).select_related("line").get(pk=card_id)


def ledger_write(
    *, card: Card, kind: str, amount: int, reference: str, channel: str, actor=None, note: str = "",
    now: dt.datetime | None = None,
) -> LedgerEntry:
    """Move money on a card that the caller holds locked: one ledger row and the new balance, never below zero."""
    new_balance = card.balance + amount
    if new_balance < 0:
        raise RuleViolation.single("balance_insufficient", _("The balance is %(balance)s; this needs %(amount)s.")
                                   % {"balance": format_rupiah(card.balance), "amount": format_rupiah(-amount)},
                                   next_step=topup_step(card.line_id))
    now = now or timezone.now()
    entry = LedgerEntry.objects.create(
        card=card, kind=kind, amount=amount, balance_after=new_balance, reference=reference, channel=channel,
        actor=actor if getattr(actor, "is_authenticated", False) else None, note=note[:255], created_at=now,
    )
    card.balance = new_balance
    card.updated_at = now
    card.save(update_fields=["balance", "updated_at"])
    return entry


def _reference(reference: str) -> str:
    reference = (reference or "").strip()
    if not reference:
        raise _refuse("reference_required", _("A reference is required."))
    if len(reference) > KEY_MAX_LENGTH - DERIVED_PREFIX_ROOM:  # room for the "pkg:" entry reference derived from it
        raise _refuse("reference_too_long", _("A reference has at most %(n)d characters.") % {
            "n": KEY_MAX_LENGTH - DERIVED_PREFIX_ROOM})
    return reference


# ------------------------------------------------------------------------------------------------ card creation


@transaction.atomic
def card_create(*, line: Line, activation_area: ActivationArea, actor, channel: str = Channel.GRAPARI,
                brand: str = Card.Brand.IM3) -> Card:
    """A prepaid line gets its card, not yet activated; the pack's activation area and brand are recorded (PRE-01,
    PRE-07)."""
    if line.kind != Line.Kind.PREPAID:
        raise _refuse("not_prepaid", _("Only a prepaid line has a prepaid card."))
    if Card.objects.filter(line=line).exists():
        raise _refuse("card_exists", _("This line already has a prepaid card."))
    if brand not in Card.Brand.values:
        raise _refuse("brand_invalid", _("Choose the card's brand."))
    card = Card.objects.create(line=line, activation_area=activation_area, brand=brand)
    audit_record(actor=actor, channel=channel, verb="prepaid.card_created", subject=line,
                 new={"activation_area": activation_area.code, "brand": brand})
    return card


def card_activate(
    *, card: Card, area: ActivationArea | None, actor, channel: str = Channel.GRAPARI, today: dt.date | None = None,
) -> Card:
    """Activate a card (PRE-01). It starts active for `prepaid_initial_active_days`."""
    today = today or local_today()
    with transaction.atomic():
        card = card_lock(card)
        activation_eligibility(card=card, area=area).raise_if_refused()
        card.state = Card.State.ACTIVE
        card.activated_on = today
        card.active_until = today + dt.timedelta(days=parameter("prepaid_initial_active_days"))
        card.updated_at = timezone.now()
        card.save(update_fields=["state", "activated_on", "active_until", "updated_at"])
        line = card.line
        if line.status == Line.Status.INACTIVE:
            line.status = Line.Status.ACTIVE
            line.activated_on = today
            line.save(update_fields=["status", "activated_on"])
        audit_record(actor=actor, channel=channel, verb="prepaid.card_activated", subject=line,
                     old={"state": Card.State.INACTIVE},
                     new={"state": card.state, "active_until": card.active_until, "area": area.code})
    return card


# top-ups (topup_apply): prepaid/services/topups.py


# ------------------------------------------------------------------------------------------------ packages


def package_purchase(
    *, card: Card, package_code: str, reference: str, channel: str, actor=None, actor_label: str = "",
    now: dt.datetime | None = None,
) -> PackagePurchase:
    """Buy a package from the balance (PRE-05, PRE-06 price of the day, PRM-04 Prime price and rollover)."""
    reference = _reference(reference)
    now = now or timezone.now()
    today = timezone.localdate(now)
    package = Package.objects.filter(code=(package_code or "").strip(), is_active=True).first()
    if package is None:
        raise _refuse("unknown_package", _("There is no package %(code)s on sale.") % {"code": package_code})
    with transaction.atomic():
        card = card_lock(card)
        existing = PackagePurchase.objects.filter(reference=reference).first()
        if existing is not None:
            if existing.card_id == card.pk and existing.package_id == package.pk:
                return existing
            raise _refuse("reference_reused", _("This reference was already used for another transaction."))
        prime = active_prime(card) is not None
        price = package_price(package=package, day=today, prime=prime)
        package_purchase_eligibility(card=card, package=package, price=price,
                                     blocked=line_has_open_block(card.line_id)).raise_if_refused()
        entry = ledger_write(card=card, kind=LedgerEntry.Kind.PACKAGE_PURCHASE, amount=-price,
                             reference=f"pkg:{reference}", channel=channel, actor=actor, note=package.name, now=now)
        purchase = PackagePurchase.objects.create(
            card=card, package=package, reference=reference, price=price, purchased_at=now, entry=entry,
            valid_until=today + dt.timedelta(days=package.validity_days),
            rollover=prime and package.monthly_data,  # PRM-04: rollover on monthly data packages
        )
        audit_record(actor=actor, actor_label=actor_label, channel=channel, verb="prepaid.package_bought",
                     subject=card.line, new={"package": package.code, "price": price, "balance": card.balance,
                                             "reference": reference, "rollover": purchase.rollover})
    return purchase


# ------------------------------------------------------------------------------------------------ SIM replacement


def sim_replace(
    *, card: Card, new_iccid: str, new_imsi: str, reason: str, actor, identity_check,
    channel: str = Channel.GRAPARI, note: str = "",
) -> SimReplacement:
    """PRE-03 through the line's SIM replacement (ACC-10): accounts checks the identity check, swaps the SIM and lifts
    a lost-SIM block; prepaid's participant (`sim_replacement_charge`) takes the fee."""
    from accounts.services import line_sim_replace

    change = line_sim_replace(line=card.line, identity_check=identity_check, new_iccid=new_iccid, new_imsi=new_imsi,
                              reason=reason, actor=actor, channel=channel, params={"note": note})
    return SimReplacement.objects.get(pk=change.transition.results["prepaid"]["sim_replacement"])


def sim_replacement_charge(*, line: Line, new_iccid: str, reason: str, actor, channel: str, note: str = "",
                           now: dt.datetime | None = None) -> SimReplacement:
    """The prepaid side of a SIM replacement, on a line the caller holds locked: the fee from the balance (ledger
    row in the same transaction) and the SimReplacement record."""
    now = now or timezone.now()
    card = card_lock(Card.objects.only("pk").get(line=line).pk)
    verdict = sim_replacement_verdict(card=card)
    verdict.raise_if_refused()
    fee = verdict.details["fee"]
    replacement = SimReplacement(card=card, reason=reason, old_iccid=line.iccid, new_iccid=new_iccid, fee=fee,
                                 free_with_prime=verdict.details["free_with_prime"], actor=actor if actor else None,
                                 note=note, created_at=now)
    if fee:
        replacement.entry = ledger_write(
            card=card, kind=LedgerEntry.Kind.SIM_REPLACEMENT_FEE, amount=-fee, channel=channel, actor=actor,
            reference=f"sim:{card.pk}:{new_iccid}", note=_("SIM replacement"), now=now)
    replacement.save()
    return replacement


# ------------------------------------------------------------------------------------------------ blocks


def card_block(
    *, card: Card, reason: str, actor, note: str = "", reference: str = "", channel: str = Channel.GRAPARI,
) -> Block:
    """PRE-04: illegal use, SMS beyond fair usage, an institution's request (with its reference number), misuse."""
    from accounts.services import line_block

    if reason not in PREPAID_BLOCK_REASONS:
        raise _refuse("reason_invalid", _("Choose one of the prepaid blocking reasons."))
    return line_block(line=card.line, reason=reason, actor=actor, note=note, reference=reference, channel=channel)


def card_unblock(*, card: Card, block: Block, actor, note: str, channel: str = Channel.GRAPARI) -> Block:
    from accounts.services import line_unblock

    if block.line_id != card.line_id:
        raise _refuse("not_this_line", _("This block belongs to another line."))
    return line_unblock(block=block, actor=actor, note=note, channel=channel)


def ledger_adjust(*, card: Card, amount: int, reference: str, actor, reason: str) -> LedgerEntry:
    """A supervisor's correction of a balance, with its reason (never below zero)."""
    reference = _reference(reference)
    if not (reason or "").strip():
        raise _refuse("reason_required", _("Give a reason."))
    if amount == 0:
        raise _refuse("amount_zero", _("An adjustment moves a non-zero amount."))
    with transaction.atomic():
        card = card_lock(card)
        if card.state == Card.State.INVALID:
            raise _refuse("card_invalid", _("This card is invalid."))
        if LedgerEntry.objects.filter(reference=f"adj:{reference}").exists():
            raise _refuse("reference_reused", _("This reference was already used for another transaction."))
        old = card.balance
        entry = ledger_write(card=card, kind=LedgerEntry.Kind.ADJUSTMENT, amount=amount, reference=f"adj:{reference}",
                             channel=Channel.ADMIN, actor=actor, note=reason)
        audit_record(actor=actor, channel=Channel.ADMIN, verb="prepaid.balance_adjusted", subject=card.line,
                     old={"balance": old}, new={"balance": card.balance}, reason=reason)
    return entry
