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
