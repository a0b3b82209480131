"""What lessons add to the management review's pack and to the dashboard's health panel,
each against known data."""

import datetime

from django.test import RequestFactory

from isova.dashboard import memo
from isova.health.services import colour, health_panel
from isova.lessons import health, services
from isova.lessons.models import Lesson
from isova.lessons.review_inputs import lessons_since
from isova.registry import PanelContext, registry
from reviews.pack import live_pack
from tests.conftest import membership_of
from tests.reviews.conftest import plan_review

from .conftest import capture, improve, prompted, recorded


def _known(org):
    """Three closures (one captured and improved, one skipped, one waiting), one lesson
    recorded by hand and captured, and one closure from before the period."""
    today = org.organisation.today()
    first, second, third, old = prompted(org, org.staff, n=4)
    capture(org, first, what_worked="Weekly call", what_did_not="No buy-in", tags=["Purchasing"])
    improve(org, first, title="Agree targets with suppliers")
    services.lesson_skip(
        membership=membership_of(org.staff, org.organisation), lesson=second, reason="A re-org."
    )
    Lesson.objects.filter(pk=old.pk).update(prompted_on=today - datetime.timedelta(days=400))
    recorded(org, org.manager, label="Office move")
    return first, second, third


def test_the_review_input_lists_lessons_and_improvements_of_the_period(org):
    first, second, third = _known(org)
    today = org.organisation.today()
    data = lessons_since(org.organisation, today - datetime.timedelta(days=90), today)
    assert data["figures"] == [
        ["Lessons asked for or recorded", 4],
        ["Captured", 2],
        ["Skipped (with a reason)", 1],
        ["Still to capture", 1],
        ["Turned into improvements", 1],
    ]
    rows = {row[1]: row for row in data["table"]["rows"]}
    assert rows[first.source_label] == [
        today.isoformat(),
        first.source_label,
        "Weekly call",
        "No buy-in",
        "Purchasing",
        "Captured",
        "Agree targets with suppliers (open)",
    ]
    assert rows[second.source_label][5] == "Skipped: A re-org."
    assert rows[third.source_label][5] == "To capture"
    assert "Objective 3" not in str(rows)  # before the period


def test_the_review_input_is_empty_without_lessons_and_other_organisations_count_nothing(
    org, other_org
):
    _known(other_org)
    today = org.organisation.today()
    assert lessons_since(org.organisation, today - datetime.timedelta(days=90), today) == {}


def test_the_review_pack_shows_the_lessons_section(org, as_user):
    _known(org)
    review = plan_review(org)
    section = next(s for s in live_pack(review) if s["key"] == "lessons_learned")
    assert section["clause"] == "f"
    assert section["title"] == "Lessons learned and improvements since the last review"
    html = as_user(org.leader).get(review.get_absolute_url()).content.decode()
    assert "Lessons learned and improvements since the last review" in html
    assert "Agree targets with suppliers (open)" in html


def test_the_health_figures_are_shares_of_closures_captured_and_lessons_improved(org):
    _known(org)
    today = org.organisation.today()
    # closures in the last year: 3 (the old one is out), 1 captured; captured lessons: 2
    # (the one recorded by hand counts), 1 turned into an action
    [captured] = health.captured_share(org.organisation, today)
    assert (captured.value, captured.text) == (33.3, "33.3%: 1 of 3 closures captured")
    [improved] = health.improved_share(org.organisation, today)
    assert (improved.value, improved.text) == (50.0, "50%: 1 of 2 lessons became improvements")


def test_the_health_figures_without_data_are_grey(org):
    today = org.organisation.today()
    request = RequestFactory().get("/dashboard/")
    request.user = org.leader
    ctx = PanelContext(
        request=request,
        organisation=org.organisation,
        membership=membership_of(org.leader, org.organisation),
        today=today,
    )
    with memo.scope():
        rows = {row["figure"].key: row for row in health_panel(ctx)["rows"]}
    for key in ("lessons_captured", "lessons_improved"):
        [(reading, colour)] = rows[key]["readings"]
        assert reading.value is None and colour == "grey"


def test_the_health_figures_colour_low_shares_red(org):
    prompted(org, org.staff, n=4)
    today = org.organisation.today()
    [reading] = health.captured_share(org.organisation, today)
    assert reading.value == 0.0
    figure = next(f for f in registry.health_figures() if f.key == "lessons_captured")
    assert colour(figure, reading.value, figure.amber, figure.red) == "red"
