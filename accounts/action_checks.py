"""The cheap checks of the line header's actions (`{% action_state "accounts.line_terminate" line as state %}`):
a button that cannot succeed is shown disabled with these reasons. Inputs the form asks for are not reasons."""

from accounts.models import Line


def _package_change(line, user):
    from accounts.services import package_change_eligibility

    return package_change_eligibility(line=line, actor=user)


def _sim_replace(line, user):
    from accounts.services import sim_replace_eligibility

    verdict = sim_replace_eligibility(line=line, identity_check=None, actor=user)
    verdict.reasons = [reason for reason in verdict.reasons if reason.code != "identity_check_required"]
    return verdict


def _terminate(line, user):
    from accounts.services import termination_eligibility

    return termination_eligibility(line=line, actor=user) if line.kind == Line.Kind.POSTPAID else None


def register() -> None:
    from core.actions import register_action_check

    register_action_check("accounts.line_package_change", _package_change)
    register_action_check("accounts.line_sim_replace", _sim_replace)
    register_action_check("accounts.line_terminate", _terminate)
