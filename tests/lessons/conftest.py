"""Helpers for the lessons tests: closing events made through the apps' own services."""

from __future__ import annotations

import datetime

from audits import services as audit_services
from isova.lessons import services
from isova.lessons.models import Lesson, SourceKind
from objectives import services as objective_services
from objectives.models import Objective
from tests.audits.conftest import assign, complete, plan, raise_finding, respond, start, verify
from tests.conftest import Org, membership_of
from tests.factories import PASSWORD
from tests.objectives.conftest import make_objective


def close_objective(org: Org, objective: Objective, decision: str = "missed") -> Objective:
    objective_services.review_record(
        membership=membership_of(org.leader, org.organisation),
        objective=objective,
        reviewed_on=org.organisation.today(),
        decision=decision,
        note="Closed at the operations meeting.",
    )
    return Objective.objects.get(pk=objective.pk)


def missed_objective(org: Org, owner=None, title: str = "On-time delivery") -> Objective:
    objective = make_objective(org.organisation, owner or org.manager, title=title)
    return close_objective(org, objective)


def checked_finding(org: Org, process=None, effective: bool = True):
    """A finding through its response to the effectiveness check (which prompts)."""
    audit = start(org, plan(org, process=process))
    finding = respond(org, raise_finding(org, audit))
    complete(org, assign(org, finding))
    return verify(org, finding, effective=effective), audit


def closed_audit(org: Org, process=None):
    audit = start(org, plan(org, process=process))
    auditor = membership_of(org.auditor, org.organisation)
    audit = audit_services.audit_update(
        membership=auditor, audit=audit, summary="Fine.", conclusion="Effective."
    )
    audit = audit_services.audit_report(membership=auditor, audit=audit, password=PASSWORD)
    return audit_services.audit_close(membership=auditor, audit=audit)


def recorded(org: Org, owner=None, label="Move to the new ERP", **fields) -> Lesson:
    """A captured lesson recorded by hand (no closing event)."""
    fields.setdefault("what_worked", "Training every planner before go-live.")
    fields.setdefault("what_did_not", "Data migration started two weeks late.")
    return services.lesson_record(
        membership=membership_of(owner or org.manager, org.organisation), label=label, **fields
    )


def prompted(org: Org, owner=None, n: int = 1, day: datetime.date | None = None) -> list[Lesson]:
    """`n` objectives closed as missed, each asking `owner` (default: the staff member)."""
    lessons = []
    for i in range(n):
        objective = missed_objective(org, owner or org.staff, title=f"Objective {i}")
        lesson = Lesson.objects.get(source_kind=SourceKind.OBJECTIVE, source_id=objective.pk)
        if day:
            Lesson.objects.filter(pk=lesson.pk).update(prompted_on=day)
            lesson.refresh_from_db()
        lessons.append(lesson)
    return lessons


def capture(org: Org, lesson: Lesson, by=None, **fields) -> Lesson:
    fields.setdefault("what_worked", "The weekly call.")
    fields.setdefault("what_did_not", "No agreed target with suppliers.")
    return services.lesson_capture(
        membership=membership_of(by or lesson.owner, org.organisation), lesson=lesson, **fields
    )


def improve(org: Org, lesson: Lesson, by=None, title="Qualify a second supplier"):
    return services.lesson_improve(
        membership=membership_of(by or org.manager, org.organisation),
        lesson=lesson,
        title=title,
        owner=org.staff,
        due_date=org.organisation.today() + datetime.timedelta(days=30),
    )
