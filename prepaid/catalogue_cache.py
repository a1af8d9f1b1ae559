"""A short-lived per-process cache of the top-up denominations on sale, read on every top-up (issue 14), as
billing.catalogue_cache does for the authorization. A save or delete of a denomination (the admin) clears it at once
in this process; other processes see the change within TTL seconds."""

import time

from django.db.models.signals import post_delete, post_save

TTL_SECONDS = 30.0
_cache: dict = {}


def clear(**_kwargs) -> None:
    _cache.clear()


def denomination_validity(amount: int) -> int | None:
    """The validity in days that a top-up of `amount` adds (PRE-02), or None if no denomination of it is on sale."""
    from prepaid.models import Denomination

    hit = _cache.get("denominations")
    now = time.monotonic()
    if hit is None or hit[0] <= now:
        on_sale = dict(Denomination.objects.filter(is_active=True).values_list("amount", "validity_days"))
        hit = _cache["denominations"] = (now + TTL_SECONDS, on_sale)
    return hit[1].get(amount)


def connect() -> None:
    from prepaid.models import Denomination

    post_save.connect(clear, sender=Denomination, dispatch_uid="prepaid.cache.save.Denomination")
    post_delete.connect(clear, sender=Denomination, dispatch_uid="prepaid.cache.delete.Denomination")
