"""Demo audits: last year's programme and this year's, findings in every state, some past due.

Registered as a `DemoSeeder` (`AuditsConfig.ready()`), run by `isova.demo.seed` for each demo
organisation; does nothing for an organisation that already has audits (idempotent). Everything
goes through the services (and so the records mechanism: reports are signed "issued",
effectiveness checks "verified", with the demo password); dates are then moved back to when the
demo story happened. Sign-offs are append-only and keep the moment the demo was loaded, which
their comment says.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from isova.actions import services as actions
from isova.demo import DEMO_PASSWORD
from isova.models import Action, ActionStatus, Membership, Notification, Organisation, User
from isova.registry import DemoSeeder, registry

from . import services
from .models import Audit, Finding, FindingType, Process

SIGN_COMMENT = "Demo data: signed when the demo was loaded."


@dataclass
class F:
    """A finding and how far its 10.2 path has gone.

    stage: open, contained (containment only), responding (root cause and actions, some
    done), awaiting_check (actions done, check date ahead), verified, closed.
    actions: (title, owner e-mail, due in days from the date raised).
    """

    type: str
    clause: str
    description: str
    evidence: str
    stage: str
    actions: list[tuple[str, str, int]] = field(default_factory=list)
    process: str | None = None
    risk: str = ""  # a note naming the risk when the finding changes it


@dataclass
class A:
    """An audit `days` from today (negative: in the past) and how far it has gone.

    stage: planned (a past planned date makes it late), in_progress, reported, closed.
    """

    days: int
    title: str
    process: str | None
    stage: str
    lead: str
    team: list[str] = field(default_factory=list)
    type: str = "internal"
    area: str = ""
    clauses: str = ""
    external: str = ""
    findings: list[F] = field(default_factory=list)


HARTWELL_PROCESSES = [
    ("Sales and contract review", "sales@example.com", "Quotes, order review, customer contact."),
    ("Purchasing and supplier control", "stores@example.com", "Approved suppliers, POs."),
    ("CNC machining", "production@example.com", "Turning and milling cells 1–4."),
    ("Inspection and release", "inspector@example.com", "First-off, in-process, final."),
    ("Calibration", "manager@example.com", "Gauges, CMM and hand tools."),
    ("Training and competence", "ops@example.com", "Skills matrix, inductions."),
    ("Leadership and improvement", "leader@example.com", "Policy, objectives, reviews."),
]

AUDITOR, QM, MD, OPS, PROD = (
    "auditor@example.com",
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

HARTWELL_AUDITS = [
    A(
        -575,
        "Leadership and improvement",
        "Leadership and improvement",
        "closed",
        AUDITOR,
        clauses="5, 6.2, 9.3",
    ),
    A(
        -515,
        "Inspection and release",
        "Inspection and release",
        "closed",
        AUDITOR,
        findings=[
            F(
                FindingType.MINOR,
                "8.6",
                "Release signature missing on two certificates of conformity.",
                "CoC 1182 and 1190 unsigned in the customer file.",
                "closed",
                [("Add the CoC signature to the dispatch checklist", TOM, 14)],
            ),
        ],
    ),
    A(
        -455,
        "Training and competence",
        "Training and competence",
        "closed",
        AUDITOR,
        findings=[
            F(
                FindingType.OBSERVATION,
                "7.2",
                "Induction records kept in two places.",
                "Paper file and spreadsheet disagree for one starter.",
                "closed",
            ),
        ],
    ),
    A(
        -390,
        "Sales and contract review",
        "Sales and contract review",
        "closed",
        AUDITOR,
        clauses="8.2, 8.2.3",
        findings=[
            F(
                FindingType.MINOR,
                "8.2.3.1",
                "Two orders accepted without checking the drawing issue.",
                "Orders 24-311 and 24-327: review box blank; drawing rev C quoted, rev D ordered.",
                "closed",
                [("Add drawing revision check to the order review form", DEV, 21)],
            ),
            F(
                FindingType.OFI,
                "8.2.1",
                "Customers ask twice for delivery dates.",
                "Three e-mails in March chasing dates for the same order.",
                "closed",
            ),
        ],
    ),
    A(
        -335,
        "Purchasing and supplier control",
        "Purchasing and supplier control",
        "closed",
        AUDITOR,
        clauses="8.4",
        findings=[
            F(
                FindingType.MINOR,
                "8.4.1",
                "Supplier evaluation not repeated for two suppliers.",
                "Approved supplier list: Acme Castings and Norton Heat Treat last evaluated 2022.",
                "closed",
                [("Re-evaluate Acme Castings and Norton Heat Treat", LENA, 30)],
            ),
        ],
    ),
    A(
        -280,
        "Surveillance audit 1",
        None,
        "closed",
        QM,
        type="external",
        area="Whole QMS, both sites",
        external="R. Okonjo, Certification body",
        clauses="4, 5, 6, 7, 8, 9, 10",
        findings=[
            F(
                FindingType.MAJOR,
                "7.1.5.2",
                "Gauges used past their calibration date.",
                "Bore gauge BG-07 due 3 March, used on job 5512 on 12 May.",
                "closed",
                [
                    ("Quarantine and recall overdue gauges", TOM, 7),
                    ("Add calibration status check to the job start sheet", PROD, 30),
                ],
                process="Calibration",
                risk="R-07 “Nonconforming product shipped”: likelihood up.",
            ),
        ],
    ),
    A(
        -215,
        "CNC machining",
        "CNC machining",
        "reported",
        AUDITOR,
        team=[MD],
        findings=[
            F(
                FindingType.MAJOR,
                "8.5.1",
                "Set-up sheets not followed on the 5-axis cell.",
                "Job 6120: clamping differed from set-up sheet SS-44; first-off not recorded.",
                "closed",
                [
                    ("Retrain 5-axis setters on SS-44", PROD, 14),
                    ("Add first-off sign-off to the traveller", TOM, 30),
                ],
                risk="R-03 “Scrap on complex parts”: treatment plan updated.",
            ),
            F(
                FindingType.MINOR,
                "7.5.3.1",
                "Superseded work instruction at lathe 2.",
                "WI-114 rev B at lathe 2; current is rev D.",
                "responding",
                [
                    ("Withdraw superseded WIs from all cells", SAM, 20),
                    ("Introduce a document issue log per cell", QM, 45),
                    ("Audit WI revisions at every cell monthly", TOM, 90),
                ],
            ),
        ],
    ),
    A(
        -160,
        "Calibration",
        "Calibration",
        "closed",
        AUDITOR,
        team=[OPS],
        findings=[
            F(
                FindingType.OBSERVATION,
                "7.1.5.1",
                "Calibration labels fade in the coolant area.",
                "Labels on three micrometers unreadable.",
                "closed",
            ),
        ],
    ),
    A(
        -110,
        "Inspection and release",
        "Inspection and release",
        "reported",
        AUDITOR,
        clauses="8.6, 8.7",
        findings=[
            F(
                FindingType.MAJOR,
                "8.7.1",
                "Nonconforming parts not segregated.",
                "Rejected brackets (NCR 233) on the good-parts rack at final inspection.",
                "responding",
                [
                    ("Mark a red quarantine area at final inspection", TOM, 10),
                    ("Train inspectors on the NCR procedure", QM, 25),
                ],
            ),
            F(
                FindingType.OFI,
                "8.6",
                "Release could use the new CMM reports directly.",
                "Inspectors retype CMM results into the release form.",
                "open",
            ),
        ],
    ),
    A(
        -75,
        "Training and competence",
        "Training and competence",
        "reported",
        AUDITOR,
        findings=[
            F(
                FindingType.MINOR,
                "7.2",
                "Competence matrix out of date for two new starters.",
                "Matrix last updated in January; J. Rees and K. Adu started in March.",
                "verified",
                [("Update the competence matrix for new starters", OPS, 14)],
            ),
            F(
                FindingType.OBSERVATION,
                "7.3",
                "Not everyone can say where the quality policy is.",
                "Two of five operators asked did not know.",
                "open",
            ),
            F(
                FindingType.MINOR,
                "7.1.6",
                "Set-up knowledge for the Mazak lathes is in one head.",
                "Only P. Shah can set up the Mazak for titanium; nothing is written down.",
                "responding",
                [
                    ("Write set-up notes for titanium on the Mazak", PROD, 21),
                    ("Train a second setter on the Mazak", SAM, 60),
                ],
            ),
        ],
    ),
    A(
        -40,
        "Surveillance audit 2",
        None,
        "reported",
        QM,
        type="external",
        area="Production and support processes",
        external="R. Okonjo, Certification body",
        findings=[
            F(
                FindingType.MINOR,
                "9.1.3",
                "Customer complaint trends not analysed.",
                "Complaint log has 14 entries; no analysis presented at management review.",
                "awaiting_check",
                [("Add complaint trend chart to management review", QM, 14)],
                process="Leadership and improvement",
            ),
            F(
                FindingType.OFI,
                "10.3",
                "Improvement ideas from the shop floor are not tracked.",
                "Suggestion box emptied monthly; no record of ideas or responses.",
                "contained",
            ),
        ],
    ),
    A(
        -12,
        "Leadership and improvement",
        "Leadership and improvement",
        "planned",
        AUDITOR,
        clauses="5.1, 6.2, 9.3",
    ),
    A(
        -4,
        "Purchasing and supplier control",
        "Purchasing and supplier control",
        "in_progress",
        AUDITOR,
        team=[PROD],
        clauses="8.4",
        findings=[
            F(
                FindingType.MINOR,
                "8.4.3",
                "Purchase orders do not state inspection requirements.",
                "PO 8812 and 8830 for anodising: no reference to spec or certificate required.",
                "open",
            ),
            F(
                FindingType.MINOR,
                "8.4.1",
                "Fasteners bought from a supplier that is not approved.",
                "Three orders to FastFix Ltd; not on the approved supplier list.",
                "responding",
                [
                    ("Evaluate FastFix Ltd or move the orders to an approved supplier", LENA, 14),
                    ("Block unapproved suppliers in the purchasing system", QM, 30),
                ],
            ),
            F(
                FindingType.OBSERVATION,
                "8.4.2",
                "Incoming checks are not risk-based.",
                "Same sampling for all suppliers regardless of history.",
                "open",
            ),
        ],
    ),
    A(25, "Sales and contract review", "Sales and contract review", "planned", AUDITOR),
    A(70, "CNC machining", "CNC machining", "planned", AUDITOR, team=[MD]),
    A(
        130,
        "Recertification audit",
        None,
        "planned",
        QM,
        type="external",
        area="Whole QMS",
        external="Certification body",
    ),
    A(190, "Calibration", "Calibration", "planned", AUDITOR),
]

ROSEWOOD_PROCESSES = [
    ("Medication management", "deputy@care.example.com", "Ordering, storing, giving."),
    ("Care planning", "leader@care.example.com", "Assessments and care plans."),
]
NINA, GRACE, JOE = "deputy@care.example.com", "leader@care.example.com", "carer@care.example.com"
ROSEWOOD_AUDITS = [
    A(
        -120,
        "Medication management",
        "Medication management",
        "reported",
        GRACE,
        findings=[
            F(
                FindingType.MAJOR,
                "8.5.1",
                "Two MAR charts unsigned for evening doses.",
                "MAR charts for rooms 4 and 9, 14 and 15 May: no signature at 20:00.",
                "responding",
                [
                    ("Add evening MAR check to the shift handover", JOE, 14),
                    ("Refresher on MAR recording for night staff", NINA, 150),
                ],
            ),
        ],
    ),
    A(
        -30,
        "Care planning",
        "Care planning",
        "reported",
        NINA,
        findings=[
            F(
                FindingType.MINOR,
                "8.5.1",
                "Care plans not reviewed monthly.",
                "3 of 10 care plans last reviewed over 6 weeks ago.",
                "verified",
                [("Put monthly review dates in the care diary", JOE, 10)],
            ),
        ],
    ),
    A(45, "Medication management", "Medication management", "planned", GRACE),
]

SUMMARY = (
    "The process was audited against the criteria above by interview, observation and records."
)
CONCLUSION = "The process is effective; the findings below need action within their response time."


class _Story:
    def __init__(
        self, organisation: Organisation, users: dict[str, User], rng: random.Random
    ) -> None:
        self.org = organisation
        self.users = users
        self.rng = rng
        self.today = organisation.today()
        self.members = {
            m.user.email: m
            for m in Membership.objects.filter(organisation=organisation).select_related(
                "user", "organisation"
            )
        }
        self.processes: dict[str, Process] = {}

    def m(self, email: str) -> Membership:
        return self.members[email]

    def first(self, *roles: str, avoid: set[int] | frozenset[int] = frozenset()) -> Membership:
        """The first member with one of `roles` who is not among the user ids in `avoid`."""
        for role in roles:
            for membership in self.members.values():
                if membership.role == role and membership.user_id not in avoid:
                    return membership
        raise LookupError(roles)

    def day(self, offset: int) -> datetime.date:
        return self.today + datetime.timedelta(days=offset)

    def at(self, date: datetime.date) -> datetime.datetime:
        moment = datetime.datetime.combine(date, datetime.time(10, 30))
        return timezone.make_aware(moment, self.org.tzinfo)


def _processes(story: _Story, specs: list[tuple[str, str, str]]) -> None:
    manager = story.first("manager", "leader")
    for name, owner, description in specs:
        story.processes[name] = services.process_save(
            membership=manager, name=name, owner=story.users.get(owner), description=description
        )


def _audit(story: _Story, spec: A) -> None:
    planned = story.day(spec.days)
    lead = story.m(spec.lead)
    audit = services.audit_plan(
        membership=lead,
        team=[story.users[e] for e in spec.team],
        title=spec.title,
        audit_type=spec.type,
        process=story.processes.get(spec.process or ""),
        area=spec.area,
        clauses=spec.clauses,
        criteria="Our quality manual and procedures for this process.",
        scope="All shifts; records of the last twelve months." if spec.type == "internal" else "",
        lead_auditor=lead.user,
        external_auditor=spec.external,
        planned_date=planned,
    )
    if spec.stage == "planned":
        return
    started = min(planned, story.today)
    audit = services.audit_start(membership=lead, audit=audit, started_on=started)
    findings = [_raise(story, audit, lead, f, started) for f in spec.findings]
    if spec.stage == "in_progress":
        for finding, f in zip(findings, spec.findings, strict=True):
            _progress(story, finding, f)
        return
    summary = f"{SUMMARY} {len(findings)} finding{'s' if len(findings) != 1 else ''} raised."
    audit = services.audit_update(
        membership=lead, audit=audit, summary=summary, conclusion=CONCLUSION
    )
    services.audit_report(
        membership=lead, audit=audit, password=DEMO_PASSWORD, comment=SIGN_COMMENT
    )
    reported = min(started + datetime.timedelta(days=5), story.today)
    for finding, f in zip(findings, spec.findings, strict=True):
        _progress(story, finding, f)
    if spec.stage == "closed":
        audit = services.audit_close(membership=lead, audit=audit)
    closures = Finding.objects.filter(audit=audit, closed_on__isnull=False)
    last = max([reported, *(d for d in closures.values_list("closed_on", flat=True) if d)])
    Audit.objects.filter(pk=audit.pk).update(
        reported_on=reported, closed_on=last if spec.stage == "closed" else None
    )


def _raise(story: _Story, audit: Audit, lead: Membership, f: F, raised: datetime.date) -> Finding:
    return services.finding_raise(
        membership=lead,
        audit=audit,
        finding_type=f.type,
        clause=f.clause,
        description=f.description,
        evidence=f.evidence,
        process=story.processes.get(f.process or ""),
        raised_on=raised,
    )


STAGES = ["open", "contained", "responding", "awaiting_check", "verified", "closed"]


def _progress(story: _Story, finding: Finding, f: F) -> None:
    """Take a raised finding along its path up to `f.stage`, then date the steps back."""
    stage = STAGES.index(f.stage)
    if stage == 0:
        return
    manager = story.first("manager", "leader")
    dates: dict[str, Any] = {}
    finding, owners = _respond(story, finding, f, stage, manager, dates)
    finding = _check_and_close(story, finding, f, stage, manager, owners, dates)
    Finding.objects.filter(pk=finding.pk).update(**dates)


def _respond(
    story: _Story,
    finding: Finding,
    f: F,
    stage: int,
    manager: Membership,
    dates: dict[str, Any],
) -> tuple[Finding, set[int]]:
    """The manager's response: containment, the root cause of a nonconformity, the actions
    and the risk decision, each step's date put in `dates`; with the actions' owners."""
    raised = finding.raised_on
    finding = services.finding_record_containment(
        membership=manager,
        finding=finding,
        containment="Checked all affected work and corrected what was found the same day.",
    )
    dates["containment_at"] = story.at(raised + datetime.timedelta(1))
    owners: set[int] = set()
    if stage >= 2 and finding.is_nonconformity:
        finding = services.finding_record_root_cause(
            membership=manager,
            finding=finding,
            method="five_whys",
            whys=["The check was missed", "Nobody was told it was needed", "No written step"],
            root_cause="The procedure has no written step for this check.",
            similar_elsewhere="Checked the other cells: same gap, same action covers them.",
        )
        dates["root_cause_at"] = story.at(raised + datetime.timedelta(4))
    if stage >= 2:
        owners = _actions(story, finding, manager, f, all_done=stage >= 3)
    if stage >= 3 or f.risk:
        finding = services.finding_record_risk_decision(
            membership=manager, finding=finding, changes_risks=bool(f.risk), note=f.risk
        )
        dates["risk_decided_at"] = story.at(raised + datetime.timedelta(6))
    return finding, owners


def _check_and_close(
    story: _Story,
    finding: Finding,
    f: F,
    stage: int,
    manager: Membership,
    owners: set[int],
    dates: dict[str, Any],
) -> Finding:
    """The effectiveness check planned, then verified by someone who owned no action, then
    the finding closed, as far as its stage goes; each step's date put in `dates`."""
    raised = finding.raised_on
    if stage == 3:
        finding = services.finding_plan_effectiveness_check(
            membership=manager, finding=finding, check_after=story.day(20)
        )
    if stage >= 4 and finding.is_nonconformity:
        checker = story.first("auditor", "leader", "manager", avoid=owners)
        finding = services.finding_verify_effectiveness(
            membership=checker,
            finding=finding,
            effective=True,
            note="Sampled the records since the actions: no recurrence.",
            password=DEMO_PASSWORD,
        )
        dates["effectiveness_at"] = story.at(_done_by(story, raised, story.rng.randint(25, 60)))
    if stage == 5:
        closer = story.first("auditor", "manager", "leader")
        finding = services.finding_close(membership=closer, finding=finding)
        days = story.rng.randint(30, 75) if finding.is_nonconformity else story.rng.randint(8, 40)
        dates["closed_on"] = max(
            _done_by(story, raised, days), dates.get("effectiveness_at", story.at(raised)).date()
        )
    return finding


def _done_by(story: _Story, raised: datetime.date, days: int) -> datetime.date:
    return min(raised + datetime.timedelta(days=days), story.today)


def _actions(
    story: _Story, finding: Finding, manager: Membership, f: F, *, all_done: bool
) -> set[int]:
    """Assign the finding's actions; all done, or (responding) the first one done."""
    owners = set()
    raised = finding.raised_on
    for i, (title, owner_email, due) in enumerate(f.actions):
        owner = story.users[owner_email]
        action = services.finding_assign_action(
            membership=manager,
            finding=finding,
            title=title,
            owner=owner,
            due_date=raised + datetime.timedelta(days=due),
            priority="high" if f.type == FindingType.MAJOR else "medium",
        )
        owners.add(owner.pk)
        created = story.at(raised + datetime.timedelta(days=3))
        updates: dict[str, object] = {"created_at": created}
        if all_done or i == 0:
            action = actions.action_set_status(
                membership=story.m(owner_email),
                action=action,
                status=ActionStatus.DONE,
                version=action.version,
                note="Done; evidence filed with the finding.",
            )
            updates["completed_at"] = story.at(
                min(raised + datetime.timedelta(days=max(due - 2, 1)), story.today)
            )
        Action.objects.filter(pk=action.pk).update(**updates)
    return owners


def seed(organisation: Organisation, users_by_email: dict[str, User], rng: random.Random) -> None:
    """Demo audits for the engineering firm and the care home; nothing if it has audits."""
    if Audit.objects.filter(organisation=organisation).exists():
        return
    specs = {
        "hartwell": (HARTWELL_PROCESSES, HARTWELL_AUDITS),
        "rosewood": (ROSEWOOD_PROCESSES, ROSEWOOD_AUDITS),
    }.get(organisation.slug)
    if specs is None:
        return
    started = timezone.now()
    story = _Story(organisation, users_by_email, rng)
    _processes(story, specs[0])
    for spec in specs[1]:
        _audit(story, spec)
    # Past events of the story are not news: drop their notifications (and so their e-mails).
    Notification.objects.filter(
        organisation=organisation,
        kind__in=["finding_raised", "action_assigned", "lesson_prompted"],
        created_at__gte=started,
    ).delete()


# After objectives only to keep the demo's one random sequence as it has always been drawn
# (the same demo data on every install); audits need no objectives.
registry.register("demo", DemoSeeder(name="audits", seed=seed, after=("objectives",)))
