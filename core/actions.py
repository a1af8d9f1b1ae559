"""The agent action kit: one way to show a form with its verdict, submit it, and come back to the line.

A view does: load the subject, check the permission (decorators), build the form with `action_files(request)`,
call `action_submit(...)` with its one service call, and otherwise `action_render(...)`:

    form = LimitChangeForm(request.POST or None)
    if done := action_submit(request, form, lambda data: services.spending_limit_change(line=line, ...)):
        messages.success(request, _("…"))  # done.result: what the service returned
        return action_done(line=line, tab="spending")
    return action_render(request, form=form, title=_("Change the spending limit"), line=line, verdict=verdict)

`templates/core/action.html` has blocks (`verdict_details`, `before_form`, `after_form`) for an app's extras, or pass
`details_template=` to include one under the verdict; `core/_verdict.html` shows a Verdict: why not, or what is still
missing, or that it is allowed.
"""

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape, format_html

from core.verdicts import RuleViolation, Verdict

CONFIRM_FIELD = "confirm"
KEPT_PREFIX = "kept_"
KEPT_DIR = "pending-uploads"
KEPT_MAX_AGE = dt.timedelta(days=1)  # a form checked and never submitted: its files go the next night
SESSION_KEY = "action_uploads"


def is_check(request) -> bool:
    """The "Check" button: show the verdict again without writing anything."""
    return request.method == "POST" and "check" in request.POST


def action_files(request):
    """The uploaded files of this request, with those kept from an earlier "Check" of the same form restored.

    A browser cannot re-fill a file input, so on "Check" each upload is put aside (the session knows its token) and
    the page carries the token in a hidden input; the final submit gets the file back without choosing it again.
    """
    if request.method != "POST":
        return None
    files = request.FILES.copy()
    kept = request.session.get(SESSION_KEY, {})
    for key, token in request.POST.items():
        name = key.removeprefix(KEPT_PREFIX)
        if key.startswith(KEPT_PREFIX) and name not in files and token in kept:
            stored = kept[token]
            if not default_storage.exists(stored["path"]):  # purged (kept_uploads_purge): chosen again
                continue
            with default_storage.open(stored["path"]) as handle:
                files[name] = SimpleUploadedFile(stored["name"], handle.read(), stored["content_type"])
    if is_check(request):
        for name, upload in files.items():
            token = uuid.uuid4().hex
            upload.seek(0)
            path = default_storage.save(f"{KEPT_DIR}/{token}/{upload.name}", upload)
            upload.seek(0)
            kept[token] = {"path": path, "name": upload.name, "content_type": upload.content_type, "field": name}
        request.session[SESSION_KEY] = kept
    return files


def kept_uploads_purge(*, now: dt.datetime | None = None, max_age: dt.timedelta = KEPT_MAX_AGE, storage=None) -> int:
    """Delete the files put aside on "Check" (KEPT_DIR) that are older than `max_age`, and their emptied folders.

    The daily job core.tasks.pending_uploads_purge_task; a re-run finds nothing left. Returns the files deleted."""
    storage = storage or default_storage
    cutoff = (now or timezone.now()) - max_age
    if not storage.exists(KEPT_DIR):
        return 0
    deleted = 0
    tokens, _files = storage.listdir(KEPT_DIR)
    for token in tokens:
        folder = f"{KEPT_DIR}/{token}"
        _dirs, names = storage.listdir(folder)
        old = [name for name in names if storage.get_modified_time(f"{folder}/{name}") < cutoff]
        for name in old:
            storage.delete(f"{folder}/{name}")
        deleted += len(old)
        if len(old) == len(names) and not _dirs:
            storage.delete(folder)
    return deleted


def _kept_uploads(request) -> list[dict]:
    """The files kept for this form, for hidden inputs and an "attached" note."""
    if not is_check(request):
        return []
    kept = request.session.get(SESSION_KEY, {})
    latest = {}
    for token, stored in kept.items():
        if stored["field"] in request.FILES or request.POST.get(KEPT_PREFIX + stored["field"]) == token:
            latest[stored["field"]] = {"field": KEPT_PREFIX + stored["field"], "token": token, "name": stored["name"]}
    return list(latest.values())


def reason_html(reason) -> str:
    """A reason as the agent reads it: the message, then its next step as a link (once)."""
    step = getattr(reason, "next_step", None)
    href = step.href if step is not None else ""
    if not href:
        return conditional_escape(str(reason.message))
    return format_html('{} — <a href="{}" class="next-step">{}</a>', str(reason.message), href, str(step.label))


class ReasonText(str):
    """A form error that reads as the reason's plain message (tests, logs) and renders with its next-step link."""

    def __new__(cls, reason):
        text = super().__new__(cls, str(reason.message))
        text.reason = reason
        return text

    def __str__(self):
        return self

    def __html__(self):
        return reason_html(self.reason)


def refusal_to_messages(request, exc: RuleViolation) -> None:
    """Each reason of a refusal as an error message, for a one-button action that has no form to show it on."""
    for message in exc.messages:
        messages.error(request, message)


def refusal_to_form(form: forms.Form, exc: RuleViolation) -> None:
    """Each reason of a refusal becomes a form error (a field's, when the reason names a field of the form), with its
    next step as a link; the form remembers the reasons so the verdict above it does not repeat them."""
    shown = getattr(form, "shown_reasons", [])
    for reason in exc.reasons:
        field = getattr(reason, "field", "") or None
        form.add_error(field if field in form.fields else None, ReasonText(reason))
        shown.append(reason)
    form.shown_reasons = shown


@dataclass(frozen=True)
class Done:
    result: Any  # what the service returned


def action_submit(request, form: forms.Form, perform: Callable[[dict], Any]) -> Done | None:
    """A valid POST calls `perform(cleaned_data)` (one service call) and returns Done(its result); a RuleViolation
    is shown on the form instead (None), and "Check" only re-shows the verdict (None)."""
    if request.method != "POST" or is_check(request) or not form.is_valid():
        return None
    try:
        return Done(perform(form.cleaned_data))
    except RuleViolation as exc:
        refusal_to_form(form, exc)
        return None


def action_done(*, line=None, customer=None, tab: str = ""):
    """Back to where the action belongs: the line page on the action's tab, or the customer page."""
    if line is not None:
        url = reverse("accounts:line_detail", args=[line.pk])
        return redirect(f"{url}?tab={tab}" if tab else url)
    if customer is not None:
        return redirect("accounts:customer_detail", pk=customer.pk)
    return redirect("accounts:search")


def _prepare(form: forms.Form) -> None:
    """The confirmation last; the focus on the first field the agent fills in."""
    if CONFIRM_FIELD in form.fields:
        form.order_fields([name for name in form.fields if name != CONFIRM_FIELD] + [CONFIRM_FIELD])
    for field in form.fields.values():
        if not field.widget.is_hidden:
            field.widget.attrs.setdefault("autofocus", True)
            break


def _unshown(verdict: Verdict | None, form: forms.Form) -> Verdict | None:
    """The verdict without the reasons the form already shows as errors: each refusal is read once."""
    if verdict is None or not form.is_bound:
        return verdict
    shown = {str(message) for errors in form.errors.values() for message in errors}
    shown |= {str(reason.message) for reason in getattr(form, "shown_reasons", [])}
    reasons = [reason for reason in verdict.reasons if str(reason.message) not in shown]
    if len(reasons) == len(verdict.reasons):
        return verdict
    # The errors say the rest; with nothing left the box does not read "Allowed." (the notes in details stay).
    return Verdict(reasons=reasons, details=verdict.details, missing=verdict.missing, needed=verdict.needed,
                   refusals_on_form=True)


def action_render(request, *, form: forms.Form, title, line=None, customer=None, verdict: Verdict | None = None,
                  intro="", danger: bool = False, check_button: bool = False, template: str = "core/action.html",
                  cancel_tab: str = "", **extra):
    _prepare(form)
    return render(request, template, {
        "form": form, "title": title, "line": line, "customer": customer, "verdict": _unshown(verdict, form),
        "intro": intro, "danger": danger, "check_button": check_button, "cancel_tab": cancel_tab,
        "multipart": form.is_multipart(), "kept_uploads": _kept_uploads(request),
        "shown_codes": [reason.code for reason in getattr(form, "shown_reasons", [])], **extra,
    })


# Action buttons that know up front whether they can succeed ------------------------------------------------------


@dataclass(frozen=True)
class ActionState:
    """Whether an action's button is live; if not, the reasons to show as text next to it (cheap checks only)."""

    allowed: bool = True
    reasons: tuple = ()

    @classmethod
    def of(cls, verdict: Verdict | None, *, ignore: tuple[str, ...] = ()) -> "ActionState":
        """From a Verdict computed without the form's input: its refusals (those in `ignore` depend on the input)."""
        if verdict is None:
            return cls()
        reasons = tuple(reason for reason in verdict.reasons if reason.code not in ignore)
        return cls(allowed=not reasons, reasons=reasons)


# Apps register the cheap check of each action that a page outside the app shows (the line header):
# `register_action_check("billing.limit_change", lambda line, user: limit_change_eligibility(line=line))`.
_ACTION_CHECKS: dict[str, Callable[[Any, Any], Verdict | None]] = {}


def register_action_check(name: str, check: Callable[[Any, Any], Verdict | None]) -> None:
    _ACTION_CHECKS[name] = check


def action_state(name: str, subject, user=None) -> ActionState:
    """The state of a registered action for this subject (a line, a bill…); an unknown name is live."""
    check = _ACTION_CHECKS.get(name)
    return ActionState.of(check(subject, user)) if check is not None else ActionState()
