"""Allocations are open work: counted on the people page, handed over on deactivation."""

from __future__ import annotations

import time_machine

from isova.models import Membership
from isova.onboarding import people
from isova.resources.models import Allocation
from tests.conftest import membership_of

from .conftest import FEB, JAN, MAR, allocate


@time_machine.travel("2027-02-10 12:00 +0000")
def test_deactivating_a_person_hands_their_current_allocations_over(org, plan):
    past = allocate(org, plan, org.staff, 10, JAN)
    current = allocate(org, plan, org.staff, 20, FEB, MAR)
    assert people.open_work_of(org.organisation, org.staff)["allocations"] == 1
    membership = Membership.objects.get(user=org.staff, organisation=org.organisation)
    people.deactivate(
        membership.pk, by=membership_of(org.leader, org.organisation), reassign_to=org.manager
    )
    assert Allocation.objects.get(pk=current.pk).person == org.manager
    assert Allocation.objects.get(pk=past.pk).person == org.staff  # history stays as it was
    assert people.open_work_of(org.organisation, org.manager)["allocations"] == 1
