import pytest

from billing.models import BasicPackage, ServiceCategory
from billing.selectors import suggested_limit
from core.parameters import parameter

pytestmark = pytest.mark.django_db


@pytest.mark.rule("LIM-03")
def test_service_categories_are_seeded_with_the_lim03_defaults():
    # given the data migration
    # when
    rows = {c.code: (c.scope, c.counts_against_limit) for c in ServiceCategory.objects.all()}
    # then (LIM-03, "as per 1 Dec 2017")
    assert rows == {
        "sms": ("domestic", True), "voice": ("domestic", True), "data": ("domestic", True),
        "addon": ("domestic", True), "addon_recurring": ("domestic", False), "basic_package": ("domestic", True),
        "penalty": ("domestic", False), "roaming_addon": ("international", True),
        "roaming_voice": ("international", False), "roaming_sms_data": ("international", True),
    }
    assert ServiceCategory.objects.get(code="addon_recurring").renewal_days == 30


@pytest.mark.rule("LIM-07")
def test_packages_with_the_regular_customer_policy():
    # LIM-07: HaloHybrid, HaloFit 80K and HaloFit 125K
    policy = set(BasicPackage.objects.filter(regular_customer_policy=True).values_list("name", flat=True))
    assert policy == {"HaloHybrid", "HaloFit 80K", "HaloFit 125K"}
    assert BasicPackage.objects.get(code="halo_kick").monthly_fee == 100_000


@pytest.mark.rule("LIM-06")
@pytest.mark.parametrize(("tariff", "cash", "card"), [
    (50_000, 300_000, 500_000),
    (150_000, 300_000, 500_000),
    (150_001, 400_000, 600_000),   # between rows → the next higher row (LIM-06 Decision)
    (170_000, 400_000, 600_000),
    (300_000, 600_000, 600_000),
    (310_000, 700_000, 700_000),
    (320_000, 700_000, 700_000),
    (320_001, 1_000_000, 2_500_000),
    (570_000, 1_000_000, 2_500_000),
    (900_000, 1_000_000, 2_500_000),  # above the last row: the last row
    (10_000, 300_000, 500_000),
])
def test_suggested_limit_table_lim06(tariff, cash, card):
    assert suggested_limit(tariff=tariff, payment_method="cash") == cash
    assert suggested_limit(tariff=tariff, payment_method="transfer") == cash
    assert suggested_limit(tariff=tariff, payment_method="credit_card") == card


def test_billing_parameters_are_seeded():
    assert parameter("limit_warn_percent") == 80
    assert parameter("limit_full_percent") == 100
    assert parameter("early_settlement_bills") == 3
    assert parameter("early_settlement_percent") == 150
    assert parameter("regular_customer_cycles") == 6
    assert parameter("limit_max_tenured") == 5_000_000
