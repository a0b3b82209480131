"""A leader signs only what they were shown: the approvals inbox and the record panel show
the content of the version being signed (v1 in full, a later version as a difference from
the last approved one), with its snapshot's short hash, and the form binds that snapshot."""

import re

from isova import records
from isova.models import SignOff
from tests.factories import PASSWORD

from .helpers import approved_policy, edit, make_policy, ms

HASH_FIELD = re.compile(r'name="snapshot_hash" value="([0-9a-f]{64})"')
SHORT_HASH = re.compile(r'class="signing-hash[^"]*"[^>]*>.*?<code[^>]*>([0-9a-f]{12})</code>', re.S)


def short_hashes(body: str) -> list[str]:
    """The short hashes shown as text (the hidden field's full hash does not count)."""
    return SHORT_HASH.findall(body)


def _submitted_v1(org):
    policy = make_policy(org, text="We deliver parts right first time, every time.")
    version = records.submit(membership=ms(org, "manager"), obj=policy)
    return policy, version


def test_the_inbox_shows_a_first_version_in_full_with_its_short_hash(org, as_user):
    policy, version = _submitted_v1(org)
    body = as_user(org.leader).get("/approvals/").content.decode()
    assert "We deliver parts right first time, every time." in body
    assert policy.owner.get_full_name() in body
    assert "1 January 2026" in body  # the effective date, as people write it
    assert short_hashes(body) == [version.snapshot_hash[:12]]
    assert HASH_FIELD.findall(body) == [version.snapshot_hash]


def test_the_record_panel_shows_the_content_being_signed_next_to_the_decision_form(org, as_user):
    policy, version = _submitted_v1(org)
    body = as_user(org.leader).get(policy.get_absolute_url()).content.decode()
    form_at = body.index('name="snapshot_hash"')
    shown = body[body.index('class="signing-content"') : form_at]
    assert "We deliver parts right first time, every time." in shown
    assert short_hashes(shown) == [version.snapshot_hash[:12]]


def test_the_inbox_shows_a_later_version_as_a_difference_and_offers_the_whole_text(org, as_user):
    policy = approved_policy(org)
    edit(policy, org.manager, text="New words.")
    version = records.submit(membership=ms(org, "manager"), obj=policy)
    body = as_user(org.leader).get("/approvals/").content.decode()
    assert "<ins><span" in body and "New words." in body
    assert short_hashes(body) == [version.snapshot_hash[:12]]
    assert HASH_FIELD.findall(body) == [version.snapshot_hash]


def test_a_version_resubmitted_after_a_rejection_is_shown_in_full(org, as_user):
    policy, _ = _submitted_v1(org)
    records.reject(
        membership=ms(org, "leader"), obj=policy, password=PASSWORD, comment="Too vague."
    )
    edit(policy, org.manager, text="Right first time, measured monthly.")
    version = records.submit(membership=ms(org, "manager"), obj=policy)
    body = as_user(org.leader).get("/approvals/").content.decode()
    assert "Right first time, measured monthly." in body
    assert short_hashes(body) == [version.snapshot_hash[:12]]


def test_a_signature_posted_for_other_content_than_shown_signs_nothing(org, as_user):
    policy, _ = _submitted_v1(org)
    shown = HASH_FIELD.findall(as_user(org.leader).get("/approvals/").content.decode())[0]
    edit(policy, org.manager, text="Changed after the leader looked.")
    records.submit(membership=ms(org, "manager"), obj=policy)
    response = as_user(org.leader).post(
        f"/records/isova.qualitypolicy/{policy.pk}/decide/",
        {"decision": "approve", "password": PASSWORD, "version": 1, "snapshot_hash": shown},
    )
    assert response.status_code in (302, 409)
    assert not SignOff.objects.filter(meaning="approved").exists()
