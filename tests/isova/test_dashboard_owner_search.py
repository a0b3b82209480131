"""The dashboard's owner filter is a search field, not a list of every member: suggestions
as the leader types (HTMX), and a plain form that resolves a typed name without JavaScript."""

import re

import pytest

from isova.models import Role
from tests.factories import ActionFactory, member


def test_the_dashboard_lists_no_member_in_its_page(org, as_user):
    for i in range(30):
        member(org.organisation, Role.STAFF, full_name=f"Worker {i}")
    html = as_user(org.leader).get("/dashboard/").content.decode()
    assert 'name="owner"' in html and 'type="search"' in html
    assert "Worker 7" not in html
    assert not re.search(r'<select[^>]*name="owner"', html)


def test_suggestions_name_members_of_this_organisation_only_as_filter_links(
    org, other_org, as_user
):
    response = as_user(org.leader).get(
        "/dashboard/owners/?owner=staff&period=90", HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert "Acme Staff" in body and "Rival Staff" not in body
    assert f"owner={org.staff.pk}" in body and "period=90" in body


def test_suggestions_stop_at_eight_and_say_more_match(org, as_user, django_assert_max_num_queries):
    for i in range(20):
        member(org.organisation, Role.STAFF, full_name=f"Pat Worker {i}")
    client = as_user(org.leader)
    # session, user, memberships (3); the first nine matching members (1)
    with django_assert_max_num_queries(4):
        body = client.get("/dashboard/owners/?owner=pat").content.decode()
    assert body.count("<li><a ") == 8 and "More people match" in body


def test_nothing_typed_suggests_nobody(org, as_user):
    body = as_user(org.leader).get("/dashboard/owners/?owner=").content.decode()
    assert "<li" not in body


def test_the_suggestions_need_a_member(client, db, other_org, org, as_user):
    response = client.get("/dashboard/owners/?owner=a")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_typed_name_matching_one_member_filters_by_them_and_shows_them(org, as_user):
    ActionFactory(organisation=org.organisation, owner=org.staff)
    ActionFactory(organisation=org.organisation, owner=org.manager)
    response = as_user(org.leader).get("/dashboard/?owner=acme+sta")
    assert response.status_code == 200
    assert not response.context["form"].errors
    assert response.context["filters"]["owner"] == org.staff.pk
    assert response.context["actions"]["outstanding"] == 1
    html = response.content.decode()
    assert f'value="Acme Staff ({org.staff.email})"' in html
    assert f"owner={org.staff.pk}" in response.context["filter_query"]


def test_the_shown_label_is_read_back_by_its_e_mail_so_namesakes_stay_apart(org, as_user):
    twin = member(org.organisation, Role.STAFF, full_name="Acme Staff")
    response = as_user(org.leader).get("/dashboard/", {"owner": f"Acme Staff ({twin.email})"})
    assert response.context["filters"]["owner"] == twin.pk


@pytest.mark.parametrize(
    ("typed", "says"), [("acme", "people match"), ("nobody-here", "No member matches")]
)
def test_a_name_matching_several_or_none_is_an_error_and_the_filter_is_ignored(
    org, as_user, typed, says
):
    response = as_user(org.leader).get(f"/dashboard/?owner={typed}")
    assert response.status_code == 200
    assert says in " ".join(response.context["form"].errors["owner"])
    assert "owner" not in response.context["filters"]


def test_another_organisations_member_is_not_found_by_name_either(org, other_org, as_user):
    response = as_user(org.leader).get("/dashboard/?owner=rival")
    assert "owner" in response.context["form"].errors
