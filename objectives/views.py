from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from isova import records
from isova.accounts.tenancy import (
    OrgRequest,
    get_for_org,
    has_perm,
    member_required,
    require,
)
from isova.actions.permissions import action_rows
from isova.errors import DomainError
from isova.forms import member_choices
from isova.http import (
    act_and_redirect,
    flash_redirect,
    form_page,
    paginate,
    query_without_page,
    render_page,
    save_or_error,
    upload_page,
)
from isova.idempotency import create_once
from isova.lessons import services as lessons
from isova.models import Action

from . import charts, permissions, services
from .approved import as_approved
from .forms import (
    GoalForm,
    ImportForm,
    MeasurementForm,
    ObjectiveFilterForm,
    ObjectiveForm,
    PlanStepForm,
    ReviewForm,
    SubmitForm,
    WithdrawForm,
)
from .models import Measurement, Objective, Review, Status, StrategicGoal

PAGE_SIZE = 50
OURS_PAGE_SIZE = 25  # cards, longer than list rows


def _get_objective(request: OrgRequest, pk: int, *, progress: bool = False) -> Objective:
    """One objective of the request's organisation (404 otherwise), optionally with progress."""
    queryset = Objective.objects.select_related("owner", "goal")
    if progress:
        queryset = queryset.with_progress(request.organisation.today())
    return get_for_org(request, queryset, pk=pk)


def _as_read(request: OrgRequest, queryset: Any) -> Any:
    """Staff read the terms the leaders last approved (issue 22.3): the queryset annotated
    with the approved snapshot; `_shown` applies it to each row."""
    if records.reads_approved_only(request.membership):
        return queryset.with_approved_snapshot()
    return queryset


def _listed(request: OrgRequest, queryset: Any) -> Any:
    """The list's objectives as the member reads them: staff, those ever approved, judged
    against the approved terms (before `with_progress`), so that states, the progress filter
    and the counts agree with the dashboard's; `_shown` applies the terms to each row."""
    if records.reads_approved_only(request.membership):
        return queryset.approved_reading()
    return queryset


def _shown(request: OrgRequest, objective: Objective) -> Objective:
    if records.reads_approved_only(request.membership):
        return as_approved(objective)
    return objective


# --- lists ---------------------------------------------------------------------------------


@member_required
def index(request: OrgRequest) -> HttpResponse:
    org = request.organisation
    form = ObjectiveFilterForm(request.GET or None, organisation=org)
    queryset = _listed(request, Objective.objects.for_org(org))
    queryset = queryset.with_progress(org.today()).for_list()
    page = paginate(request, form.filter(queryset), PAGE_SIZE)
    rows = [(_shown(request, o), charts.sparkline(o.recent_measurements)) for o in page]
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "query": query_without_page(request),
    }
    return render_page(request, "objectives/index.html", context, partial="results")


@member_required
def ours(request: OrgRequest) -> HttpResponse:
    """Every member's read-only view: what we aim for, why, and how it is going."""
    org = request.organisation
    objectives = (
        Objective.objects.for_org(org)
        .filter(status__in=(Status.ACTIVE, Status.ACHIEVED))
        .with_progress(org.today())
        .with_approved_snapshot()
        .select_related("goal", "owner")
        .order_by("goal__title", "target_date", "title", "pk")
    )
    page = paginate(request, objectives, OURS_PAGE_SIZE)
    context = {"objectives": page, "page": page, "query": query_without_page(request)}
    return render(request, "objectives/ours.html", context)


@member_required
def reviews(request: OrgRequest) -> HttpResponse:
    org = request.organisation
    today = org.today()
    overdue = _as_read(
        request,
        Objective.objects.for_org(org)
        .review_overdue(today)
        .select_related("owner", "goal")
        .order_by("next_review_date"),
    )
    overdue = [_shown(request, o) for o in overdue]  # staff: titles and owners as approved
    recent = Review.objects.filter(objective__organisation=org).select_related(
        "objective", "reviewed_by"
    )[:20]
    return render(
        request,
        "objectives/reviews.html",
        {"overdue": overdue, "recent": recent, "today": today},
    )


# --- one objective -------------------------------------------------------------------------


def _progress_context(
    request: OrgRequest,
    objective: Objective,
    *,
    form: MeasurementForm | None = None,
    flash: str = "",
) -> dict[str, Any]:
    measurements = list(objective.measurements.order_by("period"))
    today = request.organisation.today()
    can_record = permissions.can_record_value(request.membership, objective)
    if can_record and form is None:
        form = MeasurementForm(objective=objective, today=today)
    return {
        "objective": objective,
        "measurements": measurements[::-1],
        "chart": charts.series(objective, measurements),
        "value_form": form if can_record else None,
        "flash": flash,
    }


def _corrections(objective: Objective, users: dict[int, str]) -> list[dict[str, Any]]:
    """Values that were re-entered: period, old → new, who and when (1 query)."""
    rows = Measurement.history.filter(objective_id=objective.pk).order_by("id", "history_date")
    out, previous = [], None
    for row in rows:
        if row.history_type == "~" and previous is not None and previous.id == row.id:
            out.append(
                {
                    "period": objective.period_label(row.period),
                    "old": previous.value,
                    "new": row.value,
                    "who": users.get(row.history_user_id, "someone"),
                    "when": row.history_date,
                }
            )
        previous = row
    return sorted(out, key=lambda c: c["when"], reverse=True)


def _detail_context(request: OrgRequest, objective: Objective, **extra: Any) -> dict[str, Any]:
    membership = request.membership
    steps = list(Action.objects.for_source(objective).for_list().order_by("due_date", "pk"))
    users = {u.pk: u.get_full_name() for u in member_choices(request.organisation)}
    counted = [s for s in steps if s.is_live]
    context = _progress_context(request, objective, form=extra.pop("value_form", None))
    # The approval panel of the one records mechanism. Its own submit button is replaced
    # by ours (objectives:submit), which first checks the 6.2.2 elements.
    panel = records.record_panel_context(request, objective)
    can_submit = panel["record_can_submit"] and permissions.can_submit(membership, objective)
    context |= panel | {"record_can_submit": False, "objective_can_submit": can_submit}
    context |= {
        "steps": steps,
        "step_rows": action_rows(membership, steps),
        "steps_done": sum(s.is_finished for s in counted),
        "steps_counted": len(counted),
        "reviews": objective.reviews.select_related("reviewed_by")[:10],
        "corrections": _corrections(objective, users),
        "missing": objective.missing_elements(plan_steps=len(counted)),
        "can_edit": permissions.can_edit(membership, objective),
        "can_review": permissions.can_review(membership, objective),
        "can_withdraw": permissions.can_withdraw(membership, objective),
        "withdraw_form": WithdrawForm(),
        "today": request.organisation.today(),
    }
    return context | extra


@member_required
def detail(request: OrgRequest, pk: int) -> HttpResponse:
    queryset = Objective.objects.select_related("owner", "goal")
    queryset = _as_read(request, queryset.with_progress(request.organisation.today()))
    objective = _shown(request, get_for_org(request, queryset, pk=pk))
    return render(request, "objectives/detail.html", _detail_context(request, objective))


@require_POST
@member_required
def record_value(request: OrgRequest, pk: int) -> HttpResponse:
    """Record one value: the inline HTMX form on the detail page, and its plain-form fallback."""
    objective = _get_objective(request, pk)
    if not permissions.can_record_value(request.membership, objective):
        raise PermissionDenied("You can record values only for objectives you own or work on.")
    form = MeasurementForm(request.POST, objective=objective, today=request.organisation.today())
    saved = None
    if form.is_valid():
        try:
            saved = services.measurement_record(
                membership=request.membership, objective=objective, **form.cleaned_data
            )
        except DomainError as error:
            form.add_error(None, str(error))
    status = 200 if saved else 422
    flash = f"Saved {saved.label}: {saved.value.normalize():f}" if saved else ""
    if not request.htmx and saved:
        return flash_redirect(request, objective, flash)
    objective = _get_objective(request, pk, progress=True)
    if request.htmx:
        # base.html's htmx-config swaps 422 bodies, so the form errors show in place.
        context = _progress_context(request, objective, form=None if saved else form, flash=flash)
        return render(request, "objectives/detail.html#progress", context, status=status)
    context = _detail_context(request, objective, value_form=form)
    return render(request, "objectives/detail.html", context, status=status)


@member_required
def create(request: OrgRequest) -> HttpResponse:
    require(request, "objectives.objective.create")
    org = request.organisation
    form = ObjectiveForm(
        request.POST or None,
        organisation=org,
        initial={"owner": request.user, "start_date": org.today()},
    )
    return _objective_form(
        request,
        form,
        None,
        lambda data: create_once(
            request, form, lambda: services.objective_create(membership=request.membership, **data)
        ),
        "Objective saved as a draft. Add its plan steps next.",
    )


def _objective_form(
    request: OrgRequest,
    form: ObjectiveForm,
    objective: Objective | None,
    write: Callable[[dict[str, Any]], Any],
    message: str,
) -> HttpResponse:
    """The objective's form page: `write` gets the editable fields of a valid form (200 with
    the errors shown, as the page always answered)."""
    return form_page(
        request,
        form,
        lambda: write({f: form.cleaned_data[f] for f in services.EDITABLE_FIELDS}),
        message,
        "objectives/form.html",
        {"objective": objective},
        invalid_status=200,
    )


@member_required
def edit(request: OrgRequest, pk: int) -> HttpResponse:
    objective = _get_objective(request, pk)
    if not permissions.can_edit(request.membership, objective):
        raise PermissionDenied("Your role cannot edit this objective.")
    form = ObjectiveForm(
        request.POST or None, instance=objective, organisation=request.organisation
    )
    return _objective_form(
        request,
        form,
        objective,
        lambda data: services.objective_update(
            membership=request.membership, objective=_get_objective(request, pk), **data
        ),
        "Objective saved.",
    )


@member_required
def plan_step_add(request: OrgRequest, pk: int) -> HttpResponse:
    objective = _get_objective(request, pk)
    if not permissions.can_edit(request.membership, objective):
        raise PermissionDenied("Your role cannot change this objective's plan.")
    form = PlanStepForm(
        request.POST or None,
        organisation=request.organisation,
        initial={"owner": objective.owner, "due_date": None},
    )
    return form_page(
        request,
        form,
        lambda: create_once(
            request,
            form,
            lambda: services.plan_step_add(
                membership=request.membership, objective=objective, **form.action_fields()
            ),
            url=lambda _: objective.get_absolute_url(),
        ),
        "Plan step added.",
        "objectives/plan_step_form.html",
        {"objective": objective},
        to=objective,
        invalid_status=200,
    )


@require_POST
@member_required
def submit(request: OrgRequest, pk: int) -> HttpResponse:
    objective = _get_objective(request, pk)
    form = SubmitForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    return act_and_redirect(
        request,
        lambda: services.objective_submit(
            membership=request.membership, objective=objective, comment=comment
        ),
        objective,
        "Submitted for approval. The leaders have been told.",
    )


@member_required
def review(request: OrgRequest, pk: int) -> HttpResponse:
    # A review a lesson learned asks for (?lesson=): the role and the lesson first.
    lesson = lessons.lesson_to_improve(request)
    objective = _get_objective(request, pk)
    if not permissions.can_review(request.membership, objective):
        raise PermissionDenied("Only leaders and the objective's owner review it.")
    initial: dict[str, Any] = {"reviewed_on": request.organisation.today()}
    if lesson is not None:
        initial["note"] = lessons.improvement_text(lesson)
    form = ReviewForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_record(
                membership=request.membership,
                objective=objective,
                lesson=lesson,
                **form.cleaned_data,
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            # A closed objective asks its owner for the lesson (ISO 9001 10.3).
            ask, to = lessons.after_closing(objective, request.user)
            done = " The lesson is now an improvement." if lesson is not None else ""
            return flash_redirect(request, to, f"Review recorded.{done} {ask}".strip())
    context = {"form": form, "objective": objective, "lesson": lesson}
    return render(request, "objectives/review_form.html", context)


@require_POST
@member_required
def withdraw(request: OrgRequest, pk: int) -> HttpResponse:
    objective = _get_objective(request, pk)
    # The role first: a member who may not withdraw gets 403 whatever the form holds.
    require(request, "objectives.objective.withdraw")
    form = WithdrawForm(request.POST)

    def withdraw() -> None:
        if not form.is_valid():
            raise services.ObjectiveError("Say why the objective is withdrawn.")
        services.objective_withdraw(
            membership=request.membership, objective=objective, reason=form.cleaned_data["reason"]
        )

    return act_and_redirect(request, withdraw, objective, "Objective withdrawn.")


# --- measurements by CSV, goals ------------------------------------------------------------


@member_required
def import_values(request: OrgRequest) -> HttpResponse:
    require(request, "objectives.objective.record_value")
    mine = (
        Objective.objects.for_org(request.organisation)
        .open()
        .select_related("owner")
        .order_by("title")
    )
    return upload_page(
        request,
        ImportForm,
        lambda upload: services.measurements_import(membership=request.membership, upload=upload),
        services.ImportRejected,
        lambda count: f"Saved {count} value{'s' if count != 1 else ''}.",
        "objectives:index",
        "objectives/import.html",
        {"objectives": mine},
    )


@member_required
def goals(request: OrgRequest) -> HttpResponse:
    org = request.organisation
    can_manage = has_perm(request.membership, "objectives.goal.manage")
    form = GoalForm(request.POST or None)
    status = 200
    if request.method == "POST":
        require(request, "objectives.goal.manage")
        if form.is_valid():
            done = save_or_error(
                request,
                form,
                lambda: create_once(
                    request,
                    form,
                    lambda: services.goal_create(
                        membership=request.membership, **form.cleaned_data
                    ),
                    url=lambda _: reverse("objectives:goals"),
                ),
                "Goal added.",
                "objectives:goals",
                field="title",
            )
            if done:
                return done
        status = 422
    goal_list = StrategicGoal.objects.for_org(org).with_counts()
    by_goal = Objective.objects.for_org(org).rag_counts_by_goal(org.today())
    rows = [(goal, by_goal.get(goal.pk, {})) for goal in goal_list]
    return render(
        request,
        "objectives/goals.html",
        {"form": form if can_manage else None, "rows": rows},
        status=status,
    )
