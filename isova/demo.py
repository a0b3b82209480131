"""Demo data: a 40-person precision-engineering firm and a small care home.

`seed()` is idempotent: people and memberships are brought to the state below on every run,
and each organisation's sample records are made only the first time. Apps add their own demo
data by registering a `DemoSeeder` (`isova.registry`) from their `AppConfig.ready()`; `seed()`
runs them in dependency order.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from isova.accounts.models import Membership, Organisation, Role, User
from isova.actions.models import Action, ActionStatus, Priority
from isova.notifications.models import Notification
from isova.records import policy as policy_services
from isova.records.models import QualityPolicy

from . import records
from .registry import registry

DEMO_PASSWORD = "isova-demo"


@dataclass(frozen=True)
class Person:
    email: str
    name: str
    role: str
    title: str


ENGINEERING: dict[str, Any] = {
    "name": "Hartwell Precision Engineering Ltd",
    "slug": "hartwell",
    "timezone": "Europe/London",
    "people": [
        Person("leader@example.com", "Helen Hartwell", Role.LEADER, "Managing Director"),
        Person("manager@example.com", "Marcus Reid", Role.MANAGER, "Quality Manager"),
        Person("staff@example.com", "Sam Okafor", Role.STAFF, "CNC Machinist"),
        Person("auditor@example.com", "Alicia Park", Role.AUDITOR, "Internal Auditor"),
        Person("ops@example.com", "Owen Price", Role.LEADER, "Operations Director"),
        Person("production@example.com", "Priya Shah", Role.MANAGER, "Production Manager"),
        Person("inspector@example.com", "Tom Becker", Role.STAFF, "Quality Inspector"),
        Person("stores@example.com", "Lena Novak", Role.STAFF, "Stores and Purchasing"),
        Person("sales@example.com", "Dev Patel", Role.STAFF, "Customer Service Lead"),
    ],
    "actions": [
        "Recalibrate CMM probe after annual service",
        "Update first-article inspection checklist for aerospace brackets",
        "Train two operators on the new 5-axis setup sheet",
        "Replace worn tool-holder gauges in cell 3",
        "Review supplier scorecards for Q3 deliveries",
        "Add torque values to work instruction WI-114",
        "Investigate late deliveries to Northline Aero",
        "Quarantine and re-inspect batch 24-1187",
        "Define reaction plan for out-of-tolerance bore diameters",
        "Publish updated quality policy on the shop-floor boards",
        "Set up customer complaint log in the shared drive",
        "Verify coolant concentration checks are recorded daily",
        "Agree preventive maintenance plan for the Mazak lathes",
        "Refresh competence matrix for inspection staff",
        "Close out containment for scratched anodised panels",
        "Audit label printing against the customer's drawing revision",
        "Survey customers on delivery communication",
        "Add SPC charts for critical dimensions on part 7731",
        "Review calibration intervals for hand gauges",
        "Run toolbox talk on foreign-object debris",
        "Check material certificates for aluminium 6082 deliveries",
        "Document the engineering change process",
        "Replace damaged racking in finished-goods store",
        "Evaluate a second heat-treatment supplier",
        "Update the risk log after the new press installation",
        "Train the new starter on the non-conformance procedure",
        "Record downtime reasons on the cell 2 board",
        "Reduce scrap on the turned shaft family",
        "Introduce daily start-up checks for the laser marker",
        "Check ESD protection in the electronics assembly area",
    ],
}

CARE_HOME: dict[str, Any] = {
    "name": "Rosewood Care Home",
    "slug": "rosewood",
    "timezone": "Europe/London",
    "people": [
        Person("leader@care.example.com", "Grace Mbeki", Role.LEADER, "Registered Manager"),
        Person("deputy@care.example.com", "Nina Walsh", Role.MANAGER, "Deputy Manager"),
        Person("carer@care.example.com", "Joe Lambert", Role.STAFF, "Senior Carer"),
        Person("manager@example.com", "Marcus Reid", Role.STAFF, "Volunteer quality adviser"),
    ],
    "actions": [
        "Review falls risk assessments for all residents",
        "Refresh medication administration training",
        "Check fridge temperature log in the kitchen",
        "Update the visitors' feedback form",
        "Replace call-bell batteries on the first floor",
        "Arrange fire drill for the night shift",
        "Audit care plans for nutrition and hydration",
        "Publish the residents' meeting minutes",
    ],
}

NOTES = ["Keep it simple.", "Record evidence on completion.", "Coordinate with the shift leads."]

# status, days from today to the due date (negative: in the past)
STATUS_PATTERN = [
    (ActionStatus.OPEN, 14),
    (ActionStatus.IN_PROGRESS, 7),
    (ActionStatus.OPEN, -9),  # overdue
    (ActionStatus.DONE, -3),
    (ActionStatus.VERIFIED, -20),
    (ActionStatus.IN_PROGRESS, -2),  # overdue
    (ActionStatus.OPEN, 30),
    (ActionStatus.CANCELLED, 10),
    (ActionStatus.IN_PROGRESS, 21),
    (ActionStatus.OPEN, -35),  # long overdue
]


def _people(spec: dict, organisation: Organisation) -> dict[str, User]:
    users: dict[str, User] = {}
    for person in spec["people"]:
        user, created = User.objects.get_or_create(
            email=person.email, defaults={"full_name": person.name}
        )
        if created or not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        Membership.objects.update_or_create(
            user=user,
            organisation=organisation,
            defaults={"role": person.role, "job_title": person.title},
        )
        users[person.email] = user
    return users


def _actions(
    spec: dict, organisation: Organisation, users: dict[str, User], rng: random.Random
) -> None:
    """The spec's actions shared out among the people, and the staff persona's own work."""
    people = list(users.values())
    assigners = [
        u
        for p, u in zip(spec["people"], people, strict=True)
        if p.role in (Role.LEADER, Role.MANAGER)
    ]
    today = organisation.today()
    now = timezone.now()
    for i, title in enumerate(spec["actions"]):
        _action(organisation, i, title, people, assigners, today, now, rng)
    _staff_actions(organisation, users, assigners, today)


def _action(
    organisation: Organisation,
    i: int,
    title: str,
    people: list[User],
    assigners: list[User],
    today: datetime.date,
    now: datetime.datetime,
    rng: random.Random,
) -> None:
    """The i-th action: its owner, assigner and status by pattern; done and verified dated."""
    status, days = STATUS_PATTERN[i % len(STATUS_PATTERN)]
    owner = people[(i * 7 + 2) % len(people)]
    assigner = next((a for a in assigners if a != owner), assigners[0])
    action = Action(
        organisation=organisation,
        title=title,
        description="Raised during routine quality work. " + rng.choice(NOTES),
        owner=owner,
        assigned_by=assigner,
        due_date=today + datetime.timedelta(days=days),
        priority=rng.choice(Priority.values),
        status=status,
        estimated_effort_hours=rng.choice([2, 4, 8, 16, 24]),
        estimated_cost=rng.choice([None, 150, 400, 1200]),
    )
    if status in (ActionStatus.DONE, ActionStatus.VERIFIED):
        action.completed_at, action.completed_by = now - datetime.timedelta(days=5), owner
        action.completion_note = "Done; evidence filed."
    if status == ActionStatus.VERIFIED:
        action.verified_at, action.verified_by = now - datetime.timedelta(days=2), assigner
        action.verification_note = "Checked on the shop floor."
    action.save()


def _staff_actions(
    organisation: Organisation,
    users: dict[str, User],
    assigners: list[User],
    today: datetime.date,
) -> None:
    """The staff persona always has work to do, some of it overdue."""
    staff = users.get("staff@example.com")
    if staff:
        for title, days, status in [
            ("Clean and check the bar feeder on lathe 4", -4, ActionStatus.OPEN),
            ("Record first-off measurements for job 5521", 2, ActionStatus.OPEN),
            ("Label the new gauge drawer", 6, ActionStatus.IN_PROGRESS),
        ]:
            Action.objects.create(
                organisation=organisation,
                title=title,
                owner=staff,
                assigned_by=assigners[-1],
                due_date=today + datetime.timedelta(days=days),
                status=status,
                priority=Priority.MEDIUM,
            )


DEMO_POLICY_TEXT = (
    "{name} makes what our customers ordered, right first time and on time.\n\n"
    "We meet our customers' and the law's requirements, set measurable quality objectives "
    "each year and review them at management review, and give everyone the training and "
    "equipment to do their work well.\n\n"
    "We improve the quality management system continually, from audits, complaints and "
    "the ideas of our own people."
)


def seed_demo_policy(
    organisation: Organisation, users_by_email: dict[str, User], *, password: str | None = None
) -> None:
    """Idempotent demo: a quality policy whose v1 a leader approved, and a pending v2.

    The manager submitted v1, a leader approved it; then the manager widened the text, which
    superseded the approval, and submitted v2: it waits in the leaders' approvals inbox.
    Does nothing if the organisation already has a quality policy or lacks a leader and a
    manager among `users_by_email`. The leader signs with `password` (the demo password).
    """
    if QualityPolicy.objects.filter(organisation=organisation).exists():
        return
    memberships = {
        m.role: m
        for m in Membership.objects.filter(
            organisation=organisation, user__in=list(users_by_email.values())
        )
        .select_related("user", "organisation")
        .order_by("-pk")
    }
    leader, manager = memberships.get(Role.LEADER), memberships.get(Role.MANAGER)
    if leader is None or manager is None:
        return
    today = organisation.today()
    policy = policy_services.policy_create(
        membership=manager,
        title="Quality policy",
        text=DEMO_POLICY_TEXT.format(name=organisation.name),
        owner=leader.user,
        effective_from=today.replace(month=1, day=1),
    )
    records.submit(
        membership=manager, obj=policy, comment="Annual review: no change to the wording."
    )
    records.approve(
        membership=leader,
        obj=policy,
        password=password or DEMO_PASSWORD,
        comment="Approved at management review.",
    )
    policy, _ = policy_services.policy_update(
        membership=manager,
        policy=policy,
        text=policy.text + "\n\nWe choose suppliers who share these commitments.",
    )
    records.submit(membership=manager, obj=policy, comment="Added our commitment on suppliers.")


@transaction.atomic
def seed() -> list[Organisation]:
    """Create the demo organisations; the e-mails their history would have sent are not sent."""
    rng = random.Random(9001)
    started = timezone.now()
    organisations = []
    for spec in (ENGINEERING, CARE_HOME):
        organisation, _ = Organisation.objects.update_or_create(
            slug=spec["slug"], defaults={"name": spec["name"], "timezone": spec["timezone"]}
        )
        users = _people(spec, organisation)
        if not Action.objects.for_org(organisation).exists():
            _actions(spec, organisation, users, rng)
        seed_demo_policy(organisation, users)
        for seeder in registry.demo_seeders():
            seeder.seed(organisation, users, rng)
        organisations.append(organisation)
    # Keep the notifications (they show in the app) but mark them delivered: the deliveries
    # queued for after this transaction then find nothing to send.
    Notification.objects.filter(created_at__gte=started, sent_at=None).update(
        sent_at=timezone.now()
    )
    return organisations
