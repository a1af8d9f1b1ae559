"""Agent forms: input checks only; the view then calls one service, which enforces the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from billing.models import Payment, Scope
from billing.services import LIMIT_CHANGE_CHANNELS
from core.models import Channel

MAX_RUPIAH = 10**12


def _confirm(label=None):
    return forms.BooleanField(label=label or _("I have checked the details with the customer and confirm"),
                              error_messages={"required": _("Tick the box to confirm.")})


def _rupiah(label, minimum=1):
    return forms.IntegerField(label=label, min_value=minimum, max_value=MAX_RUPIAH,
                              help_text=_("Whole rupiah, digits only."))


class LimitChangeForm(forms.Form):
    """LIM-10: the channel the customer used is recorded."""

    scope = forms.ChoiceField(label=_("Limit"), choices=Scope.choices, initial=Scope.DOMESTIC)
    new_amount = _rupiah(_("New limit (Rp)"), minimum=0)
    channel = forms.ChoiceField(label=_("Requested through"),
                                choices=[(c.value, c.label) for c in Channel if c in LIMIT_CHANGE_CHANNELS],
                                initial=Channel.GRAPARI)
    reason = forms.CharField(label=_("Note"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["confirm"] = _confirm()


class PaymentForm(forms.Form):
    """BIL-02: a payment of a bill; partial payments are allowed."""

    amount = _rupiah(_("Amount (Rp)"))
    method = forms.ChoiceField(label=_("Method"), choices=Payment.Method.choices)
    reference = forms.CharField(label=_("Payment reference"), max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["confirm"] = _confirm()


class CurrentUsagePaymentForm(PaymentForm):
    """LIM-11: pay the current cycle's usage instead of raising the limit."""

    scope = forms.ChoiceField(label=_("Limit"), choices=Scope.choices, initial=Scope.DOMESTIC)
    field_order = ["scope", "amount", "method", "reference", "confirm"]


class ObjectionForm(forms.Form):
    """BIL-03."""

    amount = _rupiah(_("Disputed amount (Rp)"))
    description = forms.CharField(label=_("What the customer disputes"), max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["confirm"] = _confirm()


class StatementResendForm(forms.Form):
    """BIL-09: the customer says the bill's SMS did not arrive."""

    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("e.g. the customer says the SMS did not arrive."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["confirm"] = _confirm()
