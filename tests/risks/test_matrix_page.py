"""The matrix page: everyone reads it; leaders and managers edit it as text; bad text is a
form error; a used version is never edited, the next one opens as a draft."""

import pytest

from risks.models import RiskMatrix
from tests.risks.conftest import raise_risk

LEVELS = "Rare | seldom\nSometimes | now and then\nOften | every month"
BANDS = (
    "Low | 1 | 2 | #2da44e | 365 | 180 | no\n"
    "Medium | 3 | 4 | #d4a72c | 90 | 60 | no\n"
    "High | 6 | 9 | #cf222e | 30 | 14 | yes"
)


def post(client, **overrides):
    data = {"likelihood": LEVELS, "impact": LEVELS, "bands": BANDS} | overrides
    return client.post("/risks/matrix/", data)


@pytest.mark.parametrize("role", ["leader", "manager"])
def test_leaders_and_managers_change_an_unused_matrix_in_place(org, as_user, role):
    response = post(as_user(org.user(role)))
    assert response.status_code == 302
    matrix = RiskMatrix.objects.get()
    assert [lv["name"] for lv in matrix.likelihood] == ["Rare", "Sometimes", "Often"]
    assert matrix.bands[2] == {
        "name": "High", "min": 6, "max": 9, "colour": "#cf222e",
        "review_days": 30, "treatment_days": 14, "approval": True,
    }  # fmt: skip


def test_a_used_matrix_opens_the_next_version_and_the_page_shows_both(org, as_user):
    raise_risk(org)
    client = as_user(org.manager)
    response = post(client)
    assert response.status_code == 302 and response["Location"].endswith("?version=2")
    assert list(RiskMatrix.objects.values_list("number", flat=True)) == [1, 2]
    page = client.get("/risks/matrix/?version=2").content.decode()
    assert "is a draft: scores use version 1" in page and "Submit version 1 for approval" in page


@pytest.mark.parametrize(
    ("field", "text", "message"),
    [
        ("bands", "Low | 1 | 2 | #2da44e | 365 | 180", "seven values"),
        ("bands", "Low | one | 2 | #2da44e | 365 | 180 | no", "whole numbers"),
        ("bands", "Low | 1 | 2 | red | 365 | 180 | no", "colour"),
        ("bands", "Low | 1 | 4 | #2da44e | 365 | 180 | no", "fall in a band"),
        ("likelihood", "Only one", "2 to 10 levels"),
    ],
)
def test_a_bad_matrix_is_a_form_error_and_changes_nothing(org, as_user, field, text, message):
    before = RiskMatrix.objects.count()
    response = post(as_user(org.leader), **{field: text})
    assert response.status_code == 422
    assert message in response.content.decode()
    assert RiskMatrix.objects.count() <= max(before, 1)
    assert RiskMatrix.objects.get().bands[0]["name"] == "Low"
    assert len(RiskMatrix.objects.get().likelihood) == 5
