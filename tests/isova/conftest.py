"""Fixtures for the core (isova) tests: actions in a given state, and DB snapshots."""

from __future__ import annotations

import datetime

import pytest
from django.forms.models import model_to_dict
from django.utils import timezone

from isova.models import Action, ActionStatus, Notification, User
from tests.conftest import Org
from tests.factories import ActionFactory, member


def make_action(org: Org, *, owner: User | None = None, status: str = "open", **kwargs) -> Action:
    """An action of `org` in `status`, with completion/verification recorded as the service would.

    The default owner is a second staff member, so that it belongs to none of the personas.
    """
    owner = owner or member(org.organisation, "staff", full_name="Second Staff")
    kwargs.setdefault("assigned_by", org.manager)
    action = ActionFactory(organisation=org.organisation, owner=owner, status=status, **kwargs)
    now = timezone.now()
    if status in (ActionStatus.DONE, ActionStatus.VERIFIED):
        action.completed_at, action.completed_by = now - datetime.timedelta(days=1), owner
    if status == ActionStatus.VERIFIED:
        action.verified_at, action.verified_by = now, org.leader
    action.save()
    return action


def snapshot(action: Action) -> dict:
    """Every stored field of `action`, fresh from the database."""
    return model_to_dict(Action.objects.get(pk=action.pk), exclude=[]) | {
        "updated_at": Action.objects.values_list("updated_at", flat=True).get(pk=action.pk)
    }


def db_counts() -> tuple[int, int, int]:
    """How many actions, history rows and notifications exist (to prove nothing was written)."""
    return Action.objects.count(), Action.history.count(), Notification.objects.count()


@pytest.fixture
def action_of(org):
    """`action_of(owner=..., status=...)` makes an action in `org`."""
    return lambda **kwargs: make_action(org, **kwargs)
