"""The resources pages: who may see and change what, another organisation's ids (404), bad
input (a form error or 4xx, never a 500), and reassigning from a person's month."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from isova.models import Membership, User
from isova.resources.models import Allocation, ResourceLine
from isova.resources.plans import plan_url
from tests.factories import MembershipFactory
from tests.objectives.conftest import make_objective
from tests.risks.conftest import raise_risk

from .conftest import MAR, action_for, allocate

WORKLOAD = reverse("resources:workload")
CAPACITY = reverse("resources:capacity")


def month_url(user: User, month: str = "2027-03") -> str:
    member = Membership.objects.get(user=user)
    return reverse("resources:person_month", args=[member.pk, month])


ROLES = [("leader", 200), ("manager", 200), ("staff", 403), ("auditor", 403)]


@pytest.mark.parametrize(("role", "status"), ROLES)
def test_the_workload_is_for_leaders_and_managers(org, as_user, role, status):
    assert as_user(org.user(role)).get(WORKLOAD).status_code == status
    assert as_user(org.user(role)).get(month_url(org.staff)).status_code == status


def test_the_workload_flags_over_allocation_in_words(org, plan, as_user):
    allocate(org, plan, org.manager, 52, MAR)
    page = as_user(org.leader).get(WORKLOAD + "?from=2027-02").content.decode()
    assert "1 person is over-allocated" in page
    assert "Over by 12 h" in page
    assert "52 / 40 h" in page
    assert month_url(org.manager) in page


def test_the_workload_can_show_only_the_over_allocated(org, plan, as_user):
    allocate(org, plan, org.manager, 52, MAR)
    page = as_user(org.leader).get(WORKLOAD + "?from=2027-03&over=1").content.decode()
    assert org.manager.get_full_name() in page
    assert org.staff.get_full_name() not in page


def test_a_nonsense_month_shows_this_month_or_404(org, as_user):
    client = as_user(org.leader)
    assert client.get(WORKLOAD + "?from=2027-13").status_code == 200
    assert client.get(month_url(org.staff, "2027-13")).status_code == 404
    assert client.get(month_url(org.staff, "march")).status_code == 404


def test_another_organisations_person_or_plan_is_404(org, other_org, as_user):
    client = as_user(org.leader)
    assert client.get(month_url(other_org.staff)).status_code == 404
    theirs = make_objective(other_org.organisation, other_org.manager)
    assert client.get(plan_url(theirs)).status_code == 404
    response = client.post(
        reverse(
            "resources:allocation_add",
            args=[ContentType.objects.get_for_model(theirs).pk, theirs.pk],
        ),
        {"person": org.staff.pk, "hours": "10", "start_month": "2027-03", "end_month": "2027-03"},
    )
    assert response.status_code == 404
    assert not Allocation.objects.exists()


def test_a_plan_page_for_a_model_that_is_no_plan_is_404(org, as_user):
    user_type = ContentType.objects.get_for_model(User).pk
    client = as_user(org.leader)
    assert client.get(reverse("resources:plan", args=[user_type, org.leader.pk])).status_code == 404
    assert client.get(reverse("resources:plan", args=[999999, 1])).status_code == 404


def test_a_manager_allocates_a_person_from_the_plan_page(org, plan, as_user):
    client = as_user(org.manager)
    type_id = ContentType.objects.get_for_model(plan).pk
    response = client.post(
        reverse("resources:allocation_add", args=[type_id, plan.pk]),
        {
            "person": org.staff.pk,
            "hours": "30",
            "start_month": "2027-01",
            "end_month": "2027-03",
            "note": "Data",
        },
    )
    assert response.status_code == 302
    allocation = Allocation.objects.get()
    assert (allocation.person, allocation.hours, allocation.months) == (org.staff, 30, 3)
    assert allocation.plan_label == plan.title
    assert allocation.plan_url == plan.get_absolute_url()
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "Resources: people, tools and budget" in page
    assert org.staff.get_full_name() in page


def test_bad_allocation_input_is_a_form_error(org, plan, as_user):
    type_id = ContentType.objects.get_for_model(plan).pk
    url = reverse("resources:allocation_add", args=[type_id, plan.pk])
    client = as_user(org.manager)
    for data in (
        {"person": org.staff.pk, "hours": "-3", "start_month": "2027-01", "end_month": "2027-01"},
        {"person": org.staff.pk, "hours": "3", "start_month": "2027-04", "end_month": "2027-01"},
        {"person": org.staff.pk, "hours": "3", "start_month": "0000-01", "end_month": "2027-01"},
        {"person": 0, "hours": "3", "start_month": "2027-01", "end_month": "2027-01"},
        {"person": org.staff.pk, "hours": "NaN", "start_month": "2027-01", "end_month": "2027-01"},
    ):
        response = client.post(url, data)
        assert response.status_code == 422, data
        assert b'class="error"' in response.content or b"form-errors" in response.content
    assert not Allocation.objects.exists()


@pytest.mark.parametrize("role", ["staff", "auditor"])
def test_staff_and_auditors_see_a_plans_resources_but_cannot_change_them(org, plan, as_user, role):
    allocation = allocate(org, plan, org.manager, 10, MAR)
    client = as_user(org.user(role))
    page = client.get(plan_url(plan))
    assert page.status_code == 200
    assert b"Allocate a person" not in page.content
    type_id = ContentType.objects.get_for_model(plan).pk
    data = {"person": org.staff.pk, "hours": "3", "start_month": "2027-01", "end_month": "2027-01"}
    assert (
        client.post(reverse("resources:allocation_add", args=[type_id, plan.pk]), data).status_code
        == 403
    )
    assert (
        client.post(reverse("resources:delete", args=["allocation", allocation.pk])).status_code
        == 403
    )
    assert Allocation.objects.count() == 1


def test_tools_and_budget_are_added_spent_and_removed(org, plan, as_user):
    client = as_user(org.manager)
    type_id = ContentType.objects.get_for_model(plan).pk
    client.post(
        reverse("resources:line_add", args=[type_id, plan.pk]),
        {"kind": "budget", "description": "Premium freight", "amount_approved": "3000"},
    )
    line = ResourceLine.objects.get()
    assert line.amount_approved == 3000
    client.post(reverse("resources:line_spent", args=[line.pk]), {"amount_spent": "3500"})
    line.refresh_from_db()
    assert line.amount_spent == 3500
    assert "Over budget" in client.get(plan.get_absolute_url()).content.decode()
    response = client.post(reverse("resources:line_spent", args=[line.pk]), {"amount_spent": "-1"})
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.amount_spent == 3500
    client.post(reverse("resources:delete", args=["line", line.pk]))
    assert not ResourceLine.objects.exists()


def test_a_leader_reassigns_an_action_from_a_persons_month(org, as_user):
    action = action_for(org, org.manager, 12, datetime.date(2027, 3, 15), title="Quarterly review")
    client = as_user(org.leader)
    page = client.get(month_url(org.manager)).content.decode()
    assert "Quarterly review" in page and "12 h" in page
    response = client.post(
        reverse("resources:reassign", args=["action", action.pk]),
        {"to": org.staff.pk, "version": action.version, "next": month_url(org.manager)},
    )
    assert response.status_code == 302
    assert response["Location"] == month_url(org.manager)
    action.refresh_from_db()
    assert action.owner == org.staff
    assert "Reassigned “Quarterly review” to" in client.get(response["Location"]).content.decode()
    page = client.get(month_url(org.manager)).content.decode()
    assert "Quarterly review" not in page
    assert "Nothing committed this month." in page
    assert "Quarterly review" in client.get(month_url(org.staff)).content.decode()


def test_a_stale_reassignment_changes_nothing(org, as_user):
    action = action_for(org, org.manager, 12, datetime.date(2027, 3, 15))
    client = as_user(org.leader)
    response = client.post(
        reverse("resources:reassign", args=["action", action.pk]),
        {"to": org.staff.pk, "version": action.version + 1},
        follow=True,
    )
    assert "Someone else changed this action" in response.content.decode()
    action.refresh_from_db()
    assert action.owner == org.manager


def test_reassigning_to_an_outsider_or_another_organisations_work_fails(
    org, other_org, plan, as_user
):
    allocation = allocate(org, plan, org.manager, 10, MAR)
    theirs = action_for(other_org, other_org.manager, 5, datetime.date(2027, 3, 1))
    client = as_user(org.leader)
    client.post(
        reverse("resources:reassign", args=["allocation", allocation.pk]),
        {"to": other_org.staff.pk},
    )
    allocation.refresh_from_db()
    assert allocation.person == org.manager
    response = client.post(
        reverse("resources:reassign", args=["action", theirs.pk]), {"to": org.staff.pk}
    )
    assert response.status_code == 404
    assert (
        client.post(
            reverse("resources:reassign", args=["thing", 1]), {"to": org.staff.pk}
        ).status_code
        == 404
    )


def test_staff_cannot_reassign(org, as_user):
    action = action_for(org, org.manager, 12, datetime.date(2027, 3, 15))
    response = as_user(org.staff).post(
        reverse("resources:reassign", args=["action", action.pk]), {"to": org.staff.pk}
    )
    assert response.status_code == 403
    action.refresh_from_db()
    assert action.owner == org.manager


def test_only_leaders_set_capacity(org, other_org, as_user):
    staff = Membership.objects.get(user=org.staff, organisation=org.organisation)
    data = {"default": "32", f"member_{staff.pk}": "10"}
    assert as_user(org.manager).get(CAPACITY).status_code == 200
    assert as_user(org.manager).post(CAPACITY, data).status_code == 403
    assert as_user(org.staff).get(CAPACITY).status_code == 403
    staff.refresh_from_db()
    assert staff.capacity_hours is None
    assert as_user(org.leader).post(CAPACITY, data).status_code == 302
    staff.refresh_from_db()
    org.organisation.refresh_from_db()
    assert (staff.capacity_hours, org.organisation.default_capacity_hours) == (10, 32)
    response = as_user(org.leader).post(CAPACITY, {"default": "-1", f"member_{staff.pk}": "9999"})
    assert response.status_code == 422
    theirs = Membership.objects.get(user=other_org.staff)
    as_user(org.leader).post(CAPACITY, {"default": "32", f"member_{theirs.pk}": "5"})
    theirs.refresh_from_db()
    assert theirs.capacity_hours is None


def test_hours_shown_with_their_spread(org, plan, as_user):
    allocate(org, plan, org.staff, 30, MAR, datetime.date(2027, 5, 1))
    page = as_user(org.leader).get(plan_url(plan)).content.decode()
    assert "30 h" in page and "(10 h a month)" in page
    assert Decimal(30) == Allocation.objects.get().hours


def test_a_risk_treatment_plan_shows_its_resources(org, as_user):
    risk = raise_risk(org)
    allocate(org, risk, org.staff, 8, MAR)
    page = as_user(org.auditor).get(risk.get_absolute_url()).content.decode()
    assert "Resources: people, tools and budget" in page
    assert 'data-label="Hours">8 h' in page
    assert plan_url(risk) in page


def test_a_person_in_two_organisations_is_reached_by_this_organisations_membership(
    org, other_org, as_user
):
    MembershipFactory(user=org.staff, organisation=other_org.organisation)
    mine = Membership.objects.get(user=org.staff, organisation=org.organisation)
    theirs = Membership.objects.get(user=org.staff, organisation=other_org.organisation)
    client = as_user(org.leader)
    assert (
        client.get(reverse("resources:person_month", args=[mine.pk, "2027-03"])).status_code == 200
    )
    assert (
        client.get(reverse("resources:person_month", args=[theirs.pk, "2027-03"])).status_code
        == 404
    )
