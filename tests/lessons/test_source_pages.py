"""The objective, finding, audit and review pages link to their lesson and say where it
stands (waiting, captured, skipped with the reason), in one query (`{% lesson_of %}`)."""

import pytest
from django.template import Context, Template

from isova.lessons import services
from isova.lessons.models import Lesson, SourceKind
from tests.conftest import client_for, membership_of
from tests.objectives.conftest import make_objective
from tests.reviews.conftest import hold_and_discuss, plan_review

from .conftest import capture, checked_finding, closed_audit, improve, missed_objective


def _page(org, record, user=None) -> str:
    response = client_for(user or org.leader).get(record.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_each_closed_record_links_to_its_waiting_lesson(org):
    objective = missed_objective(org, org.staff)
    finding, _ = checked_finding(org)
    audit = closed_audit(org)
    review = hold_and_discuss(org, plan_review(org))
    for record in (objective, finding, audit, review):
        lesson = Lesson.objects.get(source_id=record.pk, source_type__model=record._meta.model_name)
        html = _page(org, record)
        assert 'id="lesson-of-record"' in html, record
        assert lesson.get_absolute_url() in html
        assert f"Waiting: {lesson.owner.get_full_name()} is asked" in html


def test_the_page_says_captured_and_the_improvement_or_skipped_and_why(org):
    objective = missed_objective(org, org.staff)
    lesson = Lesson.objects.get(source_kind=SourceKind.OBJECTIVE)
    capture(org, lesson, what_did_not="Nobody owned the supplier targets.")
    html = _page(org, objective)
    assert "Captured</a>" in html and "Nobody owned the supplier targets." in html
    improve(org, Lesson.objects.get(pk=lesson.pk))
    assert "it became an improvement (action)" in _page(org, objective)
    audit = closed_audit(org)
    skipped = Lesson.objects.get(source_kind=SourceKind.AUDIT)
    services.lesson_skip(
        membership=membership_of(skipped.owner, org.organisation),
        lesson=skipped,
        reason="A routine audit; nothing new.",
    )
    html = _page(org, audit)
    assert "Skipped</a>" in html and "Skipped because: A routine audit; nothing new." in html


def test_an_open_record_shows_no_lesson_and_another_organisations_is_never_shown(org, other_org):
    objective = make_objective(org.organisation, org.manager)
    assert 'id="lesson-of-record"' not in _page(org, objective)
    # a lesson of another organisation pointing at the same id is not ours
    theirs = missed_objective(other_org, other_org.staff)
    Lesson.objects.filter(source_id=theirs.pk).update(source_id=objective.pk)
    assert 'id="lesson-of-record"' not in _page(org, objective)


@pytest.mark.parametrize("warm", [False, True])
def test_the_tag_is_one_query_whatever_the_content_type_cache(org, warm, django_assert_num_queries):
    from django.contrib.contenttypes.models import ContentType

    objective = missed_objective(org, org.staff)
    ContentType.objects.clear_cache()
    if warm:
        ContentType.objects.get_for_model(objective)
    template = Template("{% load lessons_tags %}{% lesson_of objective %}")
    with django_assert_num_queries(1):
        html = template.render(Context({"objective": objective}))
    assert "is asked what worked" in html
