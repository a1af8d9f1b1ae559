"""Agent forms: input checks only; the view then calls one service, which enforces the business rules."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts import lifecycle
from accounts.models import BillingAccount, Block, Customer, IdentityCheck, Line, SimChange
from accounts.services import DOCUMENT_VALIDATORS, SUPERVISOR_ONLY_REASONS
from core.identifiers import normalize_msisdn, validate_iccid, validate_imsi


def _confirm_field(label=None):
    return forms.BooleanField(
        label=label or _("I have checked the details with the customer and confirm"),
        error_messages={"required": _("Tick the box to confirm.")},
    )


class ActionForm(forms.Form):
    """Every action asks the agent to confirm; the confirmation box comes last."""

    confirm_label = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["confirm"] = _confirm_field(self.confirm_label)


def _document_number(id_type: str, value: str, field: str = "id_number") -> str:
    validator = DOCUMENT_VALIDATORS.get(id_type)
    if validator is None:
        raise ValidationError({field: _("Choose the identity document type.")})
    try:
        return validator(value)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from None


class CustomerRegisterForm(ActionForm):
    """ACC-01: an individual with a KTP, driving licence or passport; an organisation with its NPWP."""

    kind = forms.ChoiceField(label=_("Customer kind"), choices=Customer.Kind.choices, initial=Customer.Kind.INDIVIDUAL)
    full_name = forms.CharField(label=_("Full name (as on the document)"), max_length=150)
    id_type = forms.ChoiceField(label=_("Identity document"), choices=Customer.IdType.choices,
                                initial=Customer.IdType.KTP)
    id_number = forms.CharField(label=_("Document number"), max_length=30)
    birth_date = forms.DateField(label=_("Date of birth"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))
    address = forms.CharField(label=_("Address"), max_length=255, required=False)
    city = forms.CharField(label=_("City"), max_length=80, required=False)
    jabodetabek = forms.NullBooleanField(label=_("Lives in Jabodetabek"), required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=20, required=False)
    email = forms.EmailField(label=_("Email"), required=False)

    def clean_full_name(self):
        name = " ".join(self.cleaned_data["full_name"].split())
        if not name:
            raise ValidationError(_("Enter the customer's name."))
        return name

    def clean_contact_phone(self):
        phone = "".join(self.cleaned_data["contact_phone"].split()).replace("-", "")
        if phone and not phone.lstrip("+").isdigit():
            raise ValidationError(_("A phone number has only digits (and an optional leading +)."))
        return phone

    def clean(self):
        data = super().clean()
        kind, id_type = data.get("kind"), data.get("id_type")
        if kind and id_type:
            if kind == Customer.Kind.ORGANISATION and id_type != Customer.IdType.NPWP:
                self.add_error("id_type", _("An organisation registers with its NPWP."))
            elif kind == Customer.Kind.INDIVIDUAL and id_type == Customer.IdType.NPWP:
                self.add_error("id_type", _("An individual registers with a KTP, a driving licence or a passport."))
            elif "id_number" in data:
                try:
                    data["id_number"] = _document_number(id_type, data["id_number"])
                except ValidationError as exc:
                    self.add_error(None, exc)
        return data


class VerificationForm(ActionForm):
    status = forms.ChoiceField(label=_("Verification status"), choices=Customer.Verification.choices)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=500)


class BillingAccountOpenForm(ActionForm):
    """ACC-03: a postpaid account; several lines on it make a SAMU account."""

    payment_method = forms.ChoiceField(label=_("Payment method"), choices=BillingAccount.PaymentMethod.choices)
    bill_cycle_day = forms.IntegerField(label=_("Bill cycle day"), min_value=1, max_value=28, initial=1,
                                        help_text=_("Day of the month the bill is made, 1 to 28."))


class LifecycleForm(ActionForm):
    """An action form that also asks what the apps joining the transition need (accounts/lifecycle.py)."""

    transition = ""

    def __init__(self, *args, kind: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.lifecycle_fields = list(lifecycle.form_fields(self.transition, kind))
        confirm = self.fields.pop("confirm")
        self.fields.update(lifecycle.form_fields(self.transition, kind))
        self.fields["confirm"] = confirm

    @property
    def params(self) -> dict:
        data = getattr(self, "cleaned_data", None) or {}
        return {name: data.get(name) for name in self.lifecycle_fields}

    def preview_params(self) -> dict:
        """The apps' inputs from an unvalidated form (the preview while the agent types)."""
        values = {}
        for name in self.lifecycle_fields:
            field = self.fields[name]
            try:
                raw = field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
                values[name] = field.clean(raw)
            except ValidationError:
                values[name] = None
        return values


class LineActivateForm(LifecycleForm):
    """ACC-02: one MSISDN, one SIM (ICCID, IMSI), prepaid or postpaid; a postpaid line with its basic package and
    initial domestic limit (LIM-12, fields from billing)."""

    transition = lifecycle.ACTIVATE

    kind = forms.ChoiceField(label=_("Kind"), choices=Line.Kind.choices)
    msisdn = forms.CharField(label=_("Mobile number"), max_length=20, help_text=_("08…, 628… or +628…"))
    iccid = forms.CharField(label=_("ICCID (SIM serial)"), max_length=24)
    imsi = forms.CharField(label=_("IMSI"), max_length=20)
    billing_account = forms.ModelChoiceField(label=_("Billing account (postpaid)"), required=False,
                                             queryset=BillingAccount.objects.none())

    def __init__(self, *args, customer: Customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["billing_account"].queryset = BillingAccount.objects.filter(
            customer=customer, status=BillingAccount.Status.OPEN).order_by("number")

    def clean_msisdn(self):
        return normalize_msisdn(self.cleaned_data["msisdn"])

    def clean_iccid(self):
        return validate_iccid(self.cleaned_data["iccid"])

    def clean_imsi(self):
        return validate_imsi(self.cleaned_data["imsi"])

    def clean(self):
        data = super().clean()
        if data.get("kind") == Line.Kind.POSTPAID and not data.get("billing_account"):
            self.add_error("billing_account", _("A postpaid line needs a billing account."))
        if data.get("kind") == Line.Kind.PREPAID:
            data["billing_account"] = None
        return data


class LostSimForm(ActionForm):
    """ACC-05: a signed loss statement and a copy of the identity document; the line is blocked at once."""

    statement_number = forms.CharField(label=_("Loss statement number"), max_length=60)
    identity_copy_received = forms.BooleanField(
        label=_("I received a copy of the customer's identity document"),
        error_messages={"required": _("A copy of the customer's identity document is required.")},
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    confirm_label = _("Block this line now")


class BlockForm(ActionForm):
    """Block with a reason (ACC-04, BIL-05, PRE-04). Supervisor-only reasons are offered to supervisors only."""

    reason = forms.ChoiceField(label=_("Reason"))
    scope = forms.ChoiceField(label=_("What is blocked"), choices=Block.Scope.choices)
    reference = forms.CharField(label=_("Reference (letter or statement number)"), max_length=60, required=False)
    note = forms.CharField(label=_("Why (told to the customer)"), widget=forms.Textarea(attrs={"rows": 2}),
                           max_length=1000)
    confirm_label = _("Block this line")

    def __init__(self, *args, supervisor: bool, **kwargs):
        super().__init__(*args, **kwargs)
        # A lost SIM has its own form (ACC-05): it needs the statement and the identity copy.
        self.fields["reason"].choices = [
            (value, label) for value, label in Block.Reason.choices
            if value != Block.Reason.LOST_SIM and (supervisor or value not in SUPERVISOR_ONLY_REASONS)
        ]
        if supervisor:
            self.fields["permanent"] = forms.BooleanField(
                label=_("Permanent: the line is terminated and its number goes into quarantine"), required=False)
            self.order_fields(["reason", "scope", "reference", "note", "permanent", "confirm"])

    def clean_note(self):
        note = self.cleaned_data["note"].strip()
        if not note:
            raise ValidationError(_("Say why the line is blocked."))
        return note

    def clean(self):
        data = super().clean()
        if data.get("reason") == Block.Reason.INSTITUTION_REQUEST and not data.get("reference", "").strip():
            self.add_error("reference", _("An institution's request needs its letter reference number."))
        return data


class UnblockForm(ActionForm):
    note = forms.CharField(label=_("Why the block is lifted"), widget=forms.Textarea(attrs={"rows": 2}),
                           max_length=1000)
    confirm_label = _("Lift this block")

    def clean_note(self):
        note = self.cleaned_data["note"].strip()
        if not note:
            raise ValidationError(_("Say why the block is lifted."))
        return note


class TransferForm(ActionForm):
    """ACC-06: the new holder, the operator's approval letter and the reason."""

    to_id_type = forms.ChoiceField(label=_("New holder's identity document"), choices=Customer.IdType.choices,
                                   initial=Customer.IdType.KTP)
    to_id_number = forms.CharField(label=_("New holder's document number"), max_length=30)
    to_account_number = forms.CharField(label=_("New holder's billing account number (postpaid)"), max_length=12,
                                        required=False)
    letter_number = forms.CharField(label=_("Approval letter number"), max_length=60)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)
    confirm_label = _("Approve the transfer")

    def __init__(self, *args, line: Line, **kwargs):
        super().__init__(*args, **kwargs)
        self.line = line
        if line.kind != Line.Kind.POSTPAID:
            del self.fields["to_account_number"]

    def clean(self):
        data = super().clean()
        id_type, id_number = data.get("to_id_type"), data.get("to_id_number")
        if id_type and id_number:
            try:
                number = _document_number(id_type, id_number, field="to_id_number")
            except ValidationError as exc:
                self.add_error(None, exc)
                return data
            customer = Customer.objects.filter(id_type=id_type, id_number=number).first()
            if customer is None:
                self.add_error("to_id_number", _("No customer is registered with this document. Register them first."))
                return data
            data["to_customer"] = customer
            if self.line.kind == Line.Kind.POSTPAID:
                account_number = "".join(data.get("to_account_number", "").split())
                account = BillingAccount.objects.filter(number=account_number, customer=customer).first()
                if account is None:
                    self.add_error("to_account_number", _("Enter an account number of the new holder."))
                data["to_billing_account"] = account
        return data


class MarketingConsentForm(ActionForm):
    """ACC-11: give or withdraw the customer's consent to marketing offers, with the channel it came through."""

    granted = forms.TypedChoiceField(
        label=_("Marketing offers by SMS"), coerce=lambda value: value == "yes", widget=forms.RadioSelect,
        choices=[("yes", _("The customer accepts marketing offers")),
                 ("no", _("The customer withdraws consent to marketing offers"))],
    )
    channel = forms.ChoiceField(label=_("Requested through"), choices=[])
    note = forms.CharField(label=_("Note"), required=False, max_length=255)

    def __init__(self, *args, **kwargs):
        from accounts.consent import CONSENT_CHANNELS

        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [(channel.value, channel.label) for channel in CONSENT_CHANNELS]


class PackageChangeForm(LifecycleForm):
    """LIM-13: the new basic package applies from the next cycle start."""

    transition = lifecycle.PACKAGE_CHANGE
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)
    channel = forms.ChoiceField(label=_("Channel"), choices=[("grapari", _("GraPARI")),
                                                            ("call_centre_188", _("Call centre 188"))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(self.lifecycle_fields)  # the new package first, the reason and channel after it


class SimReplaceForm(ActionForm):
    """ACC-10: the identity check first (recorded whatever its result), then the new SIM."""

    method = forms.ChoiceField(label=_("Identity check"), choices=IdentityCheck.Method.choices)
    result = forms.ChoiceField(label=_("Result of the identity check"), choices=IdentityCheck.Result.choices)
    reason = forms.ChoiceField(label=_("Why"), choices=SimChange.Reason.choices)
    new_iccid = forms.CharField(label=_("New SIM (ICCID)"), max_length=24)
    new_imsi = forms.CharField(label=_("New IMSI"), max_length=20)
    note = forms.CharField(label=_("Note"), required=False, max_length=255)
    confirm_label = _("Replace the SIM: the old SIM stops at once")

    def clean_new_iccid(self):
        return validate_iccid(self.cleaned_data["new_iccid"])

    def clean_new_imsi(self):
        return validate_imsi(self.cleaned_data["new_imsi"])


class TerminateForm(ActionForm):
    """ACC-09: at the customer's written request, its reference recorded."""

    request_reference = forms.CharField(label=_("Written request reference"), max_length=60)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)
    confirm_label = _("Terminate the line: everything on it ends today")

    def clean_request_reference(self):
        value = self.cleaned_data["request_reference"].strip()
        if not value:
            raise ValidationError(_("Enter the reference of the customer's written request."))
        return value
