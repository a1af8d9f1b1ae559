"""Customer SMS texts: the brand from settings ({postpaid_brand}, DOMAIN.md) and LIM-04's "above" thresholds.

A text a supervisor has edited since it was seeded is left as it is."""

from importlib import import_module

from django.db import migrations

NEW = {
    "billing_limit_warn": (
        "LIM-04: usage went above 80 % of a spending limit.",
        "Pemakaian {postpaid_brand} {msisdn} ({scope}) telah melewati {percent}% dari limit {limit}. Cek *888# atau "
        "naikkan limit di *111*11#.",
        "{postpaid_brand} {msisdn} usage ({scope}) has gone above {percent}% of your {limit} limit. Check *888# or "
        "raise your limit at *111*11#."),
    "billing_limit_full": (
        "LIM-04: usage went above 100 % of a spending limit: no more purchases this cycle.",
        "Pemakaian {postpaid_brand} {msisdn} ({scope}) telah melewati limit {limit}. Pembelian tidak dapat "
        "dilakukan s.d. tagihan dibayar atau limit dinaikkan (*111*11#).",
        "{postpaid_brand} {msisdn} usage ({scope}) has gone above your {limit} limit. Purchases are not possible "
        "until you pay or raise your limit (*111*11#)."),
    "billing_early_settlement": (
        None,
        "Pemakaian {postpaid_brand} akun {account} periode ini {amount}, jauh di atas rata-rata. Mohon lunasi "
        "sebelum {settle_by} agar layanan tidak diblokir.",
        "{postpaid_brand} account {account} usage this period is {amount}, far above average. Please settle it by "
        "{settle_by} to avoid a block."),
    "billing_bill_overdue": (
        None,
        "Tagihan {postpaid_brand} akun {account} sebesar {amount} lewat jatuh tempo {due_date}. Layanan diblokir "
        "s.d. tagihan dilunasi.",
        "{postpaid_brand} account {account}: the bill of {amount} was due on {due_date}. Service is blocked until "
        "it is paid in full."),
}


def update(apps, schema_editor):
    SmsTemplate = apps.get_model("core", "SmsTemplate")
    seed = import_module("billing.migrations.0003_sms_templates").TEMPLATES
    seeded = {code: (text_id, text_en) for code, _d, text_id, text_en, _v in seed}
    for code, (description, text_id, text_en) in NEW.items():
        row = SmsTemplate.objects.filter(code=code).first()
        if row is None or (row.text_id, row.text_en) != seeded[code]:
            continue
        row.text_id, row.text_en = text_id, text_en
        if description:
            row.description = description
        row.save(update_fields=["text_id", "text_en", "description"])


class Migration(migrations.Migration):
    dependencies = [("billing", "0004_longer_ids"), ("core", "0003_platform")]
    operations = [migrations.RunPython(update, migrations.RunPython.noop)]
