"""DOMAIN.md (top): brand, outlet and call-centre names that customers read come from settings, never hard-coded."""

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import translation

from core.models import OutboundSms, SmsTemplate
from core.outbox import sms_enqueue
from core.sms_templates import template_errors
from core.ussd import ussd_answer
from prepaid.models import PrimeTier
from tests.accounts.factories import LineFactory
from tests.billing.factories import open_line

pytestmark = pytest.mark.django_db

BRANDED = {"BRAND_POSTPAID": "HaloKita", "BRAND_PRIME": "Kita Prime", "OUTLET_NAME": "Gerai Kita",
           "OPERATOR_CALL_CENTRE": "777"}


def test_branding_no_seeded_customer_text_hard_codes_a_brand_outlet_or_call_centre():
    for template in SmsTemplate.objects.all():
        for text in (template.text_id, template.text_en):
            for name in ("KartuHalo", "GraPARI", "185", "188", "IM3 Prime"):
                assert name not in text, (template.code, name, text)


@override_settings(**BRANDED)
def test_branding_sms_texts_take_the_names_from_settings():
    # given the deployer's names; when the fair-usage block SMS and the 80 % SMS are written
    line = LineFactory()
    fair = sms_enqueue(msisdn=line.msisdn, template_code="prepaid_sms_fair_usage_block", line=line,
                       context={"msisdn": line.msisdn_national, "limit": "200/jam"}, dedup_key="brand-1")
    warn = sms_enqueue(msisdn=line.msisdn, template_code="billing_limit_warn", line=line, dedup_key="brand-2",
                       context={"msisdn": line.msisdn_national, "scope": "Domestik", "percent": 80,
                                "limit": "Rp 300.000"})
    # then
    assert "777" in fair.text and "Gerai Kita" in fair.text and "185" not in fair.text
    assert warn.text.startswith("Pemakaian HaloKita ") and "melewati 80%" in warn.text
    assert OutboundSms.objects.count() == 2


def test_branding_template_variables_are_allowed_without_listing():
    assert template_errors(text_id="Hubungi {operator_call_centre} / {outlet_name} {x}",
                           text_en="Call {operator_call_centre} or visit {outlet_name} {x}", variables=["x"]) == {}


def test_branding_prime_disabled_sms_names_the_tier_once():
    tier = PrimeTier.objects.order_by("pk").first()
    line = LineFactory()
    sms = sms_enqueue(msisdn=line.msisdn, template_code="prime_disabled_low_balance", line=line, dedup_key="p-1",
                      context={"msisdn": line.msisdn_national, "tier": tier.name, "fee": "Rp 25.000"})
    assert f"{settings.BRAND_PRIME} {tier.name}" not in sms.text and tier.name in sms.text


@override_settings(**BRANDED)
@pytest.mark.parametrize("language", ["id", "en"])
def test_branding_ussd_texts_take_the_names_from_settings(language):
    prepaid, postpaid = LineFactory(), open_line()
    with translation.override(language):
        not_postpaid = ussd_answer(session_id="b", service_code="*111*11#", msisdn=prepaid.msisdn, text="")
        title = ussd_answer(session_id="b", service_code="*888#", msisdn=postpaid.msisdn, text="")
        tecprotec = ussd_answer(session_id="b", service_code="*500*777#", msisdn=prepaid.msisdn, text="2")
    for screen in (not_postpaid, title, tecprotec):
        assert "HaloKita" in screen and "KartuHalo" not in screen, screen
