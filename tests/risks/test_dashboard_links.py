"""The risks panel's figures link to the register showing the same counts, narrowed by the
dashboard's owner filter too."""

import datetime

from tests.conftest import membership_of

from .conftest import bulk_risks, raise_risk


def _count(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.context["page"].paginator.count


def test_each_band_count_and_overdue_review_links_to_a_register_with_the_same_count(org, as_user):
    bulk_risks(org.organisation, org.manager, 30)
    client = as_user(org.leader)
    risks = client.get("/dashboard/").context["risks"]
    assert sum(row["residual"] for row in risks["band_rows"]) == 30
    for row in risks["band_rows"]:
        assert _count(client, row["residual_url"]) == row["residual"], row["name"]
    assert risks["overdue_reviews"] > 0
    assert _count(client, risks["overdue_reviews_url"]) == risks["overdue_reviews"]


def test_heat_map_cells_and_bands_keep_the_owner_filter(org, as_user):
    raise_risk(org, title="Mine", owner=org.staff, inherent_likelihood=4, inherent_impact=4)
    raise_risk(org, title="Not mine", inherent_likelihood=4, inherent_impact=4)
    client = as_user(org.leader)
    risks = client.get(f"/dashboard/?owner={org.staff.pk}").context["risks"]
    assert sum(row["residual"] for row in risks["band_rows"]) == 1
    for row in risks["band_rows"]:
        assert _count(client, row["residual_url"]) == row["residual"], row["name"]
    cells = [cell for grid_row in risks["grid"] for cell in grid_row["cells"] if cell["count"]]
    assert [cell["count"] for cell in cells] == [1]
    assert _count(client, cells[0]["url"]) == 1


def test_overdue_treatment_actions_link_to_the_actions_list_with_the_same_count(org, as_user):
    from risks import services

    risk = raise_risk(org, title="Supplier fails")
    services.plan_action_add(
        membership=membership_of(org.manager, org.organisation),
        risk=risk,
        title="Second supplier",
        owner=org.staff,
        due_date=org.organisation.today() - datetime.timedelta(days=3),
    )
    client = as_user(org.leader)
    risks = client.get("/dashboard/").context["risks"]
    assert risks["overdue_actions"] == 1
    assert _count(client, risks["overdue_actions_url"]) == 1


def test_the_panel_keeps_opportunities_apart_from_risks(org, as_user):
    """Opportunities are neither counted nor listed as risks (#22 item 8)."""
    raise_risk(org, title="Low risk", inherent_likelihood=1, inherent_impact=2)
    chance = raise_risk(
        org,
        kind="opportunity",
        title="Big new customer",
        inherent_likelihood=5,
        inherent_impact=5,
        treatment="pursue",
    )
    late = org.organisation.today() - datetime.timedelta(days=3)
    type(chance).objects.filter(pk=chance.pk).update(next_review_date=late)
    client = as_user(org.leader)
    risks = client.get("/dashboard/").context["risks"]
    assert [r.title for r in risks["top"]] == ["Low risk"]
    assert [o.title for o in risks["top_opportunities"]] == ["Big new customer"]
    assert sum(row["residual"] for row in risks["band_rows"]) == 1
    assert risks["overdue_reviews"] == 0
    assert risks["overdue_opportunity_reviews"] == 1
    assert _count(client, risks["overdue_opportunity_reviews_url"]) == 1
