"""The catalogue rows and parameters the authorization path reads on every request, cached per process
(core.process_cache)."""

from core.process_cache import ProcessCache

_cache = ProcessCache("billing")
clear = _cache.clear


def category(code: str):
    from billing.models import ServiceCategory

    return _cache.get(("category", code), lambda: ServiceCategory.objects.filter(code=code).first())


def parameter(code: str) -> int:
    from core.parameters import parameter as read

    return _cache.get(("parameter", code), lambda: read(code))


def connect() -> None:
    from billing.models import ServiceCategory
    from core.models import Parameter

    _cache.clear_on_change(ServiceCategory, Parameter)
