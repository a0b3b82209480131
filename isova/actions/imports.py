"""The core's own register in and out: actions (an action log from any tool)."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.http import QueryDict
from django.utils import timezone

from isova.accounts.models import Organisation
from isova.actions.forms import ActionFilterForm
from isova.actions.models import FINISHED_STATUSES, Action, ActionStatus, Priority
from isova.imports.kinds import Choice, Context, ExportKind, Field, ImportKind, RowProblem, Sheet
from isova.registry import registry

STATUSES = (
    Choice(
        ActionStatus.OPEN,
        "Open",
        ("new", "not started", "to do", "todo", "planned", "outstanding", "overdue"),
    ),
    Choice(
        ActionStatus.IN_PROGRESS,
        "In progress",
        ("ongoing", "started", "wip", "doing", "in hand", "underway"),
    ),
    Choice(
        ActionStatus.DONE,
        "Done",
        ("complete", "completed", "closed", "finished", "implemented", "resolved"),
    ),
    Choice(ActionStatus.VERIFIED, "Verified", ("effective", "verified effective", "checked")),
    Choice(
        ActionStatus.CANCELLED,
        "Cancelled",
        ("canceled", "withdrawn", "not required", "rejected", "dropped"),
    ),
)
PRIORITIES = (
    Choice(Priority.LOW, "Low", ("l", "p4", "4", "minor")),
    Choice(Priority.MEDIUM, "Medium", ("m", "med", "normal", "p3", "3", "moderate")),
    Choice(Priority.HIGH, "High", ("h", "p2", "2", "major", "important")),
    Choice(Priority.CRITICAL, "Critical", ("urgent", "p1", "1", "very high", "immediate")),
)

FIELDS = (
    Field(
        "title",
        "Title",
        "text",
        True,
        ("action", "task", "action title", "what", "action required", "summary"),
        max_length=200,
    ),
    Field("description", "Description", "text", False, ("details", "notes", "action details")),
    Field(
        "owner",
        "Owner",
        "person",
        False,
        (
            "assigned to",
            "assignee",
            "responsible",
            "who",
            "action owner",
            "actionee",
            "owner email",
            "by whom",
        ),
    ),
    Field(
        "due_date",
        "Due date",
        "date",
        False,
        ("due", "deadline", "target date", "by when", "due by", "when", "target"),
    ),
    Field("priority", "Priority", "choice", False, ("urgency", "importance"), PRIORITIES),
    Field("status", "Status", "choice", False, ("state", "progress", "action status"), STATUSES),
    Field(
        "estimated_effort_hours",
        "Estimated effort (hours)",
        "decimal",
        False,
        ("effort", "hours", "effort hours"),
    ),
    Field("estimated_cost", "Estimated cost", "decimal", False, ("cost", "budget")),
    Field(
        "completion_note",
        "Completion note",
        "text",
        False,
        ("outcome", "result", "completion notes", "what was done", "closure note"),
    ),
)
UPDATE_FIELDS = tuple(f.name for f in FIELDS) + ("completed_at", "completed_by")


def build(ctx: Context, action: Action | None, values: dict[str, Any]) -> tuple[Action, list[str]]:
    if action is None:
        action = Action(organisation=ctx.organisation, assigned_by=ctx.membership.user)
    for name, value in values.items():
        setattr(action, name, value)
    for name in ("estimated_effort_hours", "estimated_cost"):
        value = getattr(action, name)
        if value is not None and (value < 0 or value >= 10**9):
            raise RowProblem(name, f"{value} is not a plausible {name.replace('_', ' ')}.")
    if action.status in FINISHED_STATUSES and action.completed_at is None:
        action.completed_at = timezone.now()
        action.completed_by = action.owner or ctx.membership.user
    return action, []


KIND = ImportKind(
    name="actions",
    label="Actions",
    order=20,
    permission="isova.action.create",
    fields=FIELDS,
    model=Action,
    build=build,
    notes_field="description",
    update_fields=UPDATE_FIELDS,
    derived=("Source", "Completed at", "Verified at"),
    list_url="action_list",
    description="An action log: one row per action.",
)


def _cell(action: Action, f: Field) -> Any:
    value = getattr(action, f.name)
    if f.name == "owner":
        return value.email if value else ""
    return value


def sheets(organisation: Organisation, params: QueryDict) -> list[Sheet]:
    """Filtered as the action list (which opens on what is outstanding)."""
    data = params.copy()
    data.setdefault("status", "outstanding")
    form = ActionFilterForm(data, organisation=organisation)
    today = organisation.today()
    actions = form.filter(Action.objects.for_org(organisation).for_list(), today).order_by("pk")
    return [
        Sheet(
            "Actions",
            ["Reference", *[f.label for f in FIELDS], "Source", "Completed at", "Verified at"],
            [
                [
                    a.external_ref or f"A-{a.pk}",
                    *[_cell(a, f) for f in FIELDS],
                    ContentType.objects.get_for_id(a.source_type_id).name
                    if a.source_type_id
                    else "",
                    a.completed_at,
                    a.verified_at,
                ]
                for a in actions
            ],
        )
    ]


registry.register("imports", KIND)
registry.register("exports", ExportKind("actions", "Actions", 20, "isova.action.view", sheets))
