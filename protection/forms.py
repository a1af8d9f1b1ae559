"""Agent forms for TecProtec: input checks only; the services enforce the rules."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.validators import validate_imei
from protection.models import Enrollment
from protection.rules import EVENTS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
EVENT_LABELS = {
    "fee_paid": _("Processing fee paid"),  # TP-09
    "picked_up": _("Phone picked up (starts the SLA)"),
    "at_repair": _("At the repair centre"),
    "returned": _("Repaired and returned (with the cost)"),
    "rejected": _("Rejected by the insurer (with its reason)"),
    "closed": _("Close the claim"),
    "shipping_reimbursement": _("Customer shipped at own cost: reimbursement"),
    "reimbursement_paid": _("Shipping reimbursement paid"),
}


class ImeiFormField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        return validate_imei(value) if value else value


class ConfirmMixin(forms.Form):
    """`check` re-shows the verdict without writing; only a confirmed submit calls the service."""

    confirm = forms.BooleanField(label=_("I have checked the verdict with the customer and confirm"),
                                 required=False)

    def __init__(self, *args, checking: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.checking = checking

    def clean(self):
        data = super().clean()
        if not self.checking and not data.get("confirm"):
            self.add_error("confirm", _("Tick the box to confirm."))
        return data


def _receipt_fields(form: forms.Form, required: bool) -> None:
    form.fields["purchase_date"] = forms.DateField(label=_("Purchase date on the receipt"),
                                                   required=required, widget=DATE)
    form.fields["receipt_number"] = forms.CharField(label=_("Receipt number"), max_length=60, required=required)
    form.fields["receipt"] = forms.FileField(
        label=_("Receipt (JPEG, PNG or PDF)"), required=required,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"}))


class EnrollForm(ConfirmMixin):
    payment_option = forms.ChoiceField(label=_("Payment option"), choices=Enrollment.PaymentOption.choices,
                                       widget=forms.RadioSelect, initial=Enrollment.PaymentOption.MONTHLY)
    imei = ImeiFormField(label=_("IMEI of the phone (15 digits)"), max_length=20, required=False,
                         help_text=_("Empty: the IMEI the network last saw on the line."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _receipt_fields(self, required=False)
        self.order_fields(["payment_option", "imei", "purchase_date", "receipt_number", "receipt", "confirm"])

    def clean(self):
        data = super().clean()
        if not self.checking:
            for name in ("purchase_date", "receipt_number", "receipt"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, _("Required at GraPARI."))  # TP-06
        return data


class DeviceForm(forms.Form):
    imei = ImeiFormField(label=_("IMEI of the phone in the line (15 digits)"), max_length=20)


class ClaimFileForm(ConfirmMixin):
    imei = ImeiFormField(label=_("IMEI of the damaged phone"), max_length=20)
    damage = forms.CharField(label=_("Damage"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args, needs_receipt: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.needs_receipt = needs_receipt
        if needs_receipt:
            _receipt_fields(self, required=False)
            self.order_fields(["imei", "damage", "purchase_date", "receipt_number", "receipt", "confirm"])

    def clean(self):
        data = super().clean()
        if self.needs_receipt and not self.checking:
            for name in ("purchase_date", "receipt_number", "receipt"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, _("The receipt is checked at the first claim of a UMB subscription."))
        return data


class ClaimAdvanceForm(ConfirmMixin):
    event = forms.ChoiceField(label=_("Insurer's update"))
    on = forms.DateField(label=_("Date"), required=False, widget=DATE, help_text=_("Empty: today."))
    repair_cost = forms.IntegerField(label=_("Repair cost (Rp)"), required=False, min_value=0,
                                     max_value=10**12)
    amount = forms.IntegerField(label=_("Shipping cost paid by the customer (Rp)"), required=False, min_value=1,
                                max_value=10**9)
    reason = forms.CharField(label=_("Insurer's reason"), required=False, max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 2}))
    reference = forms.CharField(label=_("Payment reference"), required=False, max_length=60)

    def __init__(self, *args, events: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        events = events if events is not None else EVENTS
        self.fields["event"].choices = [(event, EVENT_LABELS[event]) for event in events]

    def clean(self):
        data = super().clean()
        event = data.get("event")
        if event == "returned" and data.get("repair_cost") is None and "repair_cost" not in self.errors:
            self.add_error("repair_cost", _("Enter the repair cost."))
        if event == "rejected" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Enter the insurer's reason."))
        if event == "shipping_reimbursement" and data.get("amount") is None and "amount" not in self.errors:
            self.add_error("amount", _("Enter the shipping cost."))
        return data


class TerminateForm(ConfirmMixin):
    reason = forms.CharField(label=_("Why does the customer terminate?"), max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Give a reason."))
        return reason
