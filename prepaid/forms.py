"""Agent forms for prepaid: input checks only; the services enforce the rules."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import Block
from core.identifiers import validate_iccid
from prepaid.models import ActivationArea, Card, Denomination, Package
from prepaid.services import PREPAID_BLOCK_REASONS


class ConfirmForm(forms.Form):
    confirm = forms.BooleanField(label=_("I have checked this with the customer and confirm"), required=True)


class CardCreateForm(forms.Form):
    activation_area = forms.ModelChoiceField(label=_("Activation area printed on the pack"),
                                             queryset=ActivationArea.objects.order_by("name"))
    brand = forms.ChoiceField(label=_("Brand on the pack"), choices=Card.Brand.choices,
                              initial=Card.Brand.IM3)


class ActivateForm(forms.Form):
    area = forms.ModelChoiceField(label=_("Area where the card is being activated"),
                                  queryset=ActivationArea.objects.order_by("name"))


class TopupForm(forms.Form):
    denomination = forms.ModelChoiceField(label=_("Denomination"), queryset=Denomination.objects.none())
    reference = forms.CharField(label=_("Voucher or receipt number"), max_length=60,
                                help_text=_("The same number twice is recorded once."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["denomination"].queryset = Denomination.objects.filter(is_active=True).order_by("amount")


class PurchaseForm(forms.Form):
    package = forms.ModelChoiceField(label=_("Package"), queryset=Package.objects.none(), to_field_name="code")
    confirm = forms.BooleanField(label=_("The customer agrees to the price shown"), required=False)

    def __init__(self, *args, checking: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.checking = checking
        self.fields["package"].queryset = Package.objects.filter(is_active=True).order_by("order", "price")

    def clean(self):
        data = super().clean()
        if not self.checking and not data.get("confirm"):
            self.add_error("confirm", _("Tick the box to confirm."))
        return data


class IccidField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        if value:
            try:
                return validate_iccid(value)
            except ValidationError as error:
                raise ValidationError(error.messages) from None
        return value


class BlockForm(ConfirmForm):
    reason = forms.ChoiceField(label=_("Reason"),
                               choices=[(r.value, r.label) for r in Block.Reason if r in PREPAID_BLOCK_REASONS])
    reference = forms.CharField(label=_("Institution letter number"), max_length=60, required=False,
                                help_text=_("Required for an authorised institution's request."))
    note = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs={"rows": 2}))
    field_order = ["reason", "reference", "note", "confirm"]

    def clean(self):
        data = super().clean()
        if data.get("reason") == Block.Reason.INSTITUTION_REQUEST and not (data.get("reference") or "").strip():
            self.add_error("reference", _("An institution's request needs its letter reference number."))
        return data


class UnblockForm(ConfirmForm):
    block = forms.ModelChoiceField(label=_("Block to lift"), queryset=Block.objects.none())
    note = forms.CharField(label=_("Why it is lifted"), widget=forms.Textarea(attrs={"rows": 2}))
    field_order = ["block", "note", "confirm"]

    def __init__(self, *args, line=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["block"].queryset = Block.objects.filter(line=line, ended_at__isnull=True).order_by("-started_at")


class ReasonForm(ConfirmForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    field_order = ["reason", "confirm"]
