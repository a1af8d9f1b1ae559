import pytest

from tests.accounts.factories import AgentFactory, SupervisorFactory


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
