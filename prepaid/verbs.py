"""The audit verbs prepaid writes, for the timelines (registered in PrepaidConfig.ready())."""

from django.utils.translation import gettext_lazy as _

from core.audit import Lookup, as_choice, as_date, as_rupiah, as_text, as_yes_no, verb_register
from prepaid.models import ActivationArea, Card, Package, PrimeSubscription, PrimeTier, SimReplacement


def register() -> None:
    state = (_("card"), as_choice(Card.State))
    area = (_("activation area"), Lookup(ActivationArea))
    balance = (_("balance"), as_rupiah)
    active_until = (_("active until"), as_date)
    tier = (_("tier"), Lookup(PrimeTier))
    verb_register("prepaid.card_created", _("Prepaid card registered"), fields={
        "activation_area": area, "brand": (_("brand"), as_choice(Card.Brand))})
    verb_register("prepaid.card_activated", _("Prepaid card activated"), fields={
        "state": state, "active_until": active_until, "area": area,
    })
    verb_register("prepaid.topup", _("Top-up"), fields={
        "balance": balance, "active_until": active_until, "state": state,
        "reference": (_("reference"), None),  # the channel's request id
    })
    verb_register("prepaid.package_bought", _("Package bought"), fields={
        "package": (_("package"), Lookup(Package)), "price": (_("price"), as_rupiah), "balance": balance,
        "rollover": (_("data rollover"), as_yes_no), "reference": (_("reference"), None),
    })
    verb_register("prepaid.sim_replaced", _("SIM card replaced"), fields={
        "iccid": (_("ICCID"), as_text), "reason": (_("reason"), as_choice(SimReplacement.Reason)),
        "fee": (_("fee"), as_rupiah), "free_with_prime": (_("free with IM3 Prime"), as_yes_no), "balance": balance,
    })
    verb_register("prepaid.balance_adjusted", _("Balance adjusted by a supervisor"), fields={"balance": balance})
    verb_register("prime.subscribed", _("IM3 Prime joined"), fields={
        "tier": tier, "fee": (_("monthly fee"), as_rupiah), "average_spend": (_("average spend"), as_rupiah),
        "renews_on": (_("renews on"), as_date),
    })
    verb_register("prime.cancelled", _("IM3 Prime cancelled"),
                  fields={"tier": (_("tier"), Lookup(PrimeTier, key="pk"))})
    verb_register("prime.disabled", _("IM3 Prime disabled"), fields={
        "tier": tier, "reason": (_("reason"), as_choice(PrimeSubscription.EndReason)),
        "fee": (_("monthly fee"), as_rupiah), "period": (_("month"), None),
    })
    verb_register("prime.app_pass_claimed", _("Unlimited app pass claimed"), fields={
        "apps": (_("apps"), as_text), "valid_until": (_("valid until"), as_date),
    })
    prices = {"price": (_("price"), as_rupiah), "prime_price": (_("IM3 Prime price"), as_rupiah),
              "effective_on": (_("effective from"), as_date)}
    verb_register("package.price_change_scheduled", _("Package price change scheduled"), fields=prices)
    verb_register("package.price_change_announced", _("Package price change announced"), fields={
        "customers": (_("customers told"), as_text), "effective_on": (_("effective from"), as_date)})
    verb_register("package.price_changed", _("Package price changed"), fields={
        **prices, "price_change": (_("price change"), None)})
