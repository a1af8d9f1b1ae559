"""Lines, blocks and transfer approvals."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.admin.base import IndexedSearchMixin, _line_query
from accounts.models import Block, IdentityCheck, Line, SimChange, TransferApproval
from core.admin_base import (
    HistoryInline,
    LargeTableAdmin,
    ReadOnlyMixin,
    admin_confirm,
    admin_report,
    admin_selected,
)
from core.dates import local_today
from core.models import Channel
from core.verdicts import RuleViolation

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
        help_text=_("Terminates the lines: the numbers go into quarantine and cannot be unblocked."),  # ACC-04
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


class TerminateForm(forms.Form):
    """ACC-09: the customer's written request and why."""

    request_reference = forms.CharField(label=_("Written request reference"), max_length=60)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)


class QuarantineFilter(admin.SimpleListFilter):
    title = _("quarantine")  # ACC-04
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


class LineBlockInline(HistoryInline):
    model = Block
    fields = ["reason", "scope", "permanent", "reference", "note", "started_at", "started_by", "ended_at",
              "ended_by", "end_note"]
    show_change_link = True
    ordering = ["-started_at"]
    related = ("started_by", "ended_by")


class LineTransferInline(HistoryInline):
    model = TransferApproval
    fields = ["letter_number", "from_customer", "to_customer", "approved_by", "approved_at", "reason"]
    related = ("from_customer", "to_customer", "approved_by")


class LineSimChangeInline(HistoryInline):
    """ACC-10: every SIM replacement with the identity check it followed (recorded by `line_sim_replace`)."""

    model = SimChange
    fields = ["created_at", "reason", "old_iccid", "new_iccid", "identity_check", "actor"]
    related = ("identity_check", "actor")


class LineIdentityCheckInline(HistoryInline):
    model = IdentityCheck
    fields = ["checked_at", "method", "result", "checked_by", "note"]
    related = ("checked_by",)


@admin.register(Line)
class LineAdmin(ReadOnlyMixin, IndexedSearchMixin, LargeTableAdmin):
    """Read-only: every change of a line is a service (block, unblock, recycle) offered as an action."""

    bulk_actions = True  # its actions call services

    list_display = ["msisdn_national", "kind", "status", "is_blocked", "customer", "billing_account",
                    "activated_on", "quarantine_until"]
    list_filter = ["kind", "status", BlockedFilter, QuarantineFilter]
    list_select_related = ["customer", "billing_account"]
    sortable_by = ["msisdn_national"]
    search_fields = ["msisdn"]
    fields = ["workspace", "msisdn", "iccid", "imsi", "kind", "status", "customer", "billing_account",
              "activated_on", "terminated_on", "termination_reference", "quarantine_until", "created_at"]
    readonly_fields = fields
    inlines = [LineBlockInline, LineTransferInline, LineSimChangeInline, LineIdentityCheckInline]
    actions = ["block_lines", "unblock_lines", "recycle_numbers", "terminate_lines"]

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
        rows = admin_selected(self, request, queryset)
        if rows is None:
            return None
        form = BlockLinesForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return admin_confirm(self, request, rows, action="block_lines", form=form,
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
        admin_report(self, request, done, refused, gettext("%(count)d lines blocked."))
        return None

    @admin.action(description=_("Lift blocks of the selected lines…"), permissions=["change"])
    def unblock_lines(self, request, queryset):
        rows = admin_selected(self, request, queryset)
        if rows is None:
            return None
        form = UnblockLinesForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return admin_confirm(self, request, rows, action="unblock_lines", form=form,
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
        admin_report(self, request, done, refused, gettext("%(count)d blocks lifted."))
        return None

    @admin.action(description=_("Recycle the selected numbers whose quarantine ended…"), permissions=["change"])
    def recycle_numbers(self, request, queryset):
        """ACC-04: a terminated number may be given to another customer once its quarantine is over."""
        rows = admin_selected(self, request, queryset)
        if rows is None:
            return None
        form = ConfirmForm(request.POST if "apply" in request.POST else None)
        if "apply" not in request.POST:
            return admin_confirm(self, request, rows, action="recycle_numbers", form=form,
                            title=gettext("Recycle numbers"),
                            intro=gettext("Only terminated numbers whose quarantine has ended are recycled."))
        done, refused = 0, []
        for line in rows:
            try:
                services.line_recycle(line=line, actor=request.user)
                done += 1
            except RuleViolation as refusal:
                refused.append(f"{line}: {refusal}")
        admin_report(self, request, done, refused, gettext("%(count)d numbers recycled."))
        return None

    @admin.action(description=_("Terminate the selected postpaid lines at the customer's written request…"),
                  permissions=["change"])
    def terminate_lines(self, request, queryset):
        """ACC-09: the same transition as the agent's (every app ends, the final bill); each refusal is listed."""
        rows = admin_selected(self, request, queryset)
        if rows is None:
            return None
        form = TerminateForm(request.POST if "apply" in request.POST else None)
        if "apply" not in request.POST or not form.is_valid():
            return admin_confirm(self, request, rows, action="terminate_lines", form=form,
                            title=gettext("Terminate lines"),
                            intro=gettext("Every app ends today; what was owed stays owed."))
        done, refused = 0, []
        for line in rows:
            try:
                services.line_terminate(line=line, request_reference=form.cleaned_data["request_reference"],
                                        reason=form.cleaned_data["reason"], actor=request.user,
                                        channel=Channel.ADMIN)
                done += 1
            except RuleViolation as refusal:
                refused.append(f"{line}: {refusal}")
        admin_report(self, request, done, refused, gettext("%(count)d lines terminated."))
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
class BlockAdmin(ReadOnlyMixin, IndexedSearchMixin, LargeTableAdmin):
    """Read-only history of blocks; lifting goes through `line_unblock`."""

    bulk_actions = True  # its actions call services

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
        rows = admin_selected(self, request, queryset.select_related("line"))
        if rows is None:
            return None
        form = LiftBlocksForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return admin_confirm(self, request, rows, action="lift_blocks", form=form, title=gettext("Lift blocks"))
        done, refused = 0, []
        for block in rows:
            try:
                services.line_unblock(block=block, actor=request.user, note=form.cleaned_data["note"],
                                      channel=Channel.ADMIN)
                done += 1
            except RuleViolation as refusal:
                refused.append(f"{block}: {refusal}")
        admin_report(self, request, done, refused, gettext("%(count)d blocks lifted."))
        return None


@admin.register(TransferApproval)
class TransferApprovalAdmin(ReadOnlyMixin, IndexedSearchMixin, LargeTableAdmin):
    """Read-only: approvals are recorded by `line_transfer` (ACC-06)."""

    bulk_actions = True  # its actions call services

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
