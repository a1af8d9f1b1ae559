"""One Channel enum (core.models.Channel, issue 10): a claim through the partner is stored and audited as the
partner's, not as GraPARI's (TP-07); a channel that does not take claims or subscriptions is refused."""

import datetime as dt

import pytest

from core.models import AuditEvent, Channel
from core.verdicts import RuleViolation
from protection.models import CLAIM_CHANNELS, ENROLLMENT_CHANNELS, Claim
from protection.services import claim_file, protection_enroll
from tests.protection.factories import enroll, postpaid_line_with_device

pytestmark = pytest.mark.django_db

START = dt.date(2026, 3, 2)
LATER = dt.date(2026, 4, 1)  # past the waiting period


@pytest.mark.rule("TP-07")
@pytest.mark.parametrize("channel", [Channel.GRAPARI, Channel.PARTNER, Channel.API])
def test_a_claim_is_stored_and_audited_with_the_channel_it_came_through(channel):
    enrollment = enroll(start=START)
    claim = claim_file(enrollment=enrollment, imei=enrollment.imei, damage="Screen", actor_label="amsi-cc",
                       channel=channel, today=LATER)
    assert Claim.objects.get(pk=claim.pk).channel == channel
    assert AuditEvent.objects.get(verb="protection.claim_filed").channel == channel


@pytest.mark.rule("TP-07")
@pytest.mark.parametrize("channel", [Channel.UMB, Channel.ADMIN, "call_centre"])
def test_a_claim_through_another_channel_is_refused(channel):
    enrollment = enroll(start=START)
    with pytest.raises(RuleViolation) as excinfo:
        claim_file(enrollment=enrollment, imei=enrollment.imei, damage="Screen", channel=channel, today=LATER)
    assert excinfo.value.codes == ["channel"] and not Claim.objects.exists()


@pytest.mark.rule("TP-02")
def test_a_subscription_comes_through_umb_or_grapari_only():
    assert set(ENROLLMENT_CHANNELS) == {Channel.UMB, Channel.GRAPARI}
    assert set(CLAIM_CHANNELS) <= set(Channel.values)
    with pytest.raises(RuleViolation) as excinfo:
        protection_enroll(line=postpaid_line_with_device(), payment_option="monthly", channel=Channel.PARTNER,
                          today=START)
    assert excinfo.value.codes == ["channel"]
