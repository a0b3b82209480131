"""Demo risk registers: the engineering firm's (34 risks and opportunities with a year of
reviews) and a handful for the care home. Made through the services, then dated back.

Hartwell's register has a High risk whose plan waits for the leaders' approval, approved
plans, one accepted risk and exactly two reviews overdue. Idempotent: nothing is made for
an organisation that already has risks. No e-mails: the notifications the story makes are
dropped (the core seed marks any others delivered).
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

from django.utils import timezone

from audits.models import Process
from isova import records
from isova.models import Action, ActionStatus, Membership, Notification, Organisation, User
from isova.registry import DemoSeeder, registry

from . import services
from .models import Assessment, Risk

DEMO_PASSWORD = "isova-demo"  # isova.demo's; the core may not be imported the other way

QM, MD, OPS, PROD = (
    "manager@example.com",
    "leader@example.com",
    "ops@example.com",
    "production@example.com",
)
SAM, TOM, LENA, DEV = (
    "staff@example.com",
    "inspector@example.com",
    "stores@example.com",
    "sales@example.com",
)
SALES, BUY, CNC, INSP, CAL, TRAIN, LEAD = (
    "Sales and contract review",
    "Purchasing and supplier control",
    "CNC machining",
    "Inspection and release",
    "Calibration",
    "Training and competence",
    "Leadership and improvement",
)


@dataclass
class R:
    title: str
    category: str
    process: str
    owner: str
    inherent: tuple[int, int]
    # Positions at each review over the past year, oldest first (the first is the start).
    path: list[tuple[int, int]]
    treatment: str = "reduce"
    status: str = "treating"
    kind: str = "risk"
    target: tuple[int, int] | None = None
    cause: str = ""
    consequence: str = ""
    controls: str = ""
    justification: str = ""
    plan: list[tuple[str, str, int, str]] = field(default_factory=list)
    approval: str = ""  # "approved", "submitted" or ""
    overdue_days: int = 0  # > 0: the review is that many days late


HARTWELL = [
    R(
        "Sole heat-treatment supplier fails or closes",
        "supplier",
        BUY,
        LENA,
        (3, 5),
        [(3, 4), (3, 4), (2, 4)],
        target=(2, 3),
        cause="One approved heat treater within 50 miles.",
        consequence="Aerospace brackets stop; late deliveries to Northline Aero.",
        controls="Quarterly supplier review; two weeks' buffer stock of treated blanks.",
        plan=[
            ("Qualify a second heat-treatment supplier", LENA, -40, "verified"),
            ("Trial batch with the second supplier", PROD, 20, "in_progress"),
        ],
        approval="approved",
    ),
    R(
        "Late deliveries to Northline Aero lose the contract",
        "customer",
        SALES,
        DEV,
        (4, 5),
        [(4, 4), (3, 4), (3, 4), (3, 3)],
        target=(2, 3),
        cause="Capacity on the 5-axis cell; late material.",
        consequence="Our largest customer (28% of turnover) re-sources.",
        controls="Weekly delivery review with the customer; OTD tracked daily.",
        plan=[
            ("Add a second shift on the 5-axis cell", PROD, -60, "done"),
            ("Agree a rolling 12-week forecast with Northline", DEV, 15, "in_progress"),
        ],
        approval="approved",
    ),
    R(
        "Drawing revision not checked at contract review",
        "customer",
        SALES,
        DEV,
        (3, 4),
        [(3, 4), (2, 4)],
        target=(1, 4),
        cause="Revisions arrive by e-mail outside the order.",
        consequence="Parts made to an old revision; scrap and complaint.",
        controls="Contract review checklist item 4.",
        plan=[("Add a revision check to the order entry screen", DEV, 25, "open")],
        approval="submitted",
        status="open",
    ),
    R(
        "CMM breakdown stops final inspection",
        "infrastructure",
        INSP,
        TOM,
        (2, 5),
        [(2, 5), (2, 4)],
        target=(2, 3),
        cause="Single CMM, eight years old.",
        consequence="Nothing can be released for up to two weeks.",
        controls="Service contract with 72-hour response.",
        plan=[("Arrange a reciprocal CMM agreement with a local firm", TOM, -10, "in_progress")],
        approval="approved",
    ),
    R(
        "Key machinist leaves (5-axis programming)",
        "people",
        TRAIN,
        OPS,
        (3, 4),
        [(3, 4), (3, 3), (2, 3)],
        target=(2, 2),
        cause="Two people can program the 5-axis cell.",
        consequence="Complex jobs cannot be set up; lead times double.",
        controls="Skills matrix reviewed quarterly.",
        plan=[
            ("Train Sam Okafor on 5-axis programming", OPS, -30, "done"),
            ("Write set-up sheets for the ten most frequent jobs", SAM, 40, "in_progress"),
        ],
        approval="approved",
    ),
    R(
        "Out-of-calibration gauges used on the shop floor",
        "process",
        CAL,
        QM,
        (3, 3),
        [(3, 3), (2, 3), (2, 2)],
        cause="Hand gauges leave the lab without a recall check.",
        consequence="Nonconforming parts released; recall.",
        controls="Calibration labels; monthly recall list.",
        plan=[("Introduce a gauge sign-out board", QM, -80, "verified")],
    ),
    R(
        "Material certificates missing for aluminium deliveries",
        "supplier",
        BUY,
        LENA,
        (3, 3),
        [(3, 3), (3, 3)],
        cause="Certificates sent separately from the goods.",
        consequence="Aerospace parts cannot be released.",
        controls="Goods-in check against the PO.",
        plan=[("Make certificates a condition on every purchase order", LENA, -5, "open")],
    ),
    R(
        "Coolant contamination causes corrosion on shipped parts",
        "process",
        CNC,
        PROD,
        (2, 3),
        [(2, 3), (1, 3)],
        controls="Daily concentration check.",
        status="monitoring",
        plan=[("Weekly coolant tank cleaning rota", SAM, -100, "verified")],
    ),
    R(
        "Fire in the finished-goods store",
        "infrastructure",
        LEAD,
        OPS,
        (1, 5),
        [(1, 5)],
        treatment="transfer",
        status="monitoring",
        cause="Packaging materials stored with parts.",
        consequence="Stock and customer property lost.",
        controls="Sprinklers; insurance; fire risk assessment.",
        justification="Insured for stock and customer property; sprinklers inspected yearly.",
    ),
    R(
        "Cyber attack encrypts CAM programs and ERP",
        "infrastructure",
        LEAD,
        OPS,
        (3, 5),
        [(3, 5), (3, 4), (2, 4)],
        target=(2, 3),
        cause="Old Windows machines on the shop network.",
        consequence="Production stops; programs lost.",
        controls="Nightly backup off site.",
        plan=[
            ("Segment the machine network from the office network", OPS, -20, "done"),
            ("Test restoring the CAM programs from backup", OPS, 10, "open"),
        ],
        approval="approved",
    ),
    R(
        "Customer complaint handling too slow",
        "customer",
        SALES,
        DEV,
        (3, 3),
        [(3, 3), (2, 3)],
        cause="Complaints arrive to several inboxes.",
        consequence="Customer satisfaction falls.",
        plan=[("Set up a single complaints log", DEV, -70, "verified")],
    ),
    R(
        "Scrap on the turned-shaft family above 4%",
        "process",
        CNC,
        PROD,
        (4, 2),
        [(4, 2), (3, 2), (3, 2)],
        controls="First-off inspection.",
        plan=[("SPC on critical diameters of part 7731", TOM, 30, "in_progress")],
    ),
    R(
        "New REACH substance restrictions on plating",
        "regulatory",
        BUY,
        LENA,
        (2, 3),
        [(2, 3)],
        status="open",
        plan=[("Ask platers for REACH declarations", LENA, 45, "open")],
    ),
    R(
        "Energy prices double the cost of heat-intensive work",
        "financial",
        LEAD,
        MD,
        (3, 3),
        [(3, 3), (3, 3)],
        treatment="accept",
        status="monitoring",
        approval="approved",
        justification=(
            "Prices are passed on under the index clause in our main contracts; reviewed quarterly."
        ),
        controls="Fixed-price energy contract until next March.",
    ),
    R(
        "Foreign-object debris in aerospace assemblies",
        "customer",
        INSP,
        TOM,
        (2, 5),
        [(2, 5), (2, 4), (1, 4)],
        target=(1, 4),
        plan=[("FOD toolbox talk for all operators", TOM, -90, "verified")],
        approval="approved",
        status="monitoring",
    ),
    R(
        "Wrong labels printed for customer parts",
        "process",
        INSP,
        TOM,
        (3, 2),
        [(3, 2), (2, 2)],
        plan=[("Audit label printing against the drawing revision", TOM, -15, "done")],
        status="monitoring",
    ),
    R(
        "Mazak lathe spindle failure",
        "infrastructure",
        CNC,
        PROD,
        (3, 4),
        [(3, 4), (3, 4), (3, 4)],
        target=(2, 3),
        cause="No preventive maintenance plan.",
        consequence="Cell 2 stops for up to six weeks waiting for parts.",
        plan=[("Agree a preventive maintenance plan for the Mazak lathes", PROD, -25, "open")],
        approval="approved",
        overdue_days=12,
    ),
    R(
        "Subcontract anodiser misses delivery dates",
        "supplier",
        BUY,
        LENA,
        (4, 3),
        [(4, 3), (3, 3)],
        plan=[("Monthly scorecard meeting with the anodiser", LENA, -50, "verified")],
    ),
    R(
        "Inspection staff not competent on new CMM software",
        "people",
        TRAIN,
        TOM,
        (2, 3),
        [(2, 3), (1, 3)],
        status="monitoring",
        plan=[("CMM software course for two inspectors", OPS, -120, "verified")],
    ),
    R(
        "Customer property (free-issue material) lost or damaged",
        "customer",
        BUY,
        LENA,
        (2, 3),
        [(2, 3), (2, 2)],
        status="monitoring",
        controls="Separate labelled racking.",
    ),
    R(
        "Engineering changes not communicated to the shop floor",
        "process",
        LEAD,
        QM,
        (3, 3),
        [(3, 3), (2, 3)],
        plan=[("Document the engineering change process", QM, 20, "in_progress")],
    ),
    R(
        "Loss of AS9100 transition funding",
        "financial",
        LEAD,
        MD,
        (2, 2),
        [(2, 2)],
        status="monitoring",
        controls="The transition is budgeted without the grant.",
    ),
    R(
        "Racking collapse in the stores",
        "infrastructure",
        BUY,
        LENA,
        (1, 4),
        [(1, 4), (1, 3)],
        plan=[("Replace damaged racking in finished-goods store", LENA, -40, "verified")],
        status="monitoring",
    ),
    R(
        "ESD damage to electronic sub-assemblies",
        "process",
        CNC,
        PROD,
        (2, 3),
        [(2, 3)],
        plan=[("Check ESD protection in the assembly area", PROD, -8, "open")],
        overdue_days=30,
    ),
    R(
        "New starters not inducted before working on machines",
        "people",
        TRAIN,
        OPS,
        (2, 4),
        [(2, 4), (1, 4)],
        status="monitoring",
        plan=[("Induction checklist signed before first shift", OPS, -150, "verified")],
    ),
    R(
        "Single point of failure: the quality manager signs every release",
        "people",
        INSP,
        MD,
        (3, 3),
        [(3, 3), (2, 3)],
        plan=[("Authorise two inspectors to sign releases", QM, 35, "open")],
    ),
    R(
        "Tool breakage in unattended night running",
        "process",
        CNC,
        PROD,
        (3, 2),
        [(3, 2), (2, 2)],
        status="monitoring",
    ),
    R(
        "Customer audit finds gaps in our FAI records",
        "customer",
        INSP,
        QM,
        (2, 4),
        [(2, 4), (2, 3)],
        plan=[("Update the first-article inspection checklist", TOM, -35, "done")],
    ),
    # Opportunities
    R(
        "Win medical-device machining work",
        "strategic",
        SALES,
        MD,
        (3, 4),
        [(3, 4), (4, 4)],
        kind="opportunity",
        treatment="pursue",
        status="treating",
        target=(4, 5),
        plan=[("Gap analysis against ISO 13485", QM, 60, "in_progress")],
    ),
    R(
        "Automate deburring with a collaborative robot",
        "process",
        CNC,
        PROD,
        (3, 3),
        [(3, 3), (3, 4)],
        kind="opportunity",
        treatment="enhance",
        status="treating",
        plan=[("Trial the cobot on the shaft family", PROD, 45, "open")],
    ),
    R(
        "Solar panels on the workshop roof",
        "financial",
        LEAD,
        OPS,
        (3, 3),
        [(3, 3)],
        kind="opportunity",
        treatment="pursue",
        status="open",
        plan=[("Get three quotations for a 100 kW array", OPS, 50, "open")],
    ),
    R(
        "Apprenticeship scheme with the local college",
        "people",
        TRAIN,
        OPS,
        (4, 3),
        [(4, 3), (4, 4)],
        kind="opportunity",
        treatment="pursue",
        status="treating",
        plan=[("Sign the partnership with Westfield College", OPS, -20, "done")],
    ),
    R(
        "Share a CMM with the neighbouring toolmaker",
        "infrastructure",
        INSP,
        TOM,
        (2, 2),
        [(2, 2)],
        kind="opportunity",
        treatment="share",
        status="open",
    ),
    R(
        "Export parts to the EU under the new trade rules",
        "strategic",
        SALES,
        DEV,
        (2, 3),
        [(2, 3)],
        kind="opportunity",
        treatment="ignore",
        status="closed",
        justification="No capacity this year; revisit at the next strategy day.",
    ),
]

NINA, GRACE, JOE = "deputy@care.example.com", "leader@care.example.com", "carer@care.example.com"
MEDS, CARE = "Medication management", "Care planning"
ROSEWOOD = [
    R(
        "Medication given to the wrong resident",
        "customer",
        MEDS,
        NINA,
        (2, 5),
        [(2, 5), (1, 5)],
        target=(1, 4),
        plan=[("Photo ID on every MAR chart", NINA, -30, "verified")],
        approval="approved",
        status="monitoring",
    ),
    R(
        "Falls at night on the first floor",
        "customer",
        CARE,
        GRACE,
        (4, 4),
        [(4, 4), (3, 4)],
        target=(2, 3),
        plan=[("Sensor mats for residents at high falls risk", GRACE, 20, "in_progress")],
        approval="submitted",
        status="open",
    ),
    R(
        "Agency staff unfamiliar with care plans",
        "people",
        CARE,
        GRACE,
        (3, 3),
        [(3, 3), (2, 3)],
        plan=[("One-page care summaries for agency staff", JOE, -10, "done")],
    ),
    R(
        "Kitchen fridge temperatures not recorded",
        "regulatory",
        CARE,
        NINA,
        (3, 2),
        [(3, 2), (2, 2)],
        status="monitoring",
    ),
    R(
        "Residents' families help with activities",
        "customer",
        CARE,
        GRACE,
        (3, 3),
        [(3, 3)],
        kind="opportunity",
        treatment="pursue",
        status="treating",
        plan=[("Volunteer rota for family members", JOE, 30, "open")],
    ),
]


SPECS = {"hartwell": (HARTWELL, QM), "rosewood": (ROSEWOOD, NINA)}
REVIEWERS = {"hartwell": [QM, MD, OPS, QM], "rosewood": [NINA, GRACE]}
APPROVERS = {"hartwell": MD, "rosewood": GRACE}
SUBMITTERS = {"hartwell": QM, "rosewood": NINA}


def _member(organisation: Organisation, users: dict[str, User], email: str) -> Membership:
    return Membership.objects.select_related("organisation", "user").get(
        organisation=organisation, user=users[email]
    )


def _raise(
    organisation: Organisation, users: dict[str, User], spec: R, by: Membership,
    processes: dict[str, Process], rng: random.Random, today: datetime.date,
) -> Risk:  # fmt: skip
    start = spec.path[0]
    risk = services.risk_create(
        membership=by,
        kind=spec.kind,
        title=spec.title,
        description="",
        category=spec.category,
        process=processes.get(spec.process),
        cause=spec.cause,
        consequence=spec.consequence,
        owner=users[spec.owner],
        existing_controls=spec.controls,
        inherent_likelihood=spec.inherent[0],
        inherent_impact=spec.inherent[1],
        residual_likelihood=start[0],
        residual_impact=start[1],
        target_likelihood=spec.target[0] if spec.target else None,
        target_impact=spec.target[1] if spec.target else None,
        treatment=spec.treatment,
        treatment_justification=spec.justification,
        status=spec.status,
    )
    first = today - datetime.timedelta(days=330 + rng.randint(0, 30))
    Assessment.objects.filter(risk=risk).update(assessed_on=first)
    reviewers = REVIEWERS[organisation.slug]
    steps = spec.path[1:] or [start]
    for n, (likelihood, impact) in enumerate(steps, start=1):
        on = first + datetime.timedelta(days=(today - first).days * n // (len(steps) + 1))
        if n == len(steps):
            on = today - datetime.timedelta(days=rng.randint(10, 40))
        reviewer = _member(organisation, users, reviewers[(n + len(spec.title)) % len(reviewers)])
        moved = (likelihood, impact) != (risk.residual_likelihood, risk.residual_impact)
        services.risk_review_record(
            membership=reviewer,
            risk=risk,
            reviewed_on=on,
            likelihood=likelihood,
            impact=impact,
            controls_effective=True if moved or n % 2 else None,
            note=("Score moved after the treatment took effect." if moved else "No change."),
        )
        risk.refresh_from_db()
    return risk


def _plan(
    organisation: Organisation, users: dict[str, User], risk: Risk, spec: R, by: Membership,
    today: datetime.date,
) -> None:  # fmt: skip
    for title, owner, due_days, status in spec.plan:
        action = services.plan_action_add(
            membership=by,
            risk=risk,
            title=title,
            owner=users[owner],
            due_date=today + datetime.timedelta(days=due_days),
        )
        updates: dict = {"status": status}
        if status in (ActionStatus.DONE, ActionStatus.VERIFIED):
            updates |= {"completed_at": timezone.now(), "completed_by": users[owner]}
        if status == ActionStatus.VERIFIED:
            # Nobody verifies their own work: the raiser, or the leader when the raiser owns it.
            verifier = by.user
            if verifier == users[owner]:
                verifier = users[APPROVERS[organisation.slug]]
            updates |= {"verified_at": timezone.now(), "verified_by": verifier}
        Action.objects.filter(pk=action.pk).update(**updates)


def _approve(organisation: Organisation, users: dict[str, User], risk: Risk, spec: R) -> None:
    if not spec.approval:
        return
    submitter = _member(organisation, users, SUBMITTERS[organisation.slug])
    records.submit(membership=submitter, obj=risk, comment="Plan agreed at the risk meeting.")
    if spec.approval == "approved":
        records.approve(
            membership=_member(organisation, users, APPROVERS[organisation.slug]),
            obj=risk,
            password=DEMO_PASSWORD,
            comment="Approved.",
        )


def seed(organisation: Organisation, users_by_email: dict[str, User], rng: random.Random) -> None:
    """The demo register of each demo organisation; nothing when it already has risks."""
    if organisation.slug not in SPECS or Risk.objects.for_org(organisation).exists():
        return
    specs, raiser = SPECS[organisation.slug]
    started = timezone.now()
    today = organisation.today()
    by = _member(organisation, users_by_email, raiser)
    processes = {p.name: p for p in Process.objects.for_org(organisation)}
    for spec in specs:
        risk = _raise(organisation, users_by_email, spec, by, processes, rng, today)
        _plan(organisation, users_by_email, risk, spec, by, today)
        _approve(organisation, users_by_email, risk, spec)
        if spec.overdue_days:
            Risk.objects.filter(pk=risk.pk).update(
                next_review_date=today - datetime.timedelta(days=spec.overdue_days)
            )
        elif risk.status != "closed" and risk.next_review_date and risk.next_review_date < today:
            Risk.objects.filter(pk=risk.pk).update(
                next_review_date=today + datetime.timedelta(days=14)
            )
    # The story's past assignments are not news: no notifications (and so no e-mails).
    Notification.objects.filter(
        organisation=organisation, kind="action_assigned", created_at__gte=started
    ).delete()


registry.register("demo", DemoSeeder(name="risks", seed=seed, after=("audits",)))
