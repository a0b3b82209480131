"""Staff read the last approved version of every approvable, and nothing else (issue 22.3):
the objectives list and page, the record panel and the quality policy, while a v2 awaits
approval or a draft was never approved."""

import datetime
from decimal import Decimal

import pytest
import time_machine

from isova import records
from tests.conftest import membership_of
from tests.factories import PASSWORD
from tests.isova.records.helpers import approved_policy, edit, make_policy, ms
from tests.objectives.conftest import add_values, complete, make_objective


@pytest.fixture(autouse=True)
def _april_2025():
    with time_machine.travel(datetime.datetime(2025, 4, 10, 12, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def v2_submitted(org):
    """An objective approved as v1 (80 → 100 %), then changed to 'On time, tighter' with a
    target of 95 (v2), submitted and not yet approved."""
    objective = complete(make_objective(org.organisation, org.manager, title="On time"))
    objective.status = "draft"
    objective.save()
    objective.actions.create(
        organisation=org.organisation,
        title="Weekly dispatch check",
        owner=org.staff,
        due_date=datetime.date(2025, 6, 30),
    )
    manager = membership_of(org.manager, org.organisation)
    records.submit(membership=manager, obj=objective)
    records.approve(
        membership=membership_of(org.leader, org.organisation), obj=objective, password=PASSWORD
    )
    add_values(objective, [82, 84, 86])
    objective.refresh_from_db()
    objective.target, objective.title = Decimal("95"), "On time, tighter"
    objective.save()
    records.record_changed(obj=objective, changed_fields=["target", "title"], user=org.manager)
    records.submit(membership=manager, obj=objective)
    return objective


def test_staff_read_the_approved_objective_on_its_page(org, as_user, v2_submitted):
    body = as_user(org.staff).get(v2_submitted.get_absolute_url()).content.decode()
    assert "<h1>On time</h1>" in body
    assert "80 → 100 %" in body
    assert "On time, tighter" not in body
    assert "→ 95" not in body and "95 %" not in body
    # The record panel says a change is coming, never what it is.
    assert "awaiting a leader’s approval" in body
    assert "What differs" not in body and "Field history" not in body


def test_staff_read_the_approved_objective_in_the_list(org, as_user, v2_submitted):
    body = as_user(org.staff).get("/objectives/").content.decode()
    assert ">On time</a>" in body
    assert "On time, tighter" not in body
    assert "target 95" not in body and "target 100" in body


def test_managers_still_see_the_change_they_submitted(org, as_user, v2_submitted):
    body = as_user(org.manager).get(v2_submitted.get_absolute_url()).content.decode()
    assert "On time, tighter" in body
    assert "What differs" in body


def test_the_copy_staff_read_is_never_saved(org, v2_submitted):
    from objectives.approved import as_approved
    from objectives.models import Objective

    shown = as_approved(
        Objective.objects.with_progress(datetime.date(2025, 4, 10))
        .with_approved_snapshot()
        .get(pk=v2_submitted.pk)
    )
    assert shown.title == "On time" and shown.target == Decimal("100")
    with pytest.raises(RuntimeError):
        shown.save()


def test_staff_read_the_approved_policy_not_its_pending_change(org, as_user):
    policy = approved_policy(org, text="We deliver parts right first time.")
    edit(
        policy,
        org.manager,
        text="We deliver every part on time, whatever it costs.",
        owner=org.leader,
    )
    records.submit(membership=ms(org, "manager"), obj=policy)

    body = as_user(org.staff).get(policy.get_absolute_url()).content.decode()
    assert "We deliver parts right first time." in body
    assert "whatever it costs" not in body
    assert f"<dt>Owner</dt><dd>{org.manager.get_full_name()}</dd>" in body

    manager_body = as_user(org.manager).get(policy.get_absolute_url()).content.decode()
    assert "whatever it costs" in manager_body


def test_staff_do_not_read_a_policy_never_approved(org, as_user):
    draft = make_policy(org, title="Draft policy", text="Not agreed yet.")
    approved_policy(org, title="Agreed policy")

    client = as_user(org.staff)
    assert client.get(draft.get_absolute_url()).status_code == 404
    listing = client.get("/policy/").content.decode()
    assert "Agreed policy" in listing and "Draft policy" not in listing
    assert "Draft policy" in as_user(org.manager).get("/policy/").content.decode()
