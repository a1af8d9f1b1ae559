"""Supervisors' admin for customers, accounts, lines and blocks.

Tables that hold millions of rows (customers, billing accounts, lines, blocks) use indexed searches only
(`get_search_results` classifies the query like the agent search box), sort only on indexed columns, never count
the whole table, and never write to rows directly: edits that change service go through the services as admin
actions; the few plain fields a supervisor may edit are audited with a reason (ACC-07).
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.models import BillingAccount, Block, Customer, Line, Outlet, TransferApproval, User
from accounts.selectors import classify_query
from accounts.validators import normalize_msisdn
from core.admin_base import LargeTableAdmin
from core.audit import audit_record
from core.dates import local_today
from core.models import Channel
from core.verdicts import RuleViolation

# A bulk action works on at most this many rows at a time: each row is its own transaction and audit event.
MAX_ACTION_ROWS = 500


# ---------------------------------------------------------------------------------------------------------------
# Shared pieces
# ---------------------------------------------------------------------------------------------------------------


def _plain(value):
    """A form value as JSON for the audit row: model instances by primary key, sets as sorted lists."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, models.QuerySet | list | tuple | set):
        return sorted(str(item) for item in value)  # e.g. group names
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


class AuditReasonForm(forms.ModelForm):
    """Every edit made in the admin says why (ACC-07)."""

    audit_reason = forms.CharField(
        label=_("Reason for this change"), max_length=500, widget=forms.TextInput(attrs={"size": 80}),
        help_text=_("Recorded in the audit trail together with what changed."),
    )


class ReadOnlyDetailMixin:
    """The detail page only shows the row: changes are the actions, which call services."""

    def has_change_permission(self, request, obj=None):
        if obj is not None:
            return False
        return super().has_change_permission(request)


class AuditedAdminMixin:
    """Writes one audit event per admin save with the changed fields (old → new) and the given reason."""

    audit_exclude = ("password", "password1", "password2", "audit_reason", "last_login")

    def _audit_fields(self, form):
        return [name for name in form.changed_data if name not in self.audit_exclude]

    def save_model(self, request, obj, form, change):
        fields = self._audit_fields(form)
        request._audit_old = {name: _plain(form.initial.get(name)) for name in fields} if change else None
        request._audit_fields = fields
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        fields = getattr(request, "_audit_fields", self._audit_fields(form))
        if change and not fields:
            return
        new = {name: _plain(form.cleaned_data.get(name)) for name in fields}
        audit_record(
            actor=request.user, channel=Channel.ADMIN, subject=obj,
            verb=f"{obj._meta.model_name}.{'changed' if change else 'created'}",
            old=getattr(request, "_audit_old", None), new=new,
            reason=form.cleaned_data.get("audit_reason", ""),
        )

    def has_delete_permission(self, request, obj=None):
        return False  # history stays: deactivate or close instead


def _confirm(modeladmin, request, queryset, *, action: str, title: str, form, intro: str = ""):
    """An intermediate page: the selected rows, a form (reason, …), and a confirm button."""
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "intro": intro,
        "form": form,
        "objects": queryset[:50],
        "object_count": len(queryset),
        "object_ids": [obj.pk for obj in queryset],
        "action": action,
        "action_checkbox_name": ACTION_CHECKBOX_NAME,
        "opts": modeladmin.model._meta,
        "media": modeladmin.media + form.media,
    }
    request.current_app = modeladmin.admin_site.name
    return TemplateResponse(request, "admin/accounts/action_confirm.html", context)


def _selected(modeladmin, request, queryset):
    """The rows of a bulk action, refusing more than MAX_ACTION_ROWS."""
    rows = list(queryset.order_by("pk")[: MAX_ACTION_ROWS + 1])
    if len(rows) > MAX_ACTION_ROWS:
        modeladmin.message_user(
            request, gettext("Select at most %(max)d rows for this action.") % {"max": MAX_ACTION_ROWS},
            messages.ERROR,
        )
        return None
    return rows


def _report(modeladmin, request, done: int, refused: list[str], done_message: str):
    if done:
        modeladmin.message_user(request, done_message % {"count": done}, messages.SUCCESS)
    if refused:
        shown = "; ".join(refused[:10]) + (" …" if len(refused) > 10 else "")
        modeladmin.message_user(
            request,
            ngettext("%(count)d row refused: %(list)s", "%(count)d rows refused: %(list)s", len(refused))
            % {"count": len(refused), "list": shown},
            messages.WARNING,
        )


def _customer_query(term: str) -> Q | None:
    """The agent search box's rules, as a filter on customers (all indexed lookups)."""
    kind = classify_query(term)
    compact = "".join(term.split()).replace("-", "")
    if kind == "msisdn":
        try:
            msisdn = normalize_msisdn(compact)
        except ValidationError:
            return None
        return Q(pk__in=Line.objects.filter(msisdn=msisdn).values("customer_id"))
    if kind == "nik":
        return Q(id_type=Customer.IdType.KTP, id_number=compact)
    if kind == "iccid":
        return Q(pk__in=Line.objects.filter(iccid=compact).values("customer_id"))
    if kind == "account":
        return Q(pk__in=BillingAccount.objects.filter(number=compact).values("customer_id"))
    if kind == "digits":
        return Q(id_type__in=Customer.IdType.values, id_number=compact)
    if kind == "name" and len(term) >= 2:
        # A passport number looks like a word: try it as a document number too.
        return Q(full_name__istartswith=term) | Q(id_type__in=Customer.IdType.values, id_number=compact.upper())
    return None


def _line_query(term: str, prefix: str = "") -> Q | None:
    """Lines by MSISDN (any form), ICCID, IMSI, NIK, account number or holder's name prefix."""
    kind = classify_query(term)
    compact = "".join(term.split()).replace("-", "")
    if kind == "msisdn":
        try:
            return Q(**{f"{prefix}msisdn": normalize_msisdn(compact)})
        except ValidationError:
            return None
    if kind == "iccid":
        return Q(**{f"{prefix}iccid": compact})
    if kind == "nik":
        return Q(**{f"{prefix}customer__id_type": Customer.IdType.KTP, f"{prefix}customer__id_number": compact})
    if kind == "account":
        return Q(**{f"{prefix}billing_account__number": compact})
    if kind == "digits" and len(compact) == 15:
        return Q(**{f"{prefix}imsi": compact})
    if kind == "name" and len(term) >= 2:
        return Q(**{f"{prefix}customer__full_name__istartswith": term})
    return None


class IndexedSearchMixin:
    """Replaces the admin's `icontains` on every field (a full scan at scale) by one classified, indexed filter."""

    search_help_text = _("MSISDN (08…, 628…, +628…), NIK, ICCID, IMSI, account number or the start of a name.")

    def build_search_filter(self, term: str) -> Q | None:
        raise NotImplementedError

    def get_search_results(self, request, queryset, search_term):
        term = " ".join(search_term.split())
        if not term:
            return queryset, False
        condition = self.build_search_filter(term)
        if condition is None:
            return queryset.none(), False
        return queryset.filter(condition), False


# ---------------------------------------------------------------------------------------------------------------
# Outlets and users
# ---------------------------------------------------------------------------------------------------------------


class OutletForm(AuditReasonForm):
    class Meta:
        model = Outlet
        fields = ["code", "name", "city", "jabodetabek", "is_active"]


@admin.register(Outlet)
class OutletAdmin(AuditedAdminMixin, admin.ModelAdmin):
    form = OutletForm
    list_display = ["code", "name", "city", "jabodetabek", "is_active"]
    list_filter = ["jabodetabek", "is_active", "city"]
    search_fields = ["code", "name", "city"]
    ordering = ["name"]
    fields = ["code", "name", "city", "jabodetabek", "is_active", "audit_reason"]


class StaffChangeForm(UserChangeForm):
    audit_reason = AuditReasonForm.base_fields["audit_reason"]

    class Meta(UserChangeForm.Meta):
        model = User


class StaffCreationForm(UserCreationForm):
    audit_reason = AuditReasonForm.base_fields["audit_reason"]

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ["username", "first_name", "last_name", "outlet", "language"]


@admin.register(User)
class UserAdmin(AuditedAdminMixin, DjangoUserAdmin):
    """Agents and supervisors. Roles are the groups Agent and Supervisor; only a superuser grants superuser."""

    form = StaffChangeForm
    add_form = StaffCreationForm
    list_display = ["username", "first_name", "last_name", "outlet", "is_staff", "is_active", "last_login"]
    list_filter = ["groups", "outlet", "is_staff", "is_active", "language"]
    list_select_related = ["outlet"]
    search_fields = ["username", "first_name", "last_name", "email"]
    autocomplete_fields = ["outlet"]
    ordering = ["username"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Personal info"), {"fields": ["first_name", "last_name", "email", "outlet", "language"]}),
        (_("Role"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
        (_("Audit"), {"fields": ["audit_reason"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["username", "first_name", "last_name", "outlet", "language",
                                                "password1", "password2"]}),
        (_("Audit"), {"fields": ["audit_reason"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            # A supervisor manages roles through groups; raising privileges is for a superuser.
            fields += ["is_superuser", "user_permissions"]
        return fields

    # Django's change and add views already run in one transaction: the save and its audit event commit together.

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        if request.path.rstrip("/").endswith("/password"):
            audit_record(actor=request.user, channel=Channel.ADMIN, verb="user.password_set", subject=obj)
        return entry

    def user_change_password(self, request, id, form_url=""):
        with transaction.atomic():
            return super().user_change_password(request, id, form_url)


# ---------------------------------------------------------------------------------------------------------------
# Customers and billing accounts
# ---------------------------------------------------------------------------------------------------------------


class CustomerForm(AuditReasonForm):
    class Meta:
        model = Customer
        fields = ["full_name", "birth_date", "address", "city", "jabodetabek", "contact_phone", "email"]


class VerificationForm(forms.Form):
    status = forms.ChoiceField(label=_("Verification"), choices=Customer.Verification.choices)
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Give a reason."))
        return reason


class BillingAccountInline(admin.TabularInline):
    model = BillingAccount
    fields = ["number", "payment_method", "bill_cycle_day", "status", "opened_on"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    max_num = 0

    def has_add_permission(self, request, obj=None):
        return False


class CustomerLineInline(admin.TabularInline):
    model = Line
    fk_name = "customer"
    fields = ["msisdn", "kind", "status", "billing_account", "activated_on"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("billing_account")


@admin.register(Customer)
class CustomerAdmin(AuditedAdminMixin, IndexedSearchMixin, LargeTableAdmin):
    """Contact details are edited here (audited); identity and verification go through services."""

    form = CustomerForm
    list_display = ["full_name", "kind", "id_type", "masked_id", "verification", "city", "registered_at"]
    list_filter = ["verification", "kind", "id_type", "jabodetabek", "registered_at"]
    list_select_related = ["registered_at"]
    sortable_by = ["full_name"]
    search_fields = ["full_name"]  # enables the box and autocomplete; the lookup is get_search_results
    readonly_fields = ["kind", "id_type", "masked_id", "verification", "registered_at", "created_at", "workspace"]
    fieldsets = [
        (_("Identity"), {"fields": ["workspace", "kind", "full_name", "id_type", "masked_id", "birth_date",
                                    "verification"]}),
        (_("Contact"), {"fields": ["address", "city", "jabodetabek", "contact_phone", "email"]}),
        (_("Registration"), {"fields": ["registered_at", "created_at"]}),
        (_("Audit"), {"fields": ["audit_reason"]}),
    ]
    inlines = [BillingAccountInline, CustomerLineInline]
    actions = ["set_verification"]

    @admin.display(description=_("document number"))
    def masked_id(self, obj):
        return obj.masked_id_number

    @admin.display(description=_("agent workspace"))
    def workspace(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("accounts:customer_detail", args=[obj.pk]),
                           _("Open the customer page (actions, timeline)"))

    def build_search_filter(self, term):
        return _customer_query(term)

    def has_add_permission(self, request):
        return False  # customers are registered in the agent workspace (customer_register)

    @admin.action(description=_("Set identity verification of the selected customers…"),
                  permissions=["change"])
    def set_verification(self, request, queryset):
        rows = _selected(self, request, queryset)
        if rows is None:
            return None
        form = VerificationForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return _confirm(self, request, rows, action="set_verification", form=form,
                            title=gettext("Set identity verification"))
        done, refused = 0, []
        for customer in rows:
            try:
                services.customer_set_verification(customer=customer, status=form.cleaned_data["status"],
                                                   actor=request.user, reason=form.cleaned_data["reason"])
                done += 1
            except RuleViolation as refusal:
                refused.append(f"{customer}: {refusal}")
        _report(self, request, done, refused, gettext("Verification set for %(count)d customers."))
        return None


class BillCycleDayFilter(admin.SimpleListFilter):
    """The days 1–28 without `SELECT DISTINCT` over every account."""

    title = _("bill cycle day")
    parameter_name = "cycle_day"

    def lookups(self, request, model_admin):
        return [(str(day), str(day)) for day in range(1, 29)]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(bill_cycle_day=int(self.value()))
        return queryset


class BillingAccountForm(AuditReasonForm):
    class Meta:
        model = BillingAccount
        fields = ["payment_method", "bill_cycle_day"]


class AccountLineInline(CustomerLineInline):
    fk_name = "billing_account"
    fields = ["msisdn", "kind", "status", "customer", "activated_on"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("customer")


@admin.register(BillingAccount)
class BillingAccountAdmin(AuditedAdminMixin, IndexedSearchMixin, LargeTableAdmin):
    """Postpaid accounts; several lines on one account is SAMU (ACC-03)."""

    form = BillingAccountForm
    list_display = ["number", "customer", "payment_method", "bill_cycle_day", "status", "opened_on"]
    list_filter = ["status", "payment_method", BillCycleDayFilter]
    list_select_related = ["customer"]
    sortable_by = ["number"]
    search_fields = ["number"]
    readonly_fields = ["number", "customer", "status", "opened_on"]
    fields = ["number", "customer", "payment_method", "bill_cycle_day", "status", "opened_on", "audit_reason"]
    inlines = [AccountLineInline]

    def build_search_filter(self, term):
        if classify_query(term) == "account":
            return Q(number="".join(term.split()))
        condition = _customer_query(term)
        return None if condition is None else Q(customer__in=Customer.objects.filter(condition).values("pk"))

    def has_add_permission(self, request):
        return False  # opened in the agent workspace (billing_account_open)


# ---------------------------------------------------------------------------------------------------------------
# Lines, blocks and transfers
# ---------------------------------------------------------------------------------------------------------------

BULK_BLOCK_REASONS = [(value, label) for value, label in Block.Reason.choices
                      if value not in (Block.Reason.TERMINATION, Block.Reason.LOST_SIM)]


class BlockLinesForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=BULK_BLOCK_REASONS)
    scope = forms.ChoiceField(label=_("Scope"), choices=Block.Scope.choices, initial=Block.Scope.ALL)
    reference = forms.CharField(label=_("Reference"), max_length=60, required=False,
                                help_text=_("Letter number; required for an institution's request."))
    note = forms.CharField(label=_("Why"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    permanent = forms.BooleanField(
        label=_("Permanent"), required=False,
        help_text=_("Terminates the lines: the numbers go into quarantine and cannot be unblocked (ACC-04)."),
    )

    def clean(self):
        data = super().clean()
        if data.get("reason") == Block.Reason.INSTITUTION_REQUEST and not data.get("reference", "").strip():
            self.add_error("reference", _("An institution's request needs its letter reference number."))
        return data

    def clean_note(self):
        note = self.cleaned_data["note"].strip()
        if not note:
            raise ValidationError(_("Say why the lines are blocked."))
        return note


ANY_REASON = "__any__"


class UnblockLinesForm(forms.Form):
    reason = forms.ChoiceField(label=_("Lift the open blocks with reason"),
                               choices=[(ANY_REASON, _("Every liftable reason"))] + list(Block.Reason.choices))
    note = forms.CharField(label=_("Why"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))

    def clean_note(self):
        note = self.cleaned_data["note"].strip()
        if not note:
            raise ValidationError(_("Say why the block is lifted."))
        return note


class LiftBlocksForm(forms.Form):
    note = forms.CharField(label=_("Why"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))

    def clean_note(self):
        note = self.cleaned_data["note"].strip()
        if not note:
            raise ValidationError(_("Say why the block is lifted."))
        return note


class ConfirmForm(forms.Form):
    """No field: the page lists the rows and asks to confirm."""


class QuarantineFilter(admin.SimpleListFilter):
    title = _("quarantine (ACC-04)")
    parameter_name = "quarantine"

    def lookups(self, request, model_admin):
        return [("in", _("In quarantine")), ("ended", _("Quarantine ended: can be recycled"))]

    def queryset(self, request, queryset):
        today = local_today()
        if self.value() == "in":
            return queryset.filter(status=Line.Status.TERMINATED, quarantine_until__gt=today)
        if self.value() == "ended":
            return queryset.filter(status=Line.Status.TERMINATED, quarantine_until__lte=today)
        return queryset


class BlockedFilter(admin.SimpleListFilter):
    title = _("blocked")
    parameter_name = "blocked"

    def lookups(self, request, model_admin):
        return [("yes", _("Has an open block")), ("no", _("No open block"))]

    def queryset(self, request, queryset):
        open_blocks = Block.objects.filter(line=OuterRef("pk"), ended_at__isnull=True)
        if self.value() == "yes":
            return queryset.filter(Exists(open_blocks))
        if self.value() == "no":
            return queryset.exclude(Exists(open_blocks))
        return queryset


class LineBlockInline(admin.TabularInline):
    model = Block
    fields = ["reason", "scope", "permanent", "reference", "note", "started_at", "started_by", "ended_at",
              "ended_by", "end_note"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    ordering = ["-started_at"]

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("started_by", "ended_by")


class LineTransferInline(admin.TabularInline):
    model = TransferApproval
    fields = ["letter_number", "from_customer", "to_customer", "approved_by", "approved_at", "reason"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("from_customer", "to_customer", "approved_by")


@admin.register(Line)
class LineAdmin(ReadOnlyDetailMixin, IndexedSearchMixin, LargeTableAdmin):
    """Read-only: every change of a line is a service (block, unblock, recycle) offered as an action."""

    list_display = ["msisdn_national", "kind", "status", "is_blocked", "customer", "billing_account",
                    "activated_on", "quarantine_until"]
    list_filter = ["kind", "status", BlockedFilter, QuarantineFilter]
    list_select_related = ["customer", "billing_account"]
    sortable_by = ["msisdn_national"]
    search_fields = ["msisdn"]
    fields = ["workspace", "msisdn", "iccid", "imsi", "kind", "status", "customer", "billing_account",
              "activated_on", "terminated_on", "quarantine_until", "created_at"]
    readonly_fields = fields
    inlines = [LineBlockInline, LineTransferInline]
    actions = ["block_lines", "unblock_lines", "recycle_numbers"]

    def get_queryset(self, request):
        open_blocks = Block.objects.filter(line=OuterRef("pk"), ended_at__isnull=True)
        return super().get_queryset(request).annotate(has_open_block=Exists(open_blocks))

    @admin.display(description=_("MSISDN"), ordering="msisdn")
    def msisdn_national(self, obj):
        return obj.msisdn_national

    @admin.display(description=_("blocked"), boolean=True)
    def is_blocked(self, obj):
        return obj.has_open_block

    @admin.display(description=_("agent workspace"))
    def workspace(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("accounts:line_detail", args=[obj.pk]),
                           _("Open the line page (tabs, actions, timeline)"))

    def build_search_filter(self, term):
        return _line_query(term)

    def has_add_permission(self, request):
        return False  # activated in the agent workspace (line_activate)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Block the selected lines…"), permissions=["change"])
    def block_lines(self, request, queryset):
        """BIL-05, BIL-06, PRE-04: block with a reason code, each line through `line_block`."""
        rows = _selected(self, request, queryset)
        if rows is None:
            return None
        form = BlockLinesForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return _confirm(self, request, rows, action="block_lines", form=form,
                            title=gettext("Block lines"))
        data = form.cleaned_data
        done, refused = 0, []
        for line in rows:
            try:
                services.line_block(line=line, reason=data["reason"], scope=data["scope"], note=data["note"],
                                    reference=data["reference"], permanent=data["permanent"], actor=request.user,
                                    channel=Channel.ADMIN)
                done += 1
            except RuleViolation as refusal:
                refused.append(f"{line}: {refusal}")
        _report(self, request, done, refused, gettext("%(count)d lines blocked."))
        return None

    @admin.action(description=_("Lift blocks of the selected lines…"), permissions=["change"])
    def unblock_lines(self, request, queryset):
        rows = _selected(self, request, queryset)
        if rows is None:
            return None
        form = UnblockLinesForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return _confirm(self, request, rows, action="unblock_lines", form=form,
                            title=gettext("Lift blocks"))
        reason, note = form.cleaned_data["reason"], form.cleaned_data["note"]
        blocks = Block.objects.filter(line__in=rows, ended_at__isnull=True, permanent=False).select_related("line")
        if reason == ANY_REASON:
            blocks = blocks.exclude(reason__in=services.NOT_LIFTABLE_BY_HAND)
        else:
            blocks = blocks.filter(reason=reason)
        done, refused = 0, []
        for block in blocks.order_by("line_id", "pk"):
            try:
                services.line_unblock(block=block, actor=request.user, note=note, channel=Channel.ADMIN)
                done += 1
            except RuleViolation as refusal:
                refused.append(f"{block}: {refusal}")
        if not done and not refused:
            self.message_user(request, gettext("None of the selected lines has such an open block."),
                              messages.WARNING)
        _report(self, request, done, refused, gettext("%(count)d blocks lifted."))
        return None

    @admin.action(description=_("Recycle the selected numbers whose quarantine ended…"), permissions=["change"])
    def recycle_numbers(self, request, queryset):
        """ACC-04: a terminated number may be given to another customer once its quarantine is over."""
        rows = _selected(self, request, queryset)
        if rows is None:
            return None
        form = ConfirmForm(request.POST if "apply" in request.POST else None)
        if "apply" not in request.POST:
            return _confirm(self, request, rows, action="recycle_numbers", form=form,
                            title=gettext("Recycle numbers"),
                            intro=gettext("Only terminated numbers whose quarantine has ended are recycled."))
        done, refused = 0, []
        for line in rows:
            try:
                services.line_recycle(line=line, actor=request.user)
                done += 1
            except RuleViolation as refusal:
                refused.append(f"{line}: {refusal}")
        _report(self, request, done, refused, gettext("%(count)d numbers recycled."))
        return None


class OpenFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("open", _("Open")), ("lifted", _("Lifted"))]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(ended_at__isnull=True)
        if self.value() == "lifted":
            return queryset.filter(ended_at__isnull=False)
        return queryset


@admin.register(Block)
class BlockAdmin(ReadOnlyDetailMixin, IndexedSearchMixin, LargeTableAdmin):
    """Read-only history of blocks; lifting goes through `line_unblock`."""

    list_display = ["line", "reason", "scope", "permanent", "started_at", "started_by", "ended_at", "ended_by"]
    list_filter = [OpenFilter, "reason", "scope", "permanent"]
    list_select_related = ["line", "started_by", "ended_by"]
    sortable_by = []
    search_fields = ["reference"]
    search_help_text = _("MSISDN, ICCID or account number of the line, or a reference number.")
    fields = ["line", "reason", "scope", "permanent", "reference", "note", "started_at", "started_by",
              "ended_at", "ended_by", "end_note"]
    readonly_fields = fields
    actions = ["lift_blocks"]

    def build_search_filter(self, term):
        condition = _line_query(term, prefix="line__")
        by_reference = Q(reference=term)
        return by_reference if condition is None else condition | by_reference

    def has_add_permission(self, request):
        return False  # blocks are set with the line action or in the agent workspace (line_block)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Lift the selected blocks…"), permissions=["change"])
    def lift_blocks(self, request, queryset):
        rows = _selected(self, request, queryset.select_related("line"))
        if rows is None:
            return None
        form = LiftBlocksForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return _confirm(self, request, rows, action="lift_blocks", form=form, title=gettext("Lift blocks"))
        done, refused = 0, []
        for block in rows:
            try:
                services.line_unblock(block=block, actor=request.user, note=form.cleaned_data["note"],
                                      channel=Channel.ADMIN)
                done += 1
            except RuleViolation as refusal:
                refused.append(f"{block}: {refusal}")
        _report(self, request, done, refused, gettext("%(count)d blocks lifted."))
        return None


@admin.register(TransferApproval)
class TransferApprovalAdmin(ReadOnlyDetailMixin, IndexedSearchMixin, LargeTableAdmin):
    """Read-only: approvals are recorded by `line_transfer` (ACC-06)."""

    list_display = ["letter_number", "line", "from_customer", "to_customer", "approved_by", "approved_at"]
    list_select_related = ["line", "from_customer", "to_customer", "approved_by"]
    list_filter = ["approved_at"]
    sortable_by = []
    search_fields = ["letter_number"]
    search_help_text = _("Approval letter number or the line's MSISDN.")
    fields = ["line", "from_customer", "to_customer", "letter_number", "approved_by", "approved_at", "reason"]
    readonly_fields = fields

    def build_search_filter(self, term):
        condition = _line_query(term, prefix="line__")
        by_letter = Q(letter_number=term)
        return by_letter if condition is None else condition | by_letter

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
