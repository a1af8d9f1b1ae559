"""`{% action_state "billing.limit_change" line as state %}` and `{% action_button href label state %}`: an action
that cannot succeed is shown disabled (aria-disabled) with its reasons as text next to it, not a form that fails."""

from django import template

from core.actions import ActionState
from core.actions import action_state as _action_state

register = template.Library()


@register.simple_tag(takes_context=True)
def action_state(context, name, subject):
    request = context.get("request")
    return _action_state(name, subject, getattr(request, "user", None))


@register.inclusion_tag("core/_action_button.html")
def action_button(href, label, state=None, css="btn-outline-primary", dom_id=""):
    return {"href": href, "label": label, "state": state or ActionState(), "css": css, "id": dom_id}
