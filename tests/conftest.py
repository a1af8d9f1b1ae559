import pytest
from django.test import Client

from tests.accounts.factories import AgentFactory, SupervisorFactory


@pytest.fixture(autouse=True)
def _second_factor_on_force_login(monkeypatch):
    """A test that logs a supervisor (or staff) in with force_login gets a session that passed the second factor,
    as a real log-in with a good code would (django_otp.login). `force_login(user, otp=False)`: the password only."""
    from security.mfa import mfa_required
    from tests.security.otp import session_verify

    original = Client.force_login

    def force_login(self, user, backend=None, otp=True):
        original(self, user, backend)
        if otp and mfa_required(user):
            session_verify(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)


# The fixture users chose English so that tests read messages in English; tests/test_i18n.py covers the
# Indonesian default.
@pytest.fixture
def agent(db):
    return AgentFactory(language="en")


@pytest.fixture
def supervisor(db):
    return SupervisorFactory(language="en")


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


@pytest.fixture
def supervisor_client(client, supervisor):
    client.force_login(supervisor)
    return client


@pytest.fixture(autouse=True)
def _api_key_cache_cleared():
    """The per-process API-key cache must not carry a client from one test's database into the next."""
    from core.api.auth import key_cache_clear

    key_cache_clear()
    yield
    key_cache_clear()


@pytest.fixture(autouse=True)
def _catalogue_caches_cleared():
    """The per-process catalogue caches (denominations, service categories) must not carry rows a test's rolled-back
    transaction changed into the next test."""
    from billing import catalogue_cache as billing_cache
    from prepaid import catalogue_cache as prepaid_cache

    billing_cache.clear()
    prepaid_cache.clear()
    yield
    billing_cache.clear()
    prepaid_cache.clear()
