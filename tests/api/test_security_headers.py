"""The channel API's JSON answers carry a policy that lets nothing load or frame them; the pages and the API docs
keep the pages' policy, with its nonce for inline scripts."""

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
