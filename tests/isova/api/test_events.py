"""Each app's webhook events are made by the pages' own services, with the change."""

from __future__ import annotations

from decimal import Decimal

import pytest

from isova.api import services, webhooks
from isova.api.models import WebhookDelivery
from isova.api.registry import events
from isova.records import workflow
from objectives import services as objective_services
from reviews import services as review_services
from risks import services as risk_services
from tests.audits.conftest import plan, raise_finding, start
from tests.conftest import membership_of
from tests.factories import PASSWORD
from tests.isova.conftest import make_action
from tests.objectives.conftest import add_values, complete, make_objective
from tests.reviews.conftest import plan_review
from tests.risks.conftest import raise_risk


@pytest.fixture
def listening(org, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    services.webhook_create(
        membership=membership_of(org.leader, org.organisation),
        url="http://127.0.0.1:9699/hook",
        event_names=list(events()),
    )


def made(event: str) -> list[dict]:
    return [d.payload for d in WebhookDelivery.objects.filter(event=event)]


def test_every_event_the_issue_names_is_registered():
    assert set(events()) == {
        "action.created",
        "action.assigned",
        "action.overdue",
        "action.completed",
        "objective.rag_changed",
        "finding.raised",
        "risk.band_moved",
        "approval.signed",
        "review.held",
    }


def test_action_events(org, listening):
    action = make_action(org, owner=org.staff)
    assert [p["data"]["id"] for p in made("action.created")] == [action.pk]
    from isova.actions import services as actions

    manager = membership_of(org.manager, org.organisation)
    action = actions.action_update(
        membership=manager, action=action, version=action.version, owner=org.auditor
    )
    assert len(made("action.assigned")) == 1
    actions.action_update(membership=manager, action=action, version=action.version, title="T")
    assert len(made("action.assigned")) == 1  # a title edit is no assignment
    actions.action_set_status(
        membership=manager,
        action=action,
        status="done",
        version=action.version + 1,
    )
    assert len(made("action.completed")) == 1


def test_a_finding_raised_is_an_event(org, listening):
    finding = raise_finding(org, start(org, plan(org)))
    assert [p["data"]["reference"] for p in made("finding.raised")] == [finding.reference]


def test_a_risk_moving_band_is_an_event_and_a_move_within_a_band_is_not(org, listening):
    risk = raise_risk(org)  # 3 x 3
    manager = membership_of(org.manager, org.organisation)
    risk_services.risk_review_record(
        membership=manager,
        risk=risk,
        reviewed_on=org.organisation.today(),
        likelihood=5,
        impact=5,
        controls_effective=False,
    )
    moved = made("risk.band_moved")
    assert len(moved) == 1
    assert moved[0]["data"]["from_band"] != moved[0]["data"]["to_band"]


def test_a_review_held_is_an_event(org, listening):
    review = plan_review(org)
    review_services.review_hold(
        membership=membership_of(org.manager, org.organisation), review=review
    )
    assert [p["data"]["id"] for p in made("review.held")] == [review.pk]


def test_an_objective_changing_rag_is_an_event(org, listening):
    objective = make_objective(org.organisation, org.manager)
    add_values(objective, [100])
    manager = membership_of(org.manager, org.organisation)
    objective_services.measurement_record(
        membership=manager, objective=objective, period=objective.start_date, value=Decimal("10")
    )
    changed = made("objective.rag_changed")
    assert len(changed) == 1
    assert changed[0]["data"]["from_rag"] != changed[0]["data"]["to_rag"]


def test_an_approval_signed_is_an_event(org, listening):
    from isova.actions.services import action_create

    objective = complete(make_objective(org.organisation, org.manager, status="draft"))
    manager = membership_of(org.manager, org.organisation)
    action_create(membership=manager, title="Step", owner=org.staff, source=objective)
    workflow.submit(membership=manager, obj=objective)
    workflow.approve(
        membership=membership_of(org.leader, org.organisation), obj=objective, password=PASSWORD
    )
    signed = made("approval.signed")
    assert len(signed) == 1 and signed[0]["data"]["signer"]["id"] == org.leader.pk


def test_an_event_rolls_back_with_the_write(org, listening):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        make_action(org)
        assert len(made("action.created")) == 1
        raise RuntimeError
    assert made("action.created") == []
    assert webhooks.due_deliveries(webhooks.timezone.now()) == []
