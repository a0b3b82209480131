"""The action workflow's moves: which are allowed, and what each records."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from isova.actions import services as actions
from isova.models import Action, ActionStatus
from tests.conftest import membership_of

from .conftest import db_counts, snapshot

STATUSES = list(ActionStatus.values)
# Every move the workflow allows (to somebody), from each status.
ALLOWED = {
    ("open", "in_progress"),
    ("open", "done"),
    ("open", "cancelled"),
    ("in_progress", "open"),
    ("in_progress", "done"),
    ("in_progress", "cancelled"),
    ("done", "in_progress"),
    ("done", "verified"),
    ("verified", "in_progress"),
    ("cancelled", "open"),
}
MOMENT = datetime.datetime(2026, 3, 14, 9, 30, tzinfo=datetime.UTC)


@pytest.fixture
def manager(org):
    return membership_of(org.manager, org.organisation)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        pytest.param(old, new, id=f"{old} to {new}")
        for old in STATUSES
        for new in STATUSES
        if old != new
    ],
)
def test_a_manager_may_make_exactly_the_sensible_moves(org, manager, action_of, old, new):
    action = action_of(status=old)
    if (old, new) in ALLOWED:
        moved = actions.action_set_status(
            membership=manager, action=action, status=new, version=action.version
        )
        assert moved.status == new
        assert Action.objects.get(pk=action.pk).status == new
    else:
        before = snapshot(action)
        with pytest.raises(actions.ActionError, match="cannot become"):
            actions.action_set_status(
                membership=manager, action=action, status=new, version=action.version
            )
        assert snapshot(action) == before


@pytest.mark.parametrize("status", STATUSES)
def test_moving_an_action_to_the_status_it_already_has_is_refused(manager, action_of, status):
    action = action_of(status=status)
    with pytest.raises(actions.ActionError, match="already"):
        actions.action_set_status(
            membership=manager, action=action, status=status, version=action.version
        )


@pytest.mark.parametrize("status", ["", "closed", "DONE", "verified; drop table"])
def test_an_unknown_status_is_refused(manager, action_of, status):
    action = action_of()
    with pytest.raises(actions.ActionError, match="is not a status"):
        actions.action_set_status(
            membership=manager, action=action, status=status, version=action.version
        )


def test_completing_records_who_when_and_the_note(org, action_of):
    action = action_of(owner=org.staff, status="in_progress")
    staff = membership_of(org.staff, org.organisation)
    with time_machine.travel(MOMENT, tick=False):
        done = actions.action_set_status(
            membership=staff, action=action, status="done", version=1, note="Replaced the seal."
        )
    done.refresh_from_db()
    assert (done.completed_by, done.completed_at, done.completion_note) == (
        org.staff,
        MOMENT,
        "Replaced the seal.",
    )
    assert done.verified_at is None
    assert done.version == 2


def test_verifying_records_who_when_and_the_note(org, manager, action_of):
    action = action_of(owner=org.staff, status="done")
    with time_machine.travel(MOMENT, tick=False):
        verified = actions.action_set_status(
            membership=manager, action=action, status="verified", version=1, note="Seen it."
        )
    verified.refresh_from_db()
    assert (verified.verified_by, verified.verified_at, verified.verification_note) == (
        org.manager,
        MOMENT,
        "Seen it.",
    )
    assert verified.completed_by == org.staff  # the completion stays on record


@pytest.mark.parametrize("old", ["done", "verified"])
def test_reopening_clears_completion_and_verification_and_keeps_the_reason(
    org, manager, action_of, old
):
    action = action_of(owner=org.staff, status=old, description="Fix it.")
    reopened = actions.action_set_status(
        membership=manager, action=action, status="in_progress", version=1, note="Still leaks."
    )
    reopened.refresh_from_db()
    assert reopened.status == "in_progress"
    assert reopened.completed_at is reopened.completed_by is None
    assert reopened.verified_at is reopened.verified_by is None
    assert reopened.completion_note == reopened.verification_note == ""
    assert reopened.description == "Fix it.\n\nReopened: Still leaks."


def test_a_cancelled_action_reopens_as_open(manager, action_of):
    action = action_of(status="cancelled")
    reopened = actions.action_set_status(
        membership=manager, action=action, status="open", version=1
    )
    assert reopened.status == "open"


def test_every_move_leaves_a_history_row(org, manager, action_of):
    action = action_of(owner=org.staff)
    staff = membership_of(org.staff, org.organisation)
    version = action.version
    for membership, status in [(staff, "in_progress"), (staff, "done"), (manager, "verified")]:
        action = actions.action_set_status(
            membership=membership, action=action, status=status, version=version
        )
        version = action.version
    statuses = list(
        Action.history.filter(id=action.pk).order_by("history_id").values_list("status", flat=True)
    )
    assert statuses[-3:] == ["in_progress", "done", "verified"]


def test_nobody_verifies_an_action_they_completed_themselves(org, manager, action_of):
    """A manager who marks someone's action done cannot also be the one who checks it."""
    action = action_of(owner=org.staff, status="in_progress")
    done = actions.action_set_status(membership=manager, action=action, status="done", version=1)
    with pytest.raises(PermissionDenied):
        actions.action_set_status(membership=manager, action=done, status="verified", version=2)
    leader = membership_of(org.leader, org.organisation)
    verified = actions.action_set_status(
        membership=leader, action=done, status="verified", version=2
    )
    assert (verified.completed_by, verified.verified_by) == (org.manager, org.leader)


def test_nobody_verifies_an_action_they_own(org, action_of):
    leader = membership_of(org.leader, org.organisation)
    action = action_of(owner=org.leader, status="done")
    with pytest.raises(PermissionDenied):
        actions.action_set_status(membership=leader, action=action, status="verified", version=1)
    assert Action.objects.get(pk=action.pk).status == "done"


def test_staff_may_not_cancel_or_verify_even_their_own_action(org, action_of):
    staff = membership_of(org.staff, org.organisation)
    for old, new in [("open", "cancelled"), ("done", "verified")]:
        action = action_of(owner=org.staff, status=old)
        with pytest.raises(PermissionDenied):
            actions.action_set_status(membership=staff, action=action, status=new, version=1)


# --- the same through the view --------------------------------------------------------------


def test_the_detail_form_completes_an_action_with_a_note(org, as_user, action_of):
    action = action_of(owner=org.staff, status="in_progress", title="Seal the pump")
    client = as_user(org.staff)
    with time_machine.travel(MOMENT, tick=False):
        response = client.post(
            f"/actions/{action.pk}/status/",
            {"status": "done", "version": 1, "note": "New seal fitted."},
        )
    assert response.status_code == 302
    assert response["Location"] == f"/actions/{action.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "“Seal the pump” is now done." in page
    assert "New seal fitted." in page
    action.refresh_from_db()
    assert (action.completed_by, action.completed_at) == (org.staff, MOMENT)


def test_a_refused_move_through_the_plain_form_explains_itself_and_changes_nothing(
    org, as_user, action_of
):
    action = action_of(status="done")
    before, counts = snapshot(action), db_counts()
    client = as_user(org.manager)
    response = client.post(f"/actions/{action.pk}/status/", {"status": "cancelled", "version": 1})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "An action that is done cannot become cancelled." in page
    assert snapshot(action) == before
    assert db_counts() == counts


def test_a_refused_move_through_htmx_answers_422_with_the_reason_in_the_row(
    org, as_user, action_of
):
    action = action_of(status="verified")
    before = snapshot(action)
    response = as_user(org.manager).post(
        f"/actions/{action.pk}/status/",
        {"status": "done", "version": 1},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "An action that is verified cannot become done." in body
    assert f'id="action-{action.pk}"' in body
    assert snapshot(action) == before


def test_after_a_move_the_redirect_goes_back_to_the_page_it_came_from_but_never_offsite(
    org, as_user, action_of
):
    client = as_user(org.manager)
    action = action_of()
    response = client.post(
        f"/actions/{action.pk}/status/",
        {"status": "in_progress", "version": 1, "next": "/actions/?status=open"},
    )
    assert response["Location"] == "/actions/?status=open"
    response = client.post(
        f"/actions/{action.pk}/status/",
        {"status": "done", "version": 2, "next": "https://evil.example.com/"},
    )
    assert response["Location"] == f"/actions/{action.pk}/"


def test_overdue_uses_the_organisations_own_today(org, action_of):
    org.organisation.timezone = "Pacific/Kiritimati"  # UTC+14: already tomorrow there
    org.organisation.save()
    with time_machine.travel(datetime.datetime(2026, 5, 1, 12, 0, tzinfo=datetime.UTC)):
        action = action_of(due_date=datetime.date(2026, 5, 1))
        today = org.organisation.today()
        assert today == datetime.date(2026, 5, 2)
        assert action.is_overdue(today)
        assert list(Action.objects.overdue(today)) == [action]
        assert not action.is_overdue(timezone.localdate())


@pytest.mark.parametrize(("old", "new"), [("open", "in_progress"), ("in_progress", "open")])
def test_a_progress_note_on_open_work_is_not_recorded_as_a_reopening(
    org, manager, action_of, old, new
):
    action = action_of(owner=org.staff, status=old, description="Fix it.")
    moved = actions.action_set_status(
        membership=manager, action=action, status=new, version=1, note="Parts ordered."
    )
    moved.refresh_from_db()
    assert moved.description == "Fix it.\n\nProgress: Parts ordered."
    assert "Reopened" not in moved.description


# --- a note without a move ----------------------------------------------------------------


@pytest.mark.parametrize("status", ["open", "in_progress", "done"])
def test_a_note_alone_keeps_the_status_and_is_recorded_as_progress(org, as_user, action_of, status):
    action = action_of(owner=org.staff, status=status, description="Fix it.")
    rows = action.history.count()
    answer = as_user(org.staff).post(
        f"/actions/{action.pk}/note/", {"note": " Parts ordered. ", "version": action.version}
    )
    assert answer.status_code == 302 and answer["Location"] == f"/actions/{action.pk}/"
    action.refresh_from_db()
    assert action.status == status and action.version == 2
    assert action.description == "Fix it.\n\nProgress: Parts ordered."
    assert action.history.count() == rows + 1  # who wrote it and when
    assert action.history.latest().history_user == org.staff


def test_the_detail_page_offers_a_note_only_to_those_who_may_write_one(org, as_user, action_of):
    mine, theirs = action_of(owner=org.staff), action_of(owner=org.manager)
    assert 'for="id_note_note"' in as_user(org.staff).get(f"/actions/{mine.pk}/").content.decode()
    page = as_user(org.staff).get(f"/actions/{theirs.pk}/").content.decode()
    assert "Add a note" not in page
    closed = action_of(owner=org.staff, status="verified")
    assert "Add a note" not in as_user(org.manager).get(f"/actions/{closed.pk}/").content.decode()


@pytest.mark.parametrize(
    ("who", "owner", "code"),
    [("staff", "manager", 403), ("auditor", "staff", 403), ("manager", "staff", 302)],
)
def test_a_note_is_refused_before_its_input_is_read(org, as_user, action_of, who, owner, code):
    action = action_of(owner=getattr(org, owner), description="Fix it.")
    # No version, no note: a refusal must come before the form is looked at.
    answer = as_user(getattr(org, who)).post(f"/actions/{action.pk}/note/", {})
    assert answer.status_code == code
    action.refresh_from_db()
    assert action.description == "Fix it." and action.version == 1


@pytest.mark.parametrize(
    ("status", "note", "message"),
    [("verified", "Late word", "reopen it to add a note"), ("open", "   ", "it was empty")],
)
def test_a_note_on_a_closed_action_or_an_empty_one_is_refused_with_a_reason(
    org, as_user, action_of, status, note, message
):
    action = action_of(owner=org.staff, status=status, description="Fix it.")
    client = as_user(org.manager)
    answer = client.post(f"/actions/{action.pk}/note/", {"note": note, "version": 1}, follow=True)
    assert message in answer.content.decode()
    action.refresh_from_db()
    assert action.description == "Fix it." and action.version == 1


def test_a_stale_note_is_refused_and_saves_nothing(org, manager, action_of):
    action = action_of(owner=org.staff, description="Fix it.")
    with pytest.raises(actions.Conflict):
        actions.action_add_note(membership=manager, action=action, version=7, note="Late")
    action.refresh_from_db()
    assert action.description == "Fix it."


def test_staff_may_not_note_someone_elses_action_through_the_service(org, action_of):
    action = action_of(owner=org.manager)
    with pytest.raises(PermissionDenied):
        actions.action_add_note(
            membership=membership_of(org.staff, org.organisation),
            action=action,
            version=1,
            note="Not mine",
        )
