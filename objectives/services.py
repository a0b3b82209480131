"""Writes of the objectives app: objectives, plan steps, measurements, CSV import, reviews.

Every function is keyword-only and atomic, checks the caller's role through
`objectives.permissions` (built on `isova.tenancy`) and raises `ObjectiveError` with a
message fit to show when the move is not allowed.
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from isova import records
from isova.accounts.tenancy import has_perm
from isova.actions import services as actions
from isova.errors import DomainError
from isova.lessons import services as lessons
from isova.lessons.models import Lesson
from isova.models import Action, Membership, RecordVersion, User

from . import permissions
from .models import (
    Decision,
    Measurement,
    Objective,
    Review,
    Status,
    StrategicGoal,
    add_months,
    parse_period,
    period_bounds,
    period_label,
)


class ObjectiveError(DomainError):
    """A move the objectives workflow does not allow; the message is shown to the user."""


# The fields a create/edit form may set (status and organisation are never set by forms).
EDITABLE_FIELDS = (
    "title",
    "goal",
    "why",
    "owner",
    *Objective.MEASURE_FIELDS,
    "frequency",
    "amber_tolerance",
    "red_tolerance",
    "resources",
    "budget",
    "evaluation",
    "review_every",
    "next_review_date",
)


def _check_people(membership: Membership, owner: User | None, goal: StrategicGoal | None) -> None:
    organisation = membership.organisation
    if owner is not None and not organisation.memberships.filter(user=owner).exists():
        raise ObjectiveError("The owner must be a member of this organisation.")
    if goal is not None and goal.organisation_id != organisation.pk:
        raise ObjectiveError("Choose a strategic goal of this organisation.")


def _validate(objective: Objective) -> None:
    try:
        objective.full_clean(exclude=["organisation", "created_by"])
    except ValidationError as error:
        raise ObjectiveError(" ".join(error.messages)) from None


@transaction.atomic
def goal_create(*, membership: Membership, title: str, description: str = "") -> StrategicGoal:
    if not has_perm(membership, "objectives.goal.manage"):
        raise PermissionDenied("Only leaders and managers set strategic goals.")
    title = title.strip()
    if StrategicGoal.objects.for_org(membership.organisation).filter(title__iexact=title).exists():
        raise ObjectiveError(f"There is already a goal called “{title}”.")
    return StrategicGoal.objects.create(
        organisation=membership.organisation, title=title, description=description.strip()
    )


@transaction.atomic
def objective_create(*, membership: Membership, **fields: Any) -> Objective:
    """A new objective, as a draft, owned by `fields["owner"]`."""
    if not has_perm(membership, "objectives.objective.create"):
        raise PermissionDenied("Only leaders and managers set objectives.")
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    _check_people(membership, fields.get("owner"), fields.get("goal"))
    objective = Objective(
        organisation=membership.organisation, created_by=membership.user, **fields
    )
    _validate(objective)
    objective.save()
    return objective


@transaction.atomic
def objective_update(*, membership: Membership, objective: Objective, **changes: Any) -> Objective:
    """Edit an objective; a material change after approval asks for approval again."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    current = Objective.objects.select_for_update().get(pk=objective.pk)
    if not permissions.can_edit(membership, current):
        raise PermissionDenied("Your role cannot edit this objective.")
    _check_people(membership, changes.get("owner"), changes.get("goal"))
    changed = [name for name, value in changes.items() if getattr(current, name) != value]
    for name in changed:
        setattr(current, name, changes[name])
    if not changed:
        return current
    _validate(current)
    current._change_reason = "edited"
    current.save()
    _after_material_edit(current, changed, membership.user)
    return current


def _after_material_edit(objective: Objective, changed: list[str], user: User) -> None:
    """Tell the records mechanism; a submission that changed goes back to draft (the
    objective follows in `Objective.on_record_changed`)."""
    records.record_changed(obj=objective, changed_fields=changed, user=user)


def plan_steps(objective: Objective) -> int:
    return objective.actions.live().count()


@transaction.atomic
def plan_step_add(*, membership: Membership, objective: Objective, **fields: Any) -> Action:
    """Add a step to the objective's plan: an `isova.Action` with the objective as source.

    `fields` are `isova.actions.action_create`'s (title, owner, due_date, …).
    """
    if not permissions.can_edit(membership, objective):
        raise PermissionDenied("Your role cannot change this objective's plan.")
    due_date = fields.get("due_date")
    if due_date and objective.target_date and due_date > objective.target_date:
        raise ObjectiveError("A plan step must be due by the objective's target date.")
    action = actions.action_create(membership=membership, source=objective, **fields)
    _after_material_edit(objective, ["plan"], membership.user)
    return action


# --- measurements ------------------------------------------------------------------------


def _day(day: datetime.date) -> str:
    return f"{day.day} {day:%b %Y}"


def check_period(objective: Objective, start: datetime.date, today: datetime.date) -> None:
    """Refuse a period outside the objective's dates, or one that has not begun yet."""
    _, end = period_bounds(start, objective.frequency)
    label = period_label(start, objective.frequency)
    if end < objective.start_date or start > objective.target_date:
        raise ObjectiveError(
            f"The period {label} is outside the objective's dates "
            f"({_day(objective.start_date)} – {_day(objective.target_date)})."
        )
    if start > today:
        raise ObjectiveError(f"The period {label} has not started yet.")


def _save_value(
    objective: Objective, start: datetime.date, value: Decimal, comment: str, user: User
) -> Measurement:
    """Insert or update the value of one period; simple-history keeps the earlier value."""
    _, end = period_bounds(start, objective.frequency)
    existing = (
        Measurement.objects.select_for_update().filter(objective=objective, period=start).first()
    )
    if existing is None:
        try:
            with transaction.atomic():
                measurement = Measurement(
                    objective=objective, period=start, period_end=end, value=value
                )
                measurement.comment, measurement.recorded_by = comment, user
                measurement._history_user = user  # type: ignore[attr-defined]
                measurement.save()
                return measurement
        except IntegrityError:  # recorded by someone else a moment ago: update theirs
            existing = Measurement.objects.select_for_update().get(
                objective=objective, period=start
            )
    existing.value, existing.comment, existing.recorded_by = value, comment, user
    existing._history_user = user  # type: ignore[attr-defined]
    existing.save()
    return existing


@transaction.atomic
def measurement_record(
    *,
    membership: Membership,
    objective: Objective,
    period: datetime.date,
    value: Decimal,
    comment: str = "",
) -> Measurement:
    """Record (or correct) the objective's value for the period containing `period`."""
    if not permissions.can_record_value(membership, objective):
        raise PermissionDenied("You can record values only for objectives you own or work on.")
    start, _ = period_bounds(period, objective.frequency)
    check_period(objective, start, membership.organisation.today())
    return _save_value(objective, start, value, comment.strip(), membership.user)


@dataclass
class RowError:
    line: int
    message: str


class ImportRejected(ObjectiveError):
    """The upload had bad rows: nothing was saved."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        super().__init__(f"{len(errors)} problem(s) found; nothing was saved.")


CSV_COLUMNS = ("objective_id", "period", "value", "comment")
MAX_IMPORT_ROWS = 5000
_value_field = forms.DecimalField(max_digits=14, decimal_places=4)


MAX_COMMENT_LENGTH = 500  # Measurement.comment


@dataclass
class _Row:
    line: int
    objective: Objective
    start: datetime.date
    value: Decimal
    comment: str


def _read_csv(upload: IO[bytes]) -> tuple[list[dict[str, str]], list[RowError]]:
    try:
        text = upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [RowError(1, "The file is not UTF-8 text; save it as CSV UTF-8.")]
    # strict: an unterminated quote is an error, not a value that runs to the end of the file.
    reader = csv.DictReader(io.StringIO(text), strict=True)
    header = [name.strip().lower() for name in reader.fieldnames or []]
    missing = [c for c in CSV_COLUMNS[:3] if c not in header]
    if missing:
        return [], [
            RowError(
                1,
                f"The first line must name the columns {', '.join(CSV_COLUMNS)}; "
                f"missing: {', '.join(missing)}.",
            )
        ]
    reader.fieldnames = header
    rows = []
    try:
        for row in reader:
            if any((v or "").strip() for k, v in row.items() if k is not None):
                rows.append({**row, "_line": str(reader.line_num)})
            if len(rows) > MAX_IMPORT_ROWS:
                return [], [RowError(1, f"At most {MAX_IMPORT_ROWS} rows per upload.")]
    except csv.Error as error:
        return [], [RowError(reader.line_num, f"The file is not valid CSV: {error}.")]
    return rows, []


@dataclass
class _Lookup:
    """What checking the rows of one file needs, loaded once for the whole file."""

    membership: Membership
    objectives: dict[int, Objective]
    plan_owner_of: set[int | None]  # the objectives whose plan has a step the user owns
    today: datetime.date
    # (objective, period) → the line it first appears on, to catch a period given twice.
    seen: dict[tuple[int, datetime.date], int]


def _lookup(membership: Membership, rows: list[dict[str, str]]) -> _Lookup:
    """The objectives the rows name and those the user owns a plan step of (2 queries)."""
    ids = {int(r["objective_id"].strip()) for r in rows if _is_int(r.get("objective_id"))}
    objectives = Objective.objects.for_org(membership.organisation).in_bulk(ids)
    plan_owner_of = set(
        Action.objects.for_source_model(Objective)
        .filter(source_id__in=ids, owner_id=membership.user_id)
        .values_list("source_id", flat=True)
    )
    today = membership.organisation.today()
    return _Lookup(membership, objectives, plan_owner_of, today, seen={})


def _parse_rows(
    membership: Membership, rows: list[dict[str, str]]
) -> tuple[list[_Row], list[RowError]]:
    lookup = _lookup(membership, rows)
    good: list[_Row] = []
    errors: list[RowError] = []
    for row in rows:
        line = int(row["_line"])
        problems: list[str] = []
        objective = _row_objective(lookup, row, problems)
        value = _row_value(row, problems)
        start = _row_period(lookup, row, objective, problems)
        comment = _row_comment(row, problems)
        if objective is not None and start is not None:
            _check_first_time(lookup, objective, start, line, problems)
        if problems:
            message = "; ".join(problems)
            errors.append(RowError(line, message[0].upper() + message[1:] + "."))
        elif objective is not None and start is not None and value is not None:
            good.append(_Row(line, objective, start, value, comment))
    return good, errors


def _row_objective(lookup: _Lookup, row: dict[str, str], problems: list[str]) -> Objective | None:
    """The row's objective, None (with a problem) when there is no such objective; a problem
    too when the user may not record its values."""
    raw_id = (row.get("objective_id") or "").strip()
    objective = lookup.objectives.get(int(raw_id)) if _is_int(raw_id) else None
    if objective is None:
        problems.append(f"there is no objective “{raw_id}” in {lookup.membership.organisation}")
    elif not _may_record(lookup.membership, objective, lookup.plan_owner_of):
        problems.append(f"you cannot record values for objective {raw_id} (“{objective}”)")
    return objective


def _row_value(row: dict[str, str], problems: list[str]) -> Decimal | None:
    """The row's value, None (with a problem) when it is not a number."""
    try:
        value: Decimal = _value_field.clean((row.get("value") or "").strip())
    except ValidationError as error:
        problems.append(f"value “{row.get('value') or ''}”: {' '.join(error.messages)}")
        return None
    return value


def _row_period(
    lookup: _Lookup, row: dict[str, str], objective: Objective | None, problems: list[str]
) -> datetime.date | None:
    """The start of the row's period, None without an objective or (with a problem) when
    the period cannot be read or values cannot be recorded for it."""
    if objective is None:
        return None
    try:
        start = parse_period(row.get("period") or "", objective.frequency)
        check_period(objective, start, lookup.today)
    except (ValueError, ObjectiveError) as error:
        problems.append(str(error))
        return None
    return start


def _row_comment(row: dict[str, str], problems: list[str]) -> str:
    """The row's comment; a problem when it holds a null character or is too long."""
    comment = (row.get("comment") or "").strip()
    if "\x00" in comment:
        problems.append("the comment contains a null character; remove it")
    elif len(comment) > MAX_COMMENT_LENGTH:
        problems.append(f"the comment has {len(comment)} characters; at most {MAX_COMMENT_LENGTH}")
    return comment


def _check_first_time(
    lookup: _Lookup, objective: Objective, start: datetime.date, line: int, problems: list[str]
) -> None:
    """A problem when an earlier line of the file gave this objective's period already."""
    key = (objective.pk, start)
    if key in lookup.seen:
        label = period_label(start, objective.frequency)
        problems.append(
            f"objective {objective.pk}, period {label} appears twice in this file "
            f"(also on line {lookup.seen[key]})"
        )
    else:
        lookup.seen[key] = line


def _is_int(text: str | None) -> bool:
    return text is not None and text.strip().isdigit() and len(text.strip()) < 18


def _may_record(
    membership: Membership, objective: Objective, plan_owner_of: set[int | None]
) -> bool:
    return permissions.can_record_value(
        membership, objective, is_plan_owner=objective.pk in plan_owner_of
    )


@transaction.atomic
def measurements_import(*, membership: Membership, upload: IO[bytes]) -> int:
    """Record every row of a CSV file, or none: ImportRejected lists each bad row."""
    if not has_perm(membership, "objectives.objective.record_value"):
        raise PermissionDenied("Your role cannot record values.")
    rows, errors = _read_csv(upload)
    if not errors and not rows:
        errors = [RowError(1, "The file has no rows of values.")]
    if errors:
        raise ImportRejected(errors)
    good, errors = _parse_rows(membership, rows)
    if errors:
        raise ImportRejected(errors)
    for row in good:
        _save_value(row.objective, row.start, row.value, row.comment, membership.user)
    return len(good)


# --- reviews and status ------------------------------------------------------------------


@transaction.atomic
def review_record(
    *,
    membership: Membership,
    objective: Objective,
    reviewed_on: datetime.date,
    decision: str,
    note: str,
    new_target: Decimal | None = None,
    lesson: Lesson | None = None,
) -> Review:
    """Record a review; set the next review date, close the objective or change its target.
    With `lesson`, the review is the improvement that lesson became (in this transaction)."""
    current = Objective.objects.select_for_update().get(pk=objective.pk)
    _check_review(membership, current, reviewed_on, decision, new_target)
    review = Review.objects.create(
        objective=current,
        reviewed_on=reviewed_on,
        decision=decision,
        note=note.strip(),
        new_target=new_target if decision == Decision.CHANGE_TARGET else None,
        reviewed_by=membership.user,
    )
    changed = _apply_decision(current, reviewed_on, decision, new_target)
    current._change_reason = f"review: {Decision(decision).label.lower()}"
    current.save()
    if decision == Decision.CHANGE_TARGET:
        _after_material_edit(current, changed, membership.user)
    if current.is_closed:
        _prompt_lesson(current, reviewed_on)
    if lesson is not None:
        lessons.lesson_became(
            membership=membership,
            lesson=lesson,
            kind="objective",
            label=f"Review of “{current.title}” on {reviewed_on:%d %b %Y}: "
            f"{Decision(decision).label.lower()}",
            url=current.get_absolute_url(),
        )
    return review


def _check_review(
    membership: Membership,
    objective: Objective,
    reviewed_on: datetime.date,
    decision: str,
    new_target: Decimal | None,
) -> None:
    """Raise unless the user may review the objective and the review is complete."""
    if not permissions.can_review(membership, objective):
        raise PermissionDenied("Only leaders and the objective's owner review it.")
    if objective.is_closed:
        raise ObjectiveError("This objective is closed; there is nothing left to review.")
    if reviewed_on > membership.organisation.today():
        raise ObjectiveError("A review cannot be dated in the future.")
    if decision not in Decision.values:
        raise ObjectiveError("Choose what was decided.")
    if decision == Decision.CHANGE_TARGET and new_target is None:
        raise ObjectiveError("Give the new target.")


def _apply_decision(
    objective: Objective, reviewed_on: datetime.date, decision: str, new_target: Decimal | None
) -> list[str]:
    """Set the next review date and what the review decided on the (unsaved) objective: a
    new target, or the objective closed. The fields changed."""
    changed = ["next_review_date"]
    objective.next_review_date = add_months(reviewed_on, objective.review_every)
    if decision == Decision.CHANGE_TARGET:
        assert new_target is not None  # checked by _check_review
        objective.target = new_target
        changed.append("target")
        _validate(objective)
    elif decision in (Decision.ACHIEVED, Decision.MISSED):
        objective.status = Status(decision)
        objective.next_review_date = None
        changed.append("status")
    return changed


def _prompt_lesson(objective: Objective, closed_on: datetime.date) -> None:
    """Ask the owner what worked and what didn't (ISO 9001 10.3), once per objective."""
    outcome = "met" if objective.status == Status.ACHIEVED else "missed"
    lessons.prompt(
        source=objective,
        owner=objective.owner,
        kind="objective",
        label=f"Objective “{objective.title}” ({outcome})",
        url=objective.get_absolute_url(),
        on=closed_on,
    )


@transaction.atomic
def objective_withdraw(*, membership: Membership, objective: Objective, reason: str) -> Objective:
    current = Objective.objects.select_for_update().get(pk=objective.pk)
    if not permissions.can_withdraw(membership, current):
        raise PermissionDenied("Only leaders withdraw objectives.")
    if not reason.strip():
        raise ObjectiveError("Say why the objective is withdrawn.")
    current.status = Status.WITHDRAWN
    current.next_review_date = None
    current._change_reason = f"withdrawn: {reason.strip()}"[:100]
    current.save()
    return current


# --- approval (through the one records mechanism) ---------------------------------------


class Incomplete(ObjectiveError):
    """The objective lacks elements ISO 9001 6.2.2 asks for; `missing` names them."""

    def __init__(self, missing: list[str]) -> None:
        self.missing = missing
        super().__init__("It cannot be submitted yet. Missing: " + "; ".join(missing) + ".")


@transaction.atomic
def objective_submit(
    *, membership: Membership, objective: Objective, comment: str = ""
) -> RecordVersion:
    """Submit the objective and its plan for a leader's approval (records.submit)."""
    current = Objective.objects.select_for_update().get(pk=objective.pk)
    if not permissions.can_submit(membership, current):
        raise PermissionDenied("Only managers and leaders submit objectives for approval.")
    if current.is_closed:
        raise ObjectiveError("A closed or withdrawn objective cannot be submitted.")
    missing = current.missing_elements(plan_steps=plan_steps(current))
    if missing:
        raise Incomplete(missing)
    try:
        # records.submit asks approval_problems() too and moves the status (on_submitted).
        return records.submit(membership=membership, obj=current, comment=comment)
    except records.RecordError as error:
        raise ObjectiveError(str(error)) from None
