"""ACC-11: the agent records the customer's marketing consent from the customer page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import selectors
from accounts.consent import latest_consent, marketing_consent_set
from accounts.forms import MarketingConsentForm
from accounts.models import Customer
from core.actions import action_done, action_render, action_submit
from core.models import Channel


@login_required
@permission_required("accounts.change_customer", raise_exception=True)
def marketing_consent(request, pk):
    try:
        customer = selectors.customer_detail(pk)
    except Customer.DoesNotExist:
        raise Http404 from None
    form = MarketingConsentForm(request.POST or None, initial={
        "granted": "no" if customer.marketing_consent else "yes", "channel": Channel.GRAPARI})
    if action_submit(request, form, lambda data: marketing_consent_set(
            customer=customer, granted=data["granted"], channel=data["channel"], actor=request.user,
            note=data["note"])):
        messages.success(request, _("Marketing consent recorded: the customer accepts offers.")
                         if form.cleaned_data["granted"]
                         else _("Marketing consent withdrawn: no more offer SMS to this customer."))
        return action_done(customer=customer)
    last = latest_consent(customer)
    if last is None:
        state = _("Now: accepts offers under the subscription terms; never changed.")
    else:
        state = _("Now: %(state)s since %(date)s (%(channel)s).") % {
            "state": _("accepts offers") if last.granted else _("withdrew consent"),
            "date": timezone.localtime(last.recorded_at).strftime("%d-%m-%Y"), "channel": last.get_channel_display()}
    intro = f"{state} {_('Legal notices such as bills and price changes are sent whatever the consent says.')}"
    return action_render(request, form=form, title=_("Marketing consent"), customer=customer, intro=intro)
