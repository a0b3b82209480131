"""Treatment plans of High and Critical risks, and acceptances, go through a leader's approval."""

import datetime
import re

import pytest

from isova import records
from isova.models import RecordStatus, RecordVersion
from risks import services
from tests.conftest import membership_of
from tests.factories import PASSWORD
from tests.risks.conftest import raise_risk


def add_action(org, risk, title="Second source for castings"):
    return services.plan_action_add(
        membership=membership_of(org.manager, org.organisation),
        risk=risk,
        title=title,
        owner=org.staff,
        due_date=datetime.date(2030, 1, 31),
    )


def submit(org, risk):
    return records.submit(membership=membership_of(org.manager, org.organisation), obj=risk)


def approve(org, risk):
    return records.approve(
        membership=membership_of(org.leader, org.organisation), obj=risk, password=PASSWORD
    )


def move(org, risk, **fields):
    return services.risk_update(
        membership=membership_of(org.manager, org.organisation), risk=risk, **fields
    )


@pytest.fixture
def high(org):
    return raise_risk(org, inherent_likelihood=3, inherent_impact=4)  # 12: High


def test_a_high_risk_needs_approval_and_a_medium_one_does_not(org, high):
    assert high.needs_approval
    assert not raise_risk(org, inherent_likelihood=3, inherent_impact=3).needs_approval


def test_accepting_even_a_low_risk_needs_approval(org):
    risk = raise_risk(org, inherent_likelihood=1, inherent_impact=2, treatment="accept")
    assert risk.needs_approval


def test_a_high_risk_without_a_plan_cannot_be_submitted(org, high):
    with pytest.raises(records.RecordError, match="treatment plan"):
        submit(org, high)


def test_an_acceptance_without_a_justification_cannot_be_submitted(org):
    risk = raise_risk(org, inherent_likelihood=4, inherent_impact=4, treatment="accept")
    with pytest.raises(records.RecordError, match="justification"):
        submit(org, risk)


def test_an_unapproved_high_risk_plan_cannot_move_to_treating(org, high):
    add_action(org, high)
    with pytest.raises(services.RiskError, match="approve"):
        move(org, high, status="treating")
    high.refresh_from_db()
    assert high.status == "open"


def test_an_approved_high_risk_plan_moves_to_treating(org, high):
    add_action(org, high)
    submit(org, high)
    signoff = approve(org, high)
    assert signoff.meaning == "approved"
    snapshot = RecordVersion.objects.for_record(high).get().snapshot
    assert snapshot["inherent"] == {"likelihood": 3, "impact": 4, "score": 12, "band": "High"}
    assert snapshot["plan"][0]["title"] == "Second source for castings"
    assert set(snapshot["plan"][0]) == {"id", "title", "owner", "due_date", "status"}
    move(org, high, status="treating")
    high.refresh_from_db()
    assert high.status == "treating"


def test_a_material_change_makes_the_approval_stale(org, high):
    add_action(org, high)
    submit(org, high)
    approve(org, high)
    move(org, high, inherent_impact=5)
    numbers = list(
        RecordVersion.objects.for_record(high).order_by("number").values_list("number", "status")
    )
    assert numbers == [(1, RecordStatus.SUPERSEDED), (2, RecordStatus.DRAFT)]
    with pytest.raises(services.RiskError):
        move(org, high, status="treating")


def test_a_new_plan_action_makes_the_approval_stale(org, high):
    add_action(org, high)
    submit(org, high)
    approve(org, high)
    add_action(org, high, title="Safety stock of 4 weeks")
    assert not records.state(high).is_approved


def test_a_cosmetic_change_keeps_the_approval(org, high):
    add_action(org, high)
    submit(org, high)
    approve(org, high)
    move(org, high, description="Reworded.", existing_controls="Two suppliers audited yearly.")
    assert records.state(high).is_approved


def test_a_leader_approves_a_risk_plan_from_the_inbox(org, high, as_user):
    add_action(org, high)
    submit(org, high)
    leader = as_user(org.leader)
    inbox = leader.get("/approvals/").content.decode()
    assert high.reference in inbox
    # The form carries the hash of the snapshot the leader was shown.
    shown = re.search(r'name="snapshot_hash" value="([0-9a-f]{64})"', inbox).group(1)
    response = leader.post(
        f"/records/risks.risk/{high.pk}/decide/",
        {
            "decision": "approve",
            "password": PASSWORD,
            "comment": "Go ahead.",
            "snapshot_hash": shown,
        },
    )
    assert response.status_code in (200, 302)
    assert records.state(high).is_approved


def test_a_wrong_password_approves_nothing(org, high, as_user):
    add_action(org, high)
    submit(org, high)
    as_user(org.leader).post(
        f"/records/risks.risk/{high.pk}/decide/",
        {"decision": "approve", "password": "wrong", "comment": ""},
    )
    assert records.state(high).status == RecordStatus.SUBMITTED


def test_the_matrix_is_submitted_and_approved_like_any_record(org):
    matrix = services.current_matrix(org.organisation)
    submit(org, matrix)
    approve(org, matrix)
    assert records.state(matrix).is_approved


# --- progress on an approved plan is not a change to it (issue 28.8) ------------------------


def test_staff_marking_a_plan_step_done_keeps_the_approved_plan(org, high):
    from isova.actions import services as action_services

    step = add_action(org, high)
    submit(org, high)
    approve(org, high)
    staff = membership_of(org.staff, org.organisation)
    step = action_services.action_set_status(
        membership=staff, action=step, status="in_progress", version=step.version
    )
    action_services.action_set_status(
        membership=staff,
        action=step,
        status="done",
        version=step.version,
        note="Second source signed",
    )
    assert records.state(high).is_approved
    assert list(RecordVersion.objects.for_record(high).values_list("status", flat=True)) == [
        RecordStatus.APPROVED
    ]
    ok, _, _ = _verify()
    assert ok  # the approved record still matches what was signed, progress aside


def test_moving_a_plan_steps_due_date_asks_for_a_new_approval(org, high):
    from isova.actions import services as action_services

    step = add_action(org, high)
    submit(org, high)
    approve(org, high)
    action_services.action_update(
        membership=membership_of(org.manager, org.organisation),
        action=step,
        version=step.version,
        due_date=datetime.date(2031, 6, 30),
    )
    assert not records.state(high).is_approved


def _verify():
    from io import StringIO

    from django.core.management import CommandError, call_command

    out, err = StringIO(), StringIO()
    try:
        call_command("verify_records", stdout=out, stderr=err)
    except CommandError as error:
        return False, out.getvalue(), err.getvalue() + str(error)
    return True, out.getvalue(), err.getvalue()


def test_staff_read_the_approved_plan_not_a_change_awaiting_approval(org, high, as_user):
    add_action(org, high)
    submit(org, high)
    approve(org, high)
    add_action(org, high, title="Safety stock of 4 weeks")
    move(org, high, treatment_justification="Cheaper to hold stock than to requalify.")
    submit(org, high)

    body = as_user(org.staff).get(high.get_absolute_url()).content.decode()
    assert "Second source for castings" in body
    assert "Safety stock of 4 weeks" not in body
    assert "Cheaper to hold stock" not in body
    manager = as_user(org.manager).get(high.get_absolute_url()).content.decode()
    assert "Safety stock of 4 weeks" in manager and "Cheaper to hold stock" in manager


def test_staff_read_the_register_as_approved(org, high, as_user):
    add_action(org, high)
    submit(org, high)
    approve(org, high)
    # 20: an inherent score the leaders have not approved yet
    submit(org, move(org, high, inherent_likelihood=5))

    def inherent(html):
        row = html.split(f'id="risk-{high.pk}"', 1)[1].split("</tr>", 1)[0]
        return row.split('data-label="Inherent"', 1)[1].split("</td>", 1)[0]

    staff = inherent(as_user(org.staff).get("/risks/").content.decode())
    assert "12" in staff and "20" not in staff
    assert "20" in inherent(as_user(org.manager).get("/risks/").content.decode())
