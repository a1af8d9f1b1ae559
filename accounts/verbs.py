"""The audit verbs accounts writes, for the timelines (registered in AccountsConfig.ready())."""

from django.utils.translation import gettext_lazy as _

from accounts.models import BillingAccount, Block, Customer, IdentityCheck, Line, SimChange
from core.audit import as_choice, as_date, as_rupiah, as_text, as_yes_no, field_label, verb_register


def register() -> None:
    verb_register("customer.registered", _("Customer registered"), fields={
        "name": (field_label(Customer, "full_name"), as_text),
        "id_type": (field_label(Customer, "id_type"), as_choice(Customer.IdType)),
    })
    verb_register("customer.verification", _("Verification status changed"), value=as_choice(Customer.Verification))
    verb_register("customer.identity_shown", _("Identity number shown"))
    verb_register("account.opened", _("Billing account opened"), fields={
        "payment_method": (field_label(BillingAccount, "payment_method"), as_choice(BillingAccount.PaymentMethod)),
        "bill_cycle_day": (field_label(BillingAccount, "bill_cycle_day"), as_text),
    })
    verb_register("line.activated", _("Line activated"), fields={
        "msisdn": (field_label(Line, "msisdn"), as_text),
        "iccid": (field_label(Line, "iccid"), as_text),
        "kind": (field_label(Line, "kind"), as_choice(Line.Kind)),
    })
    block_fields = {
        "reason": (field_label(Block, "reason"), as_choice(Block.Reason)),
        "scope": (field_label(Block, "scope"), as_choice(Block.Scope)),
        "permanent": (field_label(Block, "permanent"), as_yes_no),
        "reference": (field_label(Block, "reference"), as_text),
    }
    verb_register("line.blocked", _("Line blocked"), fields=block_fields)
    verb_register("line.unblocked", _("Block lifted"), fields=block_fields)
    verb_register("line.transferred", _("Line transferred"), fields={
        "customer": (_("holder"), None),  # ids: the line page shows the holder
        "billing_account": (field_label(Line, "billing_account"), None),
        "letter": (_("approval letter"), as_text),
    })
    verb_register("line.recycled", _("Number recycled"))
    verb_register("user.password_set", _("Password set"))
    identity_check = {
        "method": (_("method"), as_choice(IdentityCheck.Method)),
        "result": (_("result"), as_choice(IdentityCheck.Result)),
    }
    verb_register("line.identity_checked", _("Identity checked"), fields=identity_check)
    verb_register("customer.identity_checked", _("Identity checked"), fields=identity_check)
    verb_register("line.sim_replaced", _("SIM replaced"), fields={
        "iccid": (field_label(Line, "iccid"), as_text), "imsi": (field_label(Line, "imsi"), as_text),
        "reason": (_("why"), as_choice(SimChange.Reason)),
        "identity_check": (_("identity check"), as_choice(IdentityCheck.Method)),
        "fee": (_("fee"), as_rupiah), "free_with_prime": (_("free with IM3 Prime"), as_yes_no),
        "sim_replacement": (_("replacement"), None),  # an id
    })
    verb_register("line.terminated", _("Line terminated"), fields={
        "status": (field_label(Line, "status"), as_choice(Line.Status)),
        "reference": (_("written request"), as_text), "quarantine_until": (_("quarantine until"), as_date),
        "final_bill_total": (_("final bill"), as_rupiah), "last_fee": (_("last package fee"), as_rupiah),
        "final_bill": (_("final bill"), None),  # an id
    })
    consent = {"marketing_consent": (_("marketing offers"), as_yes_no)}
    verb_register("customer.marketing_consent_granted", _("Consent to marketing offers given"), fields=consent)
    verb_register("customer.marketing_consent_withdrawn", _("Consent to marketing offers withdrawn"), fields=consent)

