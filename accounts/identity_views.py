"""Recording the identity check at the counter, and the gate in front of the sensitive actions (ACC-10): without a
passed check the action is shown disabled, with the reason and a link to record the check — not a form that fails."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.identity import identity_check_record, identity_check_verdict
from accounts.models import Customer, IdentityCheck
from core.actions import action_render, action_submit


class IdentityCheckForm(forms.Form):
    method = forms.ChoiceField(label=gettext_lazy("How the identity was checked"),
                               choices=IdentityCheck.Method.choices)
    result = forms.ChoiceField(label=gettext_lazy("Result"), choices=IdentityCheck.Result.choices,
                               widget=forms.RadioSelect)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=255, required=False)


def _next_url(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def identity_check_url(customer_id: int, next_url: str) -> str:
    return f"{reverse('accounts:identity_check', args=[customer_id])}?{urlencode({'next': next_url})}"


@login_required
@permission_required("accounts.add_identitycheck", raise_exception=True)
def identity_check(request, pk):
    customer = get_object_or_404(Customer, pk=pk)
    back = _next_url(request, reverse("accounts:customer_detail", args=[customer.pk]))
    form = IdentityCheckForm(request.POST or None)
    done = action_submit(request, form, lambda data: identity_check_record(
        customer=customer, method=data["method"], result=data["result"], note=data["note"], actor=request.user))
    if done:
        if done.result.result == IdentityCheck.Result.PASSED:
            messages.success(request, _("Identity check passed and recorded."))
        else:
            messages.warning(request, _("Identity check failed; it is recorded. Sensitive actions stay unavailable."))
        return redirect(back)
    return action_render(request, form=form, title=_("Record the identity check"), customer=customer,
                         next_url=back, template="accounts/identity_check.html")


def identity_gate(request, *, customer_id: int, title, line=None, customer=None):
    """None when a passed check counts now; otherwise the disabled action page with the reason and the link."""
    verdict = identity_check_verdict(customer_id=customer_id, actor=request.user)
    if verdict.allowed:
        return None
    return render(request, "accounts/identity_required.html", {
        "title": title, "line": line, "customer": customer, "verdict": verdict,
        "check_url": identity_check_url(customer_id, request.get_full_path()),
    })
