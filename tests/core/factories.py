import factory
from django.utils import timezone

from core.api.keys import key_generate
from core.models import ChannelApiKey, ChannelClient, OutboundSms, SmsTemplate


class SmsTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SmsTemplate
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"test-template-{n}")
    description = "Test template"
    text_id = "Pemakaian Anda {percent}% dari batas {limit}."
    text_en = "Your usage is {percent}% of your limit {limit}."
    variables = "percent,limit"


class ChannelClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChannelClient

    name = factory.Sequence(lambda n: f"client-{n}")
    kind = ChannelClient.Kind.CHARGING


def make_client(kind: str = ChannelClient.Kind.CHARGING, **kwargs) -> tuple[ChannelClient, str]:
    """A client and its clear-text key (only the hash is stored)."""
    client = ChannelClientFactory(kind=kind, **kwargs)
    key, prefix, digest = key_generate()
    ChannelApiKey.objects.create(client=client, prefix=prefix, key_hash=digest)
    return client, key


class OutboundSmsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutboundSms

    msisdn = factory.Sequence(lambda n: f"+62812{n:07d}")
    template_code = "test"
    text = "Halo"
    dedup_key = factory.Sequence(lambda n: f"dedup-{n}")
    next_attempt_at = factory.LazyFunction(timezone.now)
