"""Customer SMS texts: call centre and outlet from settings (DOMAIN.md), and the Prime-disabled SMS names the tier
once ("Prime Lite", not "IM3 Prime Prime Lite"). A text a supervisor has edited since it was seeded is left as it is."""

from importlib import import_module

from django.db import migrations

NEW = {
    "prepaid_sms_fair_usage_block": (
        "Kartu {msisdn} diblokir sementara: pemakaian SMS melebihi batas wajar ({limit}). Hubungi "
        "{operator_call_centre} / {outlet_name}.",
        "Your card {msisdn} is blocked: SMS use exceeded the fair-usage limit ({limit}). Call {operator_call_centre} "
        "or visit {outlet_name}."),
    "prime_disabled_low_balance": (
        "Langganan {tier} di {msisdn} dinonaktifkan: pulsa tidak cukup untuk biaya {fee}. Isi ulang dan daftar lagi.",
        "Your {tier} subscription on {msisdn} was disabled: your balance did not cover the {fee} fee. Top up and "
        "join again."),
}


def update(apps, schema_editor):
    SmsTemplate = apps.get_model("core", "SmsTemplate")
    seed = import_module("prepaid.migrations.0003_sms_templates").TEMPLATES
    seeded = {code: (text_id, text_en) for code, _d, text_id, text_en, _v in seed}
    for code, (text_id, text_en) in NEW.items():
        row = SmsTemplate.objects.filter(code=code).first()
        if row is None or (row.text_id, row.text_en) != seeded[code]:
            continue
        row.text_id, row.text_en = text_id, text_en
        row.save(update_fields=["text_id", "text_en"])


class Migration(migrations.Migration):
    dependencies = [("prepaid", "0004_ledger_time_index"), ("core", "0003_platform")]
    operations = [migrations.RunPython(update, migrations.RunPython.noop)]
