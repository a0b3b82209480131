"""The per-organisation hash chain, the append-only trigger and `manage.py verify_records`."""

import datetime
import hashlib
import hmac
import threading
from contextlib import contextmanager
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from isova import records
from isova.models import SignOff, SignOffChain
from isova.records import chain as chain_module
from tests.conftest import membership_of
from tests.factories import PASSWORD

from .helpers import approved_policy, make_policy, ms

TRIGGER = "isova_signoff_append_only"


@contextmanager
def trigger_disabled():
    """What a database owner could do: switch the append-only trigger off to tamper."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # The test's transaction holds deferred foreign-key checks; ALTER TABLE needs
            # them run first.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE isova_signoff DISABLE TRIGGER {TRIGGER}")
    try:
        yield
    finally:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"ALTER TABLE isova_signoff ENABLE TRIGGER {TRIGGER}")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def raw_sql(sql, params=()):
    with trigger_disabled(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def four_sign_offs(org):
    """#1 approved, #2 reviewed, #3 verified, #4 approved (a second policy)."""
    policy = approved_policy(org)
    for meaning in ("reviewed", "verified"):
        records.sign(membership=ms(org, "leader"), obj=policy, meaning=meaning, password=PASSWORD)
    approved_policy(org, title="Environmental policy")
    return list(SignOff.objects.filter(organisation=org.organisation).order_by("sequence"))


def verify(slug=None):
    out, err = StringIO(), StringIO()
    kwargs = {"organisation": slug} if slug else {}
    try:
        call_command("verify_records", stdout=out, stderr=err, **kwargs)
    except CommandError as error:
        return False, out.getvalue(), err.getvalue() + str(error)
    return True, out.getvalue(), err.getvalue()


def test_each_sign_off_links_to_the_previous_ones_hash(org):
    chain = four_sign_offs(org)
    assert [s.sequence for s in chain] == [1, 2, 3, 4]
    assert chain[0].previous_hash == records.GENESIS_HASH
    for before, after in zip(chain, chain[1:], strict=False):
        assert after.previous_hash == before.hash
    for signoff in chain:
        assert records.compute_hash(signoff) == signoff.hash
    head = SignOffChain.objects.get(organisation=org.organisation)
    assert (head.length, head.last_hash) == (4, chain[-1].hash)


def test_verify_records_passes_on_a_clean_chain(org, other_org):
    four_sign_offs(org)
    approved_policy(other_org)
    ok, out, err = verify()
    assert ok, err
    assert f"{org.organisation.slug}: 4 sign-offs, chain intact" in out
    assert f"{other_org.organisation.slug}: 1 sign-off, chain intact" in out
    assert "All chains intact (5 sign-offs checked)." in out


def test_a_tampered_comment_is_reported_with_a_non_zero_exit(org):
    chain = four_sign_offs(org)
    raw_sql("UPDATE isova_signoff SET comment = 'edited later' WHERE id = %s", [chain[1].pk])
    ok, out, err = verify()
    assert not ok
    assert "sign-off #2: its contents no longer match its hash" in err
    assert "1 broken link" in err
    assert "#3" not in err  # the next link still points at the hash that was stored


def test_a_tampered_snapshot_is_reported(org):
    chain = four_sign_offs(org)
    text = chain[0].snapshot.replace("right first time", "eventually")
    raw_sql("UPDATE isova_signoff SET snapshot = %s WHERE id = %s", [text, chain[0].pk])
    count, breaks = records.verify_chain(org.organisation)
    assert count == 4
    assert [(b.sequence, "altered" in b.problem) for b in breaks] == [(1, True)]


def test_a_rewritten_row_with_a_recomputed_hash_breaks_the_next_link(org):
    chain = four_sign_offs(org)
    forged = SignOff.objects.get(pk=chain[1].pk)
    forged.comment = "forged"
    new_hash = records.compute_hash(forged)
    raw_sql(
        "UPDATE isova_signoff SET comment = 'forged', hash = %s WHERE id = %s",
        [new_hash, forged.pk],
    )
    _, breaks = records.verify_chain(org.organisation)
    assert [b.sequence for b in breaks] == [3]
    assert "does not link to the sign-off before it" in breaks[0].problem


def test_reordered_sign_offs_are_reported(org):
    chain = four_sign_offs(org)
    # Swap #2 and #3 (through a free number, as (organisation, sequence) is unique).
    raw_sql("UPDATE isova_signoff SET sequence = 999 WHERE id = %s", [chain[1].pk])
    raw_sql("UPDATE isova_signoff SET sequence = 2 WHERE id = %s", [chain[2].pk])
    raw_sql("UPDATE isova_signoff SET sequence = 3 WHERE id = %s", [chain[1].pk])
    ok, _, err = verify(org.organisation.slug)
    assert not ok
    _, breaks = records.verify_chain(org.organisation)
    assert {b.sequence for b in breaks} == {2, 3, 4}
    assert "sign-off #2: does not link" in err


def test_a_deleted_sign_off_is_reported(org):
    chain = four_sign_offs(org)
    raw_sql("DELETE FROM isova_signoff WHERE id = %s", [chain[1].pk])
    ok, _, err = verify()
    assert not ok
    assert "sign-off #3: sign-off #2 before it is missing (deleted)" in err
    assert "sign-off #3: does not link to the sign-off before it" in err


def test_deleting_the_latest_sign_off_is_reported_by_the_chain_head(org):
    chain = four_sign_offs(org)
    raw_sql("DELETE FROM isova_signoff WHERE id = %s", [chain[-1].pk])
    ok, _, err = verify()
    assert not ok
    assert "chain head: the chain should end at #4" in err
    assert "but ends at #3" in err


def test_a_sign_off_after_a_deleted_latest_one_still_shows_the_gap(org):
    chain = four_sign_offs(org)
    raw_sql("DELETE FROM isova_signoff WHERE id = %s", [chain[-1].pk])
    records.sign(
        membership=ms(org, "leader"), obj=make_policy(org), meaning="issued", password=PASSWORD
    )
    _, breaks = records.verify_chain(org.organisation)
    # #5 is chained to the deleted #4: both the gap and the broken link show.
    assert [(b.sequence, b.problem.split(" (")[0]) for b in breaks] == [
        (5, "sign-off #4 before it is missing"),
        (5, "does not link to the sign-off before it"),
    ]


def test_each_organisation_has_its_own_chain(org, other_org):
    four_sign_offs(org)
    theirs = approved_policy(other_org)
    signoff = SignOff.objects.get(organisation=other_org.organisation)
    assert (signoff.sequence, signoff.previous_hash) == (1, records.GENESIS_HASH)
    assert signoff.object_id == theirs.pk
    raw_sql("UPDATE isova_signoff SET comment = 'x' WHERE id = %s", [signoff.pk])
    assert records.verify_chain(org.organisation)[1] == []
    assert len(records.verify_chain(other_org.organisation)[1]) == 1
    ok, out, err = verify(org.organisation.slug)
    assert ok and other_org.organisation.slug not in out


def test_verify_records_refuses_an_unknown_organisation(db):
    ok, _, err = verify("nobody")
    assert not ok and "No organisation" in err


@pytest.mark.postgres
def test_the_database_refuses_to_update_a_sign_off(org):
    signoff = approved_policy(org) and SignOff.objects.get()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        SignOff.objects.filter(pk=signoff.pk).update(comment="changed")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        signoff.comment = "changed"
        signoff.save()
    assert SignOff.objects.get().comment == ""


@pytest.mark.postgres
def test_the_database_refuses_to_delete_a_sign_off(org):
    approved_policy(org)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        SignOff.objects.all().delete()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as c,
    ):
        c.execute("DELETE FROM isova_signoff")
    assert SignOff.objects.count() == 1


@pytest.mark.postgres
def test_concurrent_sign_offs_never_fork_the_chain(transactional_db):
    from tests.conftest import make_org

    org = make_org("Parallel")
    policies = [make_policy(org, title=f"Policy {i}") for i in range(4)]
    barrier = threading.Barrier(len(policies))
    errors = []

    def sign(policy):
        try:
            membership = membership_of(org.leader, org.organisation)
            barrier.wait()
            records.sign(membership=membership, obj=policy, meaning="reviewed", password=PASSWORD)
        except Exception as error:  # reported below, not swallowed
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sign, args=(p,)) for p in policies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(SignOff.objects.values_list("sequence", flat=True)) == [1, 2, 3, 4]
    assert records.verify_chain(org.organisation)[1] == []


# --- versions against sign-offs, records against approvals (issue 9.4) --------------------


def test_a_version_set_to_approved_without_a_sign_off_is_reported(org):
    policy = make_policy(org)
    records.submit(membership=ms(org, "manager"), obj=policy)
    raw_sql("UPDATE isova_recordversion SET status = 'approved'")
    ok, _, err = verify()
    assert not ok
    assert "v1: is “approved” without an “approved” sign-off" in err


def test_a_rejected_version_set_to_approved_is_reported(org):
    policy = make_policy(org)
    records.submit(membership=ms(org, "manager"), obj=policy)
    records.reject(membership=ms(org, "leader"), obj=policy, password=PASSWORD, comment="No")
    raw_sql("UPDATE isova_recordversion SET status = 'approved'")
    ok, _, err = verify()
    assert not ok and "says “rejected”" in err


def test_a_submitted_version_with_a_decision_is_reported(org):
    approved_policy(org)
    raw_sql("UPDATE isova_recordversion SET status = 'submitted'")
    ok, _, err = verify()
    assert not ok and "is “submitted” but was approved in sign-off #1" in err


def test_a_record_changed_with_its_version_snapshot_is_reported(org):
    policy = approved_policy(org)
    raw_sql("UPDATE isova_qualitypolicy SET text = 'Whatever suits us.'")
    raw_sql(
        "UPDATE isova_recordversion SET snapshot = jsonb_set(snapshot::jsonb, '{text}', "
        "'\"Whatever suits us.\"')"
        if connection.vendor == "postgresql"
        else "UPDATE isova_recordversion SET snapshot = json_set(snapshot, '$.text', "
        "'Whatever suits us.')"
    )
    ok, _, err = verify()
    assert not ok
    assert "its snapshot differs from what sign-off #1 signed" in err
    assert records.state(policy).is_approved  # what the page would claim


def test_a_record_changed_behind_the_approvals_back_is_reported(org):
    approved_policy(org)
    raw_sql("UPDATE isova_qualitypolicy SET text = 'Whatever suits us.'")
    ok, _, err = verify()
    assert not ok and "changed since approval without a new version" in err


def test_a_cosmetic_change_after_approval_is_not_a_break(org):
    approved_policy(org)
    raw_sql("UPDATE isova_qualitypolicy SET title = 'Our policy'")
    ok, out, _ = verify()
    assert ok and "intact" in out


@pytest.mark.postgres
def test_the_database_refuses_to_truncate_sign_offs_or_chain_heads(org):
    approved_policy(org)
    for table in ("isova_signoff", "isova_signoffchain"):
        with (
            pytest.raises(DatabaseError, match="TRUNCATE refused"),
            transaction.atomic(),
            connection.cursor() as c,
        ):
            c.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's pending FK checks
            c.execute("SET LOCAL isova.allow_wipe = 'off'")
            c.execute(f"TRUNCATE {table} CASCADE")
    assert SignOff.objects.count() == 1 and SignOffChain.objects.count() == 1


@pytest.mark.postgres
def test_the_database_refuses_to_delete_or_rewind_a_chain_head(org):
    approved_policy(org)
    head = SignOffChain.objects.get()
    with pytest.raises(DatabaseError, match="DELETE refused"), transaction.atomic():
        SignOffChain.objects.filter(pk=head.pk).delete()
    for length in (0, 1, 3):
        with pytest.raises(DatabaseError, match="extend the chain"), transaction.atomic():
            SignOffChain.objects.filter(pk=head.pk).update(length=length, last_hash="0" * 64)
    head.refresh_from_db()
    assert head.length == 1
    records.sign(
        membership=ms(org, "leader"),
        obj=SignOff.objects.get().record,
        meaning="reviewed",
        password=PASSWORD,
    )
    head.refresh_from_db()
    assert head.length == 2


# --- a keyed chain (issue 28.1): rows written with database rights alone do not verify -----


def _forge_approval(org, digest) -> None:
    """What someone with the application's database rights (no trigger disabled, no key) can
    do: append a sign-off approving a rejected version, move the chain head by one, and set
    the version to approved; `digest(payload_bytes)` is their best guess at the hash."""
    policy = make_policy(org, title="Forged policy")
    records.submit(membership=ms(org, "manager"), obj=policy)
    records.reject(membership=ms(org, "leader"), obj=policy, password=PASSWORD, comment="No")
    version = records.versions(policy)[-1]
    head = SignOffChain.objects.get(organisation=org.organisation)
    rejection = SignOff.objects.get(organisation=org.organisation, sequence=head.length)
    forged = SignOff(
        organisation=org.organisation,
        sequence=head.length + 1,
        version=version,
        content_type=rejection.content_type,
        object_id=rejection.object_id,
        record_label=rejection.record_label,
        version_number=version.number,
        signer=org.leader,
        signer_name=rejection.signer_name,
        signer_email=rejection.signer_email,
        signer_role="leader",
        meaning="approved",
        comment="",
        signed_at=rejection.signed_at,
        snapshot=rejection.snapshot,
        previous_hash=head.last_hash,
        key_id=rejection.key_id,
    )
    payload = records.canonical_json(chain_module.signoff_payload(forged)).encode()
    forged.hash = digest(payload)
    forged.save(force_insert=True)
    SignOffChain.objects.filter(pk=head.pk).update(length=head.length + 1, last_hash=forged.hash)
    from isova.models import RecordVersion

    RecordVersion.objects.filter(pk=version.pk).update(status="approved")


@pytest.mark.parametrize(
    "digest",
    [
        pytest.param(lambda payload: hashlib.sha256(payload).hexdigest(), id="plain-sha256"),
        pytest.param(
            lambda payload: hmac.new(b"a guessed key" * 3, payload, hashlib.sha256).hexdigest(),
            id="hmac-wrong-key",
        ),
    ],
)
def test_a_sign_off_forged_with_database_rights_alone_fails_verification(org, digest):
    approved_policy(org)
    _forge_approval(org, digest)
    ok, out, err = verify()
    assert not ok
    assert "sign-off #3: its contents no longer match its hash" in err
    assert "without the signing key" in err


def test_a_sign_off_naming_an_unknown_key_fails_verification(org):
    approved_policy(org)
    raw_sql("UPDATE isova_signoff SET key_id = 'stolen'")
    _, breaks = records.verify_chain(org.organisation)
    assert len(breaks) == 1 and "key id “stolen”" in breaks[0].problem


def test_old_sign_offs_still_verify_after_the_key_rotates(org, settings):
    approved_policy(org)
    old_id = settings.RECORDS_HMAC_KEY_ID
    settings.RECORDS_HMAC_KEYS = {"2027": b"n" * 40} | settings.RECORDS_HMAC_KEYS
    settings.RECORDS_HMAC_KEY_ID = "2027"
    approved_policy(org, title="Environmental policy")
    keys = list(SignOff.objects.order_by("sequence").values_list("key_id", flat=True))
    assert keys == [old_id, "2027"]
    assert verify()[0]
    settings.RECORDS_HMAC_KEYS = {"2027": b"n" * 40}  # the old key dropped: say so
    ok, _, err = verify()
    assert not ok and f"key id “{old_id}”" in err


def test_the_keys_setting_refuses_short_secrets():
    from django.core.exceptions import ImproperlyConfigured

    from isova.settings import _records_keys

    assert list(_records_keys("2026:" + "s" * 32 + ",2025:" + "t" * 40, "x")) == ["2026", "2025"]
    for bad in ("nokey", "id:short", ":" + "s" * 40):
        with pytest.raises(ImproperlyConfigured, match="RECORDS_HMAC_KEYS"):
            _records_keys(bad, "x")


def test_a_recorded_head_is_checked_with_expect_head(org):
    chain = four_sign_offs(org)
    slug = org.organisation.slug
    recorded = f"{chain[1].hash}@2"
    assert verify_with(slug, recorded)[0]
    assert verify_with(slug, chain[3].hash[:12])[0]
    ok, _, err = verify_with(slug, f"{chain[1].hash}@3")
    assert not ok and "stood at #3 but is now #2" in err
    ok, _, err = verify_with(slug, "ab" * 32)
    assert not ok and "is not in the chain" in err
    ok, _, err = verify_with(slug, "not-a-hash")
    assert not ok and "is not a chain head" in err


def verify_with(slug, head):
    out, err = StringIO(), StringIO()
    try:
        call_command(
            "verify_records", organisation=slug, expect_head=[head], stdout=out, stderr=err
        )
    except CommandError as error:
        return False, out.getvalue(), err.getvalue() + str(error)
    return True, out.getvalue(), err.getvalue()


# --- versions form one history (issue 28.2) ------------------------------------------------


def test_a_latest_version_marked_superseded_is_reported(org):
    approved_policy(org)
    raw_sql("UPDATE isova_recordversion SET status = 'superseded'")
    ok, _, err = verify()
    assert not ok and "no later version exists" in err


def test_an_older_approved_version_before_a_superseded_newer_one_is_reported(org):
    policy = approved_policy(org)
    policy.text = "We deliver parts right first time, every time."
    policy.save()
    records.record_changed(obj=policy, changed_fields={"text": policy.text}, user=org.manager)
    records.submit(membership=ms(org, "manager"), obj=policy)
    records.approve(membership=ms(org, "leader"), obj=policy, password=PASSWORD)
    assert verify()[0]
    versions = records.versions(policy)
    assert [v.status for v in versions] == ["superseded", "approved"]
    # Swap them: v1 approved again, v2 superseded (the sign-offs stay as they were).
    raw_sql("UPDATE isova_recordversion SET status = 'approved' WHERE id = %s", [versions[0].pk])
    raw_sql("UPDATE isova_recordversion SET status = 'superseded' WHERE id = %s", [versions[1].pk])
    ok, _, err = verify()
    assert not ok
    assert "v1: is “approved” although v2 came after it" in err
    assert "v2: is “superseded” but no later version exists" in err


# --- the migration that keys existing chains ------------------------------------------------


def _make_legacy(org) -> None:
    """Rewrite the organisation's chain as it was before keys: plain SHA-256, no key id."""
    previous = records.GENESIS_HASH
    for signoff in SignOff.objects.filter(organisation=org.organisation).order_by("sequence"):
        signoff.previous_hash, signoff.key_id = previous, ""
        payload = records.canonical_json(chain_module.signoff_payload(signoff)).encode()
        legacy = hashlib.sha256(payload).hexdigest()
        raw_sql(
            "UPDATE isova_signoff SET previous_hash = %s, hash = %s, key_id = '' WHERE id = %s",
            [previous, legacy, signoff.pk],
        )
        previous = legacy
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE isova_signoffchain DISABLE TRIGGER ALL")
        cursor.execute(
            "UPDATE isova_signoffchain SET last_hash = %s WHERE organisation_id = %s",
            [previous, org.organisation.pk],
        )
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE isova_signoffchain ENABLE TRIGGER ALL")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _run_rekey() -> None:
    import importlib

    from django.apps import apps

    migration = importlib.import_module("isova.migrations.0012_signoff_key_id")
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with connection.schema_editor(atomic=False) as editor:
        migration.rekey(apps, editor)


def test_the_key_migration_keys_an_intact_legacy_chain_and_leaves_a_broken_one(org, other_org):
    four_sign_offs(org)
    approved_policy(other_org)
    _make_legacy(org)
    _make_legacy(other_org)
    ok, _, err = verify()
    assert not ok and "key id “”" in err  # unkeyed rows never verify
    raw_sql(
        "UPDATE isova_signoff SET comment = 'edited' WHERE organisation_id = %s",
        [other_org.organisation.pk],
    )
    _run_rekey()
    assert records.verify_chain(org.organisation)[1] == []
    assert set(
        SignOff.objects.filter(organisation=org.organisation).values_list("key_id", flat=True)
    ) == {settings_key_id()}
    # The tampered legacy chain was not laundered into a keyed one.
    _, breaks = records.verify_chain(other_org.organisation)
    assert breaks and SignOff.objects.get(organisation=other_org.organisation).key_id == ""


def settings_key_id() -> str:
    from django.conf import settings

    return settings.RECORDS_HMAC_KEY_ID


def test_the_weekly_briefing_states_the_chain_head_that_expect_head_then_checks(org):
    from isova.records.briefing import records_section

    chain = four_sign_offs(org)
    today = datetime.date(2026, 6, 8)
    (line,) = records_section(org.organisation, today - datetime.timedelta(days=7), today)
    anchor = f"{chain[-1].hash}@4"
    assert f"4 sign-offs; head {anchor}" in line
    assert verify_with(org.organisation.slug, anchor)[0]
