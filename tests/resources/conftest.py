"""Resources fixtures: a plan (an objective) and allocations made through the services."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from isova.models import Action, User
from isova.resources import services
from isova.resources.models import Allocation
from objectives.models import Objective
from tests.conftest import Org, membership_of
from tests.objectives.conftest import make_objective

JAN = datetime.date(2027, 1, 1)
FEB = datetime.date(2027, 2, 1)
MAR = datetime.date(2027, 3, 1)
APR = datetime.date(2027, 4, 1)


@pytest.fixture
def plan(org: Org) -> Objective:
    return make_objective(org.organisation, org.manager, title="Raise on-time delivery")


def allocate(
    org: Org,
    plan: Objective,
    person: User,
    hours: int | str,
    first: datetime.date,
    last: datetime.date | None = None,
    *,
    by: User | None = None,
) -> Allocation:
    return services.allocation_add(
        membership=membership_of(by or org.manager, org.organisation),
        plan=plan,
        person=person,
        hours=Decimal(hours),
        start_month=first,
        end_month=last or first,
    )


def action_for(org: Org, owner: User, hours: int | str | None, due: datetime.date, **kw) -> Action:
    return Action.objects.create(
        organisation=org.organisation,
        title=kw.pop("title", f"Action due {due}"),
        owner=owner,
        due_date=due,
        estimated_effort_hours=None if hours is None else Decimal(hours),
        **kw,
    )
