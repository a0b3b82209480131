"""Demo decisions for both demo organisations, after their risks, objectives and reviews.

Hartwell: after the late-delivery risk on Northline Aero, the leaders signed a
client-impacting decision (a weekly delivery slot and consignment stock) with the actions
carrying it out; a second decision waits for a leader's signature, and a third is signed and
due for review. Rosewood: a second waking night carer after the night-time falls risk, and one
decision waiting for the registered manager's signature.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from audits.models import Process
from isova import records
from isova.models import Action, Membership, Notification, Organisation, User
from isova.registry import DemoSeeder, registry
from objectives.models import Objective
from reviews.models import Feedback
from risks.models import Risk

from . import services
from .models import Decision

DEMO_PASSWORD = "isova-demo"  # isova.demo's; the core may not be imported the other way


@dataclass
class D:
    title: str
    context: str
    options: str
    decision: str
    rationale: str
    owner: str
    decided_days_ago: int
    review_in_days: int
    customers: str = ""
    processes: list[str] = field(default_factory=list)
    risks: list[str] = field(default_factory=list)  # titles
    objectives: list[str] = field(default_factory=list)  # titles
    feedback: list[str] = field(default_factory=list)  # titles
    actions: list[tuple[str, str, int, str]] = field(default_factory=list)  # title, owner, due, st
    state: str = "signed"  # "signed", "submitted" or "draft"


HARTWELL = [
    D(
        "Give Northline Aero a weekly delivery slot and consignment stock",
        "Three late deliveries to Northline Aero in a quarter; the risk that they re-source "
        "(28% of turnover) is High. The second shift on the 5-axis cell helped, but rush "
        "orders still break the plan.",
        "1. Overtime whenever an order is late.\n2. A fixed weekly delivery slot with two "
        "weeks' consignment stock of the ten highest-volume brackets at Northline.\n"
        "3. Subcontract the overflow to a second machine shop.",
        "Deliver Northline's orders in one agreed Thursday slot, and hold two weeks' "
        "consignment stock of their ten highest-volume brackets on their site.",
        "The slot lets us plan the 5-axis cell a week ahead; the stock covers their rush "
        "orders without overtime. Subcontracting was dearer and adds a supplier to control.",
        "leader@example.com",
        45,
        120,
        customers="Northline Aero: deliveries move to Thursdays; we hold stock on their site.",
        processes=["Sales and contract review", "CNC machining"],
        risks=["Late deliveries to Northline Aero lose the contract"],
        objectives=["Raise on-time delivery to 95%"],
        feedback=["Late delivery of bracket batch"],
        actions=[
            ("Agree the Thursday slot with Northline's buyer", "sales@example.com", -30, "done"),
            (
                "Build two weeks' consignment stock of the top ten brackets",
                "production@example.com",
                10,
                "in_progress",
            ),
            (
                "Add consignment stock counts to the weekly delivery review",
                "manager@example.com",
                25,
                "open",
            ),
        ],
    ),  # fmt: skip
    D(
        "Refuse rush orders under three working days from new customers",
        "Rush orders from new customers took 5-axis capacity from committed deliveries twice "
        "this quarter.",
        "1. Accept every rush order at a premium.\n2. Refuse under three working days for new "
        "customers only.\n3. Refuse for everyone.",
        "Quote at least three working days to new customers; existing customers keep rush "
        "orders at the usual premium.",
        "Protects committed deliveries without turning away long-standing customers.",
        "manager@example.com",
        3,
        180,
        customers="New customers: no rush orders under three working days.",
        processes=["Sales and contract review"],
        risks=["Late deliveries to Northline Aero lose the contract"],
        feedback=["Call customers when a delivery will be late, before they chase"],
        state="submitted",
    ),
    D(
        "Keep the single heat-treatment supplier while the second one is qualified",
        "Our only approved heat treater is a single point of failure; qualifying a second takes "
        "about six months.",
        "1. Move half the work at once to an unqualified supplier.\n2. Stay, with two weeks' "
        "buffer stock, until the second supplier passes its trial batch.",
        "Stay with the current supplier, keep two weeks' buffer stock of treated blanks, and "
        "move work only after the second supplier's trial batch passes.",
        "Moving before qualification risks the aerospace approvals; the buffer covers a "
        "two-week stoppage.",
        "ops@example.com",
        160,
        12,
        processes=["Purchasing and supplier control"],
        risks=["Sole heat-treatment supplier fails or closes"],
    ),
]

ROSEWOOD = [
    D(
        "A second waking night carer on the first floor",
        "Falls at night on the first floor rose to four in two months; most happened between "
        "2 and 5 am when one carer covers both floors.",
        "1. Sensor mats only.\n2. A second waking night carer from 10 pm to 7 am.\n"
        "3. Move high-risk residents to the ground floor.",
        "Roster a second waking night carer on the first floor, and keep the sensor mats for "
        "residents at high risk of falls.",
        "Moving residents against their wishes was refused; mats alone do not get someone "
        "there in time.",
        "leader@care.example.com",
        30,
        90,
        customers="First-floor residents and their families: a carer on the floor all night.",
        risks=["Falls at night on the first floor"],
        actions=[
            ("Recruit two night carers", "deputy@care.example.com", 20, "in_progress"),
            ("Tell families at the next residents' meeting", "leader@care.example.com", -5, "done"),
        ],
    ),
    D(
        "Use one agency, with a care-plan induction for every shift",
        "Agency staff unfamiliar with care plans made two medication-round errors.",
        "1. Several agencies as now.\n2. One agency, with a paid 30-minute care-plan induction.",
        "Contract one agency and pay a 30-minute induction on each agency carer's first shift.",
        "The same faces learn the residents; the induction costs less than one error.",
        "deputy@care.example.com",
        2,
        180,
        customers="Residents: fewer unfamiliar carers.",
        risks=["Agency staff unfamiliar with care plans"],
        state="submitted",
    ),
]

SPECS = {"hartwell": HARTWELL, "rosewood": ROSEWOOD}
# Who records and submits, and which leader signs (never their own submission).
SUBMITTERS = {"hartwell": "manager@example.com", "rosewood": "deputy@care.example.com"}
SIGNERS = {"hartwell": "leader@example.com", "rosewood": "leader@care.example.com"}


def _member(organisation: Organisation, user: User) -> Membership:
    return Membership.objects.select_related("organisation", "user").get(
        organisation=organisation, user=user
    )


def _pick(queryset: Any, names: list[str], field: str = "title") -> list[Any]:
    return list(queryset.filter(**{f"{field}__in": names})) if names else []


def _make(
    organisation: Organisation, users: dict[str, User], spec: D, today: datetime.date
) -> Decision:
    by = _member(organisation, users[SUBMITTERS[organisation.slug]])
    decision = services.decision_create(
        membership=by,
        title=spec.title,
        context=spec.context,
        options=spec.options,
        decision=spec.decision,
        rationale=spec.rationale,
        affects_customers=spec.customers,
        owner=users[spec.owner],
        decided_on=today - datetime.timedelta(days=spec.decided_days_ago),
        review_date=today + datetime.timedelta(days=spec.review_in_days),
        processes=_pick(Process.objects.for_org(organisation), spec.processes, "name"),
        risks=_pick(Risk.objects.for_org(organisation), spec.risks),
        objectives=_pick(Objective.objects.for_org(organisation), spec.objectives),
        findings=[],
        feedback=_pick(Feedback.objects.for_org(organisation), spec.feedback),
    )
    if spec.state in ("submitted", "signed"):
        records.submit(membership=by, obj=decision, comment="Agreed at the leadership meeting.")
    if spec.state == "signed":
        records.approve(
            membership=_member(organisation, users[SIGNERS[organisation.slug]]),
            obj=decision,
            password=DEMO_PASSWORD,
            comment="Signed.",
        )
    for title, owner, due_days, status in spec.actions:
        action = services.decision_action_add(
            membership=by,
            decision=decision,
            title=title,
            owner=users[owner],
            due_date=today + datetime.timedelta(days=due_days),
        )
        if status != "open":
            updates: dict = {"status": status}
            if status == "done":
                updates |= {"completed_at": timezone.now(), "completed_by": users[owner]}
            Action.objects.filter(pk=action.pk).update(**updates)
    return decision


def seed(organisation: Organisation, users_by_email: dict[str, User], rng: random.Random) -> None:
    """The demo decisions; nothing when the organisation already has some."""
    specs = SPECS.get(organisation.slug)
    if not specs or Decision.objects.for_org(organisation).exists():
        return
    started = timezone.now()
    today = organisation.today()
    for spec in specs:
        _make(organisation, users_by_email, spec, today)
    # The story's past assignments and approvals are not news: no notifications (e-mails).
    Notification.objects.filter(organisation=organisation, created_at__gte=started).filter(
        kind__in=("action_assigned", "approval_decided")
    ).delete()


registry.register(
    "demo",
    DemoSeeder(name="decisions", seed=seed, after=("risks", "objectives", "reviews")),
)
