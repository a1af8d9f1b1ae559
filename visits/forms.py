"""The counter's forms: input validation only, then one service call."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from accounts.models import Line
from billing.models import Bill
from core.identifiers import normalize_msisdn
from core.money import format_rupiah
from prepaid.models import Card
from protection.models import Claim
from visits.models import Counter, Reason, WrapUpItem


class CounterChoiceForm(forms.Form):
    counter = forms.ModelChoiceField(label=_("Your counter"), queryset=Counter.objects.none(),
                                     empty_label=_("Choose a counter"))

    def __init__(self, *args, outlet_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["counter"].queryset = Counter.objects.filter(outlet_id=outlet_id, is_active=True)
        _bootstrap(self)


class TicketIssueForm(forms.Form):
    reason = forms.ChoiceField(label=_("Visit reason"), choices=Reason.choices)
    msisdn = forms.CharField(label=_("Number (optional)"), max_length=20, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)

    def clean_msisdn(self):
        value = self.cleaned_data["msisdn"].strip()
        if not value:
            return ""
        try:
            return normalize_msisdn(value)
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from None


class TransferForm(forms.Form):
    counter = forms.ModelChoiceField(label=_("To counter"), queryset=Counter.objects.none(),
                                     empty_label=_("Choose a counter"))
    note = forms.CharField(label=_("Why"), max_length=500, required=False)

    def __init__(self, *args, visit=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["counter"].queryset = Counter.objects.filter(
            outlet_id=visit.counter.outlet_id, is_active=True).exclude(pk=visit.counter_id)
        _bootstrap(self)


def subject_choices(customer) -> list:
    """The customer's lines, bills, claims and cards, as one choice ("line:12"): an item is about one of them."""
    if customer is None:
        return [("", _("—"))]
    lines = list(Line.objects.filter(customer=customer).order_by("msisdn"))
    bills = Bill.objects.filter(billing_account__customer=customer).order_by("-period_start")[:12]
    claims = Claim.objects.filter(line__customer=customer).select_related("line").order_by("-id")[:12]
    cards = Card.objects.filter(line__customer=customer).select_related("line").order_by("line__msisdn")
    choices = [("", _("—"))]
    choices.append((_("Lines"), [(f"line:{line.pk}", line.msisdn_national) for line in lines]))
    bill_rows = [(f"bill:{bill.pk}", _("Bill %(period)s · %(total)s") % {
        "period": bill.period_start.strftime("%m-%Y"), "total": format_rupiah(bill.total)}) for bill in bills]
    if bill_rows:
        choices.append((_("Bills"), bill_rows))
    claim_rows = [(f"claim:{claim.pk}", str(claim)) for claim in claims]
    if claim_rows:
        choices.append((_("Claims"), claim_rows))
    card_rows = [(f"card:{card.pk}", card.line.msisdn_national) for card in cards]
    if card_rows:
        choices.append((_("Prepaid cards"), card_rows))
    return choices


def _bootstrap(form: forms.Form) -> None:
    """Small Bootstrap inputs: the counter's forms sit in rows and table cells, not in crispy layouts."""
    for field in form.fields.values():
        css = "form-select form-select-sm" if isinstance(field.widget, forms.Select) else "form-control form-control-sm"
        field.widget.attrs.setdefault("class", css)


SUBJECT_MODELS = {"line": Line, "bill": Bill, "claim": Claim, "card": Card}


class WrapUpItemForm(forms.Form):
    reason = forms.ChoiceField(label=_("Visit reason"), choices=[("", "—"), *Reason.choices], required=False)
    resolution = forms.ChoiceField(label=_("Resolution"), choices=[("", "—"), *WrapUpItem.Resolution.choices],
                                   required=False)
    subject = forms.ChoiceField(label=_("About"), required=False)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args, customer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject"].choices = subject_choices(customer)
        _bootstrap(self)

    def item(self) -> dict | None:
        """The service's item, or None for a row left empty."""
        data = self.cleaned_data
        if not data.get("reason") and not data.get("resolution") and not data.get("note"):
            return None
        item = {"reason": data.get("reason"), "resolution": data.get("resolution"), "note": data.get("note", "")}
        kind, _sep, pk = (data.get("subject") or "").partition(":")
        if kind in SUBJECT_MODELS and pk.isdigit():
            item[kind] = SUBJECT_MODELS[kind].objects.filter(pk=pk).first()
        return item


def wrap_up_formset(data=None, *, customer, rows: int = 2, initial_reason: str = ""):
    formset_class = formset_factory(WrapUpItemForm, extra=rows - 1, min_num=1, max_num=10)
    return formset_class(data, prefix="items", form_kwargs={"customer": customer},
                         initial=[{"reason": initial_reason}] if initial_reason else None)
