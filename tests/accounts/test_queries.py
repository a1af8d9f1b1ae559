"""The search, customer and line pages make the same number of queries with 10 and with 100 lines."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Block
from core.audit import audit_record
from tests.accounts.factories import (
    BillingAccountFactory,
    BlockFactory,
    CustomerFactory,
    LineFactory,
    PostpaidLineFactory,
)

pytestmark = pytest.mark.django_db


def _count(client, url, status=200) -> int:
    client.get(url)  # warm the session and permission caches the same way for both sizes
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == status
    return len(queries)


def _samu_line(count: int, account_number: str):
    """A line on a SAMU account of `count` lines, with `count` old blocks and `count` audit events (ACC-03)."""
    account = BillingAccountFactory(number=account_number)
    lines = PostpaidLineFactory.create_batch(count, customer=account.customer, billing_account=account)
    line = lines[0]
    for _ in range(count):
        BlockFactory(line=line, started_at=timezone.now() - dt.timedelta(days=1), ended_at=timezone.now())
        audit_record(actor=None, verb="line.blocked", subject=line, new={"reason": "customer_request"})
    BlockFactory(line=line, reason=Block.Reason.CUSTOMER_REQUEST)
    BlockFactory(line=line, reason=Block.Reason.UNPAID_BILL)
    return line


def test_name_search_queries_do_not_grow_with_results(agent_client):
    # given
    for index in range(10):
        LineFactory(customer=CustomerFactory(full_name=f"Alpha Customer {index}"))
    for index in range(100):
        LineFactory(customer=CustomerFactory(full_name=f"Beta Customer {index}"))
    # when
    small = _count(agent_client, reverse("accounts:search") + "?q=Alpha")
    large = _count(agent_client, reverse("accounts:search") + "?q=Beta")
    # then
    assert small == large
    assert small <= 12


def test_account_search_queries_do_not_grow_with_lines(agent_client):
    _samu_line(10, "1000000010")
    _samu_line(100, "1000000100")
    small = _count(agent_client, reverse("accounts:search") + "?q=1000000010")
    large = _count(agent_client, reverse("accounts:search") + "?q=1000000100")
    assert small == large


def test_line_page_queries_do_not_grow_with_lines_blocks_and_events(agent_client):
    # given
    small_line = _samu_line(10, "1000000010")
    large_line = _samu_line(100, "1000000100")
    # when
    small = _count(agent_client, reverse("accounts:line_detail", args=[small_line.pk]))
    large = _count(agent_client, reverse("accounts:line_detail", args=[large_line.pk]))
    # then
    assert small == large
    # 14 + the INSERT of the personal-data access log (security.AccessLog) + the customer 360 header's facts
    # (core.header: open bills, first open bill, open objections, limits, TecProtec enrollment and claims, other lines)
    assert small <= 22


def test_blocks_tab_queries_do_not_grow_with_blocks(agent_client):
    small_line = _samu_line(10, "1000000010")
    large_line = _samu_line(100, "1000000100")
    small = _count(agent_client, reverse("accounts:line_tab", args=[small_line.pk, "blocks"]))
    large = _count(agent_client, reverse("accounts:line_tab", args=[large_line.pk, "blocks"]))
    assert small == large


def test_customer_page_queries_do_not_grow_with_lines_and_events(agent_client):
    small_line = _samu_line(10, "1000000010")
    large_line = _samu_line(100, "1000000100")
    small = _count(agent_client, reverse("accounts:customer_detail", args=[small_line.customer_id]))
    large = _count(agent_client, reverse("accounts:customer_detail", args=[large_line.customer_id]))
    assert small == large
