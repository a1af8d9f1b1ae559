"""Second-factor pages, the supervisors' lockouts page and second-factor reset, and the customer's data export."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _

from accounts.models import Customer
from core.verdicts import RuleViolation
from security import mfa, selectors, services
from security.forms import DataExportForm, ReasonForm, TokenForm, UnlockForm


def _next_url(request) -> str:
    url = request.POST.get("next") or request.GET.get("next") or "/"
    return url if url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}) else "/"


@login_required
def mfa_setup(request):
    """Enrolment on first log-in: add the secret to an authenticator app, confirm with its first code."""
    if mfa.mfa_enrolled(request.user):
        return redirect(f"{reverse('security:mfa_verify')}?{urlencode({'next': _next_url(request)})}")
    device = mfa.totp_pending_device(request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = mfa.mfa_enrol(request=request, device=device, token=form.cleaned_data["token"])
        except RuleViolation as exc:
            form.add_error("token", exc.messages)
        else:
            return render(request, "security/recovery_codes.html", {"codes": codes, "next": _next_url(request)})
    return render(request, "security/mfa_setup.html", {
        "form": form, "secret": mfa.totp_secret(device), "config_url": device.config_url, "next": _next_url(request),
    })


@login_required
def mfa_verify(request):
    if not mfa.mfa_enrolled(request.user):
        return redirect(f"{reverse('security:mfa_setup')}?{urlencode({'next': _next_url(request)})}")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            mfa.mfa_verify(request=request, token=form.cleaned_data["token"])
        except RuleViolation as exc:
            form.add_error("token", exc.messages)
        else:
            return redirect(_next_url(request))
    return render(request, "security/mfa_verify.html", {"form": form, "next": _next_url(request)})


@login_required
@permission_required("security.reset_second_factor", raise_exception=True)
def mfa_reset(request, user_id):
    user = get_object_or_404(get_user_model(), pk=user_id)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            mfa.second_factor_reset(user=user, actor=request.user, reason=form.cleaned_data["reason"])
        except RuleViolation as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The second factor of %(user)s was reset: they enrol again at their next "
                                        "log-in.") % {"user": user.get_username()})
            return redirect("admin:accounts_user_change", user.pk)
    return render(request, "security/reason.html", {
        "form": form, "title": _("Reset the second factor"),
        "intro": _("%(user)s's authenticator and recovery codes stop working; they set up a new one at their next "
                   "log-in.") % {"user": user.get_username()},
    })


@login_required
@permission_required("security.unlock_login", raise_exception=True)
def lockouts(request):
    """Supervisors: today's lockouts, and unlocking one with a reason."""
    form = UnlockForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.login_unlock(username=data["username"], ip_address=data["ip_address"], actor=request.user,
                                      reason=data["reason"])
            except RuleViolation as exc:
                for message in exc.messages:
                    messages.error(request, message)
            else:
                messages.success(request, _("%(user)s can log in again.") % {"user": data["username"]})
                return redirect("security:lockouts")
        else:
            messages.error(request, _("Give the reason for the unlock."))
    return render(request, "security/lockouts.html", {"events": selectors.lockouts_today()})


@login_required
@permission_required("security.export_customer_data", raise_exception=True)
def customer_export(request, pk):
    """UU 27/2022: the customer's own data as a JSON file, after an identity check that is recorded."""
    customer = get_object_or_404(Customer, pk=pk)
    form = DataExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            export, body = services.customer_data_export(
                customer=customer, actor=request.user, check_method=form.cleaned_data["check_method"],
                document_number=form.cleaned_data["document_number"])
        except RuleViolation as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            response = HttpResponse(body, content_type="application/json; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="customer-{customer.pk}-{export.pk}.json"'
            return response
    return render(request, "accounts/action.html", {
        "form": form, "title": _("Export the customer's data"), "customer": customer, "subject": customer,
        "intro": _("Check the original identity document the customer shows and type its number. The file holds "
                   "everything the back office keeps about the customer."),
    })
