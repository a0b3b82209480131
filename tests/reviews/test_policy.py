"""The policy reaches people (5.2.2): one acknowledgement per member and approved version."""

import datetime

import pytest

from isova import records
from isova.models import QualityPolicy
from isova.records import policy as policies
from reviews import policy, services
from reviews.models import PolicyAcknowledgement
from tests.conftest import client_for, membership_of
from tests.factories import PASSWORD


@pytest.fixture
def approved_policy(org):
    manager = membership_of(org.manager, org.organisation)
    item = policies.policy_create(
        membership=manager,
        title="Quality policy",
        text="Right first time.",
        owner=org.leader,
        effective_from=datetime.date(2026, 1, 1),
    )
    records.submit(membership=manager, obj=item)
    records.approve(
        membership=membership_of(org.leader, org.organisation), obj=item, password=PASSWORD
    )
    return item


def test_members_acknowledge_the_approved_version_and_a_new_version_asks_again(
    org, approved_policy
):
    staff = client_for(org.staff)
    page = staff.get("/reviews/policy/").content.decode()
    assert "Right first time." in page and "I have read this" in page
    assert staff.post("/reviews/policy/", {"version": "1"}).status_code == 302
    assert PolicyAcknowledgement.objects.get().user == org.staff
    assert "You have read this version" in staff.get("/reviews/policy/").content.decode()
    reach = policy.reach(org.organisation, with_people=True)
    assert (reach["acknowledged"], reach["members"], reach["share"]) == (1, 4, 25)
    assert org.staff not in [m.user for m in reach["missing"]]

    manager = membership_of(org.manager, org.organisation)
    changed, _ = policies.policy_update(
        membership=manager, policy=approved_policy, text="Right first time, on time."
    )
    # Until v2 is approved, v1 (and its text) is what people read.
    assert "Right first time." in staff.get("/reviews/policy/").content.decode()
    records.submit(membership=manager, obj=changed)
    records.approve(
        membership=membership_of(org.leader, org.organisation), obj=changed, password=PASSWORD
    )
    page = staff.get("/reviews/policy/").content.decode()
    assert "on time" in page and "I have read this" in page
    assert policy.reach(org.organisation)["acknowledged"] == 0
    # A stale page (v1) is refused; v2 is recorded once even when posted twice.
    staff.post("/reviews/policy/", {"version": "1"})
    assert PolicyAcknowledgement.objects.count() == 1
    staff.post("/reviews/policy/", {"version": "2"})
    staff.post("/reviews/policy/", {"version": "2"})
    assert sorted(PolicyAcknowledgement.objects.values_list("version_number", flat=True)) == [1, 2]


def test_leaders_see_who_has_not_read_it_and_staff_do_not(org, approved_policy):
    leader_page = client_for(org.leader).get("/reviews/policy/").content.decode()
    assert "Who has read version 1" in leader_page and "Acme Auditor" in leader_page
    staff_page = client_for(org.staff).get("/reviews/policy/").content.decode()
    assert "Who has read" not in staff_page


def test_nothing_to_acknowledge_before_a_policy_is_approved(org):
    QualityPolicy.objects.create(
        organisation=org.organisation,
        title="Draft",
        text="x",
        owner=org.leader,
        effective_from=datetime.date(2026, 1, 1),
    )
    client = client_for(org.staff)
    assert (
        "No version of the quality policy is approved yet"
        in client.get("/reviews/policy/").content.decode()
    )
    client.post("/reviews/policy/", {"version": "1"})
    with pytest.raises(services.ReviewError):
        services.policy_acknowledge(
            membership=membership_of(org.staff, org.organisation),
            policy=QualityPolicy.objects.get(),
            version_number=1,
        )
    assert not PolicyAcknowledgement.objects.exists()
