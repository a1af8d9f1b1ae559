"""Pieces every accounts admin shares: audited edits, confirmation pages for bulk actions, indexed search."""

from django import forms
from django.contrib import messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.template.response import TemplateResponse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.models import BillingAccount, Customer, Line
from accounts.selectors import classify_query
from accounts.validators import normalize_msisdn
from core.audit import admin_edit_verbs_register, audit_record
from core.models import Channel

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

    def __init__(self, model, admin_site):
        super().__init__(model, admin_site)
        admin_edit_verbs_register(model)  # the timeline labels of the verbs save_related writes

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


