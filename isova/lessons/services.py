"""Writes of lessons learned: prompt at a closing event, capture, skip, turn into an
improvement (an action here; an objective change or a risk update on the apps' forms, which
call `lesson_became` when they save: see isova.lessons.hooks).

`prompt` is what the apps call, inside the transaction that closes an objective, checks a
finding's corrective action, closes an audit or holds a management review. It asks once per
closed record (a unique constraint on the source): closing again, or a retried request,
prompts nothing new.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, models, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from isova import errors
from isova.accounts.models import Membership, Organisation, User
from isova.accounts.tenancy import OrgRequest, require
from isova.actions import services as actions
from isova.actions.models import Action
from isova.notifications import services as notifications

from . import permissions
from .models import ImprovementKind, Lesson, LessonStatus, LessonTag, SourceKind


class LessonError(errors.DomainError):
    """A move lessons do not allow; the message is shown to the user."""


MAX_TAGS = 12


def clean_tags(tags: Iterable[str]) -> list[str]:
    """Tags as people typed them, trimmed, each once (case-insensitively), at most MAX_TAGS."""
    seen: dict[str, str] = {}
    for tag in tags:
        name = " ".join(tag.split())[:120]
        if name and name.lower() not in seen:
            seen[name.lower()] = name
    if len(seen) > MAX_TAGS:
        raise LessonError(f"Give at most {MAX_TAGS} tags.")
    return sorted(seen.values(), key=str.lower)


def _set_tags(lesson: Lesson, tags: Iterable[str]) -> None:
    names = clean_tags(tags)
    lesson.tags.all().delete()
    LessonTag.objects.bulk_create([LessonTag(lesson=lesson, name=name) for name in names])


def _notify_prompt(lesson: Lesson) -> None:
    notifications.notify(
        organisation=lesson.organisation,
        recipient=lesson.owner,
        kind="lesson_prompted",
        key=f"lesson:{lesson.pk}",
        subject=f"What worked and what didn't? {lesson.source_label}"[:200],
        body=(
            f"{lesson.source_label} has closed. Take two minutes to note what worked and what "
            "didn't, so that the next one goes better (ISO 9001 10.3). If there is nothing to "
            "learn, skip it and say why.\n"
        ),
        url=lesson.get_absolute_url(),
    )


def prompt(
    *,
    source: models.Model,
    owner: User,
    kind: str,
    label: str,
    url: str = "",
    organisation: Organisation | None = None,
    on: datetime.date | None = None,
    tags: Iterable[str] = (),
) -> Lesson:
    """Ask `owner` what worked and what didn't about `source`, which has just closed; the
    existing lesson if it was asked already (once per source, whatever happens after)."""
    if kind not in SourceKind.values or kind == SourceKind.RECORDED:
        raise ValueError(f"not a closing event: {kind!r}")
    organisation = organisation or source.organisation  # type: ignore[attr-defined]
    content_type = ContentType.objects.get_for_model(source)
    found = Lesson.objects.filter(source_type=content_type, source_id=source.pk).first()
    if found is not None:
        return found
    lesson = Lesson(
        organisation=organisation,
        owner=owner,
        source_kind=kind,
        source_type=content_type,
        source_id=source.pk,
        source_label=label[:300],
        source_url=url[:300],
        prompted_on=on or organisation.today(),
    )
    try:
        with transaction.atomic():  # a concurrent close of the same record made it first
            lesson.save()
    except IntegrityError:
        return Lesson.objects.get(source_type=content_type, source_id=source.pk)
    if tags:
        _set_tags(lesson, tags)
    _notify_prompt(lesson)
    return lesson


def lesson_for(source: models.Model) -> Lesson | None:
    """The lesson asked for when `source` closed, if any (1 query)."""
    content_type = ContentType.objects.get_for_model(source)
    return (
        Lesson.objects.select_related("owner")
        .filter(source_type=content_type, source_id=source.pk)
        .first()
    )


def after_closing(source: models.Model, user: User) -> tuple[str, Any]:
    """What the page that closed `source` says next, and where it goes: to the lesson when
    the one closing it is asked for it, else back to `source` naming who is asked."""
    lesson = lesson_for(source)
    if lesson is None or lesson.status != LessonStatus.PROMPTED:
        return "", source
    if lesson.owner_id == user.pk:
        return "What worked and what didn't? Take two minutes, or skip it with a reason.", lesson
    return f"{lesson.owner.get_full_name()} is asked what worked and what didn't.", source


def _lock(lesson: Lesson) -> Lesson:
    return Lesson.objects.select_for_update().select_related("organisation").get(pk=lesson.pk)


@transaction.atomic
def lesson_capture(
    *,
    membership: Membership,
    lesson: Lesson,
    what_worked: str,
    what_did_not: str,
    tags: Iterable[str] = (),
) -> Lesson:
    """Write (or rewrite) what worked and what didn't; a skipped lesson may still be captured."""
    if not permissions.can_capture(membership, lesson):
        raise PermissionDenied("Only the lesson's owner, a manager or a leader captures it.")
    current = _lock(lesson)
    what_worked, what_did_not = what_worked.strip(), what_did_not.strip()
    if not what_worked and not what_did_not:
        raise LessonError("Say what worked, what didn't, or both.")
    current.what_worked, current.what_did_not = what_worked, what_did_not
    current.status = LessonStatus.CAPTURED
    current.captured_at, current.captured_by = timezone.now(), membership.user
    current.save(
        update_fields=["what_worked", "what_did_not", "status", "captured_at", "captured_by"]
    )
    _set_tags(current, tags)
    return current


@transaction.atomic
def lesson_skip(*, membership: Membership, lesson: Lesson, reason: str) -> Lesson:
    """Decline to capture, saying why (the reason stays on the lesson, for all to read)."""
    if not permissions.can_skip(membership, lesson):
        raise PermissionDenied("Only the lesson's owner, a manager or a leader skips it.")
    current = _lock(lesson)
    if current.status != LessonStatus.PROMPTED:
        raise LessonError(
            f"This lesson is already {current.get_status_display().lower()}; it cannot be skipped."
        )
    if not reason.strip():
        raise LessonError("Say why there is no lesson to capture.")
    current.status = LessonStatus.SKIPPED
    current.skip_reason = reason.strip()
    current.skipped_at, current.skipped_by = timezone.now(), membership.user
    current.save(update_fields=["status", "skip_reason", "skipped_at", "skipped_by"])
    return current


@transaction.atomic
def lesson_record(
    *,
    membership: Membership,
    label: str,
    what_worked: str,
    what_did_not: str,
    tags: Iterable[str] = (),
) -> Lesson:
    """A lesson nobody was asked for (a project, an incident): recorded by hand, captured."""
    if not label.strip():
        raise LessonError("Say what the lesson is about.")
    lesson = Lesson.objects.create(
        organisation=membership.organisation,
        owner=membership.user,
        source_kind=SourceKind.RECORDED,
        source_label=label.strip()[:300],
        prompted_on=membership.organisation.today(),
    )
    return lesson_capture(
        membership=membership,
        lesson=lesson,
        what_worked=what_worked,
        what_did_not=what_did_not,
        tags=tags,
    )


@transaction.atomic
def lesson_improve(
    *,
    membership: Membership,
    lesson: Lesson,
    title: str,
    owner: User,
    due_date: datetime.date | None = None,
    description: str = "",
) -> Action:
    """Turn a captured lesson into an improvement: an action (whose source is the lesson)
    assigned to `owner`; the lesson records which action it became."""
    if not permissions.can_improve(membership, lesson):
        raise PermissionDenied("Only leaders and managers turn lessons into actions.")
    current = _lock(lesson)
    if current.status != LessonStatus.CAPTURED:
        raise LessonError("Capture what worked and what didn't before turning it into an action.")
    _check_improvable(current)
    if not title.strip():
        raise LessonError("Give the action a title.")
    action = actions.action_create(
        membership=membership,
        title=title.strip()[:200],
        owner=owner,
        due_date=due_date,
        description=description.strip() or _describe(current),
        source=current,
    )
    current.action = action
    _mark(
        current,
        membership,
        ImprovementKind.ACTION,
        action.title,
        reverse("action_detail", args=[action.pk]),
    )
    return action


def _check_improvable(lesson: Lesson) -> None:
    if lesson.status != LessonStatus.CAPTURED:
        raise LessonError("Capture what worked and what didn't before turning it into a change.")
    if lesson.is_improved:
        kind = lesson.get_improvement_kind_display().lower() or "action"
        raise LessonError(f"This lesson is already an improvement ({kind}): see the lesson.")


def _mark(lesson: Lesson, membership: Membership, kind: str, label: str, url: str) -> None:
    lesson.improvement_kind = kind
    lesson.improvement_label, lesson.improvement_url = label[:300], url[:300]
    lesson.improved_at, lesson.improved_by = timezone.now(), membership.user
    lesson.save(
        update_fields=[
            "action",
            "improvement_kind",
            "improvement_label",
            "improvement_url",
            "improved_at",
            "improved_by",
        ]
    )


# --- improvements the apps make (isova.lessons.hooks) -------------------------------------


def lesson_to_improve(request: OrgRequest) -> Lesson | None:
    """The lesson an app's form is turning into an improvement (`?lesson=<pk>` in the address
    of its GET or POST), checked before the form reads anything: None without one; 403 for
    a role that does not turn lessons into improvements; 404 for another organisation's (or
    no such) lesson."""
    raw = request.GET.get("lesson")
    if raw is None:
        return None
    require(request, "isova.lesson.improve")
    if not raw.isdigit():
        raise Http404("No such lesson in this organisation.")
    lesson = (
        Lesson.objects.filter(organisation=request.organisation, pk=int(raw))
        .select_related("owner")
        .first()
    )
    if lesson is None:
        raise Http404("No such lesson in this organisation.")
    return lesson


def improvement_text(lesson: Lesson) -> str:
    """What an app's form is prefilled with: the lesson, in its words."""
    return _describe(lesson)


@transaction.atomic
def lesson_became(
    *, membership: Membership, lesson: Lesson, kind: str, label: str, url: str
) -> Lesson:
    """Record that `lesson` became the improvement `kind` (an `ImprovementKind`), named
    `label` at `url`: called by an app in the transaction that saves its change, so that a
    refusal here (another organisation's lesson, not captured, already an improvement, a role
    that may not) undoes the change too."""
    if not permissions.can_improve(membership, lesson):
        raise PermissionDenied("Only leaders and managers turn lessons into improvements.")
    if kind not in ImprovementKind.values or kind == ImprovementKind.ACTION:
        raise ValueError(f"not an improvement an app makes: {kind!r}")
    current = _lock(lesson)
    _check_improvable(current)
    _mark(current, membership, kind, label, url)
    return current


def _describe(lesson: Lesson) -> str:
    parts = [f"Improvement from the lesson of {lesson.source_label}."]
    if lesson.what_did_not:
        parts.append(f"What didn't work: {lesson.what_did_not}")
    if lesson.what_worked:
        parts.append(f"What worked: {lesson.what_worked}")
    return "\n\n".join(parts)


def improvement_defaults(lesson: Lesson) -> dict[str, Any]:
    """The "turn into an action" form's starting values: the first line of what didn't work."""
    first = (lesson.what_did_not or lesson.what_worked).strip().splitlines()
    title = first[0][:200] if first else f"Act on the lesson of {lesson.source_label}"[:200]
    return {"title": title, "owner": lesson.owner_id}
