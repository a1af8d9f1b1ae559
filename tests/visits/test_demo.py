"""`seed_demo` joins the counter: counters at the demo outlets, the first outlet's agent seated, people waiting."""

import random

import pytest

from accounts.demo import OUTLETS, seed_outlets_and_staff
from visits import demo
from visits.models import Counter, Ticket

pytestmark = pytest.mark.django_db


def test_demo_counters_and_queue_idempotent():
    seed_outlets_and_staff(rng=random.Random(1))
    demo.seed_demo_data(rng=random.Random(2))
    demo.seed_demo_data(rng=random.Random(2))
    assert Counter.objects.count() == len(OUTLETS) * demo.COUNTERS
    assert Counter.objects.get(staffed_by__username=f"agent.{OUTLETS[0][0]}").number == 1
    waiting = Ticket.objects.filter(status=Ticket.Status.WAITING, outlet__code=OUTLETS[0][0])
    assert waiting.count() == len(demo.WAITING)
