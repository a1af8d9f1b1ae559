"""The visit banner on every agent page: the open visit of the session, loaded once per request and only when there
is one (the session knows; no query otherwise)."""

from django.utils.functional import SimpleLazyObject

from visits.middleware import SESSION_KEY
from visits.models import Visit


def _banner_visit(request):
    cached = getattr(request, "_visit_banner", False)
    if cached is not False:
        return cached
    visit = None
    visit_id = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    if visit_id is not None and request.user.is_authenticated:
        visit = (Visit.objects.select_related("ticket", "customer", "counter")
                 .filter(pk=visit_id, agent=request.user, ended_at__isnull=True).first())
    request._visit_banner = visit
    return visit


def visit_banner(request):
    return {"open_visit": SimpleLazyObject(lambda: _banner_visit(request) or "")}
