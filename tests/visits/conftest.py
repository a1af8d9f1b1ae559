import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    """Messages read in English whatever an earlier test left active (the fixture users chose English too)."""
    with translation.override("en"):
        yield
