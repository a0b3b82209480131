"""A decision's life: draft, submitted, signed by a leader (bound to what was shown, on the
chain), revisited as a new version with the signed one kept."""

import datetime

import pytest

from decisions import services
from decisions.models import Decision, Shown
from isova import records
from isova.models import RecordStatus, SignOff
from tests.conftest import membership_of
from tests.decisions.conftest import record, sign, signed, submit


def shown(decision):
    return Decision.objects.with_state().get(pk=decision.pk).shown


def test_a_new_decision_is_a_draft_then_awaits_sign_off_then_is_signed(org):
    decision = record(org)
    assert shown(decision) == Shown.DRAFT
    submit(org, decision)
    assert shown(decision) == Shown.AWAITING
    signoff = sign(org, decision)
    assert shown(decision) == Shown.SIGNED
    assert signoff.meaning == records.APPROVED
    assert signoff.signer == org.leader
    assert signoff.version_number == 1


def test_the_signature_binds_the_snapshot_the_leader_was_shown(org):
    decision = record(org)
    submit(org, decision)
    shown_hash = records.state(decision).current.snapshot_hash
    decision, _ = services.decision_update(
        membership=membership_of(org.manager, org.organisation),
        instance=decision,
        rationale="Changed after the leader opened the page.",
    )
    submit(org, decision)
    with pytest.raises(records.Stale):
        sign(org, decision, snapshot_hash=shown_hash)
    assert not SignOff.objects.filter(object_id=decision.pk).exists()


def test_the_signed_snapshot_holds_the_decision_and_what_it_rests_on(org):
    from tests.risks.conftest import raise_risk

    risk = raise_risk(org, title="Late deliveries to Northline")
    decision = signed(org, risks=[risk])
    version = records.state(decision).current
    assert version.status == RecordStatus.APPROVED
    assert version.snapshot["rationale"].startswith("Fewer changeovers")
    assert version.snapshot["risks"] == [{"id": risk.pk, "name": str(risk)}]


def test_signing_appends_to_a_chain_that_verifies(org):
    signed(org)
    signed(org, title="Second decision")
    count, breaks = records.verify_chain(org.organisation)
    assert count == 2
    assert breaks == []
    assert records.verify_versions(org.organisation) == []


def test_a_wrong_password_signs_nothing(org):
    decision = record(org)
    submit(org, decision)
    with pytest.raises(records.WrongPassword):
        records.approve(
            membership=membership_of(org.leader, org.organisation), obj=decision, password="no"
        )
    assert shown(decision) == Shown.AWAITING


def test_nobody_signs_their_own_submission(org):
    decision = record(org, by=org.leader)
    submit(org, decision, by=org.leader)
    with pytest.raises(records.NotAllowed):
        sign(org, decision, by=org.leader)


def test_a_manager_cannot_sign(org):
    decision = record(org)
    submit(org, decision)
    with pytest.raises(records.NotAllowed):
        sign(org, decision, by=org.manager)


def test_revisiting_a_signed_decision_opens_a_new_version_and_keeps_the_old(org):
    decision = signed(org)
    decision, moved = services.decision_update(
        membership=membership_of(org.manager, org.organisation),
        instance=decision,
        review_date=datetime.date(2027, 11, 1),
        revisit_reason="Northline asked for a six-month extension.",
    )
    assert moved is not None and moved.number == 2
    assert shown(decision) == Shown.REVISITING
    versions = records.versions(decision)
    assert [(v.number, v.status) for v in versions] == [
        (1, RecordStatus.SUPERSEDED),
        (2, RecordStatus.DRAFT),
    ]
    assert versions[0].snapshot["review_date"] == "2027-05-01"
    submit(org, decision)
    sign(org, decision)
    assert shown(decision) == Shown.SIGNED
    assert SignOff.objects.filter(object_id=decision.pk, meaning="approved").count() == 2
    assert records.verify_versions(org.organisation) == []
    assert records.verify_chain(org.organisation)[1] == []


def test_adding_an_action_to_carry_it_out_keeps_the_signature(org):
    decision = signed(org)
    action = services.decision_action_add(
        membership=membership_of(org.manager, org.organisation),
        decision=decision,
        title="Tell Northline's buyer",
        owner=org.staff,
        due_date=datetime.date(2026, 12, 1),
    )
    assert action.source == decision
    assert shown(decision) == Shown.SIGNED
    assert list(decision.actions.all()) == [action]


def test_a_decision_without_a_review_date_cannot_be_submitted(org):
    decision = record(org, review_date=None)
    with pytest.raises(records.RecordError, match="review date"):
        submit(org, decision)


def test_a_review_date_before_the_decision_is_refused(org):
    with pytest.raises(services.DecisionError, match="review date"):
        record(org, review_date=datetime.date(2020, 1, 1))


def test_links_to_another_organisations_rows_are_refused(org, other_org):
    from tests.risks.conftest import raise_risk

    theirs = raise_risk(other_org)
    with pytest.raises(services.DecisionError, match="this organisation"):
        record(org, risks=[theirs])


def test_staff_cannot_record_a_decision(org):
    with pytest.raises(records.NotAllowed):
        record(org, by=org.staff)
