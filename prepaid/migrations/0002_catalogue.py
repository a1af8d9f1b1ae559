"""The prepaid catalogue, editable afterwards in the admin: denominations (PRE-02), packages (PRE-05, PRM-04),
special tariff days (PRE-06), Prime tiers (PRM-01/02), pass apps (PRM-04), activation areas (PRE-01), parameters."""

import datetime as dt

from django.db import migrations

PARAMETERS = [
    ("prepaid_grace_days", 30, "days", "PRE-02", "Grace days after the Active Period ends before a card is invalid."),
    ("prepaid_initial_active_days", 30, "days", "PRE-01", "Active Period of a newly activated card."),
    ("prepaid_balance_floor", 3000, "Rp", "PRE-05", "Balance a package purchase must leave on the card."),
    ("prepaid_sms_per_day", 1000, "SMS", "PRE-04", "SMS a card may send per day before a fair-usage block."),
    ("prepaid_sms_per_hour", 200, "SMS", "PRE-04", "SMS a card may send per hour before a fair-usage block."),
    ("prepaid_sim_replacement_fee", 10000, "Rp", "PRE-03", "Admin fee for a replacement SIM (free with IM3 Prime)."),
    ("prepaid_reminder_days", 3, "days", "PRE-02", "Days before the Active Period ends that the reminder SMS goes."),
    ("prepaid_weekend_price_percent", 100, "%", "PRE-06", "Package price on Saturdays and Sundays, % of normal."),
    ("prime_app_pass_days", 3, "days", "PRM-04", "Days an IM3 Prime unlimited app pass lasts."),
    ("prime_spend_months", 3, "months", "PRM-01", "Months of spend averaged to assign the Prime tier."),
    ("prime_voucher_winners", 10, "winners", "PRM-04", "E-voucher winners in each Wednesday draw."),
    ("prime_voucher_amount", 50000, "Rp", "PRM-04", "Value of each Wednesday online-shopping e-voucher."),
]

# amount → validity days (PRE-02 Decision)
DENOMINATIONS = [(5000, 7), (10000, 15), (25000, 30), (50000, 45), (100000, 60), (150000, 90), (200000, 120)]

# code, name, description, price, prime_price, validity_days, monthly_data, unlimited, order
PACKAGES = [
    ("FREEDOM_COMBO", "FREEDOM COMBO 14GB", "14GB data + 20 min calls to all operators", 65000, None, 30, True,
     False, 10),
    ("FREEDOM_PLUS", "FREEDOM PLUS 20GB", "20GB data, 5GB of it for apps", 75000, None, 30, True, False, 20),
    ("UNLIMITED", "UNLIMITED", "Unlimited data, fair usage applies", 100000, 85000, 30, True, True, 30),
    ("HARIAN_1GB", "Freedom Harian 1GB", "1GB data for one day", 5000, None, 1, False, False, 40),
    ("MINGGUAN_5GB", "Freedom Mingguan 5GB", "5GB data for seven days", 25000, None, 7, False, False, 50),
]

# code, name, monthly fee, minimum 3-month average spend, in the Wednesday draw (PRM-01, PRM-02, PRM-04)
PRIME_TIERS = [
    ("lite", "Prime Lite", 10000, 0, False),
    ("joy", "Prime Joy", 25000, 150000, True),
    ("first", "Prime First", 50000, 300000, True),
]

PASS_APPS = ["Facebook", "WhatsApp", "Gojek", "Tokopedia", "Line", "Mobile Legend"]

AREAS = [
    ("jabotabek", "Jabodetabek"), ("jabar", "Jawa Barat"), ("jateng-diy", "Jawa Tengah & DIY"),
    ("jatim", "Jawa Timur"), ("bali-nusra", "Bali & Nusa Tenggara"), ("sumbagut", "Sumatera Bagian Utara"),
    ("sumbagsel", "Sumatera Bagian Selatan"), ("kalimantan", "Kalimantan"), ("sulawesi", "Sulawesi"),
    ("papua-maluku", "Papua & Maluku"),
]

# PRE-06: special days with their own tariff (% of the normal package price).
TARIFF_DAYS = [
    (dt.date(2026, 3, 20), "Idul Fitri 1447 H", 120),
    (dt.date(2026, 3, 21), "Idul Fitri 1447 H (day 2)", 120),
    (dt.date(2026, 12, 25), "Christmas", 110),
    (dt.date(2027, 1, 1), "New Year", 110),
]


def seed(apps, schema_editor):
    Parameter = apps.get_model("core", "Parameter")
    for code, value, unit, rule, description in PARAMETERS:
        Parameter.objects.get_or_create(
            code=code, defaults={"value": value, "unit": unit, "rule": rule, "description": description})
    Denomination = apps.get_model("prepaid", "Denomination")
    for amount, days in DENOMINATIONS:
        Denomination.objects.get_or_create(amount=amount, defaults={"validity_days": days})
    Package = apps.get_model("prepaid", "Package")
    for code, name, description, price, prime_price, days, monthly, unlimited, order in PACKAGES:
        Package.objects.get_or_create(code=code, defaults={
            "name": name, "description": description, "price": price, "prime_price": prime_price,
            "validity_days": days, "monthly_data": monthly, "unlimited": unlimited, "order": order})
    PrimeTier = apps.get_model("prepaid", "PrimeTier")
    for code, name, fee, threshold, draw in PRIME_TIERS:
        PrimeTier.objects.get_or_create(code=code, defaults={
            "name": name, "monthly_fee": fee, "min_average_spend": threshold, "voucher_draw": draw})
    PassApp = apps.get_model("prepaid", "PassApp")
    for order, name in enumerate(PASS_APPS):
        PassApp.objects.get_or_create(name=name, defaults={"order": order * 10})
    ActivationArea = apps.get_model("prepaid", "ActivationArea")
    for code, name in AREAS:
        ActivationArea.objects.get_or_create(code=code, defaults={"name": name})
    TariffDay = apps.get_model("prepaid", "TariffDay")
    for date, name, percent in TARIFF_DAYS:
        TariffDay.objects.get_or_create(date=date, defaults={"name": name, "price_percent": percent})


class Migration(migrations.Migration):
    dependencies = [("prepaid", "0001_initial"), ("core", "0002_parameters")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
