"""Supervisors' admin for core: audit (read-only), holidays, parameters, jobs, SMS outbox, templates, API clients."""

from django.contrib import admin, messages
from django.db.models import Q
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin_base import AuditedAdmin, LargeTableMixin, LargeTablePaginator, MsisdnSearchMixin, ReadOnlyAdmin
from core.models import (
    ApiRequest,
    AuditEvent,
    ChannelApiKey,
    ChannelClient,
    DeliveryReport,
    Holiday,
    JobRun,
    OutboundSms,
    Parameter,
    SmsTemplate,
)


class AuditAreaFilter(admin.SimpleListFilter):
    """Filter by area of the verb prefix: a fixed list, not a `SELECT DISTINCT verb` over millions of events."""

    title = _("area")
    parameter_name = "area"
    AREAS = {
        "accounts": (_("Customers and lines"), ("customer.", "line.", "account.", "billingaccount.")),
        "limits": (_("Spending limits"), ("limit.",)),
        "bills": (_("Bills"), ("bill.",)),
        "protection": (_("TecProtec"), ("protection.",)),
        "prepaid": (_("Prepaid and Prime"), ("prepaid.", "prime.")),
        "jobs": (_("Jobs"), ("job.",)),
        "platform": (_("Staff, channels and SMS"), ("user.", "outlet.", "channel_client.", "sms.")),
    }

    def lookups(self, request, model_admin):
        return [(key, title) for key, (title, _prefixes) in self.AREAS.items()]

    def queryset(self, request, queryset):
        area = self.AREAS.get(self.value())
        if area is None:
            return queryset
        condition = Q()
        for prefix in area[1]:
            condition |= Q(verb__startswith=prefix)
        return queryset.filter(condition)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Append-only (ACC-07): nobody adds, changes or deletes an event, not even a superuser."""

    list_display = ["created_at", "verb", "channel", "actor_display", "outlet", "subject_repr", "line", "reason"]
    list_filter = ["channel", AuditAreaFilter, ("created_at", admin.DateFieldListFilter)]
    paginator = LargeTablePaginator
    show_facets = admin.ShowFacets.NEVER
    search_fields = ["verb", "subject_repr", "actor_label", "actor__username", "line__msisdn", "reason",
                     "=subject_id"]
    list_select_related = ["actor", "outlet", "line"]
    show_full_result_count = False
    date_hierarchy = None
    ordering = ["-created_at", "-id"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    @admin.display(description=_("actor"))
    def actor_display(self, obj):
        return obj.actor.get_username() if obj.actor_id else obj.actor_label


@admin.register(Holiday)
class HolidayAdmin(AuditedAdmin):
    list_display = ["date", "name"]
    search_fields = ["name"]
    date_hierarchy = "date"


@admin.register(Parameter)
class ParameterAdmin(AuditedAdmin):
    list_display = ["code", "value", "unit_display", "rule", "description_display", "updated_at"]
    search_fields = ["code", "description", "rule"]
    readonly_fields = ["updated_at"]

    def get_readonly_fields(self, request, obj=None):
        # The code is what the program looks up: fixed once created. The stored texts stay editable (English for
        # our defaults); the read-only ones beside them are what every page shows, in the active language.
        return ["code", "description_display", "unit_display", "updated_at"] if obj else ["updated_at"]

    @admin.display(description=_("description"), ordering="description")
    def description_display(self, obj):
        return obj.description_shown

    @admin.display(description=_("unit"), ordering="unit")
    def unit_display(self, obj):
        return obj.unit_shown


@admin.register(JobRun)
class JobRunAdmin(ReadOnlyAdmin):
    list_display = ["job", "period_key", "status", "progress", "selected", "changed", "skipped", "failed",
                    "started_at", "duration_display", "attempts", "forced"]
    list_filter = ["status", "job", "forced"]
    search_fields = ["job", "period_key", "error"]
    readonly_fields = [f.name for f in JobRun._meta.fields]
    show_full_result_count = False

    @admin.display(description=_("progress"))
    def progress(self, obj):
        return f"{obj.progress_percent}%"

    @admin.display(description=_("duration"))
    def duration_display(self, obj):
        duration = obj.duration
        return str(duration).split(".")[0] if duration is not None else "—"


@admin.register(OutboundSms)
class OutboundSmsAdmin(MsisdnSearchMixin, LargeTableMixin, admin.ModelAdmin):
    list_display = ["created_at", "msisdn", "template_code", "status", "attempts", "next_attempt_at", "sent_at",
                    "delivered_at", "short_error"]
    list_filter = ["status", "template_code", "language"]
    search_fields = ["=msisdn", "=dedup_key", "=gateway_message_id"]
    msisdn_field = "msisdn"
    readonly_fields = [f.name for f in OutboundSms._meta.fields]
    list_select_related = ["line"]
    actions = ["retry"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("last error"))
    def short_error(self, obj):
        return (obj.last_error[:60] + "…") if len(obj.last_error) > 60 else obj.last_error

    @admin.action(description=_("Retry the selected failed or dead messages now"),
                  permissions=["change"])
    def retry(self, request, queryset):
        from core.outbox import sms_retry

        ids = list(queryset.values_list("pk", flat=True))
        count = sms_retry(sms_ids=ids, actor=request.user)
        skipped = len(ids) - count
        self.message_user(request, ngettext("%(n)d message queued again.", "%(n)d messages queued again.", count)
                          % {"n": count}, messages.SUCCESS)
        if skipped:
            self.message_user(request, _("%(n)d selected message(s) were not failed or dead and were left alone.")
                              % {"n": skipped}, messages.WARNING)


class MatchedFilter(admin.SimpleListFilter):
    title = _("matched")
    parameter_name = "matched"

    def lookups(self, request, model_admin):
        return [("no", _("Unmatched (to review)")), ("yes", _("Matched"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(sms__isnull=self.value() == "no")
        return queryset


@admin.register(DeliveryReport)
class DeliveryReportAdmin(ReadOnlyAdmin):
    """Every report the gateway sent; the unmatched ones (an id we never recorded) are here for review."""

    list_display = ["received_at", "gateway_message_id", "state", "sms", "matched_at"]
    list_filter = [MatchedFilter, "state"]
    search_fields = ["=gateway_message_id"]
    readonly_fields = [f.name for f in DeliveryReport._meta.fields]
    list_select_related = ["sms"]
    show_full_result_count = False


@admin.register(SmsTemplate)
class SmsTemplateAdmin(AuditedAdmin):
    """A {variable} not listed, or a listed one missing from either language, is refused at save (SmsTemplate.clean)."""

    list_display = ["code", "description", "variables", "updated_at"]
    search_fields = ["code", "description", "text_id", "text_en"]
    readonly_fields = ["updated_at"]  # never deleted (AuditedAdmin): the code that sends it would fail at send time


class ChannelApiKeyInline(admin.TabularInline):
    model = ChannelApiKey
    extra = 0
    fields = ["prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ChannelClient)
class ChannelClientAdmin(AuditedAdmin):
    """Creating a client shows its first key once; "new key" and "revoke keys" are actions. Every edit of a client
    (active, throttle rate) is audited with its reason (ACC-07, AuditedAdmin)."""

    list_display = ["name", "kind", "active", "throttle_rate", "key_count", "created_at"]
    list_filter = ["kind", "active"]
    search_fields = ["name"]
    inlines = [ChannelApiKeyInline]
    actions = ["new_key", "revoke_keys"]

    def get_queryset(self, request):
        from django.db.models import Count, Q

        return super().get_queryset(request).annotate(
            active_keys=Count("api_keys", filter=Q(api_keys__revoked_at__isnull=True)))

    @admin.display(description=_("active keys"))
    def key_count(self, obj):
        return obj.active_keys

    def get_readonly_fields(self, request, obj=None):
        return ["name", "kind", "created_at"] if obj else ["created_at"]

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead; audit and idempotency rows point at it

    def _show_key(self, request, client, key):
        self.message_user(request, format_html(
            _("API key for {name} — copy it now, it is not shown again: <code>{key}</code>"), name=client.name,
            key=key), messages.WARNING)

    def save_model(self, request, obj, form, change):
        from core.api.keys import key_generate
        from core.audit import audit_record
        from core.models import Channel

        super().save_model(request, obj, form, change)
        if not change:
            key, prefix, digest = key_generate()
            ChannelApiKey.objects.create(client=obj, prefix=prefix, key_hash=digest)
            audit_record(actor=request.user, verb="channel_client.key_created", subject=obj, channel=Channel.ADMIN,
                         new={"name": obj.name, "kind": obj.kind, "key_prefix": prefix, "new_client": True})
            self._show_key(request, obj, key)

    @admin.action(description=_("Create a new API key (shown once)"), permissions=["change"])
    def new_key(self, request, queryset):
        from core.services import channel_client_create

        for client in queryset:
            _client, key, _created = channel_client_create(name=client.name, kind=client.kind, actor=request.user)
            self._show_key(request, client, key)

    @admin.action(description=_("Revoke every key of the selected clients"), permissions=["change"])
    def revoke_keys(self, request, queryset):
        from core.services import channel_key_revoke

        count = 0
        for api_key in ChannelApiKey.objects.filter(client__in=queryset, revoked_at__isnull=True):
            channel_key_revoke(api_key=api_key, actor=request.user, reason=_("Revoked from the admin"))
            count += 1
        self.message_user(request, _("%(n)d key(s) revoked.") % {"n": count}, messages.SUCCESS)


@admin.register(ApiRequest)
class ApiRequestAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "client", "request_id", "method", "path", "response_status"]
    list_filter = ["response_status", "method", "client"]
    search_fields = ["=request_id", "path"]
    list_select_related = ["client"]
    readonly_fields = [f.name for f in ApiRequest._meta.fields]
    show_full_result_count = False
