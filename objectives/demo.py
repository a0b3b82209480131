"""Demo objectives: 18 months of monthly values with believable trends.

Registered as a `DemoSeeder` (`ObjectivesConfig.ready()`), run by `isova.demo.seed` for each
demo organisation; does nothing for an organisation that already has objectives (idempotent).
Approved objectives go through the one records mechanism: the quality manager submits, the
managing director approves with her password.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.urls import reverse
from simple_history.utils import bulk_create_with_history

from isova import records
from isova.demo import DEMO_PASSWORD
from isova.lessons import services as lessons
from isova.lessons.models import Lesson
from isova.models import Action, ActionStatus, Membership, Notification, Organisation, User
from isova.registry import DemoSeeder, registry

from . import services
from .models import (
    Decision,
    Frequency,
    Measurement,
    Objective,
    Review,
    Status,
    StrategicGoal,
    add_months,
    period_bounds,
)


@dataclass
class Spec:
    title: str
    goal: str
    why: str
    measure: str
    unit: str
    baseline: float
    target: float
    owner: str
    # share of the planned improvement actually reached, as a function of the planned share
    trend: str = "on_track"  # on_track, ahead, amber, drift, stale, new, none
    frequency: str = Frequency.MONTHLY
    status: str = Status.ACTIVE
    decimals: int = 1
    months_left: int = 6
    review_overdue: bool = False
    steps: list[tuple[str, str, int, str]] = field(default_factory=list)  # title, owner, due, st
    # Closed as missed a week ago, and its lesson: what worked, what didn't, process tags, and
    # the improvement it became (action title, owner).
    missed: LessonStory | None = None


@dataclass(frozen=True)
class LessonStory:
    worked: str
    did_not: str
    tags: tuple[str, ...]
    action: str
    action_owner: str


HARTWELL_GOALS = {
    "On-time delivery": "Deliver what customers ordered when we promised it.",
    "Customer retention": "Keep our aerospace and automotive customers coming back.",
    "Right first time": "Make it right the first time: less scrap, rework and inspection.",
    "People development": "Skilled, trained people on every shift.",
}
HARTWELL = [
    Spec(
        "Raise on-time delivery to 95%",
        "On-time delivery",
        "Two customers put us on watch for late deliveries; on-time delivery keeps the contracts.",
        "Orders delivered on or before the promised date",
        "%",
        82,
        95,
        "production@example.com",
        steps=[
            ("Introduce a weekly capacity review", "production@example.com", -300, "verified"),
            ("Agree buffer stock for long-lead materials", "stores@example.com", -120, "done"),
            ("Report promised vs. actual dates to customers", "sales@example.com", 40, "open"),
        ],
    ),
    Spec(
        "Suppliers' on-time delivery of 95%",
        "On-time delivery",
        "Late material from suppliers caused a third of our own late deliveries.",
        "Supplier deliveries on or before the agreed date",
        "%",
        84,
        95,
        "stores@example.com",
        trend="amber",
        months_left=-1,
        steps=[("Weekly expediting call with key suppliers", "stores@example.com", -150, "done")],
        missed=LessonStory(
            worked="The weekly expediting call with our three largest suppliers halved their "
            "late deliveries within two months, and gave us a week's warning when one would "
            "slip.",
            did_not="We set the 95% target without the suppliers agreeing to it, and our only "
            "heat-treatment supplier had no spare capacity during its summer shutdown: four "
            "late batches in August alone put the year out of reach.",
            tags=("Purchasing", "Production planning"),
            action="Qualify a second heat-treatment supplier before the summer shutdown",
            action_owner="stores@example.com",
        ),
    ),
    Spec(
        "Cut customer complaints to 2 a month",
        "Customer retention",
        "Every complaint costs us goodwill and about £1,200 to investigate and put right.",
        "Customer complaints received",
        "complaints",
        9,
        2,
        "manager@example.com",
        trend="ahead",
        decimals=0,
        steps=[
            ("Set up the customer complaint log", "manager@example.com", -400, "verified"),
            (
                "Root-cause review of every complaint within 10 days",
                "manager@example.com",
                60,
                "in_progress",
            ),
        ],
    ),
    Spec(
        "Reduce scrap on turned parts to 1.5%",
        "Right first time",
        "Scrap on the turned shaft family is our largest avoidable cost.",
        "Scrap as a share of parts turned",
        "%",
        4.2,
        1.5,
        "production@example.com",
        trend="drift",
        decimals=2,
        steps=[
            ("Add SPC charts for critical diameters", "inspector@example.com", -200, "done"),
            ("Record scrap reasons at each lathe", "staff@example.com", 20, "in_progress"),
            ("Replace worn collets on lathes 3 and 4", "staff@example.com", -30, "open"),
        ],
    ),
    Spec(
        "First-pass yield at final inspection of 98%",
        "Right first time",
        "Rework hides problems and ties up inspectors.",
        "Batches passing final inspection first time",
        "%",
        93,
        98,
        "inspector@example.com",
        trend="amber",
        steps=[("Update first-article checklist", "inspector@example.com", -90, "done")],
    ),
    Spec(
        "Customer satisfaction score of 8.5 out of 10",
        "Customer retention",
        "Satisfied customers reorder and recommend us.",
        "Average score in the quarterly customer survey",
        "points",
        7.4,
        8.5,
        "sales@example.com",
        frequency=Frequency.QUARTERLY,
        steps=[("Survey customers on delivery communication", "sales@example.com", 30, "open")],
    ),
    Spec(
        "Supplier on-time delivery of 92%",
        "On-time delivery",
        "Late material is the first cause of our own late deliveries.",
        "Purchase orders received on time",
        "%",
        78,
        92,
        "stores@example.com",
        trend="stale",
        steps=[("Review supplier scorecards every quarter", "stores@example.com", 15, "open")],
    ),
    Spec(
        "Complete 90% of the training plan",
        "People development",
        "The competence matrix showed gaps on the new 5-axis machines.",
        "Training plan items completed",
        "%",
        55,
        90,
        "manager@example.com",
        steps=[
            (
                "Train two operators on the 5-axis setup sheet",
                "production@example.com",
                -60,
                "verified",
            ),
            ("Refresh the competence matrix", "manager@example.com", 45, "open"),
        ],
    ),
    Spec(
        "Cut unplanned machine downtime to 4%",
        "On-time delivery",
        "Breakdowns on the Mazak lathes delay a third of late orders.",
        "Unplanned downtime as a share of planned hours",
        "%",
        9,
        4,
        "ops@example.com",
        trend="amber_late",
        review_overdue=True,
        steps=[("Agree a preventive maintenance plan", "ops@example.com", -20, "in_progress")],
    ),
    Spec(
        "Quote within 3 working days",
        "Customer retention",
        "Slow quotes lose us work to faster competitors.",
        "Average working days from enquiry to quote",
        "days",
        7,
        3,
        "sales@example.com",
        trend="new",
        status=Status.SUBMITTED,
        months_left=9,
        steps=[("Standard quoting template for repeat parts", "sales@example.com", 60, "open")],
    ),
    Spec(
        "Internal audit programme on schedule",
        "Right first time",
        "",
        "Planned internal audits done in their month",
        "%",
        70,
        100,
        "manager@example.com",
        trend="none",
        status=Status.DRAFT,
        months_left=12,
    ),
]

ROSEWOOD_GOALS = {
    "Resident safety": "Residents are safe from avoidable harm.",
    "Residents and families": "Residents and their families would recommend us.",
}
ROSEWOOD = [
    Spec(
        "Reduce falls to 2 a month",
        "Resident safety",
        "Falls are the most common cause of harm to our residents.",
        "Falls recorded in the incident log",
        "falls",
        6,
        2,
        "deputy@care.example.com",
        decimals=0,
        steps=[("Review falls risk assessments", "carer@care.example.com", 20, "in_progress")],
    ),
    Spec(
        "Family satisfaction of 90%",
        "Residents and families",
        "Families choose us by word of mouth.",
        "Families who would recommend us",
        "%",
        78,
        90,
        "leader@care.example.com",
        frequency=Frequency.QUARTERLY,
        trend="amber",
        steps=[("Update the visitors' feedback form", "deputy@care.example.com", 30, "open")],
    ),
    Spec(
        "Every care plan reviewed within its month",
        "Resident safety",
        "A plan that is out of date puts the resident at risk and fails inspection.",
        "Care plans reviewed on time",
        "%",
        80,
        100,
        "deputy@care.example.com",
        trend="amber",
        months_left=-1,
        steps=[("Name a key worker for each resident", "deputy@care.example.com", -200, "done")],
        missed=LessonStory(
            worked="Naming a key worker for each resident worked: day-shift plans were reviewed "
            "on time every month.",
            did_not="Night-shift residents' reviews slipped when two senior carers left in the "
            "spring; the only reminder was the paper diary in the office, which nobody on "
            "nights owned.",
            tags=("Care planning", "Staffing"),
            action="Put care-plan review dates in the rota system, with reminders to key workers",
            action_owner="deputy@care.example.com",
        ),
    ),
    Spec(
        "Medication administration errors below 1 a month",
        "Resident safety",
        "Every error is a risk to a resident and must be reported to the regulator.",
        "Medication errors recorded",
        "errors",
        3,
        1,
        "deputy@care.example.com",
        decimals=0,
        trend="ahead",
        steps=[("Refresh medication training", "deputy@care.example.com", -40, "done")],
    ),
]

SUBMITTER = {"hartwell": "manager@example.com", "rosewood": "deputy@care.example.com"}
APPROVER = {"hartwell": "leader@example.com", "rosewood": "leader@care.example.com"}


def _achieved_share(trend: str, planned: float, i: int, n: int, rng: random.Random) -> float:
    """How much of the planned improvement the real values show, by trend."""
    noise = rng.uniform(-0.05, 0.05)
    if trend == "ahead":
        return planned * 1.12 + noise
    if trend == "amber":
        return planned * 0.86 + noise / 2
    if trend == "amber_late":
        return planned * (1 - 0.25 * i / max(n, 1)) + noise / 2
    if trend == "drift":  # improved at first, then slid back
        return min(planned, 0.35) - max(0, i - 8) * 0.03 + noise
    return planned + noise


def _values(spec: Spec, objective: Objective, today: datetime.date, rng: random.Random) -> None:
    last_complete = period_bounds(today, spec.frequency)[0] - datetime.timedelta(days=1)
    if spec.trend == "stale":
        last_complete = add_months(last_complete, -5)
    duration = (objective.target_date - objective.start_date).days
    rows, day = [], objective.start_date
    periods = []
    while True:
        start, end = period_bounds(day, spec.frequency)
        if end > last_complete:
            break
        periods.append((start, end))
        day = end + datetime.timedelta(days=1)
    for i, (start, end) in enumerate(periods):
        planned = (end - objective.start_date).days / duration
        share = _achieved_share(spec.trend, planned, i, len(periods), rng)
        value = spec.baseline + (spec.target - spec.baseline) * share
        value = max(0.0, min(value, 100.0) if spec.unit == "%" else value)
        rows.append(
            Measurement(
                objective=objective,
                period=start,
                period_end=end,
                value=round(Decimal(str(value)), spec.decimals),
                recorded_by=objective.owner,
            )
        )
    bulk_create_with_history(rows, Measurement, default_user=objective.owner)
    if spec.title.startswith("Raise on-time") and len(rows) > 3:
        # One corrected value, so the page shows how a re-entered value keeps its history.
        row = rows[-3]
        services._save_value(
            objective, row.period, row.value - 2, "Corrected after the ERP re-run.", objective.owner
        )


def _steps(spec: Spec, objective: Objective, users: dict[str, User], today: datetime.date):
    assigner = objective.created_by
    for title, owner, due_in, status in spec.steps:
        due = min(today + datetime.timedelta(days=due_in), objective.target_date)
        action = Action(
            organisation=objective.organisation,
            title=title,
            owner=users[owner],
            assigned_by=assigner,
            due_date=due,
            status=status,
            estimated_effort_hours=Decimal(8 * (1 + len(title) % 4)),
        )
        if status in (ActionStatus.DONE, ActionStatus.VERIFIED):
            action.completed_by = users[owner]
            action.completed_at = datetime.datetime.combine(
                due, datetime.time(15), tzinfo=objective.organisation.tzinfo
            )
        action.source = objective
        action.save()


def _close_missed(
    lesson: LessonStory,
    objective: Objective,
    leader: Membership,
    members: dict[str, Membership],
    today: datetime.date,
) -> None:
    """Close the objective as missed (which asks its owner for the lesson), the owner captures
    what worked and what didn't, and the leader turns it into an improvement."""
    services.review_record(
        membership=leader,
        objective=objective,
        reviewed_on=today - datetime.timedelta(days=7),
        decision=Decision.MISSED,
        note="Closed as missed at the operations meeting: see the lesson.",
    )
    asked = Lesson.objects.for_org(objective.organisation).get(
        source_kind="objective", source_id=objective.pk
    )
    lessons.lesson_capture(
        membership=members[objective.owner.email],
        lesson=asked,
        what_worked=lesson.worked,
        what_did_not=lesson.did_not,
        tags=lesson.tags,
    )
    action = lessons.lesson_improve(
        membership=leader,
        lesson=asked,
        title=lesson.action,
        owner=members[lesson.action_owner].user,
        due_date=today + datetime.timedelta(days=75),
    )
    # Told in person at the meeting: neither the prompt nor the assignment is news.
    Notification.objects.filter(
        organisation=objective.organisation,
        kind__in=["lesson_prompted", "action_assigned"],
        url__in=[asked.get_absolute_url(), reverse("action_detail", args=[action.pk])],
    ).delete()


def seed(organisation: Organisation, users: dict[str, User], rng: random.Random) -> None:
    """The organisation's strategic goals and objectives, each with its plan, its measured
    values, and approved and reviewed as its spec says."""
    if Objective.objects.for_org(organisation).exists():
        return
    specs, goals = {
        "hartwell": (HARTWELL, HARTWELL_GOALS),
        "rosewood": (ROSEWOOD, ROSEWOOD_GOALS),
    }.get(organisation.slug, ([], {}))
    if not specs:
        return
    today = organisation.today()
    goal_rows = {
        title: StrategicGoal.objects.create(
            organisation=organisation, title=title, description=text
        )
        for title, text in goals.items()
    }
    membership = {
        m.user.email: m
        for m in Membership.objects.for_org(organisation).select_related("user", "organisation")
    }
    submitter = membership[SUBMITTER[organisation.slug]]
    approver = membership[APPROVER[organisation.slug]]
    for spec in specs:
        objective, last_review = _objective(
            spec, organisation, goal_rows, users, submitter, today, rng
        )
        _steps(spec, objective, users, today)
        if spec.trend != "none":
            _values(spec, objective, today, rng)
        if spec.status in (Status.ACTIVE, Status.SUBMITTED):
            services.objective_submit(membership=submitter, objective=objective)
        if spec.status == Status.ACTIVE:
            _approve_and_review(spec, organisation, objective, approver, last_review, today)
        if spec.missed:
            _close_missed(spec.missed, objective, approver, membership, today)


def _objective(
    spec: Spec,
    organisation: Organisation,
    goal_rows: dict[str, StrategicGoal],
    users: dict[str, User],
    submitter: Membership,
    today: datetime.date,
    rng: random.Random,
) -> tuple[Objective, datetime.date]:
    """The spec's objective as a draft, started 18 months ago (3 when new); with the date of
    its last review."""
    first = add_months(today.replace(day=1), -18)
    start = add_months(today.replace(day=1), -3) if spec.trend == "new" else first
    if spec.frequency == Frequency.QUARTERLY:
        start = period_bounds(start, spec.frequency)[0]
    target_date = add_months(today.replace(day=1), spec.months_left) - datetime.timedelta(1)
    last_review = today - datetime.timedelta(days=rng.randint(20, 60))
    next_review = today - datetime.timedelta(days=24) if spec.review_overdue else None
    objective = Objective.objects.create(
        organisation=organisation,
        title=spec.title,
        goal=goal_rows[spec.goal],
        why=spec.why,
        owner=users[spec.owner],
        measure_name=spec.measure,
        unit=spec.unit,
        direction="higher" if spec.target > spec.baseline else "lower",
        baseline=Decimal(str(spec.baseline)),
        target=Decimal(str(spec.target)),
        start_date=start,
        target_date=target_date,
        frequency=spec.frequency,
        resources="" if spec.trend == "none" else "Owner 2 hours a week; budget as planned.",
        budget=Decimal(rng.choice([500, 1500, 4000])),
        evaluation=""
        if spec.trend == "none"
        else "Monthly at the operations meeting; success means the target is met.",
        next_review_date=next_review or add_months(last_review, 3),
        created_by=submitter.user,
    )
    return objective, last_review


def _approve_and_review(
    spec: Spec,
    organisation: Organisation,
    objective: Objective,
    approver: Membership,
    last_review: datetime.date,
    today: datetime.date,
) -> None:
    """A submitted objective approved (its past notifications dropped) and reviewed once."""
    records.approve(
        membership=approver,
        obj=objective,
        password=DEMO_PASSWORD,
        comment="Approved at the management meeting.",
    )
    # A past approval is not news: drop its notifications (and so their e-mails).
    Notification.objects.filter(
        organisation=organisation,
        kind__in=["approval_requested", "approval_decided"],
        url=objective.get_absolute_url(),
    ).delete()
    Review.objects.create(
        objective=objective,
        reviewed_on=last_review if not spec.review_overdue else add_months(today, -4),
        note="Reviewed the trend and the plan with the owner.",
        decision=Decision.CONTINUE,
        reviewed_by=approver.user,
    )


registry.register("demo", DemoSeeder(name="objectives", seed=seed))
