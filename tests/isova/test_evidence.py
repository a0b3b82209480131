"""Leadership evidence (ISO 9001 5.1): sections from the registry, gaps, period bounds in the
organisation's zone, signing what was shown, roles, isolation and query counts."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse

from isova import records
from isova.evidence import services as evidence
from isova.models import Action, ActionStatus, EvidencePack, QualityPolicy, SignOff
from isova.records import policy as policies
from isova.registry import Evidence, EvidenceSource, Gap, registry
from tests.conftest import client_for, membership_of
from tests.factories import PASSWORD, ActionFactory
from tests.objectives.conftest import complete, make_objective

NOW = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=datetime.UTC)
START, END = datetime.date(2025, 6, 16), datetime.date(2026, 6, 15)


def _sign(start, end, pack_hash, password):
    return {
        "sign-start": start,
        "sign-end": end,
        "sign-pack_hash": pack_hash,
        "sign-password": password,
    }


def _section(pack, clause):
    return next(s for s in pack.sections if s.clause == clause)


def _approved_policy(org):
    manager = membership_of(org.manager, org.organisation)
    leader = membership_of(org.leader, org.organisation)
    policy = QualityPolicy.objects.create(
        organisation=org.organisation,
        title="Quality policy",
        text="We deliver on time.",
        owner=org.leader,
        effective_from=datetime.date(2026, 1, 1),
    )
    records.submit(membership=manager, obj=policy)
    records.approve(membership=leader, obj=policy, password=PASSWORD)
    return policy


@pytest.fixture
def at_noon():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.mark.django_db
def test_an_organisation_with_no_evidence_shows_a_gap_in_every_section(org, at_noon):
    pack = evidence.build(org.organisation, START, END)

    assert [s.clause for s in pack.sections] == [clause for clause, _ in evidence.ITEMS]
    assert all(s.gaps for s in pack.sections)
    assert all(s.strength == "none" for s in pack.sections)
    response = client_for(org.leader).get(reverse("evidence"))
    assert response.status_code == 200
    assert response.content.decode().count("Gap:") == len(evidence.ITEMS) + sum(
        len(s.gaps) - 1 for s in pack.sections
    )


@pytest.mark.django_db
def test_a_leaders_approval_of_the_policy_is_evidence_for_b_and_a(org, at_noon):
    _approved_policy(org)

    pack = evidence.build(org.organisation, START, END)

    b = _section(pack, "5.1.1 b")
    assert any("Quality policy version 1 approved by Acme Leader" in e.summary for e in b.evidence)
    a = _section(pack, "5.1.1 a")
    assert a.evidence[0].count == 1 and a.evidence[0].people == ("Acme Leader",)
    assert not any("No leader approved" in g.summary for g in a.gaps)


@pytest.mark.django_db
def test_the_period_ends_at_midnight_in_the_organisations_zone(org):
    org.organisation.timezone = "Pacific/Auckland"
    org.organisation.save()
    # 23:30 on 15 June in Auckland is 11:30 UTC the same day; 00:30 on 16 June is after it.
    inside = datetime.datetime(2026, 6, 15, 11, 30, tzinfo=datetime.UTC)
    outside = datetime.datetime(2026, 6, 15, 12, 30, tzinfo=datetime.UTC)
    with time_machine.travel(inside, tick=False):
        _approved_policy(org)
    with time_machine.travel(outside, tick=False):
        in_time = evidence.build(org.organisation, START, END)
        policy = QualityPolicy.objects.get()
        manager = membership_of(org.manager, org.organisation)
        policy, _ = policies.policy_update(
            membership=manager, policy=policy, text="We deliver, on time."
        )
        records.submit(membership=manager, obj=policy)
        records.approve(
            membership=membership_of(org.leader, org.organisation), obj=policy, password=PASSWORD
        )
        with_next_day = evidence.build(org.organisation, END, END + datetime.timedelta(days=1))
        to_the_15th = evidence.build(org.organisation, START, END)

    assert _section(in_time, "5.1.1 a").evidence[0].count == 1
    assert _section(with_next_day, "5.1.1 a").evidence[0].count == 2
    # The second approval, at 00:30 on the 16th local time, is outside a period ending the 15th.
    assert _section(to_the_15th, "5.1.1 a").evidence[0].count == 1


@pytest.mark.django_db
def test_actions_held_by_one_person_are_named_as_a_gap(org, at_noon):
    for _ in range(6):
        ActionFactory(organisation=org.organisation, owner=org.staff, assigned_by=org.leader)
    ActionFactory(organisation=org.organisation, owner=org.manager, assigned_by=org.leader)

    pack = evidence.build(org.organisation, START, END)

    h = _section(pack, "5.1.1 h")
    assert "7 actions assigned to 2 people (7 by leaders)" in h.evidence[0].summary
    assert any("Acme Staff holds 86% of the open actions" in g.summary for g in h.gaps)
    assert h.strength == "thin"


@pytest.mark.django_db
def test_objectives_past_their_review_date_rank_as_a_serious_gap(org, at_noon):
    objective = make_objective(org.organisation, org.manager)
    complete(objective)
    objective.next_review_date = datetime.date(2026, 5, 1)
    objective.save()

    pack = evidence.build(org.organisation, START, END)

    g = _section(pack, "5.1.1 g")
    assert any("past its review date" in gap.summary for gap in g.gaps)
    worst = pack.gaps[0]
    assert worst[1].severity == 3
    assert reverse("objectives:reviews") in [gap.url for _, gap in pack.gaps]


@pytest.mark.django_db
def test_a_new_app_adds_its_evidence_through_the_registry_alone(org, at_noon):
    def throwaway(organisation, start, end):
        yield Evidence("5.1.2 c", "Customer visits by the managing director: 4.", count=4)
        yield Gap("5.1.2 a", "No contract review recorded.", severity=1)

    registry.register("evidence", EvidenceSource(name="throwaway", build=throwaway))
    try:
        pack = evidence.build(org.organisation, START, END)
        page = client_for(org.leader).get(reverse("evidence")).content.decode()
    finally:
        registry.unregister("throwaway")

    assert _section(pack, "5.1.2 c").strength == "good"
    assert "No contract review recorded." in page
    assert "Customer visits by the managing director: 4." in page


@pytest.mark.django_db
def test_a_leader_signs_the_pack_as_shown_and_it_verifies(org, at_noon):
    _approved_policy(org)
    client = client_for(org.leader)
    page = client.get(reverse("evidence")).content.decode()
    shown_hash = re.search(r'name="sign-pack_hash" value="([0-9a-f]{64})"', page).group(1)

    response = client.post(
        reverse("evidence_sign"),
        _sign(START, END, shown_hash, PASSWORD),
    )

    kept = EvidencePack.objects.get()
    assert response.status_code == 302 and response.url == kept.get_absolute_url()
    signoff = SignOff.objects.filter(object_id=kept.pk, meaning="reviewed").get()
    assert signoff.signer == org.leader
    assert kept.pack_hash == shown_hash
    count, breaks = records.verify_chain(org.organisation)
    assert count == 2 and breaks == []
    kept_page = client.get(kept.get_absolute_url()).content.decode()
    assert f"sign-off #{signoff.sequence}" in kept_page
    assert "Quality policy version 1 approved by Acme Leader" in kept_page
    # The chain head at the signing, for people to keep outside isova (issue 28.1).
    anchor = f"{signoff.hash}@{signoff.sequence}"
    assert f"--expect-head {org.organisation.slug}:{anchor}" in kept_page


@pytest.mark.django_db
def test_a_pack_that_changed_since_it_was_shown_is_not_signed(org, at_noon):
    client = client_for(org.leader)
    page = client.get(reverse("evidence")).content.decode()
    shown_hash = re.search(r'name="sign-pack_hash" value="([0-9a-f]{64})"', page).group(1)
    _approved_policy(org)  # the evidence changes before the leader signs

    response = client.post(
        reverse("evidence_sign"),
        _sign(START, END, shown_hash, PASSWORD),
    )

    assert response.status_code == 422
    assert "changed since you opened this page" in response.content.decode()
    assert not EvidencePack.objects.exists()


@pytest.mark.django_db
def test_a_wrong_password_signs_and_keeps_nothing(org, at_noon):
    pack = evidence.build(org.organisation, START, END)

    response = client_for(org.leader).post(
        reverse("evidence_sign"),
        _sign(START, END, pack.hash, "nope"),
    )

    assert response.status_code == 422
    assert not EvidencePack.objects.exists()
    assert not SignOff.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "view", "sign"),
    [("leader", 200, 302), ("manager", 200, 403), ("auditor", 200, 403), ("staff", 403, 403)],
)
def test_who_sees_and_signs_the_pack(org, at_noon, role, view, sign):
    client = client_for(org.user(role))
    pack = evidence.build(org.organisation, START, END)

    assert client.get(reverse("evidence")).status_code == view
    assert client.get(reverse("evidence_download")).status_code == view
    response = client.post(
        reverse("evidence_sign"),
        _sign(START, END, pack.hash, PASSWORD),
    )
    assert response.status_code == sign
    assert EvidencePack.objects.exists() == (sign == 302)


@pytest.mark.django_db
def test_another_organisations_pack_and_evidence_stay_out_of_sight(org, other_org, at_noon):
    _approved_policy(other_org)
    pack = evidence.build(other_org.organisation, START, END)
    kept = evidence.pack_sign(
        membership=membership_of(other_org.leader, other_org.organisation),
        start=START,
        end=END,
        shown_hash=pack.hash,
        password=PASSWORD,
    )
    client = client_for(org.leader)

    assert client.get(reverse("evidence_pack", args=[kept.pk])).status_code == 404
    page = client.get(reverse("evidence")).content.decode()
    assert "Rival" not in page


@pytest.mark.django_db
def test_the_download_is_one_self_contained_html_file(org, at_noon):
    _approved_policy(org)

    response = client_for(org.manager).get(
        reverse("evidence_download"), {"start": "2025-06-16", "end": "2026-06-15"}
    )

    body = response.content.decode()
    assert response["Content-Disposition"].startswith("attachment;")
    assert "<style>" in body and "<link" not in body and "<script" not in body
    assert "Quality policy version 1 approved" in body


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        {"start": "2026-06-15", "end": "2025-01-01"},
        {"start": "0001-01-01", "end": "9999-12-31"},
        {"start": "not a date", "end": "2026-01-01"},
        {"start": "2026-01-01"},
    ],
)
def test_a_bad_period_is_a_message_not_an_error(org, at_noon, query):
    response = client_for(org.leader).get(reverse("evidence"), query)

    assert response.status_code == 200
    assert 'class="error"' in response.content.decode() or "end" not in query


def _fill(org, n):
    for i in range(n):
        objective = make_objective(org.organisation, org.manager, title=f"Objective {i}")
        complete(objective)
    Action.objects.bulk_create(
        Action(
            organisation=org.organisation,
            title=f"Action {i}",
            owner=org.staff if i % 2 else org.manager,
            assigned_by=org.leader,
            status=ActionStatus.OPEN,
        )
        for i in range(n * 5)
    )


@pytest.mark.django_db
@pytest.mark.parametrize("size", [2, 60])
def test_the_page_runs_a_fixed_number_of_queries(org, at_noon, django_assert_max_num_queries, size):
    _approved_policy(org)
    _fill(org, size)
    client = client_for(org.leader)
    client.get(reverse("evidence"))  # warm content types

    # session, user, memberships (3); core: leader sign-offs, policy approval, policy exists,
    # actions made, open actions by owner (5); objectives: approvals, state, reviews, reviewer
    # names (4); audits: audits, processes, findings (3); kept packs (1); risks and reviews
    # (14 together, each a fixed number: tests/risks, tests/reviews). Total 30 at any size.
    with django_assert_max_num_queries(30):
        response = client.get(reverse("evidence"))
    assert response.status_code == 200
