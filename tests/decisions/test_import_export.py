"""The decision register exports (CSV, XLSX), re-imports into another organisation unchanged,
and imports a decision log in its own words."""

import datetime

import pytest

from decisions.models import Decision, Shown
from tests.conftest import membership_of
from tests.decisions.conftest import record, signed
from tests.isova.imports.conftest import export_sheets, run_import, twin
from tests.isova.imports.test_round_trips import _round_trip
from tests.risks.conftest import raise_risk


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_register_round_trips(org, fmt):
    risk = raise_risk(org)
    signed(org, title='=HYPERLINK("x")', risks=[risk])
    record(org, title="A draft", affects_customers="", review_date=None)
    newco = twin(org)
    report = _round_trip("decisions", "decisions", org.organisation, newco, fmt)
    assert report.created == 2
    made = Decision.objects.for_org(newco).with_state()
    assert {d.shown for d in made} == {Shown.DRAFT}  # imported decisions are signed here
    assert made.get(title='=HYPERLINK("x")').owner == org.manager


def test_the_export_names_state_links_and_review_decisions(org):
    from reviews import services as review_services
    from tests.reviews.conftest import hold_and_discuss, plan_review

    risk = raise_risk(org)
    signed(org, risks=[risk])
    review = hold_and_discuss(org, plan_review(org))
    review_services.output_add(
        membership=membership_of(org.manager, org.organisation),
        review=review,
        kind="improvement",
        decision="Consignment stock for Northline",
    )
    (_, headers, rows), (_, _, outputs) = export_sheets("decisions", org.organisation)
    row = dict(zip(headers, rows[0], strict=True))
    assert row["State"] == "Signed"
    assert row["Risks"] == risk.reference
    assert [o[1] for o in outputs] == ["Consignment stock for Northline"]


def test_a_decision_log_imports_in_its_own_words(org):
    text = (
        "Ref,Date,Subject,What was decided,Why,Client impact,Owner\n"
        "D-1,03/02/2026,Weekly slot,Deliver on Thursdays,Plannable,Northline,Acme Manager\n"
    )
    report = run_import("decisions", membership_of(org.manager, org.organisation), text.encode())
    assert report.errors == [], report.errors
    made = Decision.objects.get(external_ref="D-1")
    assert (made.title, made.decision, made.rationale, made.owner) == (
        "Weekly slot",
        "Deliver on Thursdays",
        "Plannable",
        org.manager,
    )
    assert made.decided_on in (datetime.date(2026, 2, 3), datetime.date(2026, 3, 2))
    assert made.affects_customers == "Northline"


def test_staff_cannot_import_decisions(org):
    from django.urls import reverse

    from tests.conftest import client_for

    response = client_for(org.staff).get(reverse("imports:upload", args=["decisions"]))
    assert response.status_code == 403
