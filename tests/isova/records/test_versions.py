"""Editing an approved record: new versions, stale approvals, material vs cosmetic fields."""

import datetime

import pytest

from isova import records
from isova.models import RecordStatus, SignOff
from tests.factories import PASSWORD

from .helpers import approved_policy, edit, make_policy, ms


def test_a_material_edit_of_an_approved_record_opens_v2_and_keeps_v1_and_its_sign_off(org):
    policy = approved_policy(org)
    signoff = SignOff.objects.get()
    v2 = edit(policy, org.manager, text="We deliver on time, right first time.")
    assert (v2.number, v2.status, v2.created_by) == (2, RecordStatus.DRAFT, org.manager)

    v1, latest = records.versions(policy)
    assert latest == v2
    assert v1.status == RecordStatus.SUPERSEDED and v1.superseded_at is not None
    assert v1.snapshot["text"] == "We deliver parts right first time."
    assert SignOff.objects.get() == signoff  # untouched
    assert records.compute_hash(SignOff.objects.get()) == signoff.hash


def test_a_material_edit_makes_the_approval_stale_and_shows_the_difference(org):
    policy = approved_policy(org)
    approved_at = records.state(policy).current.decided_at
    edit(policy, org.manager, effective_from=datetime.date(2026, 3, 1), owner=org.leader)
    state = records.state(policy)
    assert (state.number, state.status) == (2, RecordStatus.DRAFT)
    assert state.is_stale and state.stale_since == approved_at
    assert state.approved.number == 1
    assert {(c.field, c.old, c.new) for c in state.diff} == {
        ("Effective from", "2026-01-01", "2026-03-01"),
        ("Owner", "Acme Manager", "Acme Leader"),
    }


def test_a_cosmetic_edit_keeps_the_approval(org):
    policy = approved_policy(org)
    assert edit(policy, org.manager, title="Our quality policy") is None
    state = records.state(policy)
    assert (state.number, state.status, state.is_stale) == (1, RecordStatus.APPROVED, False)
    assert [(c.field, c.new) for c in state.diff] == [("Title", "Our quality policy")]


def test_an_edit_that_changes_nothing_keeps_the_approval(org):
    policy = approved_policy(org)
    assert edit(policy, org.manager, text=policy.text) is None
    assert records.state(policy).status == RecordStatus.APPROVED


def test_the_new_version_is_submitted_and_approved_as_v2(org):
    policy = approved_policy(org)
    edit(policy, org.manager, text="New words.")
    version = records.submit(membership=ms(org, "manager"), obj=policy)
    assert (version.number, version.status) == (2, RecordStatus.SUBMITTED)
    assert version.changes == [
        {"field": "Text", "old": "We deliver parts right first time.", "new": "New words."}
    ]
    records.approve(membership=ms(org, "leader"), obj=policy, password=PASSWORD)
    state = records.state(policy)
    assert (state.number, state.status, state.is_stale) == (2, RecordStatus.APPROVED, False)
    assert [v.status for v in records.versions(policy)] == ["superseded", "approved"]
    assert [s.version_number for s in SignOff.objects.order_by("sequence")] == [1, 2]


def test_a_draft_changed_back_to_what_was_approved_has_nothing_to_submit(org):
    policy = approved_policy(org)
    old = policy.text
    edit(policy, org.manager, text="New words.")
    edit(policy, org.manager, text=old)
    with pytest.raises(records.RecordError, match="Nothing has changed"):
        records.submit(membership=ms(org, "manager"), obj=policy)


def test_a_material_edit_while_submitted_sends_it_back_to_draft(org):
    policy = make_policy(org)
    records.submit(membership=ms(org, "manager"), obj=policy)
    version = edit(policy, org.manager, text="Changed after submitting.")
    assert (version.number, version.status) == (1, RecordStatus.DRAFT)
    with pytest.raises(records.RecordError, match="not waiting"):
        records.approve(membership=ms(org, "leader"), obj=policy, password=PASSWORD)


def test_a_cosmetic_edit_while_submitted_keeps_the_submission(org):
    policy = make_policy(org)
    records.submit(membership=ms(org, "manager"), obj=policy)
    assert edit(policy, org.manager, title="Retitled") is None
    signoff = records.approve(membership=ms(org, "leader"), obj=policy, password=PASSWORD)
    assert '"title":"Retitled"' in signoff.snapshot  # the leader signs what is there now


def test_submitting_a_materially_changed_approved_record_supersedes_it_even_unannounced(org):
    policy = approved_policy(org)
    policy.text = "Edited by code that forgot record_changed."
    policy.save()
    version = records.submit(membership=ms(org, "manager"), obj=policy)
    assert version.number == 2
    assert [v.status for v in records.versions(policy)] == ["superseded", "submitted"]


def test_children_in_the_snapshot_are_material_and_diffed_item_by_item():
    old = {"title": "T", "actions": [{"id": 1, "title": "Train", "due": "2026-01-01"}]}
    new = {
        "title": "T",
        "actions": [
            {"id": 1, "title": "Train", "due": "2026-02-01"},
            {"id": 2, "title": "Audit"},
        ],
    }
    changes = records.diff_snapshots(old, new)
    assert [(c.field, c.old, c.new) for c in changes] == [
        ("Actions › Train › Due", "2026-01-01", "2026-02-01"),
        ("Actions", "added", "Audit"),
    ]
    from isova.models import QualityPolicy

    assert records.material_keys(QualityPolicy(), {"title", "actions", "owner_id"}) == {
        "actions",
        "owner_id",
    }


def test_a_removed_child_reads_as_removed():
    changes = records.diff_snapshots({"a": [{"id": 1, "title": "X"}]}, {"a": []})
    assert [(c.field, c.old, c.new) for c in changes] == [("A", "X", "removed")]
