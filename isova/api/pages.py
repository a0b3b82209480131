"""The pages behind the API: my tokens (and the organisation's service tokens), webhooks."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from isova.accounts.tenancy import OrgRequest, get_for_org, has_perm, member_required, require
from isova.errors import DomainError
from isova.http import flash_redirect

from . import services
from .forms import TokenForm, WebhookForm
from .models import ApiToken, TokenKind, WebhookDelivery, WebhookEndpoint


@member_required
def tokens(request: OrgRequest) -> HttpResponse:
    """Make a token (its secret is shown on this answer only, never again) and list mine."""
    form = TokenForm(request.POST or None)
    secret = ""
    if request.method == "POST":
        kind = TokenKind.SERVICE if request.POST.get("kind") == "service" else TokenKind.PERSONAL
        if kind == TokenKind.SERVICE:
            require(request, "isova.service_token.manage")
        if form.is_valid():
            try:
                made, secret = services.token_create(
                    membership=request.membership, kind=kind, **form.cleaned_data
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                form = TokenForm()
    listed = services.tokens_visible_to(request.membership).select_related("user")
    context = {
        "form": form,
        "tokens": listed,
        "can_service": has_perm(request.membership, "isova.service_token.manage"),
        "docs_url": reverse("api:docs"),
    }
    return _secret_page(request, "api/tokens.html", context, secret)


@require_POST
@member_required
def token_revoke(request: OrgRequest, pk: int) -> HttpResponse:
    token = get_for_org(request, ApiToken.objects.all(), pk=pk)
    services.token_revoke(membership=request.membership, token=token)
    return flash_redirect(request, reverse("api_tokens"), f"“{token.name}” no longer works.")


@member_required
def webhooks(request: OrgRequest) -> HttpResponse:
    require(request, "isova.webhook.manage")
    form = WebhookForm(request.POST or None)
    secret = ""
    if request.method == "POST" and form.is_valid():
        try:
            _, secret = services.webhook_create(
                membership=request.membership,
                url=form.cleaned_data["url"],
                event_names=form.cleaned_data["events"],
                description=form.cleaned_data["description"],
            )
        except DomainError as error:
            form.add_error("url", error.message)
        else:
            form = WebhookForm()
    endpoints = WebhookEndpoint.objects.filter(organisation=request.organisation)
    deliveries = (
        WebhookDelivery.objects.filter(endpoint__organisation=request.organisation)
        .select_related("endpoint")
        .order_by("-created_at", "-pk")[:100]
    )
    context = {"form": form, "endpoints": endpoints, "deliveries": deliveries}
    return _secret_page(request, "api/webhooks.html", context, secret)


@require_POST
@member_required
def webhook_switch(request: OrgRequest, pk: int) -> HttpResponse:
    require(request, "isova.webhook.manage")
    endpoint = get_for_org(request, WebhookEndpoint.objects.all(), pk=pk)
    on = request.POST.get("on") == "1"
    services.webhook_switch(membership=request.membership, endpoint=endpoint, on=on)
    return flash_redirect(
        request, reverse("api_webhooks"), f"{endpoint.url} is {'on' if on else 'off'}."
    )


@require_POST
@member_required
def webhook_delete(request: OrgRequest, pk: int) -> HttpResponse:
    require(request, "isova.webhook.manage")
    endpoint = get_for_org(request, WebhookEndpoint.objects.all(), pk=pk)
    services.webhook_delete(membership=request.membership, endpoint=endpoint)
    return flash_redirect(request, reverse("api_webhooks"), f"{endpoint.url} was removed.")


@require_POST
@member_required
def delivery_replay(request: OrgRequest, pk: int) -> HttpResponse:
    require(request, "isova.webhook.manage")
    delivery = get_object_or_404(
        WebhookDelivery.objects.select_related("endpoint"),
        pk=pk,
        endpoint__organisation=request.organisation,
    )
    try:
        services.delivery_replay(membership=request.membership, delivery=delivery)
    except DomainError as error:
        return flash_redirect(request, reverse("api_webhooks"), error.message, level=40)
    return flash_redirect(request, reverse("api_webhooks"), f"{delivery.event} queued again.")


def _secret_page(
    request: OrgRequest, template: str, context: dict[str, Any], secret: str
) -> HttpResponse:
    """The page, 201 when it shows a `secret` just made (once: never cached)."""
    response = render(
        request, template, context | {"secret": secret}, status=201 if secret else 200
    )
    response["Cache-Control"] = "no-store"
    return response
