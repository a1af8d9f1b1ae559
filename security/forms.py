from django import forms
from django.utils.translation import gettext_lazy as _

from security.models import DataExport


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code"), max_length=16, strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class UnlockForm(ReasonForm):
    username = forms.CharField(widget=forms.HiddenInput, max_length=150)
    ip_address = forms.GenericIPAddressField(widget=forms.HiddenInput)


class DataExportForm(forms.Form):
    check_method = forms.ChoiceField(label=_("Identity check"), choices=DataExport.CheckMethod.choices,
                                     widget=forms.RadioSelect)
    document_number = forms.CharField(
        label=_("Document number, typed from the original the customer shows"), max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
