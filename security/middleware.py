"""Refuse every page to a session that has not passed the second factor, for the users who need one."""

from urllib.parse import urlencode

from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from security.mfa import mfa_enrolled, mfa_required

# The pages a half-logged-in user may still reach: logging in and out, the second-factor pages, the language.
OPEN_VIEWS = frozenset({
    "login", "logout", "admin:login", "admin:logout", "language_set", "security:mfa_setup", "security:mfa_verify",
    "password_reset", "password_reset_done", "password_reset_confirm", "password_reset_complete",
})
# Channel API calls authenticate with a key, never with the session.
OPEN_PREFIXES = ("/api/v1/",)


class SecondFactorMiddleware:
    """After django_otp's OTPMiddleware: `request.user.is_verified()` says whether this session passed the second
    factor. A user who needs one and has not passed it is sent to enrol (first log-in) or to type a code."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not mfa_required(user) or user.is_verified():
            return None
        match = request.resolver_match
        if (match and match.view_name in OPEN_VIEWS) or request.path.startswith(OPEN_PREFIXES):
            return None
        target = "security:mfa_verify" if mfa_enrolled(user) else "security:mfa_setup"
        url = f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}"
        if getattr(request, "htmx", False):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return redirect(url)
