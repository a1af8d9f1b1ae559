"""Issue 14: the read-replica router, on two real PostgreSQL databases.

The `replica` alias points at a second database cloned from the test database (CREATE DATABASE … TEMPLATE) after
the test wrote its rows; the test then makes the two differ (a name changed only on one side), so what a page shows
proves which database it read, and a row counted on each side proves where a write went."""

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connections, transaction
from django.urls import reverse

from accounts.models import Customer
from core.replica import REPLICA, ReplicaRouter, replica_reads
from security.models import AccessLog
from tests.accounts.factories import CustomerFactory, LineFactory

BASE_DIR = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True, databases=["default", REPLICA])


def _server(settings_dict) -> dict:
    params = {"host": settings_dict.get("HOST"), "port": settings_dict.get("PORT"),
              "user": settings_dict.get("USER"), "password": settings_dict.get("PASSWORD")}
    return {key: value for key, value in params.items() if value}


@pytest.fixture(scope="module", autouse=True)
def replica_alias(django_db_setup, django_db_blocker):
    """A `replica` alias on a database of its own (created by each test's clone below, dropped at the end)."""
    default = connections["default"].settings_dict
    name = f"{default['NAME']}_replica"
    settings.DATABASES[REPLICA] = {**default, "NAME": name, "TEST": {**default.get("TEST", {}), "NAME": name}}
    yield name
    with django_db_blocker.unblock():
        connections[REPLICA].close()
        del connections[REPLICA]
        settings.DATABASES.pop(REPLICA, None)
        with psycopg.connect(dbname="postgres", autocommit=True, **_server(default)) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def clone_replica(replica_alias):
    """Copy the test database, as it is now, to the replica database."""

    def clone():
        default = connections["default"].settings_dict
        connections.close_all()  # a template database must have no open sessions
        with psycopg.connect(dbname="postgres", autocommit=True, **_server(default)) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{replica_alias}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{replica_alias}" TEMPLATE "{default["NAME"]}"')

    return clone


def _rename_on(alias: str, customer: Customer, name: str) -> None:
    with connections[alias].cursor() as cursor:
        cursor.execute("UPDATE accounts_customer SET full_name = %s WHERE id = %s", [name, customer.pk])


@pytest.fixture
def line(clone_replica):
    line = LineFactory(customer=CustomerFactory(full_name="Dewi Lestari"))
    clone_replica()
    _rename_on(REPLICA, line.customer, "Replika Lestari")  # only the replica knows this name
    return line


def test_an_agent_search_reads_from_the_replica(agent_client, line):
    found = agent_client.get(reverse("accounts:search"), {"q": "Replika"})
    assert found.status_code == 302 and found.url == reverse("accounts:line_detail", args=[line.pk])
    missing = agent_client.get(reverse("accounts:search"), {"q": "Dewi"})  # the primary's name: not on the replica
    assert missing.status_code == 200 and "Replika" not in missing.content.decode()


def test_the_line_page_reads_the_replica_and_writes_its_access_log_to_the_primary(agent_client, line):
    response = agent_client.get(reverse("accounts:line_detail", args=[line.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Replika Lestari" in page and "Dewi Lestari" not in page
    assert AccessLog.objects.using("default").filter(line_id=line.pk).count() == 1
    assert AccessLog.objects.using(REPLICA).filter(line_id=line.pk).count() == 0


def test_outside_a_marked_view_every_read_is_on_the_primary(line):
    assert Customer.objects.get(pk=line.customer_id).full_name == "Dewi Lestari"


def test_after_a_write_the_same_request_reads_the_primary(line):
    seen = []

    @replica_reads
    def view(request):
        seen.append(Customer.objects.get(pk=line.customer_id).full_name)  # replica
        Customer.objects.filter(pk=line.customer_id).update(city="Bandung")  # a write: primary, flag set
        seen.append(Customer.objects.get(pk=line.customer_id).full_name)  # primary from now on
        seen.append(Customer.objects.get(pk=line.customer_id).city)

    view(None)
    assert seen == ["Replika Lestari", "Dewi Lestari", "Bandung"]
    assert Customer.objects.using(REPLICA).get(pk=line.customer_id).city == "Jakarta"  # the write did not go there


def test_an_object_read_from_the_replica_is_saved_to_the_primary(line):
    @replica_reads
    def view(request):
        customer = Customer.objects.get(pk=line.customer_id)
        assert customer._state.db == REPLICA
        customer.city = "Medan"
        customer.save(update_fields=["city"])

    view(None)
    assert Customer.objects.using("default").get(pk=line.customer_id).city == "Medan"
    assert Customer.objects.using(REPLICA).get(pk=line.customer_id).city == "Jakarta"


def test_reads_inside_a_transaction_stay_on_the_primary(line):
    @replica_reads
    def view(request):
        with transaction.atomic():
            return Customer.objects.get(pk=line.customer_id).full_name

    assert view(None) == "Dewi Lestari"


def test_sessions_and_users_are_never_read_from_the_replica(line):
    from django.contrib.sessions.models import Session

    from accounts.models import User

    router = ReplicaRouter()

    @replica_reads
    def view(request):
        return [router.db_for_read(User), router.db_for_read(Session), router.db_for_read(Customer)]

    assert view(None) == ["default", "default", REPLICA]


def test_without_a_replica_alias_the_router_sends_everything_to_default(line, monkeypatch):
    monkeypatch.delitem(settings.DATABASES, REPLICA)

    @replica_reads
    def view(request):
        return Customer.objects.get(pk=line.customer_id).full_name

    assert view(None) == "Dewi Lestari"


@pytest.mark.parametrize("replica_url, aliases", [
    ("", ["default"]),
    ("postgres://postgres@127.0.0.1:5432/some_replica", ["default", "replica"]),
])
def test_database_replica_url_adds_the_alias_only_when_set(replica_url, aliases):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "DATABASE_REPLICA_URL": replica_url,
           "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/some_primary"}
    out = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import settings; "
         "print(','.join(settings.DATABASES)); print(settings.DATABASES.get('replica', {}).get('NAME', ''))"],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[0].split(",") == aliases
    assert out[1] == ("some_replica" if replica_url else "")
