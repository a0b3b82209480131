"""Signatures bind what the signer was shown (issue 9.1, 9.2, 9.5) and values compare as
values (issue 10.2)."""

import datetime
import re
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from isova import records
from isova.actions import services as actions
from isova.models import Action, Notification, RecordStatus, SignOff
from objectives.models import Status
from tests.factories import PASSWORD
from tests.objectives.conftest import complete, make_objective

from .helpers import approved_policy, edit, make_policy, ms

HX = {"HTTP_HX_REQUEST": "true"}


def _inbox_form(client, policy) -> dict:
    """The hidden fields of the inbox card's decision form for `policy`, as rendered."""
    page = client.get("/approvals/").content.decode()
    action = f"/records/isova.qualitypolicy/{policy.pk}/decide/"
    form = page[page.index(f'action="{action}"') :]
    form = form[: form.index("</form>")]
    return dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', form))


# --- 9.1 a decision binds the content shown ------------------------------------------------


def test_an_old_inbox_form_cannot_approve_a_resubmitted_edit_still_numbered_v1(org, as_user):
    policy = make_policy(org, text="We deliver parts right first time.")
    records.submit(membership=ms(org, "manager"), obj=policy)
    leader = as_user(org.leader)
    shown = _inbox_form(leader, policy)
    assert shown["version"] == "1" and len(shown["snapshot_hash"]) == 64
    # The manager edits the text (back to draft) and submits again: still version 1.
    edit(policy, org.manager, text="We deliver parts whenever convenient.")
    version = records.submit(membership=ms(org, "manager"), obj=policy)
    assert version.number == 1 and version.submission == 2
    response = leader.post(
        f"/records/isova.qualitypolicy/{policy.pk}/decide/",
        shown | {"decision": "approve", "password": PASSWORD},
        **HX,
    )
    assert response.status_code == 409
    assert "Nothing was signed" in response.content.decode()
    assert not SignOff.objects.exists()
    assert records.state(policy).status == RecordStatus.SUBMITTED


def test_a_decision_with_the_hash_of_what_is_submitted_now_is_signed(org):
    policy = make_policy(org)
    version = records.submit(membership=ms(org, "manager"), obj=policy)
    signoff = records.approve(
        membership=ms(org, "leader"),
        obj=policy,
        password=PASSWORD,
        version=1,
        snapshot_hash=version.snapshot_hash,
    )
    assert records.snapshot_hash(version.snapshot) == records.snapshot_hash(
        records.current_snapshot(policy)
    )
    assert signoff.meaning == "approved"


def test_a_rejection_with_a_hash_of_other_content_signs_nothing(org):
    policy = make_policy(org)
    records.submit(membership=ms(org, "manager"), obj=policy)
    with pytest.raises(records.Stale):
        records.reject(
            membership=ms(org, "leader"),
            obj=policy,
            password=PASSWORD,
            comment="No",
            snapshot_hash="0" * 64,
        )
    assert not SignOff.objects.exists()


def test_every_resubmission_asks_the_leaders_again_the_same_day(org):
    policy = make_policy(org)
    records.submit(membership=ms(org, "manager"), obj=policy)
    edit(policy, org.manager, text="Second wording.")
    records.submit(membership=ms(org, "manager"), obj=policy)
    asked = Notification.objects.filter(recipient=org.leader, kind="approval_requested")
    assert asked.count() == 2
    assert len({n.key for n in asked}) == 2


def test_the_stale_errors_belong_to_the_core_hierarchy():
    from isova import errors

    assert issubclass(records.RecordError, errors.DomainError)
    assert issubclass(records.Stale, errors.Conflict)
    assert records.WrongPassword is errors.WrongPassword
    assert records.NotAllowed is errors.NotAllowed


# --- 9.2 plan steps are part of what is approved -----------------------------------------


@pytest.fixture
def objective(org):
    objective = complete(make_objective(org.organisation, org.manager, status=Status.DRAFT))
    step = Action(
        organisation=org.organisation,
        title="Weekly capacity review",
        owner=org.staff,
        due_date=datetime.date(2025, 6, 30),
    )
    step.source = objective
    step.save()
    return objective


def _step(objective) -> Action:
    return Action.objects.for_source(objective).get()


def _approve(org, objective):
    records.submit(membership=ms(org, "manager"), obj=objective)
    records.approve(membership=ms(org, "leader"), obj=objective, password=PASSWORD)


@pytest.mark.parametrize(
    "change",
    [
        {"title": "Daily capacity review"},
        {"due_date": datetime.date(2025, 5, 31)},
        {"owner": "manager"},
    ],
    ids=["title", "due date", "owner"],
)
def test_editing_a_plan_step_supersedes_the_objectives_approval(org, objective, change):
    _approve(org, objective)
    step = _step(objective)
    if change.get("owner"):
        change = {"owner": org.manager}
    actions.action_update(
        membership=ms(org, "manager"), action=step, version=step.version, **change
    )
    state = records.state(objective)
    assert [v.status for v in records.versions(objective)] == [
        RecordStatus.SUPERSEDED,
        RecordStatus.DRAFT,
    ]
    assert state.is_stale and state.diff


def test_cancelling_a_plan_step_supersedes_the_objectives_approval(org, objective):
    _approve(org, objective)
    step = _step(objective)
    actions.action_set_status(
        membership=ms(org, "manager"), action=step, status="cancelled", version=step.version
    )
    assert records.state(objective).status == RecordStatus.DRAFT
    assert records.state(objective).is_stale


def test_completing_a_plan_step_is_progress_and_keeps_the_approval(org, objective):
    _approve(org, objective)
    step = _step(objective)
    actions.action_set_status(
        membership=ms(org, "staff"), action=step, status="done", version=step.version
    )
    assert records.state(objective).status == RecordStatus.APPROVED


def test_a_leader_who_edits_a_plan_step_of_a_submission_cannot_approve_the_change(org, objective):
    records.submit(membership=ms(org, "manager"), obj=objective)
    step = _step(objective)
    actions.action_update(
        membership=ms(org, "leader"), action=step, version=step.version, title="Skip it"
    )
    shown = type(objective).objects.with_shown_status().get(pk=objective.pk).shown_status
    assert shown == Status.DRAFT
    assert records.state(objective).status == RecordStatus.DRAFT
    with pytest.raises(records.RecordError, match="not waiting for approval"):
        records.approve(membership=ms(org, "leader"), obj=objective, password=PASSWORD)
    assert not SignOff.objects.exists()


# --- 10.2 values compared as values ------------------------------------------------------


def test_a_decimal_saved_with_padding_is_not_a_change(org, objective):
    objective.target = Decimal("95")
    objective.save()
    _approve(org, objective)  # snapshot says "95"
    objective.refresh_from_db()  # the database says 95.0000
    assert str(objective.target) == "95.0000"
    assert records.state(objective).diff == []
    version = records.record_changed(obj=objective, changed_fields=["target"], user=org.manager)
    assert version is None
    assert records.state(objective).status == RecordStatus.APPROVED


def test_differences_show_decimals_as_entered():
    changes = records.diff_snapshots({"budget": "500.00"}, {"budget": "750.50"})
    assert [(c.old, c.new) for c in changes] == [("500", "750.5")]
    assert records.same_value({"target": "95"}, {"target": "95.0000"})
    assert not records.same_value({"target": "95"}, {"target": "95.1"})


def test_the_objective_page_lists_no_padded_number_as_changed(org, objective, as_user):
    objective.target, objective.budget = Decimal("95"), Decimal("500")
    objective.save()
    _approve(org, objective)
    page = as_user(org.leader).get(objective.get_absolute_url()).content.decode()
    panel = page[page.index('id="record-panel"') :]
    assert "95.0000" not in panel and "500.00" not in panel
    assert "Changed since" not in panel


# --- 9.5 signing passwords are rate-limited ----------------------------------------------


def test_too_many_wrong_signing_passwords_lock_signing_for_a_while(org):
    policy = make_policy(org)
    records.submit(membership=ms(org, "manager"), obj=policy)
    leader = ms(org, "leader")
    for _ in range(settings.SIGNING_FAILURE_LIMIT):
        with pytest.raises(records.WrongPassword):
            records.approve(membership=leader, obj=policy, password="guess")
    with pytest.raises(records.SigningLocked):
        records.approve(membership=leader, obj=policy, password=PASSWORD)
    assert not SignOff.objects.exists()
    later = timezone.now() + datetime.timedelta(minutes=settings.SIGNING_COOLOFF_MINUTES + 1)
    with time_machine.travel(later):
        assert records.approve(membership=leader, obj=policy, password=PASSWORD).sequence == 1


def test_the_signing_lock_is_explained_on_the_page(org, as_user):
    policy = make_policy(org)
    records.submit(membership=ms(org, "manager"), obj=policy)
    client = as_user(org.leader)
    url = f"/records/isova.qualitypolicy/{policy.pk}/decide/"
    for _ in range(settings.SIGNING_FAILURE_LIMIT + 3):
        form = _inbox_form(client, policy)
        response = client.post(url, form | {"decision": "approve", "password": "x"}, **HX)
        assert response.status_code == 422
    assert "signing is locked" in response.content.decode()
    assert not SignOff.objects.exists()


def test_a_right_password_resets_the_count_of_wrong_ones(org):
    policy = approved_policy(org)
    leader = ms(org, "leader")
    for _ in range(settings.SIGNING_FAILURE_LIMIT - 1):
        with pytest.raises(records.WrongPassword):
            records.sign(membership=leader, obj=policy, meaning="reviewed", password="x")
    records.sign(membership=leader, obj=policy, meaning="reviewed", password=PASSWORD)
    with pytest.raises(records.WrongPassword):
        records.sign(membership=leader, obj=policy, meaning="reviewed", password="x")
    records.sign(membership=leader, obj=policy, meaning="reviewed", password=PASSWORD)
