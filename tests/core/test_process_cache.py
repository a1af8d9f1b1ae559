"""core.process_cache: a value is kept for its TTL, and a save in the admin clears it at once (this process)."""

import pytest

from billing import catalogue_cache as billing_cache
from core.process_cache import ProcessCache
from prepaid import catalogue_cache as prepaid_cache
from prepaid.models import Denomination


def test_a_value_is_loaded_once_within_its_ttl_and_again_after(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr("core.process_cache.time.monotonic", lambda: clock[0])
    cache, loads = ProcessCache("test", ttl=30), []
    load = lambda: loads.append(1) or len(loads)  # noqa: E731
    assert cache.get("k", load) == cache.get("k", load) == 1
    clock[0] += 30.0
    assert cache.get("k", load) == 2


@pytest.mark.django_db
def test_a_denomination_saved_clears_the_topup_cache_at_once():
    denomination = Denomination.objects.filter(is_active=True).first()
    assert prepaid_cache.denomination_validity(denomination.amount) == denomination.validity_days
    denomination.validity_days += 1
    denomination.save()
    assert prepaid_cache.denomination_validity(denomination.amount) == denomination.validity_days


@pytest.mark.django_db
def test_a_service_category_saved_clears_the_authorization_cache():
    from billing.models import ServiceCategory

    category = ServiceCategory.objects.first()
    assert billing_cache.category(category.code).counts_against_limit == category.counts_against_limit
    category.counts_against_limit = not category.counts_against_limit
    category.save()
    assert billing_cache.category(category.code).counts_against_limit == category.counts_against_limit
