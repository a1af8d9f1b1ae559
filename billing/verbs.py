"""The audit verbs billing writes, for the timelines (registered in BillingConfig.ready())."""

from django.utils.translation import gettext_lazy as _

from billing.models import BasicPackage, Bill, Objection, Payment, Scope
from core.audit import Lookup, as_choice, as_date, as_rupiah, as_text, verb_register


def register() -> None:
    scope = (_("limit"), as_choice(Scope))
    verb_register("limit.opened", _("Spending limits set"), fields={
        "package": (_("basic package"), Lookup(BasicPackage)),
        Scope.DOMESTIC.value: (_("domestic limit"), as_rupiah),
        Scope.INTERNATIONAL.value: (_("international limit"), as_rupiah),
    })
    change = {"scope": scope, "amount": (_("amount"), as_rupiah)}
    verb_register("limit.changed", _("Spending limit changed"), fields=change)
    verb_register("limit.overridden", _("Spending limit set by a supervisor"), fields=change)
    verb_register("limit.settled", _("Current usage paid"), fields={
        "scope": scope, "usage": (_("usage"), as_rupiah), "reference": (_("payment reference"), as_text),
    })
    verb_register("bill.statement_resent", _("Bill statement sent again by SMS"), fields={
        "period": (_("month"), as_date), "to": (_("to number"), as_text),
        "bill": (_("bill"), None), "sms": (_("SMS"), None),  # ids
    })
    verb_register("bill.payment", _("Bill payment"), fields={
        "amount": (_("amount paid"), as_rupiah),
        "paid": (_("paid in total"), as_rupiah),
        "status": (_("bill"), as_choice(Bill.Status)),
        "method": (_("method"), as_choice(Payment.Method)),
        "reference": (_("payment reference"), as_text),
    })
    verb_register("bill.objection_filed", _("Objection to a bill filed"), fields={
        "bill": (_("bill"), None),  # an id; the objection's description is the reason
        "amount": (_("amount disputed"), as_rupiah),
    })
    verb_register("bill.objection_resolved", _("Objection decided"), fields={
        "status": (_("decision"), as_choice(Objection.Status)),
        "credit": (_("credit"), as_rupiah),
    })
    verb_register("bill.goodwill_credit", _("Goodwill credit granted"), fields={
        "amount": (_("amount"), as_rupiah), "cap": (_("at most"), as_rupiah),
    })
    verb_register("bill.early_settlement_demanded", _("Early settlement demanded"), fields={
        "amount": (_("current bill"), as_rupiah),
        "average": (_("average of the last bills"), as_rupiah),
        "settle_by": (_("settle by"), as_date),
    })
