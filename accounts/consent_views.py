"""ACC-11: the agent records the customer's marketing consent from the customer page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import selectors
from accounts.consent import latest_consent, marketing_consent_set
from accounts.forms import MarketingConsentForm
from accounts.models import Customer
from core.models import Channel
from core.verdicts import RuleViolation


@login_required
@permission_required("accounts.change_customer", raise_exception=True)
def marketing_consent(request, pk):
    try:
        customer = selectors.customer_detail(pk)
    except Customer.DoesNotExist:
        raise Http404 from None
    form = MarketingConsentForm(request.POST or None, initial={
        "granted": "no" if customer.marketing_consent else "yes", "channel": Channel.GRAPARI})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            marketing_consent_set(customer=customer, granted=data["granted"], channel=data["channel"],
                                  actor=request.user, note=data["note"])
        except RuleViolation as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Marketing consent recorded: the customer accepts offers.") if data["granted"]
                             else _("Marketing consent withdrawn: no more offer SMS to this customer."))
            return redirect("accounts:customer_detail", pk=customer.pk)
    last = latest_consent(customer)
    if last is None:
        state = _("Now: accepts offers under the subscription terms; never changed.")
    else:
        state = _("Now: %(state)s since %(date)s (%(channel)s).") % {
            "state": _("accepts offers") if last.granted else _("withdrew consent"),
            "date": timezone.localtime(last.recorded_at).strftime("%d-%m-%Y"), "channel": last.get_channel_display()}
    intro = f"{state} {_('Legal notices such as bills and price changes are sent whatever the consent says.')}"
    return render(request, "accounts/action.html", {"form": form, "title": _("Marketing consent"),
                                                    "customer": customer, "intro": intro})
