"""The audit verbs security writes, for the timelines (registered in SecurityConfig.ready())."""

from django.utils.translation import gettext_lazy as _

from core.audit import as_choice, as_text, verb_register
from security.models import DataExport


def register() -> None:
    verb_register("mfa.enrolled", _("Second log-in factor set up"))
    verb_register("mfa.recovery_code_used", _("Recovery code used"), fields={
        "codes_left": (_("codes left"), as_text)})
    verb_register("mfa.reset", _("Second log-in factor reset"))
    login = {"username": (_("username"), as_text), "ip_address": (_("address"), as_text),
             "failures": (_("failed attempts"), as_text)}
    verb_register("login.locked_out", _("Log-in locked after failed attempts"), fields=login)
    verb_register("login.unlocked", _("Log-in lock lifted"), fields=login)
    verb_register("customer.data_exported", _("Personal data exported"), fields={
        "check": (_("identity check"), as_choice(DataExport.CheckMethod)), "records": (_("records"), as_text)})
