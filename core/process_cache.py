"""A short-lived per-process cache of catalogue rows the channel API reads on every request (service categories,
rule parameters, top-up denominations). A save or delete of one of its models clears it at once in this process;
other processes see the change within `ttl` seconds."""

import time

from django.db.models.signals import post_delete, post_save


class ProcessCache:
    def __init__(self, name: str, ttl: float = 30.0):
        self.name = name
        self.ttl = ttl
        self._values: dict = {}

    def get(self, key, load):
        """The cached value of `key`, or `load()` (kept for `ttl` seconds)."""
        hit = self._values.get(key)
        now = time.monotonic()
        if hit is not None and hit[0] > now:
            return hit[1]
        value = load()
        self._values[key] = (now + self.ttl, value)
        return value

    def clear(self, **_signal_kwargs) -> None:
        self._values.clear()

    def clear_on_change(self, *models) -> None:
        """Clear on every save or delete of these models (call once, from an AppConfig.ready())."""
        for model in models:
            for signal, verb in ((post_save, "save"), (post_delete, "delete")):
                signal.connect(self.clear, sender=model, weak=False,
                               dispatch_uid=f"{self.name}.cache.{verb}.{model.__name__}")
