"""The kit's next step: a reason names what fixes it, shown as a link on agent pages and never in the API."""

import pytest
from django import forms
from django.template.loader import render_to_string
from django.urls import reverse

from core.actions import ActionState, _unshown, refusal_to_form
from core.verdicts import NextStep, Reason, RuleViolation, Verdict


class _Form(forms.Form):
    amount = forms.IntegerField()


def _violation():
    return RuleViolation([Reason("outstanding_bill", "The bill of Rp 237.000 due 06-12-2026 is unpaid",
                                 next_step=NextStep("Record the payment", url="/billing/bills/7/pay/"))])


def test_a_form_error_reads_plain_and_renders_its_link_once():
    form = _Form({"amount": "1"})
    form.is_valid()
    refusal_to_form(form, _violation())
    error = form.non_field_errors()[0]
    assert error == "The bill of Rp 237.000 due 06-12-2026 is unpaid"  # tests, logs, the API: plain text
    html = str(form.non_field_errors())
    assert html.count('<a href="/billing/bills/7/pay/" class="next-step">Record the payment</a>') == 1


def test_the_verdict_box_does_not_repeat_what_the_form_shows_and_does_not_say_allowed():
    form = _Form({"amount": "1"})
    form.is_valid()
    refusal_to_form(form, _violation())
    verdict = Verdict(reasons=list(_violation().reasons))
    left = _unshown(verdict, form)
    assert left.reasons == [] and left.refusals_on_form
    assert "Allowed" not in render_to_string("core/_verdict.html", {"verdict": left})


def test_the_verdict_box_shows_the_next_step_and_missing_input_as_a_hint():
    verdict = Verdict()
    verdict.refuse("outstanding_bill", "The bill is unpaid", next_step=NextStep("Record the payment", url="/pay/"))
    html = render_to_string("core/_verdict.html", {"verdict": verdict})
    assert '— <a href="/pay/" class="next-step">Record the payment</a>' in html
    hint = Verdict()
    hint.need("package_required", "Choose the basic package.")
    html = render_to_string("core/_verdict.html", {"verdict": hint})
    assert "Choose the basic package." in html and "<strong>" not in html and 'data-allowed="false"' in html


def test_a_missing_input_is_refused_only_when_submitted():
    verdict = Verdict()
    verdict.need("package_required", "Choose the basic package.")
    assert verdict.allowed and not verdict.complete
    verdict.raise_if_refused()
    with pytest.raises(RuleViolation) as refused:
        verdict.raise_if_incomplete()
    assert refused.value.codes == ["package_required"]


def test_a_next_step_by_url_name_resolves_and_an_unknown_one_is_no_link():
    assert NextStep("Search", url_name="accounts:search").href == reverse("accounts:search")
    assert NextStep("Nowhere", url_name="nope:nothing").href == ""


def test_a_disabled_action_shows_its_reasons_as_text_not_a_link():
    state = ActionState.of(Verdict(reasons=[Reason("card_invalid", "The card has been invalid since 01-11-2026.")]))
    html = render_to_string("core/_action_button.html",
                            {"href": "/topup/", "label": "Top up", "state": state, "css": "btn-primary",
                             "id": "action-topup"})
    assert 'aria-disabled="true"' in html and 'href="/topup/"' not in html
    assert '<span class="small text-body-secondary action-reasons" id="action-topup-why">' in html
    assert "The card has been invalid since 01-11-2026." in html
    live = render_to_string("core/_action_button.html", {"href": "/topup/", "label": "Top up",
                                                         "state": ActionState(), "css": "btn-primary"})
    assert 'href="/topup/"' in live and "aria-disabled" not in live


@pytest.mark.django_db
@pytest.mark.rule("ACC-09")
def test_acc09_header_actions_get_their_state_from_the_registry_by_tag(rf):
    """For the line header (h-360): `{% action_state "accounts.line_terminate" line as state %}`."""
    from django.template import Context, Template
    from django.utils import translation

    from tests.accounts.factories import AgentFactory, PostpaidLineFactory

    line = PostpaidLineFactory(status="inactive")
    request = rf.get("/")
    request.user = AgentFactory()
    template = Template('{% load actions %}{% action_state "accounts.line_terminate" line as state %}'
                        '{% action_button "/end/" "Terminate" state "btn-outline-danger" "action-terminate" %}')
    with translation.override("en"):
        html = template.render(Context({"line": line, "request": request}))
    assert 'aria-disabled="true"' in html and 'data-code="line_not_active"' in html
    assert "The line is not active: its status is not activated." in html  # the figure the rule used
    unknown = Template('{% load actions %}{% action_state "nobody.nothing" line as state %}{{ state.allowed }}')
    assert unknown.render(Context({"line": line, "request": request})) == "True"
