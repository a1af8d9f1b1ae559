"""A short-lived per-process cache of the catalogue rows and parameters the authorization path reads on every
request. A save in the admin clears it at once in this process; other processes see the change within TTL seconds."""

import time

from django.db.models.signals import post_delete, post_save

TTL_SECONDS = 30.0
_cache: dict = {}


def _get(key, load):
    hit = _cache.get(key)
    now = time.monotonic()
    if hit is not None and hit[0] > now:
        return hit[1]
    value = load()
    _cache[key] = (now + TTL_SECONDS, value)
    return value


def clear(**_kwargs) -> None:
    _cache.clear()


def category(code: str):
    from billing.models import ServiceCategory

    return _get(("category", code), lambda: ServiceCategory.objects.filter(code=code).first())


def parameter(code: str) -> int:
    from core.parameters import parameter as read

    return _get(("parameter", code), lambda: read(code))


def connect() -> None:
    from billing.models import ServiceCategory
    from core.models import Parameter

    for model in (ServiceCategory, Parameter):
        post_save.connect(clear, sender=model, dispatch_uid=f"billing.cache.save.{model.__name__}")
        post_delete.connect(clear, sender=model, dispatch_uid=f"billing.cache.delete.{model.__name__}")
