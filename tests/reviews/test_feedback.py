"""The feedback register: suggestions from everyone, responses, actions, objectives, CSV."""

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from isova.csvsafe import neutralise
from isova.errors import NotAllowed
from isova.models import Action
from reviews import services
from reviews.models import Feedback, FeedbackKind, FeedbackStatus
from tests.conftest import client_for, membership_of


def test_staff_submit_a_suggestion_from_the_short_form_and_see_what_became_of_it(org):
    staff = client_for(org.staff)
    response = staff.post("/reviews/feedback/mine/", {"title": "Shadow boards", "description": ""})
    assert response.status_code == 302
    suggestion = Feedback.objects.get()
    assert suggestion.kind == FeedbackKind.SUGGESTION
    assert suggestion.submitted_by == org.staff

    leader = client_for(org.leader)
    response = leader.post(
        f"/reviews/feedback/{suggestion.pk}/respond/",
        {"response": "Trial on cell 2", "status": "answered"},
    )
    assert response.status_code == 302
    response = leader.post(
        f"/reviews/feedback/{suggestion.pk}/action/",
        {"action_title": "Shadow boards on cell 2", "action_owner": org.manager.pk},
    )
    assert response.status_code == 302
    suggestion.refresh_from_db()
    action = Action.objects.get()
    assert suggestion.action == action and action.owner == org.manager
    assert suggestion.status == FeedbackStatus.ANSWERED

    page = staff.get("/reviews/feedback/mine/").content.decode()
    assert "Trial on cell 2" in page and "became an action" in page
    assert staff.get(suggestion.get_absolute_url()).status_code == 200


def test_staff_cannot_log_customer_feedback_nor_read_the_register_or_others_feedback(org):
    with pytest.raises(NotAllowed):
        services.feedback_submit(
            membership=membership_of(org.staff, org.organisation),
            kind=FeedbackKind.COMPLAINT,
            title="x",
        )
    other = services.feedback_submit(
        membership=membership_of(org.manager, org.organisation),
        kind=FeedbackKind.SUGGESTION,
        title="Manager's idea",
    )
    staff = client_for(org.staff)
    assert staff.get("/reviews/feedback/").status_code == 403
    assert staff.get(other.get_absolute_url()).status_code == 403
    assert (
        staff.post(f"/reviews/feedback/{other.pk}/respond/", {"response": "x"}).status_code == 403
    )
    assert client_for(org.auditor).get("/reviews/feedback/").status_code == 200


def test_a_suggestion_that_changed_an_objective_keeps_the_link(org):
    from objectives.models import Objective

    objective = Objective.objects.create(
        organisation=org.organisation,
        title="First time right",
        owner=org.manager,
        measure_name="FTR",
        unit="%",
        baseline=80,
        target=95,
        start_date=datetime.date(2026, 1, 1),
        target_date=datetime.date(2026, 12, 31),
        created_by=org.manager,
    )
    suggestion = services.feedback_submit(
        membership=membership_of(org.staff, org.organisation),
        kind=FeedbackKind.SUGGESTION,
        title="Measure per machine",
    )
    response = client_for(org.leader).post(
        f"/reviews/feedback/{suggestion.pk}/objective/",
        {"objective": objective.pk, "note": "Now per machine."},
    )
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.objective == objective
    assert "Now per machine." in suggestion.response


def _upload(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("surveys.csv", text.encode(), content_type="text/csv")


def test_survey_csv_import_saves_every_row_or_none_and_names_each_bad_line(org):
    leader = client_for(org.leader)
    bad = (
        "date,customer,score,category,comment\n"
        "2026-01-05,Apex,8.5,survey,Good\n"
        "not a date,Apex,9,survey,\n"
        "2026-01-06,Apex,eleven,survey,\n"
        "2026-01-07,Apex,11,survey,\n"
    )
    response = leader.post("/reviews/feedback/import/", {"file": _upload(bad)})
    assert response.status_code == 422
    page = response.content.decode()
    assert "Line 3" in page and "Line 4" in page and "Line 5" in page
    assert not Feedback.objects.exists()

    good = (
        "date,customer,score,category,comment\n"
        "2026-01-05,Apex,8.5,survey,Good\n"
        "2026-01-06,Corby,7,,\n"
    )
    response = leader.post("/reviews/feedback/import/", {"file": _upload(good)})
    assert response.status_code == 302
    assert sorted(Feedback.objects.values_list("customer", flat=True)) == ["Apex", "Corby"]
    assert (
        client_for(org.staff).post("/reviews/feedback/import/", {"file": _upload(good)}).status_code
        == 403
    )


def test_survey_csv_with_missing_columns_or_not_utf8_is_refused(org):
    leader = client_for(org.leader)
    for data in ("date,score\n2026-01-01,5\n", "\xff\xfe".encode("latin-1").decode("latin-1")):
        upload = SimpleUploadedFile("s.csv", data.encode("latin-1"), content_type="text/csv")
        assert leader.post("/reviews/feedback/import/", {"file": upload}).status_code == 422
    assert not Feedback.objects.exists()


def test_csv_export_neutralises_formulas(org):
    services.feedback_submit(
        membership=membership_of(org.manager, org.organisation),
        kind=FeedbackKind.COMPLAINT,
        title='=HYPERLINK("http://evil")',
        customer="+cmd",
    )
    response = client_for(org.auditor).get("/reviews/feedback/export.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1][3] == '\'=HYPERLINK("http://evil")'
    assert rows[1][4] == "'+cmd"
    assert neutralise("-1") == "'-1" and neutralise("plain") == "plain"


def test_the_register_answers_htmx_with_the_table_only_and_a_full_page_otherwise(org):
    services.feedback_submit(
        membership=membership_of(org.manager, org.organisation),
        kind=FeedbackKind.COMPLIMENT,
        title="Great",
    )
    leader = client_for(org.leader)
    full = leader.get("/reviews/feedback/?kind=compliment")
    fragment = leader.get("/reviews/feedback/?kind=compliment", HTTP_HX_REQUEST="true")
    assert "<html" in full.content.decode()
    body = fragment.content.decode()
    assert "<html" not in body and 'id="results"' in body and "Great" in body
    assert (
        "Great"
        not in leader.get(
            "/reviews/feedback/?kind=complaint", HTTP_HX_REQUEST="true"
        ).content.decode()
    )


def test_a_survey_needs_a_score_between_0_and_10(org):
    manager = membership_of(org.manager, org.organisation)
    with pytest.raises(services.ReviewError):
        services.feedback_submit(membership=manager, kind=FeedbackKind.SURVEY, title="s")
    from decimal import Decimal

    with pytest.raises(services.ReviewError):
        services.feedback_submit(
            membership=manager, kind=FeedbackKind.SURVEY, title="s", score=Decimal(12)
        )
    response = client_for(org.leader).post(
        "/reviews/feedback/new/",
        {"kind": "survey", "title": "s", "received_on": "2026-01-01"},
    )
    assert response.status_code == 422
    assert not Feedback.objects.exists()


def test_a_complaint_logged_without_a_due_date_is_due_in_14_days(org):
    complaint = services.feedback_submit(
        membership=membership_of(org.manager, org.organisation),
        kind=FeedbackKind.COMPLAINT,
        title="Late",
        received_on=datetime.date(2026, 3, 1),
    )
    assert complaint.response_due == datetime.date(2026, 3, 15)


def test_an_incomplete_htmx_note_answers_422_and_saves_nothing(org):
    from .conftest import plan_review

    review = plan_review(org)
    response = client_for(org.manager).post(
        f"/reviews/{review.pk}/note/", {"comment": "x"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422
    assert not review.notes.exists()


@pytest.mark.parametrize(
    "line",
    [
        "2026-01-05,Apex,8,survey,Good\x00bad",  # a comment with a NUL (issue 28.5)
        "2026-01-05,Ap\x00ex,8,survey,Good",  # a customer name with one
        '2026-01-05,Apex,8,survey,"never closed',  # an unterminated quote
    ],
)
def test_a_survey_csv_with_a_nul_or_broken_quoting_is_refused_with_a_message(org, line):
    data = "date,customer,score,category,comment\n2026-01-04,Corby,7,survey,Fine\n" + line + "\n"
    response = client_for(org.leader).post("/reviews/feedback/import/", {"file": _upload(data)})
    assert response.status_code == 422
    page = response.content.decode()
    assert "NUL character" in page or "not valid CSV" in page
    assert not Feedback.objects.exists()
