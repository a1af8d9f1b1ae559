"""Eligibility rules that explain themselves (Verdicts): what the agent reads out before submitting (PRE-01, PRE-03,
PRE-05, PRE-08). Services call them again inside their transaction and raise the refusal."""

import datetime as dt

from django.utils.translation import gettext as _

from accounts.models import Customer
from core.money import format_rupiah
from core.parameters import parameter
from core.verdicts import NextStep, Verdict
from prepaid.models import ActivationArea, Card, Package, PriceChange
from prepaid.selectors import active_prime, list_prices


def activation_eligibility(*, card: Card, area: ActivationArea | None) -> Verdict:
    """PRE-01: registered customer (verified identity) and the activation area printed on the pack."""
    verdict = Verdict()
    if card.state != Card.State.INACTIVE:
        verdict.refuse("already_activated", _("This card is already activated."))
    if card.line.customer.verification != Customer.Verification.VERIFIED:
        verdict.refuse("registration_required",
                       _("The customer's registration (identity data) must be verified before activation."))
    if area is None or area.pk != card.activation_area_id:
        verdict.refuse("wrong_activation_area",
                       _("This card can only be activated in %(area)s, the area printed on its pack.")
                       % {"area": card.activation_area.name})
    return verdict


def package_purchase_eligibility(*, card: Card, package: Package, price: int, blocked: bool) -> Verdict:
    """PRE-05 and the card's state: what an agent reads out before buying."""
    verdict = Verdict(details={"price": price, "balance": card.balance, "balance_after": card.balance - price})
    if card.state != Card.State.ACTIVE:
        verdict.refuse("card_not_active",
                       _("The card is not active (%(state)s).") % {"state": card.get_state_display()})
    if blocked:
        verdict.refuse("line_blocked", _("The line is blocked."))
    floor = parameter("prepaid_balance_floor")
    verdict.details["floor"] = floor
    if card.balance - price < floor:  # PRE-05: at least Rp 3.000 must stay on the card.
        verdict.refuse("balance_floor", _("The purchase must leave at least Rp %(floor)s; the balance is "
                                          "Rp %(balance)s and the package costs Rp %(price)s.")
                       % {"floor": f"{floor:,}".replace(",", "."), "balance": f"{card.balance:,}".replace(",", "."),
                          "price": f"{price:,}".replace(",", ".")})
    return verdict


def topup_step(line_id: int) -> NextStep:
    """What fixes a balance that is too low: a top-up at the counter."""
    return NextStep(_("Top up"), url_name="prepaid:topup", args=(line_id,))


def sim_replacement_verdict(*, card: Card | None) -> Verdict:
    """PRE-03: an active card or one in grace, and a balance that covers the fee (free with Prime, PRM-04)."""
    verdict = Verdict(details={"notes": []})
    if card is None:
        verdict.refuse("no_card", _("This line has no prepaid card."))
        return verdict
    if card.state not in (Card.State.ACTIVE, Card.State.GRACE):
        verdict.refuse("card_not_active",
                       _("Only an active card or one in grace can get a new SIM; this card is %(state)s.")
                       % {"state": card.get_state_display().lower()})
    prime = active_prime(card)
    fee = 0 if prime is not None else parameter("prepaid_sim_replacement_fee")
    verdict.details.update({"fee": fee, "free_with_prime": prime is not None})
    verdict.details["notes"].append(
        _("SIM replacement fee: %(fee)s%(prime)s. The balance stays on the number.")
        % {"fee": format_rupiah(fee), "prime": _(" (free with IM3 Prime)") if prime else ""})
    if card.balance < fee:
        verdict.refuse("balance_insufficient",
                       _("The replacement fee of %(fee)s is more than the balance of %(balance)s.")
                       % {"fee": format_rupiah(fee), "balance": format_rupiah(card.balance)},
                       next_step=topup_step(card.line_id))
    return verdict


def _rupiah_amount(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def earliest_effective_date(today: dt.date) -> dt.date:
    """The announcement lead time (`price_change_notice_days`, PRE-08 Decision): at least that many days' notice."""
    return today + dt.timedelta(days=max(parameter("price_change_notice_days"), 1))


def price_change_eligibility(
    *, package: Package, new_price, new_prime_price, effective_on: dt.date | None, today: dt.date,
) -> Verdict:
    verdict = Verdict()
    if not _rupiah_amount(new_price):
        verdict.refuse("invalid_price", _("The new price is a positive whole number of rupiah."))
    if new_prime_price is not None and not (_rupiah_amount(new_prime_price) and _rupiah_amount(new_price)
                                            and new_prime_price <= new_price):
        verdict.refuse("invalid_prime_price", _("The Prime special price is positive and at most the new price."))
    earliest = earliest_effective_date(today)
    if effective_on is None or effective_on < earliest:
        verdict.refuse("notice_too_short", _(
            "A price change must be announced %(days)d days ahead: the earliest date is %(date)s.")
            % {"days": (earliest - today).days, "date": earliest.strftime("%d-%m-%Y")})
    elif PriceChange.objects.filter(package=package, effective_on=effective_on).exists():
        verdict.refuse("already_scheduled", _("This package already has a price change on %(date)s.")
                       % {"date": effective_on.strftime("%d-%m-%Y")})
    elif verdict.allowed and list_prices(package, effective_on - dt.timedelta(days=1)) == (new_price, new_prime_price):
        verdict.refuse("no_change", _("These are already the package's prices on that date."))
    return verdict
