import datetime as dt
import random

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.identifiers import make_iccid, make_imsi, make_msisdn, make_nik
from accounts.models import BillingAccount, Block, Customer, IdentityCheck, Line, Outlet, User
from accounts.roles import AGENT, SUPERVISOR

rng = random.Random(2026)


class OutletFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outlet
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"gp-{n:03d}")
    name = factory.Sequence(lambda n: f"GraPARI Test {n}")
    city = "Jakarta"
    jabodetabek = True


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    outlet = factory.SubFactory(OutletFactory)
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def save_password(self, create, extracted, **kwargs):
        if create:
            self.save()


def _join(role):
    def add(user, create, extracted, **kwargs):
        if create:
            user.groups.add(Group.objects.get(name=role))

    return factory.PostGeneration(add)


class AgentFactory(UserFactory):
    username = factory.Sequence(lambda n: f"agent{n}")
    role = _join(AGENT)


class SupervisorFactory(UserFactory):
    username = factory.Sequence(lambda n: f"supervisor{n}")
    is_staff = True
    role = _join(SUPERVISOR)


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    kind = Customer.Kind.INDIVIDUAL
    full_name = factory.Sequence(lambda n: f"Budi Santoso {n}")
    id_type = Customer.IdType.KTP
    id_number = factory.Sequence(
        lambda n: make_nik(rng, dt.date(1990, 1, 1) + dt.timedelta(days=n % 3000), serial=n + 1))
    city = "Jakarta"
    verification = Customer.Verification.VERIFIED


class BillingAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BillingAccount

    number = factory.Sequence(lambda n: f"1{n:09d}")
    customer = factory.SubFactory(CustomerFactory)
    payment_method = BillingAccount.PaymentMethod.CASH
    bill_cycle_day = 1
    opened_on = factory.LazyFunction(lambda: dt.date(2026, 1, 1))


class LineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Line

    msisdn = factory.Sequence(lambda n: make_msisdn(100_000_000 + n))
    iccid = factory.Sequence(lambda n: make_iccid(100_000_000 + n))
    imsi = factory.Sequence(lambda n: make_imsi(100_000_000 + n))
    kind = Line.Kind.PREPAID
    status = Line.Status.ACTIVE
    customer = factory.SubFactory(CustomerFactory)
    billing_account = None
    activated_on = factory.LazyFunction(lambda: dt.date(2026, 1, 1))


class PostpaidLineFactory(LineFactory):
    kind = Line.Kind.POSTPAID
    billing_account = factory.SubFactory(BillingAccountFactory, customer=factory.SelfAttribute("..customer"))


class BlockFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Block

    line = factory.SubFactory(LineFactory)
    reason = Block.Reason.CUSTOMER_REQUEST
    scope = Block.Scope.ALL
    note = "Customer asked for a bar"
    started_at = factory.LazyFunction(timezone.now)


def identity_checked(customer, actor, *, result=IdentityCheck.Result.PASSED, **kwargs) -> IdentityCheck:
    """An identity check of `customer` by `actor` just now (ACC-10): a passed one opens the NIK reveal, transfer and
    termination to that agent (no audit event: tests that count events are not disturbed)."""
    return IdentityCheck.objects.create(customer=customer, method=IdentityCheck.Method.KTP_NIK, result=result,
                                        checked_by=actor, checked_at=kwargs.pop("checked_at", timezone.now()), **kwargs)
