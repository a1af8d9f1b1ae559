from django.conf import settings

from core.branding import brand_context


def workspace(request):
    user = getattr(request, "user", None)
    return {
        # django-csp 4 names it CSP_NONCE; {% htmx_script %} reads csp_nonce.
        "csp_nonce": getattr(request, "csp_nonce", None),
        "is_supervisor": bool(user and user.is_authenticated and user.is_supervisor),
        "idle_timeout_minutes": settings.IDLE_TIMEOUT_MINUTES,
        "brand": brand_context(),
    }
