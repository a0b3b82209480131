"""Demo lessons: what the closing events of the other apps' demo data taught.

By the time this runs, the apps' demo data has closed objectives, audits and findings' checks
and held reviews, and each asked its owner for a lesson (`services.prompt`). Here most are
answered, one is skipped with its reason, one more becomes an improvement, and the latest
review's stays waiting, so its chair finds it on the dashboard. The objectives app tells the
missed objective's lesson itself. Idempotent: nothing happens once any prompt is answered here.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.urls import reverse

from isova.accounts.models import Membership, Organisation, Role, User
from isova.notifications.models import Notification
from isova.registry import DemoSeeder, registry

from . import services
from .models import Lesson, LessonStatus, SourceKind

WORKED: dict[str, list[str]] = {
    SourceKind.AUDIT: [
        "Sending the audit plan a week ahead meant the records were ready and the audit kept "
        "to time.",
        "Auditing on the floor rather than in the office: people showed us how they really work.",
    ],
    SourceKind.FINDING: [
        "Containment on the same day stopped anything affected reaching a customer.",
        "Asking the people who do the job for the root cause found it in one session.",
    ],
    SourceKind.REVIEW: [
        "Sending the inputs pack a week before let each leader come with questions; the "
        "meeting kept to ninety minutes.",
    ],
}
DID_NOT: dict[str, list[str]] = {
    SourceKind.AUDIT: [
        "The sample of records was chosen on the day; two of the five asked for were archived "
        "off site.",
        "The night shift was not included, so half the process went unseen.",
    ],
    SourceKind.FINDING: [
        "The root cause took three weeks because nobody owned the five-whys session: name the "
        "person when the finding is raised.",
        "The corrective action fixed the one case; nobody checked where else it could happen.",
    ],
    SourceKind.REVIEW: [
        "Half the decisions had no owner or date when the minutes went out; we agreed them by "
        "e-mail afterwards.",
    ],
}
SKIP_REASON = (
    "A one-off correction of a label template, already covered by the lesson of the audit it "
    "came from."
)
IMPROVEMENT = "Name the owner of the root-cause session when a finding is raised"


def _members(organisation: Organisation) -> dict[int, Membership]:
    rows = Membership.objects.for_org(organisation).select_related("user", "organisation")
    return {m.user_id: m for m in rows}


def _redate(lesson: Lesson) -> None:
    """The apps' demo data moves closing dates into the past after closing: follow them."""
    source: Any = lesson.source
    when = getattr(source, "closed_on", None) or getattr(source, "effectiveness_at", None)
    day = when.date() if isinstance(when, datetime.datetime) else when
    if day and day != lesson.prompted_on:
        Lesson.objects.filter(pk=lesson.pk).update(prompted_on=day)


def seed(organisation: Organisation, users: dict[str, User], rng: random.Random) -> None:
    lessons = Lesson.objects.for_org(organisation)
    answered = lessons.exclude(source_kind=SourceKind.OBJECTIVE).exclude(
        status=LessonStatus.PROMPTED
    )
    if answered.exists():
        return
    members = _members(organisation)
    leader = next((m for m in members.values() if m.role == Role.LEADER), None)
    if leader is None:
        return
    asked = list(lessons.to_capture().order_by("prompted_on", "pk"))
    reviews = [x for x in asked if x.source_kind == SourceKind.REVIEW]
    waiting = {reviews[-1].pk} if reviews else set()
    skipped = improved = False
    done: list[Lesson] = []
    for lesson in asked:
        _redate(lesson)
        if lesson.pk in waiting or lesson.source_kind not in WORKED:
            continue
        owner = members.get(lesson.owner_id, leader)
        if lesson.source_kind == SourceKind.FINDING and not skipped:
            services.lesson_skip(membership=owner, lesson=lesson, reason=SKIP_REASON)
            skipped = True
            done.append(lesson)
            continue
        lesson = services.lesson_capture(
            membership=owner,
            lesson=lesson,
            what_worked=rng.choice(WORKED[lesson.source_kind]),
            what_did_not=rng.choice(DID_NOT[lesson.source_kind]),
            tags=lesson.tag_names,
        )
        done.append(lesson)
        if lesson.source_kind == SourceKind.FINDING and not improved:
            action = services.lesson_improve(
                membership=leader,
                lesson=lesson,
                title=IMPROVEMENT,
                owner=lesson.owner,
                due_date=organisation.today() + datetime.timedelta(days=60),
            )
            improved = True
            _forget(organisation, [reverse("action_detail", args=[action.pk])])
    # Answered long ago: their prompts are not news.
    _forget(organisation, [lesson.get_absolute_url() for lesson in done])


def _forget(organisation: Organisation, urls: list[str]) -> None:
    Notification.objects.filter(
        organisation=organisation,
        kind__in=["lesson_prompted", "action_assigned"],
        url__in=urls,
    ).delete()


registry.register("demo", DemoSeeder("lessons", seed, after=("objectives", "audits", "reviews")))
