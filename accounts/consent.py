"""ACC-11: the customer's consent to marketing offers, recorded with date and channel, withdrawable.

Marketing SMS (offers, the IM3 Prime e-voucher) go through `marketing_sms_enqueue`, which writes nothing for a customer
who withdrew. Legal notices (bills, price changes, blocks) call `core.outbox.sms_enqueue` directly: they ignore it."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Customer, MarketingConsent
from core.audit import audit_record
from core.models import Channel, OutboundSms
from core.outbox import sms_enqueue
from core.verdicts import require

# Where a customer can give or withdraw consent (the app through the API; the admin is read-only).
CONSENT_CHANNELS = (Channel.GRAPARI, Channel.CALL_CENTRE_188, Channel.SOCIAL_MEDIA, Channel.UMB, Channel.APP)


def marketing_consent_set(
    *, customer: Customer, granted: bool, channel: str, actor, note: str = "", actor_label: str = "",
) -> MarketingConsent:
    """Give or withdraw consent: a history row (date, channel, by whom), the customer's current state, an audit
    event, in one transaction. Recording the state it already has is refused, so the history shows real changes."""
    require(channel in CONSENT_CHANNELS, "invalid_channel",
             _("Consent is given or withdrawn at GraPARI, call centre 188, social media, UMB or the app."))
    note = (note or "").strip()[:255]
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        if granted:
            require(not customer.marketing_consent, "already_granted",
                     _("The customer already accepts marketing offers."))
        else:
            require(customer.marketing_consent, "already_withdrawn",
                     _("The customer already withdrew consent to marketing offers."))
        record = MarketingConsent.objects.create(
            customer=customer, granted=granted, channel=channel, recorded_at=timezone.now(), note=note,
            recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        customer.marketing_consent = granted
        customer.save(update_fields=["marketing_consent"])
        change = {"old": {"marketing_consent": not granted}, "new": {"marketing_consent": granted}}
        if granted:
            audit_record(actor=actor, actor_label=actor_label, channel=channel, subject=customer,
                         verb="customer.marketing_consent_granted", reason=note, **change)
        else:
            audit_record(actor=actor, actor_label=actor_label, channel=channel, subject=customer,
                         verb="customer.marketing_consent_withdrawn", reason=note, **change)
    return record


def marketing_allowed(customer_id: int) -> bool:
    return Customer.objects.filter(pk=customer_id, marketing_consent=True).exists()


def latest_consent(customer: Customer) -> MarketingConsent | None:
    return customer.marketing_consents.select_related("recorded_by").order_by("-recorded_at", "-id").first()


def marketing_sms_enqueue(*, line, **kwargs) -> OutboundSms | None:
    """ACC-11: an offer SMS to the line's customer, or nothing (None) when the customer withdrew consent."""
    if not marketing_allowed(line.customer_id):
        return None
    return sms_enqueue(line=line, **kwargs)
