"""Demo resources: people, tools and budget on the demo plans, and a manager over-allocated
in March (the next one) in both demo organisations.

Hartwell: Marcus Reid, the quality manager, is named on the late-delivery risk's plan, the
complaints objective and the on-time-delivery objective, and owns two actions due in March:
about 62 hours against his 40. Rosewood: Nina Walsh, the deputy manager, carries the falls
and medication work and an action due in March: about 57 hours against 40. Plans are found
by their titles (the core imports no app); the leaders approve each changed plan again, as
they would have, so the demo's approvals cover the allocations.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from isova import records
from isova.accounts.models import Membership, Organisation, User
from isova.actions.models import Action, Priority
from isova.demo import DEMO_PASSWORD
from isova.notifications.models import Notification
from isova.records.models import Approvable, RecordStatus, RecordVersion
from isova.registry import DemoSeeder, registry

from . import services
from .models import Allocation, LineKind, ResourcePlan, add_months, resource_plan_models


@dataclass(frozen=True)
class Need:
    """What one plan (found by a word of its title) needs; months relative to March."""

    title: str
    people: list[tuple[str, int, int, int, str]]  # email, hours, from, to, what they do
    lines: list[tuple[str, str, int, int]] = field(default_factory=list)  # kind, what, £, spent


@dataclass(frozen=True)
class Story:
    manager: str
    leader: str
    needs: list[Need]
    actions: list[tuple[str, int, int]]  # the manager's actions: title, hours, day of March
    capacity: dict[str, int] = field(default_factory=dict)


STORIES = {
    "hartwell": Story(
        manager="manager@example.com",
        leader="leader@example.com",
        needs=[
            Need(
                "Late deliveries to Northline Aero",
                [
                    ("manager@example.com", 24, 0, 0, "Weekly expediting and the customer review"),
                    ("sales@example.com", 30, -2, 0, "Rolling 12-week forecast with Northline"),
                ],
                [
                    (LineKind.BUDGET, "Premium freight for late orders", 3000, 1250),
                    (LineKind.TOOL, "ERP delivery-tracking add-on", 1200, 1200),
                ],
            ),
            Need(
                "Cut customer complaints",
                [("manager@example.com", 24, -1, 1, "Root-cause review of every complaint")],
                [(LineKind.BUDGET, "8D problem-solving training for two team leaders", 900, 0)],
            ),
            Need(
                "Raise on-time delivery",
                [
                    ("production@example.com", 36, -3, -1, "Weekly capacity review"),
                    ("manager@example.com", 12, 0, 0, "Delivery reports to customers"),
                ],
            ),
            Need(
                "Sole heat-treatment supplier",
                [("stores@example.com", 16, -3, -2, "Second supplier's trial batch")],
                [(LineKind.BUDGET, "Trial batch at the second heat treater", 1800, 600)],
            ),
        ],
        actions=[
            ("Prepare the Northline Aero quarterly business review", 12, 15),
            ("Update the delivery-performance report for the board", 6, 20),
        ],
        # A leader with more time for the QMS; the customer lead and inspector are quality roles.
        capacity={
            "leader@example.com": 50,
            "sales@example.com": 60,
            "inspector@example.com": 60,
        },
    ),
    "rosewood": Story(
        manager="deputy@care.example.com",
        leader="leader@care.example.com",
        needs=[
            Need(
                "Reduce falls",
                [
                    ("deputy@care.example.com", 30, -1, 0, "Night-time falls audit"),
                    ("carer@care.example.com", 20, 0, 1, "Falls-prevention huddles"),
                ],
                [(LineKind.TOOL, "Sensor mats for the first floor", 2400, 0)],
            ),
            Need(
                "Medication administration errors",
                [("deputy@care.example.com", 24, 0, 0, "Competency checks for every nurse")],
                [(LineKind.TOOL, "eMAR system licence", 1500, 1500)],
            ),
            Need(
                "Falls at night",
                [("deputy@care.example.com", 8, 0, 0, "Review of night staffing")],
            ),
        ],
        actions=[("Run the medication competency assessments", 10, 10)],
        capacity={"carer@care.example.com": 20},
    ),
}


def next_march(today: datetime.date) -> datetime.date:
    """The first of the coming March (this one while it lasts)."""
    year = today.year if today.month <= 3 else today.year + 1
    return datetime.date(year, 3, 1)


def _plans(organisation: Organisation) -> list[ResourcePlan]:
    plans: list[ResourcePlan] = []
    for model in resource_plan_models():
        plans += list(model._default_manager.filter(organisation=organisation).order_by("pk"))  # type: ignore[misc]
    return plans


def _status(plan: ResourcePlan) -> str | None:
    version = RecordVersion.objects.for_record(plan).order_by("-number").first()
    return version.status if version else None


def _approve_again(
    plan: ResourcePlan, was: str | None, manager: Membership, leader: Membership
) -> None:
    """Leaders approved the plan before: they approve it again with its resources."""
    if not isinstance(plan, Approvable) or was not in (
        RecordStatus.APPROVED,
        RecordStatus.SUBMITTED,
    ):
        return
    records.submit(membership=manager, obj=plan, comment="People, tools and budget allocated.")
    if was == RecordStatus.APPROVED:
        records.approve(
            membership=leader,
            obj=plan,
            password=DEMO_PASSWORD,
            comment="Resources approved with the plan.",
        )


def _allocate(
    need: Need, plan: ResourcePlan, users: dict[str, User], march: datetime.date, by: Membership
) -> None:
    for email, hours, first, last, note in need.people:
        if email not in users:
            continue
        services.allocation_add(
            membership=by,
            plan=plan,
            person=users[email],
            hours=Decimal(hours),
            start_month=add_months(march, first),
            end_month=add_months(march, last),
            note=note,
        )
    for kind, description, amount, spent in need.lines:
        line = services.line_add(
            membership=by,
            plan=plan,
            kind=kind,
            description=description,
            amount_approved=Decimal(amount),
        )
        if spent:
            services.line_record_spent(membership=by, line=line, amount_spent=Decimal(spent))


def seed(organisation: Organisation, users: dict[str, User], rng: random.Random) -> None:
    story = STORIES.get(organisation.slug)
    if story is None or Allocation.objects.for_org(organisation).exists():
        return
    members = {
        m.user.email: m
        for m in Membership.objects.for_org(organisation).select_related("user", "organisation")
    }
    manager, leader = members.get(story.manager), members.get(story.leader)
    if manager is None or leader is None:
        return
    started = timezone.now()
    march = next_march(organisation.today())
    plans = _plans(organisation)
    for need in story.needs:
        plan = next((p for p in plans if need.title.lower() in str(p).lower()), None)
        if plan is None:
            continue
        was = _status(plan)
        _allocate(need, plan, users, march, manager)
        _approve_again(plan, was, manager, leader)
    for title, hours, day in story.actions:
        Action.objects.create(
            organisation=organisation,
            title=title,
            owner=manager.user,
            assigned_by=leader.user,
            due_date=march.replace(day=day),
            priority=Priority.HIGH,
            estimated_effort_hours=Decimal(hours),
        )
    for email, hours in story.capacity.items():
        if email in members:
            Membership.objects.filter(pk=members[email].pk).update(capacity_hours=hours)
    # The story's past approvals are not news: no notifications (and so no e-mails).
    Notification.objects.filter(organisation=organisation, created_at__gte=started).delete()


registry.register("demo", DemoSeeder(name="resources", seed=seed, after=("objectives", "risks")))
