"""The per-organisation hash chain, the append-only trigger and `manage.py verify_records`."""

import threading
from contextlib import contextmanager
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from isova import records
from isova.models import SignOff, SignOffChain
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
