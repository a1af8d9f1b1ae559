"""API docs (issue 16): with API_DOCS_REQUIRE_AUTH (on in production) only staff or a channel key read them."""

import importlib

import pytest
from django.test import Client

from tests.core.factories import make_client

URLS = ["/api/schema/", "/api/docs/"]


@pytest.fixture
def docs_locked(settings):
    settings.API_DOCS_REQUIRE_AUTH = True


def test_anonymous_and_agents_are_refused(docs_locked, agent_client, db):
    for url in URLS:
        assert Client().get(url).status_code in (401, 403), url
        assert agent_client.get(url).status_code == 403, url


def test_staff_and_channel_keys_are_allowed(docs_locked, supervisor_client, db):
    _client, key = make_client()
    for url in URLS:
        assert supervisor_client.get(url).status_code == 200, url
        assert Client().get(url, HTTP_AUTHORIZATION=f"Token {key}").status_code == 200, url


def test_open_when_the_setting_is_off(settings, db):
    settings.API_DOCS_REQUIRE_AUTH = False
    assert Client().get("/api/schema/").status_code == 200


def test_production_requires_it_by_default(monkeypatch):
    monkeypatch.setenv("DJANGO_SECRET_KEY", "x" * 60)
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "bo.example.id")
    monkeypatch.delenv("API_DOCS_REQUIRE_AUTH", raising=False)
    import config.settings.production as production

    assert importlib.reload(production).API_DOCS_REQUIRE_AUTH is True
