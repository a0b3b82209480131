"""CSV upload of values: every row or none, with each bad row explained."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from isova.models import Action
from objectives.models import Measurement
from tests.objectives.conftest import add_values, make_objective

URL = "/objectives/import/"


@pytest.fixture(autouse=True)
def _april_2025():
    with time_machine.travel(datetime.datetime(2025, 4, 10, 12, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def two(org):
    monthly = make_objective(org.organisation, org.manager, title="On-time delivery")
    quarterly = make_objective(
        org.organisation, org.manager, title="Customer score", frequency="quarterly"
    )
    return monthly, quarterly


def upload(client, text: str | bytes, htmx: bool = False):
    data = text.encode() if isinstance(text, str) else text
    file = SimpleUploadedFile("values.csv", data, content_type="text/csv")
    return client.post(URL, {"file": file})


def test_a_good_file_saves_every_row(org, two, as_user):
    monthly, quarterly = two
    text = (
        "objective_id,period,value,comment\n"
        f"{monthly.pk},2025-01,81.5,first\n"
        f"{monthly.pk},2025-02-14,83,\n"
        f"{quarterly.pk},2025-Q1,7.9,survey\n"
    )
    response = upload(as_user(org.manager), text)
    assert response.status_code == 302
    rows = Measurement.objects.order_by("objective__title", "period")
    assert [(m.objective_id, m.period, m.value, m.comment) for m in rows] == [
        (quarterly.pk, datetime.date(2025, 1, 1), Decimal("7.9"), "survey"),
        (monthly.pk, datetime.date(2025, 1, 1), Decimal("81.5"), "first"),
        (monthly.pk, datetime.date(2025, 2, 1), Decimal("83"), ""),
    ]
    assert all(m.recorded_by == org.manager for m in rows)


def test_a_file_with_excel_bom_and_upper_case_headers_is_read(org, two, as_user):
    monthly, _ = two
    text = f"\ufeffObjective_ID,Period,Value\r\n{monthly.pk},2025-03,84\r\n".encode()
    assert upload(as_user(org.manager), text).status_code == 302
    assert Measurement.objects.get().value == Decimal("84")


def test_a_row_for_a_recorded_period_corrects_it_and_keeps_history(org, two, as_user):
    monthly, _ = two
    add_values(monthly, [80])
    text = f"objective_id,period,value\n{monthly.pk},2025-01,81\n"
    assert upload(as_user(org.manager), text).status_code == 302
    m = Measurement.objects.get()
    assert m.value == Decimal("81")
    assert m.history.filter(history_type="~").count() == 1


def test_bad_rows_are_each_reported_and_nothing_is_saved(org, other_org, two, as_user):
    monthly, quarterly = two
    theirs = make_objective(other_org.organisation, other_org.manager)
    text = (
        "objective_id,period,value,comment\n"
        f"{monthly.pk},2025-01,81,good row\n"  # line 2: fine on its own
        f"{monthly.pk},2025-02,eighty,\n"  # 3: not a number
        f"{quarterly.pk},2024-Q4,7.5,\n"  # 4: before the start
        f"{theirs.pk},2025-01,80,\n"  # 5: another organisation's id
        f"abc,2025-01,80,\n"  # 6: not an id
        f"{monthly.pk},2025-06,85,\n"  # 7: not started yet
        f"{monthly.pk},January,85,\n"  # 8: not a period
    )
    response = upload(as_user(org.manager), text)
    body = response.content.decode()
    assert response.status_code == 422
    assert "Nothing was saved." in body
    assert "Line 2" not in body
    assert "Line 3</td><td>Value “eighty”: Enter a number." in body
    assert "Line 4</td><td>The period 2024-Q4 is outside the objective" in body
    assert f"Line 5</td><td>There is no objective “{theirs.pk}” in Acme" in body
    assert "Line 6</td><td>There is no objective “abc” in Acme" in body
    assert "Line 7</td><td>The period 2025-06 has not started yet" in body
    assert "Line 8</td><td>“JANUARY” is not a period" in body
    assert not Measurement.objects.exists()


def test_the_same_period_twice_in_one_file_is_refused(org, two, as_user):
    monthly, _ = two
    text = (
        "objective_id,period,value\n"
        f"{monthly.pk},2025-01,81\n"
        f"{monthly.pk},2025-02,82\n"
        f"{monthly.pk},2025-01-20,83\n"
    )
    response = upload(as_user(org.manager), text)
    assert response.status_code == 422
    assert (
        f"Line 4</td><td>Objective {monthly.pk}, period 2025-01 appears twice in this file "
        "(also on line 2)."
    ) in response.content.decode()
    assert not Measurement.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"id,when,amount\n1,2025-01,3\n", "missing: objective_id, period, value"),
        (b"objective_id,period,value\n", "The file has no rows of values."),
        (b"", "The submitted file is empty."),
        ("objective_id,period,value\n1,2025-01,3\n".encode("utf-16"), "not UTF-8"),
    ],
)
def test_files_that_are_not_a_table_of_values_are_refused(org, two, as_user, data, message):
    response = upload(as_user(org.manager), data)
    assert response.status_code == 422
    assert message in response.content.decode()


def test_a_missing_file_is_a_form_error(org, as_user):
    response = as_user(org.manager).post(URL, {})
    assert response.status_code == 422
    assert "This field is required." in response.content.decode()


def test_staff_may_upload_only_for_objectives_they_own_or_work_on(org, two, as_user):
    monthly, quarterly = two
    own = make_objective(org.organisation, org.staff, title="Tidy workshop")
    step = Action(organisation=org.organisation, title="Count", owner=org.staff)
    step.source = quarterly
    step.save()
    text = (
        "objective_id,period,value\n"
        f"{own.pk},2025-01,81\n"
        f"{quarterly.pk},2025-Q1,7\n"
        f"{monthly.pk},2025-01,81\n"
    )
    response = upload(as_user(org.staff), text)
    assert response.status_code == 422
    body = response.content.decode()
    assert f"Line 4</td><td>You cannot record values for objective {monthly.pk}" in body
    assert "Line 2<" not in body and "Line 3<" not in body
    assert not Measurement.objects.exists()
    text = f"objective_id,period,value\n{own.pk},2025-01,81\n{quarterly.pk},2025-Q1,7\n"
    assert upload(as_user(org.staff), text).status_code == 302
    assert Measurement.objects.count() == 2


def test_auditors_cannot_upload(org, two, as_user):
    monthly, _ = two
    client = as_user(org.auditor)
    assert client.get(URL).status_code == 403
    assert (
        upload(client, f"objective_id,period,value\n{monthly.pk},2025-01,81\n").status_code == 403
    )
    assert not Measurement.objects.exists()


def test_the_upload_page_lists_the_objective_ids(org, two, as_user):
    monthly, _ = two
    page = as_user(org.manager).get(URL).content.decode()
    assert f'<td data-label="objective_id">{monthly.pk}</td>' in page


def test_a_comment_with_a_null_character_or_too_long_is_a_row_error_not_a_crash(org, two, as_user):
    monthly, _ = two
    text = (
        "objective_id,period,value,comment\n"
        f"{monthly.pk},2025-01,81,bad\x00byte\n"
        f"{monthly.pk},2025-02,82,{'x' * 501}\n"
        f"{monthly.pk},9999-12,82,\n"
    )
    response = upload(as_user(org.manager), text)
    body = response.content.decode()
    assert response.status_code == 422
    assert "Line 2</td><td>The comment contains a null character" in body
    assert "Line 3</td><td>The comment has 501 characters; at most 500." in body
    assert "Line 4</td><td>“9999-12” is not a period" in body
    assert not Measurement.objects.exists()


def test_an_unterminated_quote_is_reported_not_read_to_the_end_of_the_file(org, two, as_user):
    monthly, _ = two
    text = (
        "objective_id,period,value,comment\n"
        f'{monthly.pk},2025-01,81,"open\n'
        f"{monthly.pk},2025-02,82,\n"
    )
    response = upload(as_user(org.manager), text)
    assert response.status_code == 422
    assert "not valid CSV: unexpected end of data" in response.content.decode()
    assert not Measurement.objects.exists()


def test_a_value_for_year_9999_in_the_form_is_a_form_error(org, two, as_user):
    monthly, _ = two
    client = as_user(org.manager)
    for period in ("9999-12", "9999-12-31"):
        response = client.post(
            f"/objectives/{monthly.pk}/values/", {"period": period, "value": "80"}
        )
        assert response.status_code in (200, 422), period
        assert "is not a period" in response.content.decode()
