"""The top-up denominations on sale, read on every top-up (issue 14), cached per process (core.process_cache)."""

from core.process_cache import ProcessCache

_cache = ProcessCache("prepaid")
clear = _cache.clear


def denomination_validity(amount: int) -> int | None:
    """The validity in days that a top-up of `amount` adds (PRE-02), or None if no denomination of it is on sale."""
    from prepaid.models import Denomination

    on_sale = _cache.get("denominations", lambda: dict(
        Denomination.objects.filter(is_active=True).values_list("amount", "validity_days")))
    return on_sale.get(amount)


def connect() -> None:
    from prepaid.models import Denomination

    _cache.clear_on_change(Denomination)
