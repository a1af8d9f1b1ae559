"""Every action an agent does while a visit is open links to it: `core.audit.current_interaction` is set for the
request from the visit the session holds (written by the counter's views when a visit opens, cleared when it ends),
so `audit_record` and the identity checks carry its id without a query."""

from core.audit import current_interaction

SESSION_KEY = "visits_open_visit"


class CurrentVisitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        visit_id = None
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            visit_id = request.session.get(SESSION_KEY)
        token = current_interaction.set(visit_id)
        try:
            return self.get_response(request)
        finally:
            current_interaction.reset(token)


def session_visit_set(request, visit) -> None:
    """Remember the open visit (or None) for this agent's next requests, and for the rest of this one."""
    if visit is None or visit.ended_at is not None:
        request.session.pop(SESSION_KEY, None)
        current_interaction.set(None)
    else:
        request.session[SESSION_KEY] = visit.pk
        current_interaction.set(visit.pk)
