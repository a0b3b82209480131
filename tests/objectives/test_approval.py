"""Submitting and approving objectives through the one records mechanism (isova.records)."""

import datetime

import pytest

from isova.models import Action, Notification, RecordStatus, RecordVersion, SignOff
from objectives.models import Objective, Status
from tests.factories import PASSWORD
from tests.objectives.conftest import complete, make_objective


@pytest.fixture
def draft(org):
    return make_objective(org.organisation, org.manager, status=Status.DRAFT)


def add_step(objective, owner, title="Weekly capacity review"):
    step = Action(
        organisation=objective.organisation,
        title=title,
        owner=owner,
        due_date=datetime.date(2025, 6, 30),
    )
    step.source = objective
    step.save()
    return step


@pytest.fixture
def ready(org, draft):
    """A draft with every 6.2.2 element and one plan step."""
    complete(draft)
    add_step(draft, org.staff)
    return draft


def submit(client, objective, comment=""):
    return client.post(f"/objectives/{objective.pk}/submit/", {"comment": comment}, follow=True)


def decide(client, objective, decision="approve", password=PASSWORD, comment="Agreed."):
    """Post the decision form as the page renders it (with the hash of what it shows)."""
    shown = RecordVersion.objects.for_record(objective).order_by("number").last()
    return client.post(
        f"/records/objectives.objective/{objective.pk}/decide/",
        {
            "decision": decision,
            "password": password,
            "comment": comment,
            "snapshot_hash": shown.snapshot_hash if shown else "",
        },
        follow=True,
    )


def shown_status(objective):
    """The status pages show: "submitted" is read from the record versions."""
    return Objective.objects.with_shown_status().get(pk=objective.pk).shown_status


def versions(objective):
    return list(RecordVersion.objects.filter(object_id=objective.pk).order_by("number"))


def test_an_objective_missing_6_2_2_elements_cannot_be_submitted_and_says_what_is_missing(
    org, draft, as_user
):
    client = as_user(org.manager)
    page = client.get(draft.get_absolute_url()).content.decode()
    for missing in [
        "the strategic goal it serves",
        "why it matters",
        "what will be done: at least one plan step (6.2.2 a)",
        "the resources needed (6.2.2 b)",
        "how results are evaluated (6.2.2 e)",
        "the next review date",
    ]:
        assert missing in page
    response = submit(client, draft)
    assert "It cannot be submitted yet. Missing: the strategic goal it serves;" in (
        response.content.decode()
    )
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    assert versions(draft) == []


def test_a_plan_step_is_required_even_when_the_fields_are_filled_in(org, draft, as_user):
    complete(draft)
    response = submit(as_user(org.manager), draft)
    assert "Missing: what will be done: at least one plan step (6.2.2 a)." in (
        response.content.decode()
    )
    assert versions(draft) == []


def test_a_manager_submits_a_complete_objective_and_the_leaders_are_asked(org, ready, as_user):
    response = submit(as_user(org.manager), ready, comment="Please approve by Friday.")
    assert "Submitted for approval." in response.content.decode()
    assert shown_status(ready) == Status.SUBMITTED
    [version] = versions(ready)
    assert version.status == RecordStatus.SUBMITTED
    assert version.submitted_by == org.manager
    assert version.snapshot["target"] == "100.0000"
    assert [s["title"] for s in version.snapshot["plan"]] == ["Weekly capacity review"]
    assert Notification.objects.filter(recipient=org.leader, kind="approval_requested").exists()


@pytest.mark.parametrize("role", ["staff", "auditor"])
def test_staff_and_auditors_cannot_submit(org, ready, as_user, role):
    response = as_user(org.user(role)).post(f"/objectives/{ready.pk}/submit/")
    assert response.status_code == 403
    assert versions(ready) == []


def test_a_leader_approves_with_their_password_and_the_objective_becomes_active(
    org, ready, as_user
):
    submit(as_user(org.manager), ready)
    response = decide(as_user(org.leader), ready)
    assert response.status_code == 200
    ready.refresh_from_db()
    assert ready.status == Status.ACTIVE
    signoff = SignOff.objects.get(object_id=ready.pk)
    assert (signoff.meaning, signoff.signer) == ("approved", org.leader)
    assert '"plan":[{"due_date":"2025-06-30"' in signoff.snapshot


def test_only_leaders_approve(org, ready, as_user):
    submit(as_user(org.manager), ready)
    for role in ("manager", "staff", "auditor"):
        response = as_user(org.user(role)).post(
            f"/records/objectives.objective/{ready.pk}/decide/",
            {"decision": "approve", "password": PASSWORD, "comment": ""},
        )
        assert response.status_code == 403
    assert shown_status(ready) == Status.SUBMITTED
    assert not SignOff.objects.exists()


def test_a_wrong_password_signs_nothing(org, ready, as_user):
    submit(as_user(org.manager), ready)
    response = decide(as_user(org.leader), ready, password="not my password")
    assert "That is not your password. Nothing was signed." in response.content.decode()
    assert shown_status(ready) == Status.SUBMITTED
    assert not SignOff.objects.exists()


def test_a_rejected_objective_goes_back_to_draft(org, ready, as_user):
    submit(as_user(org.manager), ready)
    decide(as_user(org.leader), ready, decision="reject", comment="Target too timid.")
    ready.refresh_from_db()
    assert ready.status == Status.DRAFT
    assert versions(ready)[0].status == RecordStatus.REJECTED


def _approved(org, objective, as_user):
    submit(as_user(org.manager), objective)
    decide(as_user(org.leader), objective)
    objective.refresh_from_db()
    assert objective.status == Status.ACTIVE
    return objective


def _edit(client, objective, **changes):
    from django.forms.models import model_to_dict

    from objectives.services import EDITABLE_FIELDS

    data = model_to_dict(Objective.objects.get(pk=objective.pk), fields=EDITABLE_FIELDS)
    data = {k: ("" if v is None else v) for k, v in data.items()} | changes
    return client.post(f"/objectives/{objective.pk}/edit/", data)


def test_changing_the_target_after_approval_asks_for_approval_again(org, ready, as_user):
    objective = _approved(org, ready, as_user)
    client = as_user(org.manager)
    assert _edit(client, objective, target="97").status_code == 302
    objective.refresh_from_db()
    assert objective.status == Status.ACTIVE  # still tracked while the change is approved
    assert [v.status for v in versions(objective)] == [
        RecordStatus.SUPERSEDED,
        RecordStatus.DRAFT,
    ]
    page = client.get(objective.get_absolute_url()).content.decode()
    assert "Changed since approved" in page
    assert "Submit version 2 for approval" in page
    assert objective.history.filter(target=100).exists()  # the old target stays in history
    submit(client, objective)
    decide(as_user(org.leader), objective)
    assert [v.status for v in versions(objective)] == [
        RecordStatus.SUPERSEDED,
        RecordStatus.APPROVED,
    ]


def test_a_cosmetic_change_after_approval_keeps_the_approval(org, ready, as_user):
    objective = _approved(org, ready, as_user)
    _edit(as_user(org.manager), objective, why="Customers leave when we are late, say sales.")
    assert [v.status for v in versions(objective)] == [RecordStatus.APPROVED]


def test_adding_a_plan_step_after_approval_asks_for_approval_again(org, ready, as_user):
    objective = _approved(org, ready, as_user)
    response = as_user(org.manager).post(
        f"/objectives/{objective.pk}/plan/new/",
        {
            "title": "Buffer stock",
            "owner": org.staff.pk,
            "due_date": "2025-09-30",
            "confirm_past_due": "on",
            "priority": "medium",
        },
    )
    assert response.status_code == 302
    assert Action.objects.for_source(objective).count() == 2
    assert [v.status for v in versions(objective)] == [
        RecordStatus.SUPERSEDED,
        RecordStatus.DRAFT,
    ]


def test_a_material_change_while_submitted_sends_it_back_to_draft(org, ready, as_user):
    submit(as_user(org.manager), ready)
    _edit(as_user(org.manager), ready, target="98")
    assert shown_status(ready) == Status.DRAFT
    assert versions(ready)[0].status == RecordStatus.DRAFT


def test_the_generic_records_endpoint_refuses_objectives(org, draft, as_user):
    response = as_user(org.manager).post(f"/records/objectives.objective/{draft.pk}/submit/")
    assert response.status_code == 404
    assert versions(draft) == []


def test_records_submit_itself_refuses_an_incomplete_objective(org, draft):
    from isova import records
    from tests.conftest import membership_of

    with pytest.raises(records.RecordError, match="Missing: the strategic goal"):
        records.submit(membership=membership_of(org.manager, org.organisation), obj=draft)
    assert versions(draft) == []
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_records_submit_moves_a_complete_draft_to_submitted(org, ready):
    from isova import records
    from tests.conftest import membership_of

    records.submit(membership=membership_of(org.manager, org.organisation), obj=ready)
    assert shown_status(ready) == Status.SUBMITTED


def test_the_approval_panel_does_not_offer_its_own_submit_button(org, ready, as_user):
    page = as_user(org.manager).get(ready.get_absolute_url()).content.decode()
    assert f'action="/objectives/{ready.pk}/submit/"' in page
    assert "/records/objectives.objective/" not in page
