"""Recording values: one per period, corrections keep history, only the right people."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from isova.models import Action
from objectives import services
from objectives.models import Measurement
from tests.conftest import membership_of
from tests.objectives.conftest import make_objective

TODAY = datetime.datetime(2025, 4, 10, 12, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _april_2025():
    with time_machine.travel(TODAY, tick=False):
        yield


def record(user, organisation, objective, period="2025-03-05", value="83.5", comment=""):
    return services.measurement_record(
        membership=membership_of(user, organisation),
        objective=objective,
        period=datetime.date.fromisoformat(period),
        value=Decimal(value),
        comment=comment,
    )


def test_a_value_is_stored_against_the_whole_period(org, objective):
    m = record(org.manager, org.organisation, objective)
    assert (m.period, m.period_end, m.value) == (
        datetime.date(2025, 3, 1),
        datetime.date(2025, 3, 31),
        Decimal("83.5"),
    )
    assert m.recorded_by == org.manager


def test_re_entering_a_period_updates_its_value_and_keeps_the_old_one_in_history(org, objective):
    record(org.manager, org.organisation, objective, value="83.5")
    record(org.manager, org.organisation, objective, period="2025-03-20", value="84", comment="ERP")
    assert Measurement.objects.filter(objective=objective).count() == 1
    m = Measurement.objects.get(objective=objective)
    assert (m.value, m.comment) == (Decimal("84"), "ERP")
    values = list(
        m.history.order_by("history_date", "history_id").values_list("value", "history_type")
    )
    assert values == [(Decimal("83.5"), "+"), (Decimal("84"), "~")]
    assert m.history.latest().history_user == org.manager


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("2024-12-10", "outside the objective's dates"),
        ("2026-01-10", "outside the objective's dates"),
        ("2025-05-10", "has not started yet"),
    ],
)
def test_periods_outside_the_objective_or_in_the_future_are_refused(
    org, objective, period, message
):
    with pytest.raises(services.ObjectiveError, match=message):
        record(org.manager, org.organisation, objective, period=period)
    assert not Measurement.objects.exists()


def test_staff_record_values_for_objectives_they_own(org):
    objective = make_objective(org.organisation, org.staff)
    assert record(org.staff, org.organisation, objective).recorded_by == org.staff


def test_staff_record_values_for_objectives_they_have_a_plan_step_of(org, objective):
    step = Action(organisation=org.organisation, title="Count late orders", owner=org.staff)
    step.source = objective
    step.save()
    assert record(org.staff, org.organisation, objective).recorded_by == org.staff


def test_staff_cannot_record_values_for_other_objectives(org, objective):
    with pytest.raises(PermissionDenied):
        record(org.staff, org.organisation, objective)
    assert not Measurement.objects.exists()


def test_auditors_cannot_record_values(org):
    objective = make_objective(org.organisation, org.auditor)
    with pytest.raises(PermissionDenied):
        record(org.auditor, org.organisation, objective)


def test_values_cannot_be_recorded_for_another_organisations_objective(org, other_org):
    theirs = make_objective(other_org.organisation, other_org.manager)
    with pytest.raises(PermissionDenied):
        record(org.manager, org.organisation, theirs)


def test_a_withdrawn_objective_takes_no_more_values(org, objective):
    objective.status = "withdrawn"
    objective.save()
    with pytest.raises(PermissionDenied):
        record(org.manager, org.organisation, objective)


# --- the inline form (HTMX) and its plain fallback ----------------------------------------


def url(objective):
    return f"/objectives/{objective.pk}/values/"


def test_the_inline_form_answers_htmx_with_the_progress_fragment(org, objective, as_user):
    response = as_user(org.manager).post(
        url(objective), {"period": "2025-03", "value": "86", "comment": ""}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert 'id="progress"' in body
    assert "Saved 2025-03: 86" in body
    assert '"y": [86.0]' in body  # the chart's series carries the new value
    assert Measurement.objects.get().value == Decimal("86")


def test_the_inline_form_without_htmx_redirects_to_the_objective(org, objective, as_user):
    client = as_user(org.manager)
    response = client.post(url(objective), {"period": "2025-03", "value": "86"})
    assert response.status_code == 302
    assert response.url == objective.get_absolute_url()
    page = client.get(response.url).content.decode()
    assert "Saved 2025-03: 86" in page
    assert "<html" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"period": "2025-03", "value": "eighty"}, "Enter a number."),
        ({"period": "2025-03", "value": "NaN"}, "Enter a number."),
        ({"period": "2025-03", "value": ""}, "This field is required."),
        ({"period": "March", "value": "80"}, "is not a period"),
        ({"period": "2024-11", "value": "80"}, "outside the objective&#x27;s dates"),
    ],
)
def test_bad_values_answer_422_with_the_reason_in_place(org, objective, as_user, data, message):
    response = as_user(org.manager).post(url(objective), data, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert message in response.content.decode()
    assert "<html" not in response.content.decode()
    assert not Measurement.objects.exists()


def test_bad_values_without_htmx_show_the_whole_page_with_the_errors(org, objective, as_user):
    response = as_user(org.manager).post(url(objective), {"period": "2025-03", "value": "x"})
    assert response.status_code == 422
    assert "<html" in response.content.decode()
    assert "Enter a number." in response.content.decode()


def test_staff_who_may_not_record_get_403_and_no_form(org, objective, as_user):
    client = as_user(org.staff)
    assert client.post(url(objective), {"period": "2025-03", "value": "86"}).status_code == 403
    assert "Record a value" not in client.get(objective.get_absolute_url()).content.decode()
    assert not Measurement.objects.exists()


def test_another_organisations_objective_answers_404(org, other_org, as_user):
    theirs = make_objective(other_org.organisation, other_org.manager)
    response = as_user(org.manager).post(url(theirs), {"period": "2025-03", "value": "86"})
    assert response.status_code == 404
    assert not Measurement.objects.exists()


def test_the_detail_page_lists_corrected_values(org, objective, as_user):
    record(org.manager, org.organisation, objective, value="83.5")
    record(org.manager, org.organisation, objective, value="84.25")
    page = as_user(org.auditor).get(objective.get_absolute_url()).content.decode()
    assert "2025-03: 83.5 → 84.25 by Acme Manager" in page
