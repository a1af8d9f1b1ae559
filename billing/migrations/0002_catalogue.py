"""Seed the catalogue with DOMAIN.md's figures (LIM-03, LIM-06, LIM-07) and the billing rule parameters."""

from django.db import migrations

PACKAGES = [
    # code, name, monthly fee (Rp), regular-customer policy (LIM-07)
    ("flash", "KartuHalo Flash", 50_000, False),
    ("halofit_80k", "HaloFit 80K", 80_000, True),
    ("halo_kick", "Halo Kick", 100_000, False),
    ("halofit_125k", "HaloFit 125K", 125_000, True),
    ("halohybrid", "HaloHybrid", 150_000, True),
    ("halo_plus_170", "KartuHalo 170K", 170_000, False),
    ("halo_plus_300", "KartuHalo 300K", 300_000, False),
    ("halo_plus_320", "KartuHalo 320K", 320_000, False),
    ("halo_plus_550", "KartuHalo 550K", 550_000, False),
    ("halo_plus_570", "KartuHalo 570K", 570_000, False),
]

CATEGORIES = [
    # code, name, scope, counts against the limit (LIM-03 defaults, "as per 1 Dec 2017"), renewal days
    ("sms", "SMS at basic tariff", "domestic", True, None),
    ("voice", "Calls at basic tariff", "domestic", True, None),
    ("data", "Data at basic tariff", "domestic", True, None),
    ("addon", "Add-on package", "domestic", True, None),
    ("addon_recurring", "Add-on renewed every 30 days", "domestic", False, 30),
    ("basic_package", "Basic package", "domestic", True, None),
    ("penalty", "Penalty", "domestic", False, None),
    ("roaming_addon", "Roaming add-on package", "international", True, None),
    ("roaming_voice", "Roaming outbound calls at basic tariff", "international", False, None),
    ("roaming_sms_data", "Roaming SMS and data at basic tariff", "international", True, None),
]

SUGGESTED = [
    # LIM-06: package tariff up to → cash/ATM limit ; credit-card autodebit limit
    (50_000, 300_000, 500_000),
    (60_000, 300_000, 500_000),
    (100_000, 300_000, 500_000),
    (120_000, 300_000, 500_000),
    (150_000, 300_000, 500_000),
    (170_000, 400_000, 600_000),
    (300_000, 600_000, 600_000),
    (320_000, 700_000, 700_000),
    (550_000, 1_000_000, 2_500_000),
    (570_000, 1_000_000, 2_500_000),
]

PARAMETERS = [
    ("limit_warn_percent", 80, "%", "LIM-04", "Usage share of the limit that sends the first SMS."),
    ("limit_full_percent", 100, "%", "LIM-04", "Usage share of the limit that sends the second SMS."),
    ("limit_min_cash", 300_000, "Rp", "LIM-09", "Lowest domestic limit for cash / ATM payers."),
    ("limit_min_card", 500_000, "Rp", "LIM-09", "Lowest domestic limit for credit-card autodebit payers."),
    ("limit_max_cash_new", 1_000_000, "Rp", "LIM-09", "Highest domestic limit, cash payers, tenure below the tier."),
    ("limit_max_card_new", 2_500_000, "Rp", "LIM-09", "Highest domestic limit, card payers, tenure below the tier."),
    ("limit_max_tenured", 5_000_000, "Rp", "LIM-09", "Highest domestic limit once tenure reaches the tier."),
    ("limit_tenure_tier_months", 12, "months", "LIM-09", "Tenure from which the higher maximum applies."),
    ("limit_upgrade_tenure_months", 3, "months", "LIM-07", "Tenure a line needs before its limit is raised."),
    ("regular_customer_cycles", 6, "cycles", "LIM-07", "Recent bill cycles without a late payment (regular customer)."),
    ("limit_international_default", 1_000_000, "Rp", "LIM-01", "International (roaming) limit of a new line."),
    ("limit_international_max", 5_000_000, "Rp", "LIM-01", "Highest international (roaming) limit."),
    ("bill_due_days", 20, "days", "BIL-01", "Days from a bill's processing to its due date."),
    ("objection_window_months", 2, "months", "BIL-03", "Months after processing during which a bill can be disputed."),
    ("early_settlement_bills", 3, "bills", "BIL-04", "Closed bills averaged for the early-settlement check."),
    ("early_settlement_percent", 150, "%", "BIL-04", "Current usage share of that average that triggers a demand."),
    ("early_settlement_days", 7, "days", "BIL-04", "Days the customer has to settle an early-settlement demand."),
    ("goodwill_cap_months", 3, "months", "BIL-08", "Most a goodwill credit may be, in months of subscription fee."),
]


def seed(apps, schema_editor):
    BasicPackage = apps.get_model("billing", "BasicPackage")
    ServiceCategory = apps.get_model("billing", "ServiceCategory")
    SuggestedLimit = apps.get_model("billing", "SuggestedLimit")
    Parameter = apps.get_model("core", "Parameter")
    for code, name, fee, policy in PACKAGES:
        BasicPackage.objects.get_or_create(code=code, defaults={"name": name, "monthly_fee": fee,
                                                                "regular_customer_policy": policy})
    for code, name, scope, counts, renewal in CATEGORIES:
        ServiceCategory.objects.get_or_create(code=code, defaults={"name": name, "scope": scope,
                                                                   "counts_against_limit": counts,
                                                                   "renewal_days": renewal})
    for tariff, cash, card in SUGGESTED:
        SuggestedLimit.objects.get_or_create(max_tariff=tariff, defaults={"cash_limit": cash, "card_limit": card})
    for code, value, unit, rule, description in PARAMETERS:
        Parameter.objects.get_or_create(code=code, defaults={"value": value, "unit": unit, "rule": rule,
                                                             "description": description})


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial"), ("core", "0002_parameters")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
