"""The objectives and audits apps' sections of the pack, with data and without."""

import datetime
from decimal import Decimal

from audits.models import Audit, FindingType
from objectives import services as objective_services
from objectives.models import Objective, Status
from reviews.pack import live_pack
from tests.audits.conftest import assign, plan, raise_finding, start
from tests.conftest import membership_of

from .conftest import plan_review


def _data(review, key):
    return next(s for s in live_pack(review) if s["key"] == key)["data"]


def test_objective_sections_show_progress_latest_values_and_resources(org):
    today = org.organisation.today()
    objective = Objective.objects.create(
        organisation=org.organisation,
        title="On-time delivery",
        owner=org.manager,
        measure_name="OTD",
        unit="%",
        baseline=Decimal(80),
        target=Decimal(95),
        start_date=today - datetime.timedelta(days=200),
        target_date=today + datetime.timedelta(days=200),
        budget=Decimal(5000),
        resources="A second inspector",
        status=Status.ACTIVE,
        created_by=org.manager,
    )
    review = plan_review(org)
    assert _data(review, "objectives_processes") == {}
    objective_services.measurement_record(
        membership=membership_of(org.manager, org.organisation),
        objective=objective,
        period=today - datetime.timedelta(days=40),
        value=Decimal(88),
    )
    met = _data(review, "objectives_met")
    assert ["Active objectives", 1] in met["figures"]
    assert met["table"]["rows"][0][0] == "On-time delivery"
    processes = _data(review, "objectives_processes")
    assert processes["table"]["rows"][0][1] == "88 %"
    resources = _data(review, "objectives_resources")
    assert resources["table"]["rows"][0][:3] == ["On-time delivery", "A second inspector", "5000"]


def test_audit_sections_show_nonconformities_and_reported_audits(org):
    review = plan_review(org)
    assert _data(review, "audits_nonconformities") == {}
    assert _data(review, "audits_results") == {}
    audit = start(org, plan(org))
    finding = raise_finding(org, audit, FindingType.MAJOR)
    assign(org, finding)
    Audit.objects.filter(pk=audit.pk).update(
        reported_on=org.organisation.today(), conclusion="Effective overall."
    )
    ncs = _data(review, "audits_nonconformities")
    assert ["Of which major", 1] in ncs["figures"]
    assert ["Outstanding corrective actions", 1] in ncs["figures"]
    results = _data(review, "audits_results")
    assert ["Nonconformities", 1] in results["figures"]
    assert results["table"]["rows"][0][4] == "Effective overall."
