"""Pages: HTMX fragments, fixed query counts, the invitation and the downloadable minutes."""

import datetime

import pytest
from django.template.loader import render_to_string

from isova.registry import PanelContext, registry
from reviews import services
from reviews.ics import escape, fold
from reviews.models import FeedbackKind
from tests.conftest import client_for, membership_of

from .conftest import hold_and_discuss, plan_review


def _add_data(org, n: int) -> None:
    """n pieces of feedback of each kind, and n context issues."""
    manager = membership_of(org.manager, org.organisation)
    for i in range(n):
        for kind in (FeedbackKind.COMPLAINT, FeedbackKind.COMPLIMENT, FeedbackKind.SUGGESTION):
            services.feedback_submit(
                membership=manager,
                kind=kind,
                title=f"{kind} {i}",
                received_on=org.organisation.today() - datetime.timedelta(days=i * 7),
            )
        services.context_issue_save(membership=manager, kind="external", title=f"Issue {i}")


def test_saving_a_comment_with_htmx_returns_the_section_and_without_it_redirects(org, review):
    client = client_for(org.manager)
    data = {"key": "reviews_feedback", "comment": "Look at March."}
    fragment = client.post(f"/reviews/{review.pk}/note/", data, HTTP_HX_REQUEST="true")
    body = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in body
    assert 'id="section-reviews_feedback"' in body and "Look at March." in body
    plain = client.post(f"/reviews/{review.pk}/note/", data)
    assert plain.status_code == 302
    assert "Look at March." in client.get(review.get_absolute_url()).content.decode()


@pytest.mark.parametrize("size", [1, 15])
def test_the_review_page_runs_a_fixed_number_of_queries(org, django_assert_max_num_queries, size):
    _add_data(org, size)
    review = hold_and_discuss(org, plan_review(org))
    for i in range(size):
        services.output_add(
            membership=membership_of(org.leader, org.organisation),
            review=review,
            kind="improvement",
            decision=f"Decision {i}",
            owner=org.staff,
        )
    client = client_for(org.leader)
    # session, user, memberships (3); review; notes; attendance; outputs+actions; sign-offs'
    # content type and rows; close problems (notes, attendance); template context (2); its
    # lesson (1, isova.lessons' `lesson_of`)
    with django_assert_max_num_queries(17):
        assert client.get(review.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("size", [1, 15])
def test_the_live_pack_runs_a_fixed_number_of_queries(org, django_assert_max_num_queries, size):
    _add_data(org, size)
    review = plan_review(org)
    client = client_for(org.leader)
    # session, user, memberships (3); review; notes; attendance; outputs; sign-offs (2);
    # sections: a (1), b (1), c1 (2), c2 (2), c3 (1), c4 (3), c6 (1), d (2), f (1) and any
    # other app's registered section (risks: a few; resources' d: members, allocations,
    # actions, one per kind of plan (2), budget totals, lines over budget when any: 7); its
    # lesson (1, isova.lessons' `lesson_of`: none before the review is held)
    with django_assert_max_num_queries(40):
        assert client.get(review.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("size", [1, 30])
def test_the_feedback_register_runs_a_fixed_number_of_queries(
    org, django_assert_max_num_queries, size
):
    _add_data(org, size)
    client = client_for(org.leader)
    # session, user, memberships (3); count and page of rows (2); open by kind and age (1)
    with django_assert_max_num_queries(7):
        assert client.get("/reviews/feedback/").status_code == 200


def test_the_reviews_list_leaves_the_frozen_packs_in_the_database(org):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    review = hold_and_discuss(org, plan_review(org, days_ahead=-1, title="Held one"))
    assert review.pack  # frozen: large on real data (hundreds of kilobytes at bench scale)
    client = client_for(org.leader)
    with CaptureQueriesContext(connection) as queries:
        body = client.get("/reviews/").content.decode()
    assert "Held one" in body
    assert not [q["sql"] for q in queries if '"reviews_review"."pack"' in q["sql"]]


@pytest.mark.parametrize("size", [1, 10])
def test_the_reviews_list_and_panel_run_a_fixed_number_of_queries(
    org, django_assert_max_num_queries, size, rf
):
    for n in range(size):
        hold_and_discuss(org, plan_review(org, days_ahead=-n - 1, title=f"R{n}"))
    _add_data(org, size)
    client = client_for(org.leader)
    # session, user, memberships (3); planned; held; attendance (3)
    with django_assert_max_num_queries(8):
        assert client.get("/reviews/").status_code == 200
    panel = registry.panel("reviews")
    assert panel is not None
    request = rf.get("/dashboard/")
    ctx = PanelContext(
        request=request,  # type: ignore[arg-type]
        organisation=org.organisation,
        membership=membership_of(org.leader, org.organisation),
        today=org.organisation.today(),
    )
    with django_assert_max_num_queries(11):
        data = panel.build(ctx)
    assert data["open_outputs"] == 0
    assert sum(total for _, _, total, _ in data["feedback"]) == 3 * size
    html = render_to_string(panel.template, {"reviews": data})
    assert "Acme Leader" in html and "Customer complaint" in html


def test_the_invitation_is_rfc_5545_text_with_escapes_and_crlf(org):
    review = plan_review(org, days_ahead=10)
    review.title = "Review; Q1, with\nnewline"
    review.location = "Board room, floor 2"
    review.save()
    response = client_for(org.staff).get(f"/reviews/{review.pk}/invite.ics")
    assert response["Content-Type"].startswith("text/calendar")
    text = response.content.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")
    assert "SUMMARY:Review\\; Q1\\, with\\nnewline\r\n" in text
    assert "LOCATION:Board room\\, floor 2" in text
    assert 'ATTENDEE;CN="Acme Staff"' in text
    assert escape("a\\b") == "a\\\\b"
    long = fold("DESCRIPTION:" + "é" * 80)
    assert all(len(part.encode()) <= 75 for part in long.split("\r\n"))


def test_the_minutes_print_and_download_as_one_self_contained_html_file(org, review):
    from tests.factories import PASSWORD

    review = hold_and_discuss(org, review)
    services.review_close(
        membership=membership_of(org.leader, org.organisation), review=review, password=PASSWORD
    )
    client = client_for(org.auditor)
    page = client.get(f"/reviews/{review.pk}/minutes/").content.decode()
    assert "approved minutes" in page.lower() and "Download as HTML" in page
    download = client.get(f"/reviews/{review.pk}/minutes/?download=1")
    assert download["Content-Disposition"].startswith("attachment;")
    html = download.content.decode()
    assert "<style>" in html and "@media print" in html
    assert "<link" not in html and "<script" not in html
    assert "Approved minutes by Acme Leader" in html


def test_the_panels_feedback_rows_link_to_a_register_with_the_same_count(org):
    _add_data(org, 4)
    client = client_for(org.leader)
    feedback = client.get("/dashboard/").context["reviews"]["feedback"]
    assert feedback
    for label, _, total, url in feedback:
        assert client.get(url).context["page"].paginator.count == total, label
