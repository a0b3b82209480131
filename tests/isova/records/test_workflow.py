"""Draft → submitted → approved / rejected, with role rules and password re-entry."""

import json

import pytest
from django.core.exceptions import PermissionDenied

from isova import records
from isova.models import Notification, RecordStatus, RecordVersion, SignOff
from tests.factories import PASSWORD

from .helpers import approved_policy, make_policy, ms


def test_a_new_record_is_a_v1_draft_without_any_version_row(org):
    policy = make_policy(org)
    state = records.state(policy)
    assert (state.number, state.status, state.current, state.last_signoff) == (
        1,
        RecordStatus.DRAFT,
        None,
        None,
    )
    assert records.versions(policy) == []


def test_a_manager_submits_and_a_leader_approves_v1(org):
    policy = make_policy(org)
    version = records.submit(membership=ms(org, "manager"), obj=policy, comment="Please approve")
    assert (version.number, version.status) == (1, RecordStatus.SUBMITTED)
    assert version.submitted_by == org.manager
    assert version.submit_comment == "Please approve"

    signoff = records.approve(
        membership=ms(org, "leader"), obj=policy, password=PASSWORD, comment="Fine"
    )
    state = records.state(policy)
    assert (state.number, state.status) == (1, RecordStatus.APPROVED)
    assert state.last_signoff == signoff
    assert (signoff.meaning, signoff.signer, signoff.comment) == ("approved", org.leader, "Fine")
    assert signoff.signer_role == "leader"
    assert signoff.sequence == 1 and signoff.previous_hash == records.GENESIS_HASH
    assert json.loads(signoff.snapshot)["text"] == policy.text
    assert state.current.decided_by == org.leader


def test_the_snapshot_is_canonical_json_with_dates_as_strings(org):
    policy = approved_policy(org)
    text = SignOff.objects.get().snapshot
    assert text == records.canonical_json(json.loads(text))
    assert '"effective_from":"2026-01-01"' in text
    assert ", " not in text.replace(policy.text, "")  # no whitespace between tokens
    assert list(json.loads(text)) == sorted(json.loads(text))


def test_canonical_json_writes_decimals_and_aware_datetimes_as_utc_strings():
    import datetime
    from decimal import Decimal
    from zoneinfo import ZoneInfo

    when = datetime.datetime(2026, 6, 1, 12, 0, tzinfo=ZoneInfo("Europe/London"))
    assert records.canonical_json({"b": Decimal("1.50"), "a": when}) == (
        '{"a":"2026-06-01T11:00:00+00:00","b":"1.50"}'
    )


def test_a_leader_rejects_with_a_comment_and_the_submitter_is_told(org):
    policy = make_policy(org)
    records.submit(membership=ms(org, "manager"), obj=policy)
    signoff = records.reject(
        membership=ms(org, "leader"), obj=policy, password=PASSWORD, comment="Too vague"
    )
    assert signoff.meaning == "rejected"
    assert records.state(policy).status == RecordStatus.REJECTED
    assert Notification.objects.filter(recipient=org.manager, kind="approval_decided").exists()


def test_submitting_asks_every_leader_but_the_submitter(org):
    from tests.factories import member

    second_leader = member(org.organisation, "leader", full_name="Second Leader")
    records.submit(membership=ms(org, "leader"), obj=make_policy(org))
    asked = set(Notification.objects.filter(kind="approval_requested").values_list("recipient"))
    assert asked == {(second_leader.pk,)}


def test_rejecting_without_a_comment_signs_nothing(org):
    policy = make_policy(org)
    records.submit(membership=ms(org, "manager"), obj=policy)
    with pytest.raises(records.RecordError, match="comment is required"):
        records.reject(membership=ms(org, "leader"), obj=policy, password=PASSWORD, comment=" ")
    assert not SignOff.objects.exists()
    assert records.state(policy).status == RecordStatus.SUBMITTED


def test_a_wrong_password_signs_nothing(org):
    policy = make_policy(org)
    records.submit(membership=ms(org, "manager"), obj=policy)
    with pytest.raises(records.WrongPassword):
        records.approve(membership=ms(org, "leader"), obj=policy, password="guess")
    with pytest.raises(records.WrongPassword):
        records.approve(membership=ms(org, "leader"), obj=policy, password="")
    assert not SignOff.objects.exists()
    assert records.state(policy).status == RecordStatus.SUBMITTED
    assert records.chain_head(org.organisation) == records.GENESIS_HASH


def test_a_rejected_record_changed_and_resubmitted_becomes_v2(org):
    policy = make_policy(org)
    records.submit(membership=ms(org, "manager"), obj=policy)
    records.reject(membership=ms(org, "leader"), obj=policy, password=PASSWORD, comment="No")
    with pytest.raises(records.RecordError, match="nothing has changed"):
        records.submit(membership=ms(org, "manager"), obj=policy)
    policy.text = "Better words."
    policy.save()
    version = records.submit(membership=ms(org, "manager"), obj=policy)
    assert version.number == 2
    assert [v.status for v in records.versions(policy)] == ["rejected", "submitted"]


def test_submitting_twice_is_refused(org):
    policy = make_policy(org)
    records.submit(membership=ms(org, "manager"), obj=policy)
    with pytest.raises(records.RecordError, match="already waiting"):
        records.submit(membership=ms(org, "manager"), obj=policy)


def test_an_approved_record_with_nothing_material_changed_cannot_be_resubmitted(org):
    policy = approved_policy(org)
    policy.title = "Our quality policy"
    policy.save()
    with pytest.raises(records.RecordError, match="nothing that needs approval"):
        records.submit(membership=ms(org, "manager"), obj=policy)


def test_approving_what_is_not_submitted_is_refused(org):
    policy = make_policy(org)
    with pytest.raises(records.RecordError, match="not waiting for approval"):
        records.approve(membership=ms(org, "leader"), obj=policy, password=PASSWORD)
    approved = approved_policy(org, title="Other")
    with pytest.raises(records.RecordError, match="not waiting for approval"):
        records.approve(membership=ms(org, "leader"), obj=approved, password=PASSWORD)


@pytest.mark.parametrize(
    ("role", "may"), [("leader", True), ("manager", True), ("staff", False), ("auditor", False)]
)
def test_only_leaders_and_managers_submit(org, role, may):
    policy = make_policy(org)
    if may:
        records.submit(membership=ms(org, role), obj=policy)
    else:
        with pytest.raises(PermissionDenied):
            records.submit(membership=ms(org, role), obj=policy)
        assert not RecordVersion.objects.exists()


@pytest.mark.parametrize("role", ["manager", "staff", "auditor"])
def test_only_leaders_approve_or_reject(org, role):
    policy = make_policy(org)
    records.submit(membership=ms(org, "leader"), obj=policy)
    with pytest.raises(PermissionDenied):
        records.approve(membership=ms(org, role), obj=policy, password=PASSWORD)
    with pytest.raises(PermissionDenied):
        records.reject(membership=ms(org, role), obj=policy, password=PASSWORD, comment="no")
    assert not SignOff.objects.exists()


def test_nobody_approves_their_own_submission(org):
    policy = make_policy(org)
    records.submit(membership=ms(org, "leader"), obj=policy)
    with pytest.raises(PermissionDenied, match="own submission"):
        records.approve(membership=ms(org, "leader"), obj=policy, password=PASSWORD)
    with pytest.raises(PermissionDenied, match="own submission"):
        records.reject(membership=ms(org, "leader"), obj=policy, password=PASSWORD, comment="x")
    assert not SignOff.objects.exists()


def test_members_of_another_organisation_cannot_submit_approve_or_sign(org, other_org):
    policy = make_policy(org)
    with pytest.raises(PermissionDenied, match="another organisation"):
        records.submit(membership=ms(other_org, "manager"), obj=policy)
    records.submit(membership=ms(org, "manager"), obj=policy)
    with pytest.raises(PermissionDenied, match="another organisation"):
        records.approve(membership=ms(other_org, "leader"), obj=policy, password=PASSWORD)
    with pytest.raises(PermissionDenied, match="another organisation"):
        records.sign(
            membership=ms(other_org, "leader"), obj=policy, meaning="reviewed", password=PASSWORD
        )


def test_a_standalone_sign_off_records_its_meaning_without_changing_the_status(org):
    policy = approved_policy(org)
    signoff = records.sign(
        membership=ms(org, "auditor"), obj=policy, meaning="Reviewed", password=PASSWORD
    )
    assert (signoff.meaning, signoff.sequence, signoff.version_number) == ("reviewed", 2, 1)
    assert records.state(policy).status == RecordStatus.APPROVED


def test_a_sign_off_on_a_never_submitted_record_opens_v1(org):
    policy = make_policy(org)
    records.sign(membership=ms(org, "leader"), obj=policy, meaning="issued", password=PASSWORD)
    assert [(v.number, v.status) for v in records.versions(policy)] == [(1, "draft")]


@pytest.mark.parametrize("meaning", ["approved", "rejected", "", "x", "Reviewed!"])
def test_a_standalone_sign_off_needs_a_plain_meaning_other_than_a_decision(org, meaning):
    with pytest.raises(records.RecordError):
        records.sign(
            membership=ms(org, "leader"), obj=make_policy(org), meaning=meaning, password=PASSWORD
        )


def test_staff_cannot_sign(org):
    with pytest.raises(PermissionDenied):
        records.sign(
            membership=ms(org, "staff"), obj=make_policy(org), meaning="read", password=PASSWORD
        )


def test_the_approvable_hears_about_the_decision_in_the_same_transaction(org, monkeypatch):
    heard = []
    policy = make_policy(org)
    policy.on_approval_decided = lambda decision, signoff: heard.append((decision, signoff.pk))
    records.submit(membership=ms(org, "manager"), obj=policy)
    signoff = records.approve(membership=ms(org, "leader"), obj=policy, password=PASSWORD)
    assert heard == [("approved", signoff.pk)]
