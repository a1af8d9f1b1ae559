"""Customer SMS texts of the billing app (LIM-04, BIL-04, BIL-01)."""

from django.db import migrations

TEMPLATES = [
    ("billing_limit_warn", "LIM-04: usage passed 80 % of a spending limit.",
     "Pemakaian KartuHalo {msisdn} ({scope}) telah mencapai {percent}% dari limit {limit}. Cek *888# atau "
     "naikkan limit di *111*11#.",
     "KartuHalo {msisdn} usage ({scope}) has reached {percent}% of your {limit} limit. Check *888# or raise "
     "your limit at *111*11#.",
     "msisdn,scope,percent,limit"),
    ("billing_limit_full", "LIM-04: usage reached 100 % of a spending limit: no more purchases this cycle.",
     "Pemakaian KartuHalo {msisdn} ({scope}) telah mencapai limit {limit}. Pembelian paket tidak dapat dilakukan "
     "s.d. tagihan dibayar atau limit dinaikkan (*111*11#).",
     "KartuHalo {msisdn} usage ({scope}) has reached your {limit} limit. Purchases are not possible until you pay "
     "or raise your limit (*111*11#).",
     "msisdn,scope,limit"),
    ("billing_early_settlement", "BIL-04: settle the current usage before a date.",
     "Pemakaian KartuHalo akun {account} periode ini {amount}, jauh di atas rata-rata. Mohon lunasi sebelum "
     "{settle_by} agar layanan tidak diblokir.",
     "KartuHalo account {account} usage this period is {amount}, far above average. Please settle it by "
     "{settle_by} to avoid a block.",
     "account,amount,settle_by"),
    ("billing_bill_overdue", "BIL-05: the bill is unpaid past its due date; the line is blocked.",
     "Tagihan KartuHalo akun {account} sebesar {amount} lewat jatuh tempo {due_date}. Layanan diblokir s.d. "
     "tagihan dilunasi.",
     "KartuHalo account {account}: the bill of {amount} was due on {due_date}. Service is blocked until it is "
     "paid in full.",
     "account,amount,due_date"),
]


def seed(apps, schema_editor):
    SmsTemplate = apps.get_model("core", "SmsTemplate")
    for code, description, text_id, text_en, variables in TEMPLATES:
        SmsTemplate.objects.update_or_create(code=code, defaults={
            "description": description, "text_id": text_id, "text_en": text_en, "variables": variables})


class Migration(migrations.Migration):
    dependencies = [("billing", "0002_catalogue"), ("core", "0003_platform")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
