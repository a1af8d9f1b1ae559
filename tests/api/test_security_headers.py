"""The channel API's JSON answers carry a policy that lets nothing load or frame them; the pages and the API docs
keep the pages' policy, with its nonce for inline scripts."""

import json

import pytest

from core.api.middleware import JSON_API_CSP

pytestmark = pytest.mark.django_db


def test_an_api_answer_has_the_fixed_json_policy(client):
    response = client.get("/api/v1/no-such-endpoint")
    assert response.status_code == 404
    assert response["Content-Security-Policy"] == JSON_API_CSP == "default-src 'none'; frame-ancestors 'none'"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_page_keeps_the_pages_policy(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "script-src" in policy and "'nonce-" in policy and policy != JSON_API_CSP


def test_the_api_docs_page_keeps_the_pages_policy(client, supervisor):
    client.force_login(supervisor)
    response = client.get("/api/docs/")
    assert response["Content-Security-Policy"] != JSON_API_CSP


def test_an_endpoint_answers_json_whatever_the_accept_header(client):
    from tests.api.endpoints import World

    world = World()
    endpoint = next(e for e in world.endpoints() if e.name == "purchase_authorize")
    response = client.post(endpoint.url, json.dumps(endpoint.body), content_type="application/json",
                           HTTP_ACCEPT="text/html", **world.headers(endpoint.kind))
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response.json()["decision"] in ("approved", "declined")


def test_the_schema_still_negotiates_its_format(settings, client):
    settings.API_DOCS_REQUIRE_AUTH = False
    as_json = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    as_yaml = client.get("/api/schema/")
    assert as_json.status_code == as_yaml.status_code == 200
    assert as_json["Content-Type"].startswith("application/vnd.oai.openapi+json")
    assert as_yaml["Content-Type"].startswith("application/vnd.oai.openapi")
    assert json.loads(as_json.content)["openapi"]
