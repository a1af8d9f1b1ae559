import pytest

from protection.models import Product
from protection.selectors import product_current


@pytest.mark.rule("TP-03", "TP-04", "TP-05", "TP-06", "TP-07", "TP-08", "TP-09", "TP-10", "TP-11")
@pytest.mark.django_db
def test_data_migration_seeds_the_tecprotec_product_with_the_domain_numbers():
    # given the migrated database
    # when
    product = product_current()
    # then TP-03..TP-11
    assert product is not None and product.code == "tecprotec"
    assert (product.monthly_price, product.installment_count, product.upfront_price) == (20_000, 6, 100_000)
    assert (product.period_months, product.waiting_days) == (6, 14)
    assert (product.claims_per_period, product.claim_limit, product.claim_fee) == (1, 1_000_000, 50_000)
    assert product.max_device_age_months == 24
    assert (product.sla_days_jabodetabek, product.sla_days_elsewhere) == (7, 14)
    assert product.reimbursement_working_days == 5
    assert "AMSI" in product.partner_name and product.partner_call_centre == "0804-1401-078"


@pytest.mark.django_db
def test_catalogue_refuses_a_zero_price():
    from django.db import IntegrityError, transaction

    product = product_current()
    # when / then
    with pytest.raises(IntegrityError), transaction.atomic():
        Product.objects.filter(pk=product.pk).update(monthly_price=0)


@pytest.mark.django_db
def test_sms_templates_are_seeded_with_matching_variables():
    from core.models import SmsTemplate
    from core.sms_templates import template_errors

    for code in ("protection_enrolled", "protection_claim_filed", "protection_terminated"):
        template = SmsTemplate.objects.get(code=code)
        assert template_errors(text_id=template.text_id, text_en=template.text_en,
                               variables=template.variable_list) == {}
