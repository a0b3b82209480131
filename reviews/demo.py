"""Demo data of the reviews app: quarterly reviews, a year of feedback, policy acknowledgements.

Hartwell (slug "hartwell"): four past quarterly reviews (Owen Price, ops@example.com, absent
twice) with decisions and their actions (the older ones done, some still open), the next one
planned; a year of complaints, compliments, survey scores and staff suggestions (one changed
an objective); the policy's v2 approved, acknowledgements of v1 by most and v2 by some.
Rosewood: one annual review and a few suggestions. Idempotent: each part is made once.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from isova import records
from isova.actions import services as actions
from isova.demo import DEMO_PASSWORD
from isova.models import Membership, Organisation, QualityPolicy, RecordStatus, User
from isova.registry import DemoSeeder, registry
from objectives.models import Objective

from . import services
from .models import (
    AttendanceStatus,
    ContextIssue,
    Feedback,
    FeedbackKind,
    FeedbackStatus,
    IssueKind,
    OutputKind,
    PolicyAcknowledgement,
    Review,
)
from .pack import section_keys

DISCUSSION = {
    "a": "Went through every open output; owners confirmed dates.",
    "b": "No new external issues; the new customer portal noted as an internal change.",
    "c": "Figures accepted; complaints trend discussed with sales.",
    "d": "Inspection capacity is tight on nights; see resource decision.",
    "f": "Suggestions reviewed; two taken forward.",
}
ISSUES = [
    (
        IssueKind.EXTERNAL,
        "Aerospace customers require AS9100-style first article inspection",
        "Two key customers now ask for FAI reports with every new part.",
    ),
    (IssueKind.EXTERNAL, "Steel bar prices volatile", "Quote validity cut to 14 days."),
    (
        IssueKind.INTERNAL,
        "Two experienced setters retire next year",
        "Knowledge capture and training plan needed.",
    ),
    (
        IssueKind.PARTY,
        "Customers: on-time delivery and certificates of conformity",
        "OTD above 95%, CoC with every shipment.",
    ),
    (IssueKind.PARTY, "Employees: safe work and training", "Annual skills matrix review."),
]
COMPLAINTS = [
    ("Late delivery of bracket batch", "Apex Aero", "delivery", "medium"),
    ("Burr on bore edge", "Northfield Pumps", "quality", "high"),
    ("Wrong certificate attached", "Apex Aero", "documentation", "low"),
    ("Parts scratched in transit", "Corby Hydraulics", "packaging", "medium"),
    ("Short shipment (48 of 50)", "Northfield Pumps", "delivery", "medium"),
    ("Thread gauge failure on 3 parts", "Apex Aero", "quality", "high"),
]
COMPLIMENTS = [
    ("Quick turnaround on urgent shaft order", "Corby Hydraulics"),
    ("Excellent FAI report", "Apex Aero"),
    ("Helpful call from customer service", "Northfield Pumps"),
]
SUGGESTIONS = [
    ("Shadow boards for the CNC tool trolleys", "staff@example.com"),
    ("Scan paperwork at goods-in instead of filing", "stores@example.com"),
    ("Record first-time-right per machine, not per cell", "inspector@example.com"),
    ("Call customers when a delivery will be late, before they chase", "sales@example.com"),
]
CARE_SUGGESTIONS = [
    "Put the hydration chart on the bedroom door",
    "Short handover huddle at 2 pm",
    "Ask families for feedback after each care plan review",
]


def seed(organisation: Organisation, people: dict[str, User], rng: random.Random) -> None:
    members = {
        m.user.email: m
        for m in Membership.objects.filter(organisation=organisation).select_related(
            "user", "organisation"
        )
    }
    if organisation.slug == "hartwell" and "leader@example.com" in members:
        _hartwell(organisation, members, rng)
    elif "leader@care.example.com" in members:
        _rosewood(organisation, members)


def _hartwell(org: Organisation, members: dict[str, Membership], rng: random.Random) -> None:
    today = org.today()
    leader, manager = members["leader@example.com"], members["manager@example.com"]
    if not ContextIssue.objects.for_org(org).exists():
        for kind, title, text in ISSUES:
            services.context_issue_save(
                membership=manager, kind=kind, title=title, description=text
            )
    if not Feedback.objects.for_org(org).exists():
        _feedback(org, members, today, rng)
    if not Review.objects.for_org(org).exists():
        attendees = [
            members[e].user
            for e in ("ops@example.com", "manager@example.com", "production@example.com")
        ]
        absent = {1, 3}  # Owen Price sent apologies twice
        previous = today - datetime.timedelta(days=365)
        for n, days_ago in enumerate((330, 240, 150, 60)):
            meeting = today - datetime.timedelta(days=days_ago)
            review = _past_review(
                org, members, leader.user, attendees, meeting, previous, n, n in absent
            )
            previous = review.meeting_date
        services.review_schedule(
            membership=manager,
            title="Management review Q" + str((today.month - 1) // 3 + 1),
            meeting_date=today + datetime.timedelta(days=30),
            chair=leader.user,
            attendees=attendees,
            period_start=previous,
            location="Board room",
            agenda="1. Actions from the last review\n2. Inputs pack\n3. Decisions",
        )
    _policy(org, members)


def _past_review(
    org: Organisation,
    members: dict[str, Membership],
    chair: User,
    attendees: list[User],
    meeting: datetime.date,
    since: datetime.date,
    n: int,
    ops_absent: bool,
) -> Review:
    """One past review the whole way: scheduled, held, its outputs decided, minutes signed."""
    manager, leader = members["manager@example.com"], members["leader@example.com"]
    review = services.review_schedule(
        membership=manager,
        title=f"Quarterly management review {meeting:%B %Y}",
        meeting_date=meeting,
        chair=chair,
        attendees=attendees,
        period_start=since,
        location="Board room",
        agenda="1. Actions from the last review\n2. Inputs pack\n3. Decisions",
    )
    _hold_meeting(members, review, ops_absent)
    _decide_outputs(members, review, meeting, n)
    return services.review_close(
        membership=leader,
        review=review,
        password=DEMO_PASSWORD,
        comment="Minutes approved at the meeting.",
    )


def _hold_meeting(members: dict[str, Membership], review: Review, ops_absent: bool) -> None:
    """The inputs checked, the meeting held (operations sending apologies when asked), who
    attended, and each section's discussion noted."""
    manager = members["manager@example.com"]
    for key in section_keys():
        services.note_save(
            membership=manager,
            review=review,
            key=key,
            comment="Figures checked by the quality manager.",
        )
    services.review_hold(membership=manager, review=review)
    statuses = {a.user_id: AttendanceStatus.PRESENT for a in review.attendances.all()}
    if ops_absent:
        statuses[members["ops@example.com"].user_id] = AttendanceStatus.APOLOGIES
    services.attendance_record(membership=manager, review=review, statuses=statuses)
    clauses = {s.key: s.clause[0] for s in registry.review_inputs()}
    for key in section_keys():
        discussion = DISCUSSION.get(clauses.get(key, ""), "Discussed; no change needed.")
        services.note_save(membership=manager, review=review, key=key, discussion=discussion)


def _decide_outputs(
    members: dict[str, Membership], review: Review, meeting: datetime.date, n: int
) -> None:
    """Two or three outputs decided by the leader; the older reviews' actions done."""
    manager, leader = members["manager@example.com"], members["leader@example.com"]
    decisions = [
        (OutputKind.IMPROVEMENT, "Introduce first-article inspection checklist", "production@"),
        (OutputKind.RESOURCES, "Train a second CMM operator for night shift", "manager@"),
        (OutputKind.QMS_CHANGE, "Report supplier delivery performance monthly", "stores@"),
    ]
    for kind, text, owner in decisions[: 2 + n % 2]:
        output = services.output_add(
            membership=leader,
            review=review,
            kind=kind,
            decision=f"{text} ({meeting:%b %Y})",
            owner=members[owner + "example.com"].user,
            due_date=meeting + datetime.timedelta(days=75),
            estimated_effort_hours=Decimal(16) if kind == OutputKind.RESOURCES else None,
        )
        if output.action and n < 2:  # the older reviews' actions are done
            actions.action_set_status(
                membership=manager,
                action=output.action,
                status="done",
                version=1,
                note="Done and checked at the next review.",
            )


def _feedback(
    org: Organisation, members: dict[str, Membership], today: datetime.date, rng: random.Random
) -> None:
    """A year of customer and staff feedback: complaints, compliments, surveys, suggestions."""
    _complaints(org, members, today)
    _compliments(members, today)
    _surveys(members, today, rng)
    _suggestions(org, members, today)


def _complaints(org: Organisation, members: dict[str, Membership], today: datetime.date) -> None:
    """The complaints, all answered but the latest, one of them late."""
    manager = members["manager@example.com"]
    sales = members["sales@example.com"].user
    for i, (title, customer, category, severity) in enumerate(COMPLAINTS):
        received = today - datetime.timedelta(days=20 + i * 55)
        feedback = services.feedback_submit(
            membership=manager,
            kind=FeedbackKind.COMPLAINT,
            title=title,
            customer=customer,
            received_on=received,
            category=category,
            severity=severity,
            owner=sales,
            response_due=received + datetime.timedelta(days=14),
        )
        if i:  # the latest complaint is still open
            services.feedback_respond(
                membership=manager,
                feedback=feedback,
                status=FeedbackStatus.CLOSED,
                response="Apologised, root cause found and the customer informed.",
            )
            late = 20 if i == 3 else 7
            Feedback.objects.filter(pk=feedback.pk).update(
                responded_at=datetime.datetime.combine(
                    received + datetime.timedelta(days=late), datetime.time(12), tzinfo=org.tzinfo
                )
            )


def _compliments(members: dict[str, Membership], today: datetime.date) -> None:
    """The customers' compliments."""
    manager = members["manager@example.com"]
    for i, (title, customer) in enumerate(COMPLIMENTS):
        services.feedback_submit(
            membership=manager,
            kind=FeedbackKind.COMPLIMENT,
            title=title,
            customer=customer,
            received_on=today - datetime.timedelta(days=40 + i * 100),
            category="service",
        )


def _surveys(members: dict[str, Membership], today: datetime.date, rng: random.Random) -> None:
    """A survey result a month from each of three customers for a year, closed."""
    manager = members["manager@example.com"]
    for month in range(12):
        for customer in ("Apex Aero", "Northfield Pumps", "Corby Hydraulics"):
            score = Decimal(str(round(rng.uniform(6.5, 9.5), 1)))
            feedback = services.feedback_submit(
                membership=manager,
                kind=FeedbackKind.SURVEY,
                title=f"Quarterly survey {customer}",
                customer=customer,
                score=score,
                category="survey",
                received_on=today - datetime.timedelta(days=15 + month * 30),
            )
            Feedback.objects.filter(pk=feedback.pk).update(status=FeedbackStatus.CLOSED)


def _suggestions(org: Organisation, members: dict[str, Membership], today: datetime.date) -> None:
    """Staff suggestions: one taken into an objective, one turned into an action."""
    manager = members["manager@example.com"]
    objective = Objective.objects.for_org(org).order_by("pk").first()
    for i, (title, email) in enumerate(SUGGESTIONS):
        feedback = services.feedback_submit(
            membership=members[email],
            kind=FeedbackKind.SUGGESTION,
            title=title,
            received_on=today - datetime.timedelta(days=30 + i * 80),
        )
        if i == 2 and objective is not None:
            services.feedback_link_objective(
                membership=manager,
                feedback=feedback,
                objective=objective,
                note="We now track first-time-right per machine in this objective.",
            )
            services.feedback_respond(
                membership=manager,
                feedback=feedback,
                status=FeedbackStatus.CLOSED,
                response=feedback.response or "Taken into the objective.",
            )
        elif i == 0:
            services.feedback_to_action(
                membership=manager,
                feedback=feedback,
                title=title,
                owner=members["production@example.com"].user,
                due_date=today + datetime.timedelta(days=20),
            )
            services.feedback_respond(
                membership=manager,
                feedback=feedback,
                status=FeedbackStatus.ANSWERED,
                response="Good idea: Priya will trial it on cell 2.",
            )


def _policy(org: Organisation, members: dict[str, Membership]) -> None:
    """Approve the pending v2 (as the managing director) after most members read v1."""
    policy = QualityPolicy.objects.filter(organisation=org).order_by("-effective_from").first()
    if policy is None or PolicyAcknowledgement.objects.for_org(org).exists():
        return
    state = records.state(policy)
    if state.approved is None:
        return
    readers = [m for e, m in sorted(members.items()) if e != "stores@example.com"]
    for membership in readers:
        services.policy_acknowledge(
            membership=membership, policy=policy, version_number=state.approved.number
        )
    if state.status == RecordStatus.SUBMITTED:
        records.approve(
            membership=members["leader@example.com"],
            obj=policy,
            password=DEMO_PASSWORD,
            comment="Approved at the management review.",
        )
        number = records.state(policy).approved
        for email in ("leader@example.com", "manager@example.com", "ops@example.com"):
            if number is not None:
                services.policy_acknowledge(
                    membership=members[email], policy=policy, version_number=number.number
                )


def _rosewood(org: Organisation, members: dict[str, Membership]) -> None:
    today = org.today()
    leader, deputy = members["leader@care.example.com"], members["deputy@care.example.com"]
    if not Feedback.objects.for_org(org).exists():
        for i, title in enumerate(CARE_SUGGESTIONS):
            services.feedback_submit(
                membership=members["carer@care.example.com"],
                kind=FeedbackKind.SUGGESTION,
                title=title,
                received_on=today - datetime.timedelta(days=20 + 60 * i),
            )
    if Review.objects.for_org(org).exists():
        return
    meeting = today - datetime.timedelta(days=120)
    review = services.review_schedule(
        membership=deputy,
        title="Annual management review",
        meeting_date=meeting,
        chair=leader.user,
        attendees=[deputy.user],
        period_start=meeting - datetime.timedelta(days=365),
        location="Office",
    )
    services.review_hold(membership=deputy, review=review)
    services.attendance_record(
        membership=deputy,
        review=review,
        statuses={a.user_id: AttendanceStatus.PRESENT for a in review.attendances.all()},
    )
    for key in section_keys():
        services.note_save(
            membership=deputy,
            review=review,
            key=key,
            discussion="Reviewed with the home's figures; no change needed.",
        )
    services.output_add(
        membership=leader,
        review=review,
        kind=OutputKind.IMPROVEMENT,
        decision="Use staff suggestions when setting next year's objectives",
        owner=deputy.user,
        due_date=meeting + datetime.timedelta(days=90),
    )
    services.review_close(membership=leader, review=review, password=DEMO_PASSWORD)


registry.register("demo", DemoSeeder("reviews", seed, after=("objectives", "audits")))
