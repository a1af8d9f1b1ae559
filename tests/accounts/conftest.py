"""Workspace tests read messages in English: the users here chose English (the default is Bahasa Indonesia)."""

import pytest

from tests.accounts.factories import AgentFactory, SupervisorFactory


@pytest.fixture
def agent(db):
    return AgentFactory(language="en")


@pytest.fixture
def supervisor(db):
    return SupervisorFactory(language="en")
