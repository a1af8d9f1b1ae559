"""The admin kit (ACC-07): every catalogue and rule-parameter admin is audited and asks why; every history table is
read-only and built for millions of rows (estimated counts, exact searches); a number finds its rows in any form."""

import pytest
from django.contrib import admin
from django.urls import reverse

from billing.models import BasicPackage, LimitChange, Purchase, SpendingCycle, SpendingLimit, UsageRecord
from core.admin_base import AuditedAdminMixin, LargeTableMixin, MsisdnSearchMixin, ReadOnlyMixin
from core.models import AuditEvent, OutboundSms, Parameter
from prepaid.models import LedgerEntry, Package, PackagePurchase
from tests.billing.factories import open_line

pytestmark = pytest.mark.django_db

# Admins that are neither history nor catalogue: their edits are services or audited elsewhere.
NOT_CATALOGUE = {
    "django_celery_beat.periodictask", "django_celery_beat.crontabschedule", "django_celery_beat.intervalschedule",
    "django_celery_beat.solarschedule", "django_celery_beat.clockedschedule",
    "django_celery_results.taskresult", "django_celery_results.groupresult",
    "auth.group", "axes.accessattempt", "axes.accessfailurelog", "axes.accesslog",
    "prepaid.pricechange",  # only added, through price_change_schedule (audited); never changed or deleted (PRE-08)
}
HISTORY = [Purchase, UsageRecord, LimitChange, SpendingCycle, SpendingLimit, LedgerEntry, PackagePurchase,
           OutboundSms]


def _admins():
    return {model._meta.label_lower: model_admin for model, model_admin in admin.site._registry.items()}


@pytest.mark.rule("ACC-07")
def test_every_editable_admin_is_audited_or_read_only():
    unaudited = sorted(label for label, model_admin in _admins().items()
                       if label not in NOT_CATALOGUE and label != "core.outboundsms"
                       and not isinstance(model_admin, AuditedAdminMixin | ReadOnlyMixin))
    assert unaudited == []
    assert not [label for label, model_admin in _admins().items()
                if isinstance(model_admin, AuditedAdminMixin) and model_admin.list_editable]


def test_every_history_table_uses_the_large_table_base_with_exact_searches():
    for model in HISTORY:
        model_admin = admin.site._registry[model]
        assert isinstance(model_admin, LargeTableMixin | MsisdnSearchMixin), model
        assert isinstance(model_admin, LargeTableMixin) and isinstance(model_admin, MsisdnSearchMixin), model
        assert model_admin.show_full_result_count is False
        assert all(field.startswith("=") for field in model_admin.search_fields), (model, model_admin.search_fields)


@pytest.mark.rule("ACC-07")
def test_a_catalogue_edit_needs_a_reason_and_writes_old_and_new(supervisor_client):
    package = BasicPackage.objects.order_by("pk").first()
    url = reverse("admin:billing_basicpackage_change", args=[package.pk])
    data = {"code": package.code, "name": package.name, "name_en": package.name_en, "description": package.description,
            "description_en": package.description_en, "monthly_fee": package.monthly_fee + 1000,
            "is_active": "on", "regular_customer_policy": "on" if package.regular_customer_policy else ""}
    # without a reason nothing is saved
    refused = supervisor_client.post(url, data)
    assert refused.status_code == 200 and "audit_reason" in refused.context["adminform"].form.errors
    assert not AuditEvent.objects.filter(verb="basicpackage.changed").exists()
    # with a reason the change and the audit event are written
    response = supervisor_client.post(url, {**data, "audit_reason": "Tariff review 2027"})
    assert response.status_code == 302
    event = AuditEvent.objects.get(verb="basicpackage.changed")
    assert event.old == {"monthly_fee": package.monthly_fee}
    assert event.new == {"monthly_fee": package.monthly_fee + 1000}
    assert (event.reason, event.channel) == ("Tariff review 2027", "admin")


def test_a_prepaid_package_edit_is_audited_with_the_reason(supervisor_client):
    package = Package.objects.get(code="UNLIMITED")
    url = reverse("admin:prepaid_package_change", args=[package.pk])
    form = supervisor_client.get(url).context["adminform"].form
    data = {name: form.initial.get(name) for name in form.fields if form.initial.get(name) not in (None, False)}
    # (its prices change only through a scheduled price change, PRE-08: they are read-only here)
    data.update({"validity_days": package.validity_days + 1, "audit_reason": "Validity extended"})
    response = supervisor_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = AuditEvent.objects.get(verb="package.changed")
    assert (event.old, event.new) == ({"validity_days": package.validity_days},
                                      {"validity_days": package.validity_days + 1})


@pytest.mark.rule("ACC-02")
@pytest.mark.parametrize("typed", ["081234567890", "6281234567890", "+62 812-3456-7890"])
def test_a_history_table_finds_a_number_typed_in_any_form(supervisor_client, typed):
    line = open_line(msisdn="+6281234567890")
    open_line()
    response = supervisor_client.get(reverse("admin:billing_spendinglimit_changelist"), {"q": typed})
    assert {limit.line_id for limit in response.context["cl"].result_list} == {line.pk}


def test_parameters_are_no_longer_edited_in_the_list(supervisor_client):
    response = supervisor_client.get(reverse("admin:core_parameter_changelist"))
    assert response.status_code == 200 and "form-TOTAL_FORMS" not in response.content.decode()
    assert Parameter.objects.filter(code="quarantine_days").exists()
