"""The two roles, as groups with permissions. Kept in sync by a data migration and after every migrate."""

AGENT = "Agent"
SUPERVISOR = "Supervisor"

AGENT_PERMISSIONS = {
    "accounts": [
        "view_customer", "add_customer", "change_customer", "reveal_identity",
        "view_billingaccount", "add_billingaccount",
        "view_line", "add_line", "change_line",
        "view_block", "add_block", "change_block",
        "view_transferapproval", "view_identitycheck", "add_identitycheck", "view_simchange", "add_simchange",
    ],
    "billing": [
        "view_basicpackage", "view_servicecategory", "view_suggestedlimit", "view_linepackage",
        "view_spendinglimit", "view_spendingcycle", "view_purchase", "view_usagerecord",
        "view_limitchange", "add_limitchange", "view_bill", "resend_statement", "view_billcharge", "view_payment",
        "add_payment",
        "view_objection", "add_objection", "view_creditnote", "view_earlysettlementdemand", "view_billingprofile",
    ],
    "protection": [
        "view_product", "view_linedevice", "add_linedevice", "change_linedevice",
        "view_enrollment", "add_enrollment", "change_enrollment", "view_installment",
        "view_claim", "add_claim", "change_claim", "view_reimbursement",
    ],
    "security": ["export_customer_data"],
    "visits": [
        "view_counter", "view_ticket", "add_ticket", "change_ticket", "view_visit", "add_visit", "change_visit",
        "view_wrapupitem", "add_wrapupitem",
    ],
    "prepaid": [
        "view_card", "add_card", "change_card", "view_ledgerentry", "add_ledgerentry",
        "view_packagepurchase", "add_packagepurchase", "view_simreplacement", "add_simreplacement",
        "view_primesubscription", "add_primesubscription", "change_primesubscription",
        "view_apppass", "add_apppass", "view_package", "view_denomination", "view_primetier",
    ],
}
# Supervisors hold every permission of these apps, except rewriting history.
SUPERVISOR_APPS = [
    "accounts", "core", "billing", "protection", "prepaid", "django_celery_beat", "django_celery_results", "axes",
    "security", "otp_totp", "visits",
]
NEVER_GRANTED = {("core", "add_auditevent"), ("core", "change_auditevent"), ("core", "delete_auditevent"),
                 ("security", "add_accesslog"), ("security", "change_accesslog"), ("security", "delete_accesslog"),
                 # a filtered list of audit events (the identity numbers shown): read-only like them
                 ("accounts", "add_identityreveal"), ("accounts", "change_identityreveal"),
                 ("accounts", "delete_identityreveal")}


def sync_roles(apps=None) -> None:
    """Create the groups and grant what each role needs. Safe to run any number of times."""
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    agent, _ = Group.objects.get_or_create(name=AGENT)
    supervisor, _ = Group.objects.get_or_create(name=SUPERVISOR)

    agent_perms = []
    for app_label, codenames in AGENT_PERMISSIONS.items():
        agent_perms += list(Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames))
    agent.permissions.add(*agent_perms)

    supervisor_perms = [
        perm for perm in Permission.objects.filter(content_type__app_label__in=SUPERVISOR_APPS)
        .select_related("content_type")
        if (perm.content_type.app_label, perm.codename) not in NEVER_GRANTED
    ]
    supervisor.permissions.add(*supervisor_perms, *agent_perms)
