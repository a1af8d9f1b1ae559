from django.db import migrations

TEMPLATES = [
    {
        "code": "protection_enrolled",
        "description": "TP-02: TecProtec subscription confirmed.",
        "text_id": "Terima kasih, TecProtec aktif untuk HP IMEI {imei} dari {start} s.d. {end}, biaya {price} {plan}. "
                   "Klaim dapat diajukan mulai {claims_from}. Info AMSI {call_centre}.",
        "text_en": "Thank you, TecProtec covers your phone IMEI {imei} from {start} to {end} for {price} {plan}. "
                   "Claims are accepted from {claims_from}. AMSI call centre {call_centre}.",
        "variables": "imei,start,end,price,plan,claims_from,call_centre",
    },
    {
        "code": "protection_claim_filed",
        "description": "TP-09: a TecProtec claim was filed.",
        "text_id": "Klaim TecProtec no. {claim} diterima. Biaya proses {fee} dibayar ke {partner}. "
                   "Info {call_centre}.",
        "text_en": "TecProtec claim no. {claim} received. The processing fee of {fee} is paid to {partner}. "
                   "Call {call_centre}.",
        "variables": "claim,fee,partner,call_centre",
    },
    {
        "code": "protection_terminated",
        "description": "TP-12: a TecProtec subscription was terminated early.",
        "text_id": "Layanan TecProtec Anda telah dihentikan per {date}. Tidak ada tagihan TecProtec berikutnya.",
        "text_en": "Your TecProtec service was terminated on {date}. No further TecProtec charges will be billed.",
        "variables": "date",
    },
]


def seed(apps, schema_editor):
    SmsTemplate = apps.get_model("core", "SmsTemplate")
    for template in TEMPLATES:
        SmsTemplate.objects.update_or_create(code=template["code"], defaults={
            key: value for key, value in template.items() if key != "code"})


class Migration(migrations.Migration):
    dependencies = [("protection", "0002_product"), ("core", "0003_platform")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
