"""Lessons learned pages: the searchable list, one lesson (capture, skip, make an action),
and recording a lesson nobody was asked for."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from isova.accounts.tenancy import OrgRequest, get_for_org, has_perm, member_required, require
from isova.http import paginate, query_without_page, render_page, save_or_error
from isova.idempotency import create_once, save_once
from isova.registry import registry

from . import permissions, services
from .forms import CaptureForm, ImproveForm, LessonFilterForm, RecordForm, SkipForm, process_names
from .models import Lesson, LessonStatus

PAGE_SIZE = 25


def _get_lesson(request: OrgRequest, pk: int) -> Lesson:
    return get_for_org(
        request,
        Lesson.objects.select_related(
            "owner", "action", "skipped_by", "captured_by", "improved_by"
        ),
        pk=pk,
    )


@member_required
def lesson_list(request: OrgRequest) -> HttpResponse:
    """Every lesson of the organisation, searchable; the member's own to capture on top."""
    require(request, "isova.lesson.view")
    form = LessonFilterForm(request.GET or None)
    lessons = form.filter(Lesson.objects.for_org(request.organisation).for_list(), request.user)
    page = paginate(request, lessons, PAGE_SIZE)
    context = {
        "form": form,
        "page": page,
        "query": query_without_page(request),
        "to_capture": list(
            Lesson.objects.for_org(request.organisation)
            .to_capture()
            .filter(owner=request.user)[:10]
        ),
    }
    return render_page(request, "lessons/list.html", context, partial="table")


def _detail_context(request: OrgRequest, lesson: Lesson, **forms: Any) -> dict[str, Any]:
    membership = request.membership
    may_capture = permissions.can_capture(membership, lesson)
    may_improve = (
        permissions.can_improve(membership, lesson)
        and lesson.status == LessonStatus.CAPTURED
        and not lesson.is_improved
    )
    tags = list(lesson.tags.all())
    initial = {
        "what_worked": lesson.what_worked,
        "what_did_not": lesson.what_did_not,
        "tags": ", ".join(tag.name for tag in tags),
    }
    return {
        "lesson": lesson,
        "tags": tags,
        "processes": process_names(request.organisation) if may_capture else [],
        "capture_form": forms.get("capture_form")
        or (CaptureForm(initial=initial) if may_capture else None),
        "skip_form": forms.get("skip_form")
        or (SkipForm() if may_capture and lesson.status == LessonStatus.PROMPTED else None),
        "improve_form": forms.get("improve_form")
        or (
            ImproveForm(
                initial=services.improvement_defaults(lesson), organisation=request.organisation
            )
            if may_improve
            else None
        ),
        "targets": _targets(request, lesson) if may_improve else [],
    }


def _source_model(lesson: Lesson) -> str:
    if lesson.source_type_id is None:
        return ""
    return ContentType.objects.get_for_id(lesson.source_type_id).model_class()._meta.label_lower  # type: ignore[union-attr]


def _targets(request: OrgRequest, lesson: Lesson) -> list[dict[str, Any]]:
    """The changes the apps offer this lesson (a query each), the lesson's own source first
    when it is among a target's records."""
    source = _source_model(lesson)
    out = []
    for target in registry.improvement_targets():
        if not has_perm(request.membership, target.permission):
            continue
        choices = target.choices(request.organisation)
        if source and source == target.model:
            own = [c for c in choices if c[0] == lesson.source_id]
            choices = own + [c for c in choices if c[0] != lesson.source_id]
        out.append({"target": target, "choices": choices})
    return out


@member_required
def lesson_detail(request: OrgRequest, pk: int) -> HttpResponse:
    require(request, "isova.lesson.view")
    lesson = _get_lesson(request, pk)
    return render(request, "lessons/detail.html", _detail_context(request, lesson))


def _step(
    request: OrgRequest, pk: int, form_name: str, form: Any, write: Any, done: str
) -> HttpResponse:
    """One move on a lesson: validate, call the service, or show the page with the errors."""
    lesson = _get_lesson(request, pk)
    if form.is_valid():
        saved = save_or_error(request, form, lambda: write(lesson, form.cleaned_data), done, lesson)
        if saved:
            return saved
    context = _detail_context(request, lesson, **{form_name: form})
    return render(request, "lessons/detail.html", context, status=422)


# The moves a lesson's owner makes from its page: who may, the form's name in the page's
# context, the form, the service (called with membership=, lesson= and the form's data).
_OWNER_MOVES: dict[str, tuple[str, str, Any, Any]] = {
    "capture": ("isova.lesson.capture", "capture_form", CaptureForm, services.lesson_capture),
    "skip": ("isova.lesson.skip", "skip_form", SkipForm, services.lesson_skip),
}


def _owner_move(request: OrgRequest, pk: int, move: str, done: str) -> HttpResponse:
    permission, form_name, form_class, service = _OWNER_MOVES[move]
    require(request, permission)
    return _step(
        request,
        pk,
        form_name,
        form_class(request.POST),
        lambda lesson, data: service(membership=request.membership, lesson=lesson, **data),
        done,
    )


@require_POST
@member_required
def lesson_capture(request: OrgRequest, pk: int) -> HttpResponse:
    return _owner_move(request, pk, "capture", "Lesson captured. Thank you.")


@require_POST
@member_required
def lesson_skip(request: OrgRequest, pk: int) -> HttpResponse:
    return _owner_move(request, pk, "skip", "Skipped: the reason is shown on the lesson.")


@require_POST
@member_required
def lesson_improve(request: OrgRequest, pk: int) -> HttpResponse:
    require(request, "isova.lesson.improve")
    form = ImproveForm(request.POST, organisation=request.organisation)
    return _step(
        request,
        pk,
        "improve_form",
        form,
        lambda lesson, data: create_once(
            request,
            form,
            lambda: services.lesson_improve(membership=request.membership, lesson=lesson, **data),
            url=lambda action: lesson.get_absolute_url(),
        ),
        "The lesson is now an improvement: an action was assigned.",
    )


@member_required
def lesson_improve_via(request: OrgRequest, pk: int, target: str) -> HttpResponse:
    """One click from the lesson to an app's form (an objective's review, a risk's
    reassessment) for the chosen record, prefilled from the lesson (`?lesson=`)."""
    require(request, "isova.lesson.improve")
    lesson = _get_lesson(request, pk)
    found = registry.improvement_target(target)
    if found is None:
        raise Http404("No such improvement.")
    require(request, found.permission)
    if lesson.status != LessonStatus.CAPTURED or lesson.is_improved:
        messages.error(
            request, "Only a captured lesson that is not yet an improvement changes this."
        )
        return redirect(lesson)
    raw = request.GET.get("record", "")
    choices = dict(found.choices(request.organisation))
    if not raw.isdigit() or int(raw) not in choices:
        messages.error(request, f"Choose from the list: {found.choice_label.lower()}.")
        return redirect(lesson)
    return redirect(f"{found.url(int(raw))}?lesson={lesson.pk}")


@member_required
def lesson_new(request: OrgRequest) -> HttpResponse:
    """Record a lesson nobody was asked for (a project, an incident)."""
    require(request, "isova.lesson.capture")
    form = RecordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        saved = save_once(
            request,
            form,
            lambda: services.lesson_record(membership=request.membership, **form.cleaned_data),
            "Lesson recorded.",
        )
        if saved:
            return saved
    context = {"form": form, "processes": process_names(request.organisation)}
    return render(request, "lessons/new.html", context, status=422 if form.errors else 200)
