"""Third-party apps under Indonesian (translatable) names in the admin: one language per page.

django-celery-beat and django-celery-results name themselves with translatable strings that ship no Indonesian:
their msgids are translated in locale/id. Axes and django-otp give no app name (the admin showed "Axes",
"Otp_Totp"), and django-otp's models have plain English names: these subclasses give both. Listed in
INSTALLED_APPS instead of the packages' own configs; the app labels (and so tables, permissions) are unchanged.
"""

from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _name_model(app_config, model_name: str, singular, plural) -> None:
    meta = app_config.get_model(model_name)._meta
    meta.verbose_name, meta.verbose_name_plural = singular, plural


class AxesConfig(AxesAppConfig):
    verbose_name = _("Login lockouts")


class OtpConfig(AppConfig):
    name = "django_otp"
    default_auto_field = "django.db.models.AutoField"
    verbose_name = _("Second factor")


class OtpTotpConfig(AppConfig):
    name = "django_otp.plugins.otp_totp"
    default_auto_field = "django.db.models.AutoField"
    verbose_name = _("Second factor: authenticator apps")

    def ready(self):
        _name_model(self, "TOTPDevice", _("authenticator app"), _("authenticator apps"))


class OtpStaticConfig(AppConfig):
    name = "django_otp.plugins.otp_static"
    default_auto_field = "django.db.models.AutoField"
    verbose_name = _("Second factor: recovery codes")

    def ready(self):
        _name_model(self, "StaticDevice", _("recovery code set"), _("recovery code sets"))
        _name_model(self, "StaticToken", _("recovery code"), _("recovery codes"))
