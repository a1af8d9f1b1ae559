"""The admin kit every app uses (copy `billing/admin.py` for a new app):

- `ReadOnlyAdmin` / `ReadOnlyMixin`: history and money, written by services only;
- `LargeTableAdmin` / `LargeTableMixin` with `MsisdnSearchMixin`: tables of millions of rows (estimated counts,
  exact, indexed searches);
- `AuditedAdmin` / `AuditedAdminMixin`: catalogue rows and rule parameters a supervisor edits, each save audited
  with old → new and the reason the form asks for (ACC-07);
- `admin_confirm`, `admin_selected`, `admin_report`: a bulk action's confirm-with-reason page.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connections, models
from django.template.response import TemplateResponse
from django.utils.functional import cached_property
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from core.audit import admin_edit_verbs_register, audit_record
from core.identifiers import looks_like_msisdn, normalize_msisdn
from core.models import Channel

# A bulk action works on at most this many rows at a time: each row is its own transaction and audit event.
MAX_ACTION_ROWS = 500


class ReadOnlyMixin:
    """Rows written by services only (history, money): a supervisor reads them here, never adds, edits or deletes
    them by hand. `bulk_actions = True` keeps the list's "change" permission for actions that call services."""

    bulk_actions = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        if obj is not None or not self.bulk_actions:
            return False
        return super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    pass


class HistoryInline(admin.TabularInline):
    """A read-only list of a record's history rows (written by services only): `fields` shown, `related` joined."""

    related: tuple[str, ...] = ()
    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*self.related)


class LargeTablePaginator(Paginator):
    """Skips `SELECT COUNT(*)` over the whole table: an unfiltered list uses PostgreSQL's row estimate.

    A filtered or searched list still counts exactly (the filters and searches are indexed).
    """

    @cached_property
    def count(self):
        queryset = self.object_list
        if isinstance(queryset, models.QuerySet) and not queryset.query.where:
            connection = connections[queryset.db]
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                                   [queryset.model._meta.db_table])
                    row = cursor.fetchone()
                if row and row[0] >= 10_000:
                    return int(row[0])
        return super().count


class LargeTableMixin:
    """A table with hundreds of thousands to millions of rows: no full COUNT on an unfiltered list (the paginator
    uses PostgreSQL's estimate), no "N of M" total, no facet counts. Keep `date_hierarchy` off (it scans every row
    for its years and months), list filters to fixed choices and searches exact (`=field`, `MsisdnSearchMixin`)."""

    paginator = LargeTablePaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    list_per_page = 50
    list_max_show_all = 200
    ordering = ["-id"]


class LargeTableAdmin(LargeTableMixin, admin.ModelAdmin):
    pass


class MsisdnSearchMixin:
    """Search by a mobile number typed in any ACC-02 form (an exact, indexed match on the stored E.164), else by
    `search_fields`, which on big tables should be exact (`=field`) so that no search reads the whole table."""

    msisdn_field = "line__msisdn"

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if looks_like_msisdn(term):
            try:
                return queryset.filter(**{self.msisdn_field: normalize_msisdn(term)}), False
            except ValidationError:
                return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)


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


class AuditedAdminMixin:
    """Writes one audit event per admin save with the changed fields (old → new) and the reason the form asks for
    (ACC-07). No list_editable: an edit always goes through the form that asks why."""

    form = AuditReasonForm
    audit_exclude = ("password", "password1", "password2", "audit_reason", "last_login")

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        adding_with_own_form = obj is None and getattr(self, "add_form", None) is not None
        listed = any("audit_reason" in options.get("fields", ()) for _name, options in fieldsets)
        if self.fieldsets and not listed and not adding_with_own_form:
            fieldsets = [*fieldsets, (None, {"fields": ["audit_reason"]})]
        return fieldsets

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


class AuditedAdmin(AuditedAdminMixin, admin.ModelAdmin):
    pass


def admin_confirm(modeladmin, request, queryset, *, action: str, title: str, form, intro: str = ""):
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
    return TemplateResponse(request, "admin/action_confirm.html", context)


def admin_selected(modeladmin, request, queryset):
    """The rows of a bulk action, refusing more than MAX_ACTION_ROWS."""
    rows = list(queryset.order_by("pk")[: MAX_ACTION_ROWS + 1])
    if len(rows) > MAX_ACTION_ROWS:
        modeladmin.message_user(
            request, gettext("Select at most %(max)d rows for this action.") % {"max": MAX_ACTION_ROWS},
            messages.ERROR,
        )
        return None
    return rows


def admin_report(modeladmin, request, done: int, refused: list[str], done_message: str):
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
