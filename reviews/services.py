"""Writes of the reviews app: schedule, prepare, hold and close reviews; feedback; policy reach.

Every function is keyword-only and atomic, checks the member's role through `isova.tenancy`
and the record's state, and raises a `ReviewError` (a `DomainError`) the views show.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from isova import records
from isova.accounts import tenancy
from isova.actions import services as actions
from isova.errors import DomainError, NotAllowed
from isova.lessons import services as lessons
from isova.models import Action, Membership, QualityPolicy, Role, User
from isova.notifications import services as notifications

from .models import (
    Attendance,
    AttendanceStatus,
    ContextIssue,
    Feedback,
    FeedbackKind,
    FeedbackStatus,
    OutputKind,
    PolicyAcknowledgement,
    Review,
    ReviewOutput,
    ReviewStatus,
    SectionNote,
)
from .pack import live_pack, section_keys

MINUTES_MEANING = "approved minutes"
COMPLAINT_RESPONSE_DAYS = 14


class ReviewError(DomainError):
    """A move on a review or feedback the rules do not allow."""


def _require(membership: Membership, perm: str, message: str) -> None:
    if not tenancy.has_perm(membership, perm):
        raise NotAllowed(message)


def _same_org(membership: Membership, obj: Any) -> None:
    if obj.organisation_id != membership.organisation_id:
        raise NotAllowed("That belongs to another organisation.")


def _check_members(membership: Membership, users: list[User]) -> None:
    ids = {u.pk for u in users}
    found = set(
        Membership.objects.filter(
            organisation_id=membership.organisation_id, user_id__in=ids
        ).values_list("user_id", flat=True)
    )
    if found != ids:
        raise ReviewError("Everyone named must be a member of this organisation.")


# --- reviews --------------------------------------------------------------------------------


@transaction.atomic
def review_schedule(
    *,
    membership: Membership,
    title: str,
    meeting_date: datetime.date,
    chair: User,
    attendees: list[User],
    period_start: datetime.date,
    start_time: datetime.time = datetime.time(10, 0),
    duration_minutes: int = 120,
    location: str = "",
    agenda: str = "",
) -> Review:
    """Plan a review; the chair must be a leader and is always among the invited."""
    _require(membership, "reviews.review.plan", "Only leaders and managers plan reviews.")
    if not Membership.objects.filter(
        organisation_id=membership.organisation_id, user=chair, role=Role.LEADER
    ).exists():
        raise ReviewError("The chair must be a leader of this organisation.")
    _check_members(membership, attendees)
    if period_start > meeting_date:
        raise ReviewError("The period the pack covers must start before the meeting.")
    review = Review.objects.create(
        organisation_id=membership.organisation_id,
        title=title,
        meeting_date=meeting_date,
        start_time=start_time,
        duration_minutes=duration_minutes,
        location=location,
        chair=chair,
        agenda=agenda,
        period_start=period_start,
        created_by=membership.user,
    )
    people = {chair.pk: chair, **{u.pk: u for u in attendees}}
    Attendance.objects.bulk_create([Attendance(review=review, user=u) for u in people.values()])
    for person in people.values():
        _notify_invited(review, person, by=membership.user)
    return review


def _notify_invited(review: Review, person: User, *, by: User) -> None:
    """Tell an invited person (not the one who planned it); e-mailed once this commits."""
    if person.pk == by.pk:
        return
    organisation = review.organisation
    where = f" in {review.location}" if review.location else ""
    role = "chair" if person.pk == review.chair_id else "attend"
    lines = [
        f"{by.get_full_name()} invited you to {role} a management review in {organisation}.",
        "",
        f"What: {review.title}",
        f"When: {organisation.format_date(review.meeting_date)} at "
        f"{review.start_time:%H:%M} ({review.duration_minutes} minutes){where}",
        f"Chair: {review.chair.get_full_name()}",
    ]
    if review.agenda:
        lines += ["", "Agenda:", review.agenda]
    lines += ["", "The review's page (below) has its inputs pack and a calendar invitation (.ics)."]
    notifications.notify(
        organisation=organisation,
        recipient=person,
        kind="review_invited",
        key=f"review:{review.pk}",
        subject=f"Invitation: {review.title} on {organisation.format_date(review.meeting_date)}",
        body="\n".join(lines) + "\n",
        url=review.get_absolute_url(),
    )


RESCHEDULE_FIELDS = (
    "title", "meeting_date", "start_time", "duration_minutes", "location", "period_start", "agenda",
)  # fmt: skip


@transaction.atomic
def review_reschedule(
    *, membership: Membership, review: Review, invite: Any = (), **changes: Any
) -> Review:
    """Move a planned review (an overdue one gets a new date); a held one is history. People
    in `invite` are added to the invited and told (`review_invite`)."""
    _same_org(membership, review)
    _require(membership, "reviews.review.plan", "Only leaders and managers plan reviews.")
    if set(changes) - set(RESCHEDULE_FIELDS):
        raise ValueError(f"not reschedulable: {sorted(set(changes) - set(RESCHEDULE_FIELDS))}")
    current = _lock(review)
    if current.status != ReviewStatus.PLANNED:
        raise ReviewError("This review was held: its date and period are part of the record.")
    for name, value in changes.items():
        setattr(current, name, value)
    if current.period_start > current.meeting_date:
        raise ReviewError("The period the pack covers must start before the meeting.")
    current.save(update_fields=list(changes))
    if invite:
        review_invite(membership=membership, review=current, people=list(invite))
    return current


@transaction.atomic
def review_invite(*, membership: Membership, review: Review, people: list[User]) -> list[User]:
    """Invite more people to a planned review; each newly invited person gets the invitation
    the others had (and the scan's reminders catch them up). Returns who was new."""
    _same_org(membership, review)
    _require(membership, "reviews.review.plan", "Only leaders and managers plan reviews.")
    _check_members(membership, people)
    current = _lock(review)
    if current.status != ReviewStatus.PLANNED:
        raise ReviewError("This review was held: who attended is part of the record.")
    invited = set(current.attendances.values_list("user_id", flat=True))
    new = [p for p in {p.pk: p for p in people}.values() if p.pk not in invited]
    Attendance.objects.bulk_create([Attendance(review=current, user=p) for p in new])
    for person in new:
        _notify_invited(current, person, by=membership.user)
    return new


def _lock(review: Review) -> Review:
    return (
        Review.objects.select_for_update().select_related("organisation", "chair").get(pk=review.pk)
    )


@transaction.atomic
def note_save(
    *,
    membership: Membership,
    review: Review,
    key: str,
    comment: str | None = None,
    discussion: str | None = None,
    not_covered: bool | None = None,
    not_covered_reason: str | None = None,
) -> SectionNote:
    """Save the presenter's comment (before the meeting) or the discussion of one section."""
    _same_org(membership, review)
    _require(membership, "reviews.review.record", "Only leaders and managers record reviews.")
    current = _lock(review)
    if current.is_closed:
        raise ReviewError("The minutes are signed: the review can no longer change.")
    if key not in section_keys():
        raise ReviewError("There is no such section in the pack.")
    if comment is not None and current.status != ReviewStatus.PLANNED:
        raise ReviewError("The pack is frozen: comments were kept as they were at the meeting.")
    note, _ = SectionNote.objects.get_or_create(review=current, key=key)
    if comment is not None:
        note.comment = comment.strip()
    if discussion is not None:
        note.discussion = discussion.strip()
    if not_covered is not None:
        note.not_covered = not_covered
    if not_covered_reason is not None:
        note.not_covered_reason = not_covered_reason.strip()
    note.save()
    return note


@transaction.atomic
def attendance_record(
    *, membership: Membership, review: Review, statuses: Mapping[int, str]
) -> None:
    """Set who was present or sent apologies (`statuses`: user id → AttendanceStatus)."""
    _same_org(membership, review)
    _require(membership, "reviews.review.record", "Only leaders and managers record reviews.")
    current = _lock(review)
    if current.is_closed:
        raise ReviewError("The minutes are signed: attendance can no longer change.")
    rows = {a.user_id: a for a in current.attendances.all()}
    for user_id, status in statuses.items():
        if user_id not in rows:
            raise ReviewError("Only invited people have an attendance to record.")
        if status not in AttendanceStatus.values:
            raise ReviewError(f"“{status}” is not an attendance status.")
        rows[user_id].status = status
    Attendance.objects.bulk_update(list(rows.values()), ["status"])


@transaction.atomic
def review_hold(*, membership: Membership, review: Review) -> Review:
    """The meeting takes place: freeze the inputs pack (data and comments) into the review."""
    _same_org(membership, review)
    _require(membership, "reviews.review.record", "Only leaders and managers record reviews.")
    current = _lock(review)
    if current.status != ReviewStatus.PLANNED:
        raise ReviewError("This review was already held: its pack is frozen.")
    comments = dict(current.notes.values_list("key", "comment"))
    current.pack = live_pack(current, comments)
    current.status = ReviewStatus.HELD
    current.held_at = timezone.now()
    current.save(update_fields=["pack", "status", "held_at"])
    lessons.prompt(
        source=current,
        owner=current.chair,
        kind="review",
        label=f"Management review “{current.title}”",
        url=current.get_absolute_url(),
        on=current.meeting_date,
    )
    return current


@transaction.atomic
def external_providers_save(*, membership: Membership, review: Review, text: str) -> Review:
    _same_org(membership, review)
    _require(membership, "reviews.review.record", "Only leaders and managers record reviews.")
    current = _lock(review)
    if current.status != ReviewStatus.PLANNED:
        raise ReviewError("The pack is frozen: this section was kept as it was at the meeting.")
    current.external_providers = text.strip()
    current.save(update_fields=["external_providers"])
    return current


@transaction.atomic
def output_add(
    *,
    membership: Membership,
    review: Review,
    kind: str,
    decision: str,
    owner: User | None = None,
    due_date: datetime.date | None = None,
    estimated_effort_hours: Decimal | None = None,
    estimated_cost: Decimal | None = None,
) -> ReviewOutput:
    """Record a decision (9.3.3); with an owner it becomes an action sourced from the review."""
    _same_org(membership, review)
    _require(membership, "reviews.review.record", "Only leaders and managers record reviews.")
    current = _lock(review)
    if current.status != ReviewStatus.HELD:
        raise ReviewError("Decisions are recorded once the meeting is held, before signing.")
    if kind not in OutputKind.values:
        raise ReviewError("Choose the type of output (improvement, QMS change, resources).")
    action: Action | None = None
    if owner is not None:
        try:
            action = actions.action_create(
                membership=membership,
                title=decision.strip().splitlines()[0][:200],
                description=f"Decided at {current}:\n\n{decision.strip()}",
                owner=owner,
                due_date=due_date,
                estimated_effort_hours=estimated_effort_hours,
                estimated_cost=estimated_cost,
                source=current,
            )
        except actions.ActionError as error:
            raise ReviewError(str(error)) from error
    return ReviewOutput.objects.create(
        review=current, kind=kind, decision=decision.strip(), action=action
    )


def close_problems(review: Review) -> list[str]:
    """What stops the minutes being signed: sections not discussed, nor excused with a reason."""
    if review.status != ReviewStatus.HELD:
        return ["The meeting has not been held yet: hold it to freeze the pack first."]
    notes = {n.key: n for n in review.notes.all()}
    titles = {s["key"]: s["title"] for s in review.pack or []}
    problems = []
    for key in titles:
        note = notes.get(key)
        if note is None or (not note.discussion and not note.not_covered):
            problems.append(f"“{titles[key]}” has no discussion recorded.")
        elif note.not_covered and not note.not_covered_reason:
            problems.append(f"“{titles[key]}” is marked not covered without a reason.")
    if not review.attendances.filter(status=AttendanceStatus.PRESENT).exists():
        problems.append("Nobody is recorded as present.")
    return problems


@transaction.atomic
def review_close(
    *,
    membership: Membership,
    review: Review,
    password: str = "",
    comment: str = "",
    proof: records.ProviderSignIn | None = None,
    shown_hash: str | None = None,
) -> Review:
    """The chair signs the minutes ("approved minutes"): the review is closed for good. `proof`:
    a fresh sign-in at the provider instead of the password, made for `shown_hash` (the
    review as its page showed it)."""
    _same_org(membership, review)
    _require(membership, "reviews.review.sign", "Only leaders sign minutes.")
    current = _lock(review)
    if membership.user_id != current.chair_id:
        raise NotAllowed("Only the chair of the review signs its minutes.")
    problems = close_problems(current)
    if problems:
        raise ReviewError("The review cannot be closed yet: " + " ".join(problems))
    try:
        if proof is not None:
            records.check_shown(current, shown_hash)
        records.sign(
            membership=membership,
            obj=current,
            meaning=MINUTES_MEANING,
            password=password,
            comment=comment,
            proof=proof,
            binding=shown_hash,
        )
    except records.RecordError as error:
        raise ReviewError(str(error)) from error
    current.status = ReviewStatus.CLOSED
    current.closed_at = timezone.now()
    current.save(update_fields=["status", "closed_at"])
    return current


# --- context issues ---------------------------------------------------------------------------


@transaction.atomic
def context_issue_save(
    *, membership: Membership, issue: ContextIssue | None = None, **fields: Any
) -> ContextIssue:
    _require(membership, "reviews.context.manage", "Only leaders and managers keep the register.")
    if issue is None:
        issue = ContextIssue(organisation_id=membership.organisation_id)
    _same_org(membership, issue)
    for name in ("kind", "title", "description", "active"):
        if name in fields:
            setattr(issue, name, fields[name])
    issue.save()
    return issue


# --- feedback ---------------------------------------------------------------------------------


@transaction.atomic
def feedback_submit(*, membership: Membership, kind: str, title: str, **fields: Any) -> Feedback:
    """Anyone submits a suggestion; customer feedback is logged by those who respond to it."""
    _require(membership, "reviews.feedback.submit", "Your role cannot submit feedback.")
    if kind != FeedbackKind.SUGGESTION:
        _require(
            membership,
            "reviews.feedback.respond",
            "Only leaders and managers log customer feedback.",
        )
    if kind not in FeedbackKind.values:
        raise ReviewError("Choose the kind of feedback.")
    owner = fields.get("owner")
    if owner is not None:
        _check_members(membership, [owner])
    if kind == FeedbackKind.SURVEY and fields.get("score") is None:
        raise ReviewError("A survey result needs its score (0–10).")
    score = fields.get("score")
    if score is not None and not 0 <= score <= 10:
        raise ReviewError("A survey score is between 0 and 10.")
    allowed = {*Feedback.DETAIL_FIELDS, "owner", "response_due"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"not feedback fields: {sorted(unknown)}")
    values = {k: v for k, v in fields.items() if v is not None}
    values.setdefault("received_on", membership.organisation.today())
    if kind == FeedbackKind.COMPLAINT:
        # A complaint without a due date still gets one, so "answered in time" means something.
        days = datetime.timedelta(days=COMPLAINT_RESPONSE_DAYS)
        values.setdefault("response_due", values["received_on"] + days)
    if kind == FeedbackKind.SUGGESTION:
        values = {k: values[k] for k in ("description", "received_on", "category") if k in values}
    return Feedback.objects.create(
        organisation_id=membership.organisation_id,
        kind=kind,
        title=title.strip(),
        submitted_by=membership.user,
        **values,
    )


def _lock_feedback(membership: Membership, feedback: Feedback) -> Feedback:
    _same_org(membership, feedback)
    _require(membership, "reviews.feedback.respond", "Only leaders and managers respond.")
    return Feedback.objects.select_for_update().get(pk=feedback.pk)


@transaction.atomic
def feedback_respond(
    *,
    membership: Membership,
    feedback: Feedback,
    response: str,
    status: str = FeedbackStatus.ANSWERED,
    owner: User | None = None,
    response_due: datetime.date | None = None,
) -> Feedback:
    current = _lock_feedback(membership, feedback)
    if status not in FeedbackStatus.values:
        raise ReviewError("Choose a status.")
    if owner is not None:
        _check_members(membership, [owner])
        current.owner = owner
    if response_due is not None:
        current.response_due = response_due
    response = response.strip()
    if status != FeedbackStatus.OPEN and not response:
        raise ReviewError("Write the response before marking the feedback answered or closed.")
    if response and response != current.response:
        current.response = response
        current.responded_at = timezone.now()
        current.responded_by = membership.user
    current.status = status
    current.save()
    return current


@transaction.atomic
def feedback_to_action(
    *,
    membership: Membership,
    feedback: Feedback,
    title: str,
    owner: User,
    due_date: datetime.date | None = None,
) -> Action:
    """Turn feedback into an action; the feedback keeps the link."""
    current = _lock_feedback(membership, feedback)
    if current.action_id:
        raise ReviewError("This feedback already became an action.")
    try:
        action = actions.action_create(
            membership=membership,
            title=title,
            description=f"From {current.get_kind_display().lower()}: {current.title}\n\n"
            f"{current.description}".strip(),
            owner=owner,
            due_date=due_date,
        )
    except actions.ActionError as error:
        raise ReviewError(str(error)) from error
    current.action = action
    current.save(update_fields=["action"])
    return action


@transaction.atomic
def feedback_link_objective(
    *, membership: Membership, feedback: Feedback, objective: Any, note: str = ""
) -> Feedback:
    """Record that this feedback changed an objective (the change itself is made there)."""
    current = _lock_feedback(membership, feedback)
    _same_org(membership, objective)
    current.objective = objective
    if note:
        current.response = (current.response + "\n\n" + note.strip()).strip()
        current.responded_at = timezone.now()
        current.responded_by = membership.user
    current.save()
    return current


# --- policy acknowledgement ----------------------------------------------------------------------


def approved_policy(membership: Membership) -> tuple[QualityPolicy | None, int | None]:
    """The organisation's current policy and its latest approved version number."""
    policy = (
        QualityPolicy.objects.filter(organisation_id=membership.organisation_id)
        .order_by("-effective_from", "-pk")
        .first()
    )
    if policy is None:
        return None, None
    approved = records.state(policy).approved
    return policy, approved.number if approved else None


@transaction.atomic
def policy_acknowledge(
    *, membership: Membership, policy: QualityPolicy, version_number: int
) -> PolicyAcknowledgement:
    """ "I have read this": only for the latest approved version (a stale page is refused)."""
    _same_org(membership, policy)
    _require(membership, "reviews.policy.acknowledge", "Your role cannot acknowledge the policy.")
    approved = records.state(policy).approved
    if approved is None or approved.number != version_number:
        raise ReviewError("That is not the approved version of the policy any more: read it again.")
    ack, _ = PolicyAcknowledgement.objects.get_or_create(
        policy=policy,
        version_number=version_number,
        user=membership.user,
        defaults={"organisation_id": membership.organisation_id, "acknowledged_at": timezone.now()},
    )
    return ack


@transaction.atomic
def feedback_import_surveys(*, membership: Membership, rows: list[Any]) -> int:
    """Save parsed survey rows (reviews.csvfiles.SurveyRow), all in one transaction."""
    _require(membership, "reviews.feedback.respond", "Only leaders and managers import surveys.")
    Feedback.objects.bulk_create(
        [
            Feedback(
                organisation_id=membership.organisation_id,
                kind=FeedbackKind.SURVEY,
                title=(row.comment.strip().splitlines() or [f"Survey score {row.score}"])[0][:200],
                description=row.comment.strip(),
                customer=row.customer,
                received_on=row.received_on,
                category=row.category,
                score=row.score,
                submitted_by=membership.user,
                status=FeedbackStatus.CLOSED,
            )
            for row in rows
        ]
    )
    return len(rows)
