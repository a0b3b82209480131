"""A lesson is asked for at each closing event, of its owner, once per closed record."""

import pytest

from audits.models import Process
from isova.lessons import services
from isova.lessons.models import Lesson, LessonStatus, SourceKind
from isova.models import Notification
from objectives import services as objective_services
from reviews import services as review_services
from tests.conftest import membership_of
from tests.objectives.conftest import make_objective
from tests.reviews.conftest import hold_and_discuss, plan_review

from .conftest import checked_finding, close_objective, closed_audit, missed_objective


@pytest.mark.parametrize(("decision", "word"), [("achieved", "met"), ("missed", "missed")])
def test_closing_an_objective_asks_its_owner_once(org, decision, word):
    objective = make_objective(org.organisation, org.staff, title="Scrap below 2%")
    close_objective(org, objective, decision)
    lesson = Lesson.objects.get()
    assert lesson.source == objective and lesson.owner == org.staff
    assert lesson.source_kind == SourceKind.OBJECTIVE and lesson.status == LessonStatus.PROMPTED
    assert lesson.source_label == f"Objective “Scrap below 2%” ({word})"
    assert lesson.source_url == objective.get_absolute_url()
    assert lesson.organisation == org.organisation
    # closing again is refused by the objective, and asks nothing more
    with pytest.raises(objective_services.ObjectiveError):
        close_objective(org, objective, decision)
    assert Lesson.objects.count() == 1


def test_the_owner_is_told_once(org):
    missed_objective(org, org.staff)
    lesson = Lesson.objects.get()
    told = Notification.objects.get(recipient=org.staff, kind="lesson_prompted")
    assert told.url == lesson.get_absolute_url()
    assert "What worked" in told.subject


def test_a_withdrawn_objective_or_a_target_change_asks_nothing(org):
    objective = make_objective(org.organisation, org.staff)
    objective_services.objective_withdraw(
        membership=membership_of(org.leader, org.organisation), objective=objective, reason="Sold"
    )
    assert not Lesson.objects.exists()


def test_prompting_the_same_record_twice_returns_the_first_lesson(org):
    objective = missed_objective(org, org.staff)
    first = Lesson.objects.get()
    again = services.prompt(
        source=objective, owner=org.leader, kind="objective", label="again", url="/x/"
    )
    assert again.pk == first.pk and again.owner == org.staff
    assert Lesson.objects.count() == 1
    assert Notification.objects.filter(kind="lesson_prompted").count() == 1


def test_prompt_refuses_a_kind_that_is_not_a_closing_event(org):
    objective = make_objective(org.organisation, org.staff)
    with pytest.raises(ValueError, match="closing event"):
        services.prompt(source=objective, owner=org.staff, kind="recorded", label="x")


def test_checking_a_corrective_action_asks_the_process_owner_once(org):
    process = Process.objects.create(
        organisation=org.organisation, name="Despatch", owner=org.staff
    )
    finding, _ = checked_finding(org, process=process, effective=False)
    lesson = Lesson.objects.get()
    assert lesson.source == finding and lesson.source_kind == SourceKind.FINDING
    assert lesson.owner == org.staff
    assert lesson.source_label == f"Finding {finding.reference}: corrective action not effective"
    assert lesson.tag_names == ["Despatch"]
    # more action, checked again (effective this time): still the one lesson
    from tests.audits.conftest import assign, complete, verify

    complete(org, assign(org, finding, title="Second action"))
    verify(org, finding, effective=True)
    assert Lesson.objects.count() == 1


def test_a_finding_without_a_process_owner_asks_whoever_checked(org):
    checked_finding(org)
    assert Lesson.objects.get().owner == org.leader  # `verify` checks as the leader


def test_closing_an_audit_asks_its_lead_auditor_once(org):
    audit = closed_audit(org)
    lesson = Lesson.objects.get(source_kind=SourceKind.AUDIT)
    assert lesson.source == audit and lesson.owner == org.auditor
    assert lesson.source_label == f"Audit {audit.reference} “{audit.title}”"
    assert lesson.source_url == audit.get_absolute_url()


def test_holding_a_review_asks_its_chair_once(org):
    review = hold_and_discuss(org, plan_review(org))
    lesson = Lesson.objects.get(source_kind=SourceKind.REVIEW)
    assert lesson.source == review and lesson.owner == org.leader
    assert lesson.prompted_on == review.meeting_date
    with pytest.raises(review_services.ReviewError):
        review_services.review_hold(
            membership=membership_of(org.manager, org.organisation), review=review
        )
    assert Lesson.objects.filter(source_kind=SourceKind.REVIEW).count() == 1


def test_each_closing_event_has_its_own_lesson(org, other_org):
    missed_objective(org)
    closed_audit(org)
    hold_and_discuss(org, plan_review(org))
    missed_objective(other_org)
    kinds = sorted(Lesson.objects.for_org(org.organisation).values_list("source_kind", flat=True))
    assert kinds == ["audit", "objective", "review"]
    assert Lesson.objects.for_org(other_org.organisation).count() == 1


def _close_on_the_page(client, objective):
    return client.post(
        f"/objectives/{objective.pk}/review/",
        {"reviewed_on": objective.organisation.today().isoformat(), "decision": "missed",
         "note": "Not reached."},
        follow=True,
    )  # fmt: skip


def test_an_owner_closing_their_objective_is_taken_to_its_lesson(org, as_user):
    objective = make_objective(org.organisation, org.staff)
    response = _close_on_the_page(as_user(org.staff), objective)
    lesson = Lesson.objects.get()
    assert response.redirect_chain[-1][0] == lesson.get_absolute_url()
    html = response.content.decode()
    assert "What worked and what didn" in html and 'name="what_worked"' in html


def test_a_leader_closing_someone_elses_objective_is_told_who_is_asked(org, as_user):
    objective = make_objective(org.organisation, org.staff)
    response = _close_on_the_page(as_user(org.leader), objective)
    assert response.redirect_chain[-1][0] == objective.get_absolute_url()
    assert f"{org.staff.get_full_name()} is asked what worked and what didn" in (
        response.content.decode().replace("&#x27;", "'")
    )
