"""Customer SMS texts of the prepaid app (PRE-02, PRE-04, PRM-03, PRM-04)."""

from django.db import migrations

TEMPLATES = [
    ("prepaid_expiry_reminder", "PRE-02: the Active Period ends in a few days.",
     "Kartu {msisdn} aktif s.d. {active_until}. Isi ulang sebelum tanggal tsb agar tetap aktif; setelahnya masa "
     "tenggang {grace_days} hari.",
     "Your card {msisdn} is active until {active_until}. Top up before then to stay active; after that you have "
     "{grace_days} days of grace.",
     "msisdn,active_until,grace_days"),
    ("prepaid_sms_fair_usage_block", "PRE-04: card blocked for SMS beyond fair usage.",
     "Kartu {msisdn} diblokir sementara: pemakaian SMS melebihi batas wajar ({limit}). Hubungi 185 / GraPARI.",
     "Your card {msisdn} is blocked: SMS use exceeded the fair-usage limit ({limit}). Call 185 or visit GraPARI.",
     "msisdn,limit"),
    ("prime_disabled_low_balance", "PRM-03: Prime disabled because the balance did not cover the fee.",
     "IM3 Prime {tier} di {msisdn} dinonaktifkan: pulsa tidak cukup untuk biaya {fee}. Isi ulang dan daftar lagi.",
     "IM3 Prime {tier} on {msisdn} was disabled: your balance did not cover the {fee} fee. Top up and join again.",
     "msisdn,tier,fee"),
    ("prime_voucher_won", "PRM-04: Wednesday e-voucher winner.",
     "Selamat! {msisdn} memenangkan e-voucher belanja online {amount}. Kode: {code}.",
     "Congratulations! {msisdn} won an online-shopping e-voucher worth {amount}. Code: {code}.",
     "msisdn,amount,code"),
]


def seed(apps, schema_editor):
    SmsTemplate = apps.get_model("core", "SmsTemplate")
    for code, description, text_id, text_en, variables in TEMPLATES:
        SmsTemplate.objects.update_or_create(code=code, defaults={
            "description": description, "text_id": text_id, "text_en": text_en, "variables": variables})


class Migration(migrations.Migration):
    dependencies = [("prepaid", "0002_catalogue"), ("core", "0003_platform")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
