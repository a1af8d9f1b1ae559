from django import template

from core.schedules import job_label as _job_label

register = template.Library()


@register.filter
def job_label(run) -> str:
    """`{{ run|job_label }}`: what the job does ("Close the bill cycles"), not its name or task path."""
    return _job_label(run.job, run.task_name)
