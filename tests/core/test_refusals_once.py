"""Each refusal is read once on every agent action form, before and after a submit (issue 11: the kit's _unshown)."""

import re

import pytest

from tests.e2e.test_action_forms import _agent_action_urls

pytestmark = pytest.mark.django_db


def _refusals(html: str) -> list[str]:
    """The refusal texts on the page: the verdict's reasons and the form's errors, without their links."""
    texts = re.findall(r'<li data-code="[^"]+">(.*?)(?: — <a |</li>)', html, flags=re.S)
    texts += re.findall(r'<span data-code="[^"]+">(.*?)(?: — <a |</span>)', html, flags=re.S)
    return [re.sub(r"<[^>]+>", "", text).strip() for text in texts]


def test_no_refusal_is_read_twice_on_any_action_form(agent_client):
    from django.urls import reverse

    urls, line = _agent_action_urls()
    limit_url = reverse("billing:limit_change", args=[line.pk])
    seen = []
    for url in urls:
        responses = [agent_client.get(url), agent_client.post(url, {"confirm": "on"})]
        if url == limit_url:  # an upgrade refused by the unpaid bill (LIM-07): the form's error and the preview
            responses.append(agent_client.post(url, {"scope": "domestic", "new_amount": "5000000",
                                                     "channel": "grapari", "confirm": "on"}))
        for response in responses:
            assert response.status_code in (200, 302), url
            if response.status_code != 200:
                continue
            html = response.content.decode()
            text = re.sub(r"<[^>]+>", " ", html)
            for refusal in set(_refusals(html)):
                seen.append(refusal)
                assert text.count(refusal) == 1, (url, response.request["REQUEST_METHOD"], refusal)
    assert any(refusal.startswith("The bill of Rp 237.000 due") for refusal in seen), seen
