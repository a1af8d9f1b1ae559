"""Every stored channel is one of core.models.Channel (issue 10): no app keeps its own channel choices."""

from django.apps import apps

from core.models import Channel

APPS = {"accounts", "billing", "core", "prepaid", "protection", "security"}


def test_every_channel_column_uses_the_core_channel_enum():
    columns = [(model._meta.label, field.name, field.choices) for model in apps.get_models()
               if model._meta.app_label in APPS for field in model._meta.fields if field.name == "channel"]
    assert len(columns) >= 10  # the scan sees them
    assert [(label, name) for label, name, choices in columns if list(choices) != list(Channel.choices)] == []
    assert Channel.PARTNER in Channel.values
