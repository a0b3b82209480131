"""Through the API, as on the pages, staff read the last approved version of every record
and nothing else (issue 22.3): a token acts as its person with that person's view."""

from decimal import Decimal

import pytest

from decisions.models import Decision
from tests.decisions.conftest import record, signed, submit
from tests.isova.api.conftest import api_as
from tests.isova.records.test_staff_read_approved import _april_2025, v2_submitted  # noqa: F401
from tests.risks.test_approval import add_action, approve, high, move  # noqa: F401
from tests.risks.test_approval import submit as submit_risk


def _get(user, org, url):
    response = api_as(user, org.organisation).get(url)
    assert response.status_code == 200, response.content
    return response.json()


def test_staff_read_an_objective_at_its_approved_target(org, v2_submitted):  # noqa: F811
    url = f"/api/v1/objectives/{v2_submitted.pk}/"
    staff = _get(org.staff, org, url)
    assert (staff["title"], Decimal(staff["target"])) == ("On time", Decimal("100"))
    listed = _get(org.staff, org, "/api/v1/objectives/")["results"]
    assert [(o["title"], Decimal(o["target"])) for o in listed] == [("On time", Decimal("100"))]
    manager = _get(org.manager, org, url)
    assert (manager["title"], Decimal(manager["target"])) == ("On time, tighter", Decimal("95"))


def test_staff_read_a_risk_as_its_plan_was_approved(org, high):  # noqa: F811
    first = add_action(org, high)
    submit_risk(org, high)
    approve(org, high)
    added = add_action(org, high, title="Safety stock of 4 weeks")
    move(org, high, treatment_justification="Cheaper to hold stock than to requalify.")
    submit_risk(org, high)
    staff = _get(org.staff, org, f"/api/v1/risks/{high.pk}/")
    assert staff["treatment_actions"] == [first.pk]
    assert "Cheaper to hold stock" not in staff["treatment_justification"]
    manager = _get(org.manager, org, f"/api/v1/risks/{high.pk}/")
    assert sorted(manager["treatment_actions"]) == sorted([first.pk, added.pk])
    assert manager["treatment_justification"] == "Cheaper to hold stock than to requalify."


def test_staff_read_signed_decisions_only_as_signed(org, high):  # noqa: F811
    draft = record(org, title="Close the Leeds site")
    decision = signed(org, title="Weekly delivery slot")
    Decision.objects.filter(pk=decision.pk).update(title="Twice-weekly delivery slot")
    decision.refresh_from_db()
    decision.risks.add(high)
    submit(org, decision)  # the change awaits a second signature
    listed = _get(org.staff, org, "/api/v1/decisions/")["results"]
    assert [(d["id"], d["title"], d["state"], d["version"]) for d in listed] == [
        (decision.pk, "Weekly delivery slot", "signed", 1)
    ]
    assert listed[0]["risks"] == []
    staff = api_as(org.staff, org.organisation)
    assert staff.get(f"/api/v1/decisions/{draft.pk}/").status_code == 404
    manager = _get(org.manager, org, f"/api/v1/decisions/{decision.pk}/")
    assert (manager["title"], manager["risks"]) == ("Twice-weekly delivery slot", [high.pk])


@pytest.mark.parametrize("n", [1, 6])
def test_staff_lists_keep_a_fixed_number_of_queries(org, n, django_assert_max_num_queries):
    for i in range(n):
        signed(org, title=f"Decision {i}")
    staff = api_as(org.staff, org.organisation)
    # token, membership, rate limit (cache), the page, its five link lists and the actions
    with django_assert_max_num_queries(12):
        assert staff.get("/api/v1/decisions/").status_code == 200
