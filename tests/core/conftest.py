import pytest
from django.core.cache import cache

from core import ussd
from core.sms_backends import MemoryBackend


@pytest.fixture(autouse=True)
def _clean_platform_state():
    """The memory SMS gateway, the throttle counters and the USSD menu registry are process-wide."""
    MemoryBackend.reset()
    cache.clear()
    menus = dict(ussd.MENUS)
    yield
    ussd.MENUS.clear()
    ussd.MENUS.update(menus)
    MemoryBackend.reset()


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read messages and USSD screens in English; tests/test_i18n.py covers the Indonesian default."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield

