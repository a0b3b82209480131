"""Reviewing objectives: who may, what each decision does, and withdrawing."""

import datetime
from decimal import Decimal

import pytest
import time_machine

from isova.models import RecordStatus, RecordVersion
from objectives.models import Review, Status
from tests.objectives.conftest import make_objective

TODAY = datetime.date(2025, 4, 10)


@pytest.fixture(autouse=True)
def _april_2025():
    with time_machine.travel(datetime.datetime(2025, 4, 10, 12, tzinfo=datetime.UTC), tick=False):
        yield


def review(client, objective, **data):
    data = {"reviewed_on": "2025-04-09", "decision": "continue", "note": "Trend is fine."} | data
    return client.post(f"/objectives/{objective.pk}/review/", data)


def test_a_review_sets_the_next_review_date_by_the_review_frequency(org, objective, as_user):
    objective.review_every = 3
    objective.save()
    assert review(as_user(org.leader), objective).status_code == 302
    objective.refresh_from_db()
    assert objective.next_review_date == datetime.date(2025, 7, 9)
    saved = Review.objects.get()
    assert (saved.reviewed_by, saved.decision, saved.note) == (
        org.leader,
        "continue",
        "Trend is fine.",
    )


@pytest.mark.parametrize(("decision", "status"), [("achieved", "achieved"), ("missed", "missed")])
def test_closing_decisions_close_the_objective(org, objective, as_user, decision, status):
    review(as_user(org.leader), objective, decision=decision)
    objective.refresh_from_db()
    assert objective.status == status
    assert objective.next_review_date is None
    # closed objectives leave the review list and cannot be edited or reviewed again
    assert as_user(org.manager).get(f"/objectives/{objective.pk}/edit/").status_code == 403
    assert review(as_user(org.leader), objective).status_code == 200
    assert Review.objects.count() == 1


def test_changing_the_target_keeps_the_old_one_in_history(org, objective, as_user):
    review(as_user(org.leader), objective, decision="change_target", new_target="97.5")
    objective.refresh_from_db()
    assert objective.target == Decimal("97.5")
    assert list(
        objective.history.order_by("history_date", "history_id").values_list("target", flat=True)
    ) == [
        Decimal("100"),
        Decimal("97.5"),
    ]
    assert Review.objects.get().new_target == Decimal("97.5")


def test_changing_the_target_of_an_approved_objective_asks_for_approval_again(org, as_user):
    from isova import records
    from tests.conftest import membership_of
    from tests.factories import PASSWORD
    from tests.objectives.conftest import complete
    from tests.objectives.test_approval import add_step

    objective = complete(make_objective(org.organisation, org.manager, status="draft"))
    add_step(objective, org.staff)
    records.submit(membership=membership_of(org.manager, org.organisation), obj=objective)
    records.approve(
        membership=membership_of(org.leader, org.organisation), obj=objective, password=PASSWORD
    )
    review(as_user(org.leader), objective, decision="change_target", new_target="96")
    statuses = RecordVersion.objects.filter(object_id=objective.pk).order_by("number")
    assert [v.status for v in statuses] == [RecordStatus.SUPERSEDED, RecordStatus.DRAFT]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"decision": "change_target"}, "Give the new target."),
        ({"decision": "change_target", "new_target": "70"}, "must be above the baseline"),
        ({"reviewed_on": "2025-05-01"}, "A review cannot be dated in the future."),
        ({"decision": "shrug"}, "Select a valid choice."),
        ({"note": ""}, "This field is required."),
    ],
)
def test_a_review_that_makes_no_sense_is_refused(org, objective, as_user, data, message):
    response = review(as_user(org.leader), objective, **data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Review.objects.exists()
    objective.refresh_from_db()
    assert objective.target == Decimal("100")


@pytest.mark.parametrize(
    ("role", "owns", "allowed"),
    [
        ("leader", False, True),
        ("manager", True, True),
        ("manager", False, False),
        ("staff", True, True),
        ("staff", False, False),
        ("auditor", False, False),
    ],
)
def test_leaders_and_the_owner_review(org, as_user, role, owns, allowed):
    objective = make_objective(org.organisation, org.user(role) if owns else org.leader)
    response = review(as_user(org.user(role)), objective)
    assert response.status_code == (302 if allowed else 403)
    assert Review.objects.exists() == allowed


def test_only_leaders_withdraw_and_they_say_why(org, objective, as_user):
    url = f"/objectives/{objective.pk}/withdraw/"
    assert as_user(org.manager).post(url, {"reason": "Merged"}).status_code == 403
    objective.refresh_from_db()
    assert objective.status == Status.ACTIVE
    as_user(org.leader).post(url, {"reason": ""})
    objective.refresh_from_db()
    assert objective.status == Status.ACTIVE
    as_user(org.leader).post(url, {"reason": "Merged into the delivery objective"})
    objective.refresh_from_db()
    assert objective.status == Status.WITHDRAWN
    assert objective.history.latest().history_change_reason.startswith("withdrawn: Merged")
