import importlib

import pytest


@pytest.fixture
def prepaid_catalogue(django_db_blocker):
    """Transactional tests flush the database, migration data included: seed the catalogue and SMS texts again."""
    from django.apps import apps

    for name in ("prepaid.migrations.0002_catalogue", "prepaid.migrations.0003_sms_templates"):
        importlib.import_module(name).seed(apps, None)
