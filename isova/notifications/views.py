"""The person's notifications (list, mark read), e-mail preferences, failed deliveries for
leaders and managers, and the private calendar feed."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from isova.accounts.models import Role
from isova.accounts.tenancy import OrgRequest, get_for_org, member_required, require
from isova.errors import DomainError, NotAllowed
from isova.http import flash_redirect, paginate, safe_next
from isova.notifications import calendar
from isova.notifications import services as notifications
from isova.notifications.models import CalendarFeed, Notification, NotificationMode

PAGE_SIZE = 25
SEES_FAILED = (Role.LEADER, Role.MANAGER)


@member_required
def notification_list(request: OrgRequest) -> HttpResponse:
    mine = Notification.objects.for_org(request.organisation).filter(recipient=request.user)
    page = paginate(request, mine.order_by("-created_at", "-pk"), PAGE_SIZE)
    failed: list[Notification] = []
    if request.membership.role in SEES_FAILED:
        failed = list(
            Notification.objects.for_org(request.organisation)
            .failed()
            .select_related("recipient")[:50]
        )
    return render(
        request,
        "isova/notifications.html",
        {"page": page, "rows": page.object_list, "failed": failed, "query": ""},
    )


@require_POST
@member_required
def notification_read(request: OrgRequest, pk: int) -> HttpResponse:
    mine = Notification.objects.filter(recipient=request.user)
    notification = get_for_org(request, mine, pk=pk)  # someone else's: 404
    notifications.mark_read(membership=request.membership, ids=[notification.pk])
    return flash_redirect(request, safe_next(request, reverse("notifications")), "Marked as read.")


@require_POST
@member_required
def notification_read_all(request: OrgRequest) -> HttpResponse:
    count = notifications.mark_read(membership=request.membership)
    return flash_redirect(request, reverse("notifications"), f"{count} marked as read.")


class PreferencesForm(forms.Form):
    """One choice per kind of notification (approvals waiting for you are not switchable)."""

    def __init__(self, *args: object, initial_modes: dict[str, str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for kind, (label, _default) in notifications.KINDS.items():
            self.fields[kind] = forms.ChoiceField(
                label=label, choices=NotificationMode.choices, initial=initial_modes[kind]
            )


@member_required
def notification_preferences(request: OrgRequest) -> HttpResponse:
    current = notifications.preferences_of(request.user)
    form = PreferencesForm(request.POST or None, initial_modes=current)
    if request.method == "POST" and form.is_valid():
        try:
            notifications.preferences_save(user=request.user, modes=form.cleaned_data)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            return flash_redirect(request, reverse("notification_preferences"), "Saved.")
    escalation = EscalationForm(
        initial={
            "to_assigner": request.organisation.escalate_to_assigner_after_days,
            "to_leaders": request.organisation.escalate_to_leaders_after_days,
            "forecast_margin": request.organisation.forecast_alert_margin,
        }
    )
    return render(
        request,
        "isova/notification_preferences.html",
        {"form": form, "escalation": escalation},
    )


class EscalationForm(forms.Form):
    to_assigner = forms.IntegerField(
        label="Days overdue before the assigner (or the managers) hear",
        min_value=1,
        max_value=364,
    )
    to_leaders = forms.IntegerField(
        label="Days overdue before the leaders hear", min_value=2, max_value=365
    )
    forecast_margin = forms.IntegerField(
        label="Alert on an objective's forecast only when it misses the target by more than (%)",
        help_text="Of the way from baseline to target; smaller misses are not worth an e-mail.",
        min_value=0,
        max_value=100,
        required=False,
    )


@require_POST
@member_required
def escalation_settings(request: OrgRequest) -> HttpResponse:
    require(request, "isova.escalation.edit")  # the role before the form
    form = EscalationForm(request.POST)
    back = reverse("notification_preferences")
    if not form.is_valid():
        errors = "; ".join(str(e) for field in form.errors.values() for e in field)
        return flash_redirect(request, back, errors, level=messages.ERROR)
    try:
        notifications.escalation_update(
            membership=request.membership,
            to_assigner=form.cleaned_data["to_assigner"],
            to_leaders=form.cleaned_data["to_leaders"],
            forecast_margin=form.cleaned_data.get("forecast_margin"),
        )
    except NotAllowed:
        raise  # a PermissionDenied: 403
    except DomainError as error:
        return flash_redirect(request, back, str(error), level=messages.ERROR)
    return flash_redirect(request, back, "Escalation ladder saved.")


@member_required
def calendar_settings(request: OrgRequest) -> HttpResponse:
    if request.method == "POST":
        if request.POST.get("do") == "revoke":
            notifications.calendar_feed_revoke(membership=request.membership)
            message = "Your calendar address no longer works."
        else:
            notifications.calendar_feed_issue(membership=request.membership)
            message = "Your new calendar address is below; the old one no longer works."
        return flash_redirect(request, reverse("calendar_settings"), message)
    feed = CalendarFeed.objects.filter(membership=request.membership).first()
    # SITE_URL, not the request's host: behind a proxy the host seen here is not what people open
    url = f"{settings.SITE_URL}{reverse('calendar_feed', args=[feed.token])}" if feed else ""
    return render(request, "isova/calendar.html", {"feed": feed, "feed_url": url})


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The private feed itself: no login (calendar apps cannot log in); the token is the key,
    and a revoked or unknown one answers 404."""
    feed = (
        CalendarFeed.objects.select_related("membership__organisation", "membership__user")
        .filter(token=token, membership__user__is_active=True)
        .first()
    )
    if feed is None:
        raise Http404("No such calendar.")
    body = calendar.ics(feed.membership, settings.SITE_URL)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=900"
    return response
