"""Log-in and password pages. Password reset exists only with a mail backend (EMAIL_URL) and never says a mail was
sent when sending failed."""

import logging
from functools import wraps

from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.core.mail import EmailMultiAlternatives
from django.http import Http404
from django.template import loader
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


def reset_enabled(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not settings.PASSWORD_RESET_ENABLED:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


class LoginView(auth_views.LoginView):
    def get_context_data(self, **kwargs):
        return super().get_context_data(password_reset_enabled=settings.PASSWORD_RESET_ENABLED, **kwargs)


class StrictPasswordResetForm(auth_forms.PasswordResetForm):
    """Django's form logs a failed send and carries on; this one lets the failure reach the view."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email,
                  html_email_template_name=None):
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        message = EmailMultiAlternatives(subject, loader.render_to_string(email_template_name, context), from_email,
                                         [to_email])
        if html_email_template_name is not None:
            message.attach_alternative(loader.render_to_string(html_email_template_name, context), "text/html")
        message.send()


class PasswordResetView(auth_views.PasswordResetView):
    form_class = StrictPasswordResetForm

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except Exception:  # any mail backend's failure: SMTP, DNS, refused connection…
            logger.exception("password reset mail could not be sent")
            form.add_error(None, _("The e-mail could not be sent. Try again later, or ask your supervisor to set a "
                                   "new password."))
            return self.form_invalid(form)
