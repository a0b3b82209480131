"""Pages of the reviews app: reviews and their minutes, the feedback register, policy reach."""

from __future__ import annotations

import csv
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from isova import records
from isova.accounts import tenancy
from isova.accounts.tenancy import OrgRequest, get_for_org, member_required, require
from isova.errors import DomainError
from isova.http import act_and_redirect, flash_redirect, render_page, save_or_error
from isova.models import Membership, SignOff

from . import csvfiles, ics, policy, services
from .forms import (
    AttendanceForm,
    ContextIssueForm,
    DiscussionForm,
    ExternalProvidersForm,
    FeedbackActionForm,
    FeedbackFilterForm,
    FeedbackForm,
    ImportForm,
    NoteForm,
    ObjectiveLinkForm,
    OutputForm,
    RescheduleForm,
    RespondForm,
    ReviewForm,
    SignForm,
    SuggestionForm,
)
from .models import ContextIssue, Feedback, FeedbackKind, Review, ReviewStatus
from .pack import pack_for

PAGE_SIZE = 25


def _get_review(request: OrgRequest, pk: int) -> Review:
    require(request, "reviews.review.view")
    return get_for_org(request, Review.objects.select_related("chair", "organisation"), pk=pk)


# --- reviews ------------------------------------------------------------------------------


@member_required
def index(request: OrgRequest) -> HttpResponse:
    """Upcoming and overdue reviews first, then those held; leaders' attendance (5 queries)."""
    require(request, "reviews.review.view")
    org, today = request.organisation, request.organisation.today()
    reviews = Review.objects.for_org(org).for_list()
    context = {
        "planned": list(reviews.filter(status=ReviewStatus.PLANNED).order_by("meeting_date")),
        "held": list(reviews.held().select_related("organisation")),
        "attendance": Review.objects.leader_attendance(org),
        "today": today,
    }
    return render(request, "reviews/index.html", context)


@member_required
def review_new(request: OrgRequest) -> HttpResponse:
    require(request, "reviews.review.plan")
    org = request.organisation
    last = Review.objects.for_org(org).held().first()
    initial = {"period_start": last.meeting_date if last else None, "chair": request.user.pk}
    form = ReviewForm(request.POST or None, organisation=org, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = save_or_error(
            request,
            form,
            lambda: services.review_schedule(
                membership=request.membership,
                attendees=list(form.cleaned_data.pop("attendees")),
                **form.cleaned_data,
            ),
            "Review planned.",
        )
        if done:
            return done
    status = 422 if request.method == "POST" else 200
    return render(request, "reviews/review_form.html", {"form": form}, status=status)


@member_required
def review_edit(request: OrgRequest, pk: int) -> HttpResponse:
    """Reschedule a planned review (date, time, place, agenda, period); not once held."""
    require(request, "reviews.review.plan")
    review = _get_review(request, pk)
    form = RescheduleForm(
        request.POST or None,
        initial=RescheduleForm.initial_for(review),
        organisation=request.organisation,
        review=review,
    )
    if request.method == "POST" and form.is_valid():
        done = save_or_error(
            request,
            form,
            lambda: services.review_reschedule(
                membership=request.membership, review=review, **form.cleaned_data
            ),
            "Review rescheduled.",
            review.get_absolute_url(),
        )
        if done:
            return done
    status = 422 if form.errors else 200
    context = {"form": form, "review": review}
    return render(request, "reviews/review_form.html", context, status=status)


def _notes(review: Review) -> dict[str, Any]:
    return {n.key: n for n in review.notes.all()}


def _sections(review: Review, notes: dict[str, Any]) -> list[dict[str, Any]]:
    comments = {key: note.comment for key, note in notes.items()}
    sections = pack_for(review, comments)
    for section in sections:
        note = notes.get(section["key"])
        section["note"] = note
        if review.is_planned:
            section["form"] = NoteForm(
                initial={"key": section["key"], "comment": comments.get(section["key"], "")},
                auto_id=f"id_{section['key']}_%s",
            )
        else:
            section["form"] = DiscussionForm(
                initial={
                    "key": section["key"],
                    "discussion": note.discussion if note else "",
                    "not_covered": note.not_covered if note else False,
                    "not_covered_reason": note.not_covered_reason if note else "",
                },
                auto_id=f"id_{section['key']}_%s",
            )
    return sections


def _signing(request: OrgRequest, review: Review, form: SignForm | None) -> dict[str, Any]:
    """The minutes' signing form: the password, or confirming at the provider for the review
    as shown (its hash: only then worked out, it costs the snapshot's queries)."""
    chair = review.chair_id == request.user.pk and review.status == ReviewStatus.HELD
    return records.standalone_signing(request, review, SignForm, form, may_sign=chair)


def _review_context(request: OrgRequest, review: Review, **forms: Any) -> dict[str, Any]:
    """The review page: pack (live or frozen), attendance, outputs, signatures."""
    # Before `_sections`, which puts forms into the pack's sections: the hash is of the review.
    signing = _signing(request, review, forms.get("sign_form"))
    notes = _notes(review)
    attendances = list(review.attendances.select_related("user"))
    outputs = list(review.outputs.select_related("action", "action__owner"))
    membership = request.membership
    return {
        "review": review,
        "sections": _sections(review, notes),
        "attendances": attendances,
        "attendance_form": forms.get("attendance_form") or AttendanceForm(rows=attendances),
        "outputs": outputs,
        "output_form": forms.get("output_form") or OutputForm(organisation=review.organisation),
        "external_form": ExternalProvidersForm(initial={"text": review.external_providers}),
        **signing,
        "problems": services.close_problems(review) if review.status == ReviewStatus.HELD else [],
        "signoffs": list(
            SignOff.objects.filter(
                content_type=ContentType.objects.get_for_model(Review), object_id=review.pk
            ).order_by("sequence")
        ),
        "can_record": tenancy.has_perm(membership, "reviews.review.record")
        and not review.is_closed,
        "can_sign": tenancy.has_perm(membership, "reviews.review.sign")
        and review.chair_id == request.user.pk,
    }


def _review_refused(request: OrgRequest, review: Review, **forms: Any) -> HttpResponse:
    """The review's page again (422) with the refused form as sent."""
    context = _review_context(request, review, **forms)
    return render(request, "reviews/review_detail.html", context, status=422)


@member_required
def review_detail(request: OrgRequest, pk: int) -> HttpResponse:
    review = _get_review(request, pk)
    return render(request, "reviews/review_detail.html", _review_context(request, review))


@require_POST
@member_required
def review_note(request: OrgRequest, pk: int) -> HttpResponse:
    require(request, "reviews.review.record")
    """Save a section's comment (planned) or discussion (held); HTMX gets the section back."""
    review = _get_review(request, pk)
    form: NoteForm | DiscussionForm = (
        NoteForm(request.POST) if review.is_planned else DiscussionForm(request.POST)
    )
    if not form.is_valid():
        if request.htmx:
            return HttpResponse("Nothing saved: the form was incomplete.", status=422)
        return flash_redirect(
            request, review.get_absolute_url(), "Nothing saved.", level=messages.ERROR
        )
    data = form.cleaned_data
    try:
        services.note_save(membership=request.membership, review=review, **data)
    except DomainError as error:
        if request.htmx:
            return HttpResponse(error.message, status=422)
        return flash_redirect(
            request, review.get_absolute_url(), error.message, level=messages.ERROR
        )
    if not request.htmx:
        return flash_redirect(
            request, f"{review.get_absolute_url()}#section-{data['key']}", "Saved."
        )
    review.refresh_from_db()
    context = _review_context(request, review)
    section = next(s for s in context["sections"] if s["key"] == data["key"])
    return render_page(
        request,
        "reviews/review_detail.html",
        {**context, "section": section, "saved": True},
        partial="section",
    )


@require_POST
@member_required
def review_attendance(request: OrgRequest, pk: int) -> HttpResponse:
    require(request, "reviews.review.record")
    review = _get_review(request, pk)
    form = AttendanceForm(request.POST, rows=list(review.attendances.select_related("user")))
    if form.is_valid():
        done = save_or_error(
            request,
            form,
            lambda: services.attendance_record(
                membership=request.membership, review=review, statuses=form.statuses()
            ),
            "Attendance saved.",
            review.get_absolute_url(),
        )
        if done:
            return done
    return _review_refused(request, review, attendance_form=form)


@require_POST
@member_required
def review_external(request: OrgRequest, pk: int) -> HttpResponse:
    require(request, "reviews.review.record")
    review = _get_review(request, pk)
    form = ExternalProvidersForm(request.POST)
    try:
        if form.is_valid():
            services.external_providers_save(
                membership=request.membership, review=review, text=form.cleaned_data["text"]
            )
    except DomainError as error:
        return flash_redirect(
            request, review.get_absolute_url(), error.message, level=messages.ERROR
        )
    return flash_redirect(request, review.get_absolute_url(), "Saved.")


@require_POST
@member_required
def review_hold(request: OrgRequest, pk: int) -> HttpResponse:
    require(request, "reviews.review.record")
    review = _get_review(request, pk)
    return act_and_redirect(
        request,
        lambda: services.review_hold(membership=request.membership, review=review),
        review.get_absolute_url(),
        "The meeting is held: the inputs pack is frozen.",
    )


@require_POST
@member_required
def review_output(request: OrgRequest, pk: int) -> HttpResponse:
    require(request, "reviews.review.record")
    review = _get_review(request, pk)
    form = OutputForm(request.POST, organisation=review.organisation)
    if form.is_valid():
        done = save_or_error(
            request,
            form,
            lambda: services.output_add(
                membership=request.membership, review=review, **form.cleaned_data
            ),
            lambda output: (
                "Decision recorded" + (" and the action assigned." if output.action else ".")
            ),
            f"{review.get_absolute_url()}#outputs",
        )
        if done:
            return done
    return _review_refused(request, review, output_form=form)


@require_POST
@member_required
def review_close(request: OrgRequest, pk: int) -> HttpResponse:
    require(request, "reviews.review.sign")
    review = _get_review(request, pk)
    close = partial(services.review_close, membership=request.membership, review=review)
    form, done = records.sign_posted(
        request, SignForm, close, "Minutes signed: the review is closed.", review.get_absolute_url()
    )
    if done:
        return done
    review.refresh_from_db()
    return _review_refused(request, review, sign_form=form)


@member_required
def review_minutes(request: OrgRequest, pk: int) -> HttpResponse:
    """The minutes, printable; `?download=1` gives the same page as a self-contained file."""
    review = _get_review(request, pk)
    context = _review_context(request, review)
    context["standalone"] = request.GET.get("download") == "1"
    if context["standalone"]:
        css = finders.find("css/reviews.css")
        context["inline_css"] = Path(css).read_text(encoding="utf-8") if css else ""
        html = render_to_string("reviews/minutes.html", context, request=request)
        response = HttpResponse(html, content_type="text/html; charset=utf-8")
        name = slugify(f"{review.title}-{review.meeting_date}") or "minutes"
        response["Content-Disposition"] = f'attachment; filename="{name}.html"'
        return response
    return render(request, "reviews/minutes.html", context)


@member_required
def review_ics(request: OrgRequest, pk: int) -> HttpResponse:
    review = _get_review(request, pk)
    people = [
        (a.user.get_full_name(), a.user.email) for a in review.attendances.select_related("user")
    ]
    text = ics.invitation(review, request.get_host().split(":")[0], people)
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="review-{review.pk}.ics"'
    return response


# --- context issues ---------------------------------------------------------------------------


@member_required
def context_list(request: OrgRequest) -> HttpResponse:
    require(request, "reviews.review.view")
    can_manage = tenancy.has_perm(request.membership, "reviews.context.manage")
    form = ContextIssueForm(request.POST or None)
    if request.method == "POST":
        require(request, "reviews.context.manage")
        if form.is_valid():
            services.context_issue_save(membership=request.membership, **form.cleaned_data)
            return flash_redirect(request, request.path, "Added to the register.")
    issues = ContextIssue.objects.for_org(request.organisation)
    status = 422 if request.method == "POST" else 200
    context = {"issues": issues, "form": form, "can_manage": can_manage}
    return render(request, "reviews/context.html", context, status=status)


@require_POST
@member_required
def context_retire(request: OrgRequest, pk: int) -> HttpResponse:
    require(request, "reviews.context.manage")
    issue = get_for_org(request, ContextIssue.objects.all(), pk=pk)
    services.context_issue_save(membership=request.membership, issue=issue, active=not issue.active)
    return flash_redirect(request, reverse("reviews:context"), "Register updated.")


# --- feedback ---------------------------------------------------------------------------------


def _can_see_feedback(membership: Membership, feedback: Feedback) -> bool:
    return tenancy.has_perm(membership, "reviews.feedback.view") or (
        feedback.submitted_by_id == membership.user_id
    )


def _get_feedback(request: OrgRequest, pk: int) -> Feedback:
    feedback = get_for_org(request, Feedback.objects.for_register(), pk=pk)
    if not _can_see_feedback(request.membership, feedback):
        raise PermissionDenied("You see the feedback you submitted and the register's figures.")
    return feedback


@member_required
def feedback_list(request: OrgRequest) -> HttpResponse:
    """The register (leaders, managers, auditors): filters by kind and status, HTMX table."""
    require(request, "reviews.feedback.view")
    org = request.organisation
    form = FeedbackFilterForm(request.GET or None)
    feedback = form.filter(Feedback.objects.for_org(org).for_register())
    page = Paginator(feedback, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "today": org.today(),
        "ages": Feedback.objects.for_org(org).open_by_kind_and_age(org.today()),
        "kinds": dict(FeedbackKind.choices),
        "can_respond": tenancy.has_perm(request.membership, "reviews.feedback.respond"),
        "query": request.GET.urlencode(),
    }
    return render_page(request, "reviews/feedback_list.html", context, partial="table")


@member_required
def feedback_mine(request: OrgRequest) -> HttpResponse:
    """Every member: submit a suggestion (phone-friendly) and see what became of theirs."""
    require(request, "reviews.feedback.submit")
    form = SuggestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.feedback_submit(
            membership=request.membership, kind=FeedbackKind.SUGGESTION, **form.cleaned_data
        )
        return flash_redirect(request, request.path, "Thank you: your suggestion is recorded.")
    mine = Feedback.objects.for_org(request.organisation).filter(submitted_by=request.user)
    context = {"form": form, "mine": mine.select_related("action", "objective")}
    return render(
        request, "reviews/feedback_mine.html", context, status=422 if form.errors else 200
    )


@member_required
def feedback_new(request: OrgRequest) -> HttpResponse:
    """Log customer feedback (leaders and managers)."""
    require(request, "reviews.feedback.respond")
    org = request.organisation
    form = FeedbackForm(
        request.POST or None, organisation=org, initial={"received_on": org.today()}
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        done = save_or_error(
            request,
            form,
            lambda: services.feedback_submit(
                membership=request.membership,
                kind=data.pop("kind"),
                title=data.pop("title"),
                **data,
            ),
            "Feedback logged.",
        )
        if done:
            return done
    return render(
        request, "reviews/feedback_form.html", {"form": form}, status=422 if form.errors else 200
    )


def _feedback_context(request: OrgRequest, feedback: Feedback, **forms: Any) -> dict[str, Any]:
    org = request.organisation
    return {
        "feedback": feedback,
        "today": org.today(),
        "can_respond": tenancy.has_perm(request.membership, "reviews.feedback.respond"),
        "respond_form": forms.get("respond_form")
        or RespondForm(
            organisation=org,
            initial={
                "response": feedback.response,
                "status": feedback.status,
                "owner": feedback.owner_id,
                "response_due": feedback.response_due,
            },
        ),
        "action_form": forms.get("action_form")
        or FeedbackActionForm(organisation=org, initial={"action_title": feedback.title}),
        "objective_form": forms.get("objective_form") or ObjectiveLinkForm(organisation=org),
    }


@member_required
def feedback_detail(request: OrgRequest, pk: int) -> HttpResponse:
    feedback = _get_feedback(request, pk)
    return render(request, "reviews/feedback_detail.html", _feedback_context(request, feedback))


def _feedback_step(
    request: OrgRequest,
    pk: int,
    form_class: Any,
    form_name: str,
    write: Callable[[Feedback, Any], Any],
    done: str,
) -> HttpResponse:
    """One leader's move on a feedback item (respond, make an action, link an objective):
    validate, call the service, or show the page with the form's errors."""
    require(request, "reviews.feedback.respond")
    feedback = _get_feedback(request, pk)
    form = form_class(request.POST, organisation=request.organisation)
    if form.is_valid():
        saved = save_or_error(
            request, form, lambda: write(feedback, form.cleaned_data), done, feedback
        )
        if saved:
            return saved
    context = _feedback_context(request, feedback, **{form_name: form})
    return render(request, "reviews/feedback_detail.html", context, status=422)


@require_POST
@member_required
def feedback_respond(request: OrgRequest, pk: int) -> HttpResponse:
    def write(feedback: Feedback, data: dict[str, Any]) -> Any:
        return services.feedback_respond(membership=request.membership, feedback=feedback, **data)

    return _feedback_step(request, pk, RespondForm, "respond_form", write, "Response saved.")


@require_POST
@member_required
def feedback_action(request: OrgRequest, pk: int) -> HttpResponse:
    def write(feedback: Feedback, data: dict[str, Any]) -> Any:
        return services.feedback_to_action(
            membership=request.membership,
            feedback=feedback,
            title=data["action_title"],
            owner=data["action_owner"],
            due_date=data["action_due"],
        )

    return _feedback_step(request, pk, FeedbackActionForm, "action_form", write, "Action created.")


@require_POST
@member_required
def feedback_objective(request: OrgRequest, pk: int) -> HttpResponse:
    def write(feedback: Feedback, data: dict[str, Any]) -> Any:
        return services.feedback_link_objective(
            membership=request.membership, feedback=feedback, **data
        )

    return _feedback_step(
        request, pk, ObjectiveLinkForm, "objective_form", write, "Objective linked."
    )


@member_required
def feedback_import(request: OrgRequest) -> HttpResponse:
    """Survey results from CSV: every row saved, or none and each bad row named."""
    require(request, "reviews.feedback.respond")
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > 2_000_000:
            errors = ["The file is larger than 2 MB."]
        else:
            rows, errors = csvfiles.parse_surveys(upload.read(), request.organisation.today())
            if not errors:
                count = services.feedback_import_surveys(membership=request.membership, rows=rows)
                return flash_redirect(
                    request, reverse("reviews:feedback_list"), f"{count} survey results imported."
                )
    status = 422 if errors or form.errors else 200
    return render(
        request, "reviews/feedback_import.html", {"form": form, "errors": errors}, status=status
    )


@member_required
def feedback_export(request: OrgRequest) -> HttpResponse:
    require(request, "reviews.feedback.view")
    feedback = Feedback.objects.for_org(request.organisation).select_related(
        "owner", "submitted_by"
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="feedback.csv"'
    writer = csv.writer(response)
    for row in csvfiles.export_rows(feedback.iterator(chunk_size=500)):
        writer.writerow(row)
    return response


# --- the policy reaches people ------------------------------------------------------------------


@member_required
def policy_page(request: OrgRequest) -> HttpResponse:
    """The approved policy text with "I have read this"; leaders see who has not read it."""
    require(request, "reviews.policy.acknowledge")
    follow = tenancy.has_perm(request.membership, "reviews.policy.follow")
    reach = policy.reach(request.organisation, with_people=follow)
    if request.method == "POST":
        current = reach["policy"]
        try:
            number = int(request.POST.get("version", ""))
        except ValueError:
            number = 0
        if current is None:
            return flash_redirect(
                request, request.path, "There is no approved policy yet.", level=messages.ERROR
            )
        return act_and_redirect(
            request,
            lambda: services.policy_acknowledge(
                membership=request.membership, policy=current, version_number=number
            ),
            request.path,
            "Thank you: your acknowledgement is recorded.",
        )
    version = reach["version"]
    context = {
        "reach": reach,
        "follow": follow,
        "text": (version.snapshot or {}).get("text", "") if version else "",
        "acknowledged": version is not None
        and request.user.pk in reach.get("acknowledged_ids", ()),
    }
    return render(request, "reviews/policy.html", context)
