"""A captured lesson becomes an objective change or a risk update in one click: the app's
form opens prefilled with the lesson, and saving it records on the lesson which improvement
it became; other organisations' lessons are 404, roles that may not get 403."""

import datetime

from isova.lessons import health
from isova.lessons.models import Lesson
from objectives.models import Review
from risks.models import Assessment
from tests.objectives.conftest import make_objective
from tests.risks.conftest import raise_risk

from .conftest import capture, improve, prompted


def _captured(org):
    return capture(org, prompted(org, org.staff)[0], what_did_not="No agreed target.")


def test_the_lesson_page_offers_each_improvement_with_its_records(org, other_org, as_user):
    lesson = _captured(org)
    live = make_objective(org.organisation, org.manager, title="Supplier on-time rate")
    risk = raise_risk(org, title="Castings supplier fails")
    make_objective(other_org.organisation, other_org.manager, title="Their objective")
    html = as_user(org.leader).get(lesson.get_absolute_url()).content.decode()
    assert f"/lessons/{lesson.pk}/improve/objective/" in html
    assert f"/lessons/{lesson.pk}/improve/risk/" in html
    assert "Review this objective" in html and "Reassess this risk" in html
    assert f'<option value="{live.pk}">Supplier on-time rate</option>' in html
    assert f'<option value="{risk.pk}">{risk.reference} Castings supplier fails</option>' in html
    # the closed source objective is not offered, nor another organisation's
    assert "Their objective" not in html and f'value="{lesson.source_id}"' not in html
    # staff see no improvement at all
    staff_html = as_user(org.staff).get(lesson.get_absolute_url()).content.decode()
    assert "Review this objective" not in staff_html and "Reassess this risk" not in staff_html


def test_one_click_review_of_an_objective_marks_the_lesson_improved(org, as_user):
    lesson = _captured(org)
    objective = make_objective(org.organisation, org.manager, title="Supplier on-time rate")
    client = as_user(org.leader)
    click = client.get(f"/lessons/{lesson.pk}/improve/objective/?record={objective.pk}")
    form_url = f"/objectives/{objective.pk}/review/?lesson={lesson.pk}"
    assert click.status_code == 302 and click["Location"] == form_url
    page = client.get(form_url)
    assert page.status_code == 200
    assert "No agreed target." in page.context["form"].initial["note"]
    assert lesson.get_absolute_url() in page.content.decode()
    response = client.post(
        form_url,
        {
            "reviewed_on": org.organisation.today().isoformat(),
            "decision": "continue",
            "note": page.context["form"].initial["note"],
        },
    )
    assert response.status_code == 302
    review = Review.objects.get(objective=objective)
    assert "No agreed target." in review.note
    lesson.refresh_from_db()
    assert lesson.improvement_kind == "objective" and lesson.is_improved
    assert lesson.improvement_url == objective.get_absolute_url()
    assert "Supplier on-time rate" in lesson.improvement_label
    assert lesson.improved_by == org.leader
    html = client.get(lesson.get_absolute_url()).content.decode()
    assert "Objective change" in html and "Review this objective" not in html


def test_one_click_reassessment_of_a_risk_marks_the_lesson_improved(org, as_user):
    lesson = _captured(org)
    risk = raise_risk(org, title="Castings supplier fails")
    client = as_user(org.manager)
    click = client.get(f"/lessons/{lesson.pk}/improve/risk/?record={risk.pk}")
    form_url = f"/risks/{risk.pk}/review/?lesson={lesson.pk}"
    assert click["Location"] == form_url
    page = client.get(form_url)
    assert "No agreed target." in page.context["form"].initial["note"]
    response = client.post(
        form_url,
        {
            "reviewed_on": org.organisation.today().isoformat(),
            "likelihood": "2",
            "impact": "3",
            "controls_effective": "no",
            "note": "Lesson: no agreed target with suppliers.",
        },
    )
    assert response.status_code == 302
    assert Assessment.objects.filter(risk=risk, note__contains="agreed target").exists()
    lesson.refresh_from_db()
    assert lesson.improvement_kind == "risk"
    assert lesson.improvement_label.startswith(risk.reference)
    assert lesson.improvement_url == risk.get_absolute_url()


def test_a_lesson_already_improved_refuses_a_second_change_and_keeps_none(org, as_user):
    lesson = _captured(org)
    improve(org, lesson)
    objective = make_objective(org.organisation, org.manager)
    client = as_user(org.leader)
    response = client.post(
        f"/objectives/{objective.pk}/review/?lesson={lesson.pk}",
        {"reviewed_on": org.organisation.today().isoformat(), "decision": "continue", "note": "x"},
    )
    assert response.status_code == 200
    assert "already an improvement" in response.content.decode()
    assert not Review.objects.filter(objective=objective).exists()  # one transaction
    lesson.refresh_from_db()
    assert lesson.improvement_kind == "action"


def test_another_organisations_lesson_is_404_everywhere(org, other_org, as_user):
    theirs = _captured(other_org)
    objective = make_objective(org.organisation, org.manager)
    risk = raise_risk(org)
    client = as_user(org.leader)
    assert (
        client.get(f"/lessons/{theirs.pk}/improve/objective/?record={objective.pk}").status_code
        == 404
    )
    assert client.get(f"/objectives/{objective.pk}/review/?lesson={theirs.pk}").status_code == 404
    assert client.get(f"/risks/{risk.pk}/review/?lesson={theirs.pk}").status_code == 404
    assert client.get(f"/risks/{risk.pk}/review/?lesson=abc").status_code == 404
    data = {
        "reviewed_on": org.organisation.today().isoformat(),
        "decision": "continue",
        "note": "x",
    }
    assert (
        client.post(f"/objectives/{objective.pk}/review/?lesson={theirs.pk}", data).status_code
        == 404
    )
    assert not Review.objects.filter(objective=objective).exists()
    theirs.refresh_from_db()
    assert not theirs.is_improved
    # another organisation's objective from our lesson: 404 too
    ours = _captured(org)
    their_objective = make_objective(other_org.organisation, other_org.manager)
    response = client.get(f"/lessons/{ours.pk}/improve/objective/?record={their_objective.pk}")
    assert response.status_code == 302 and response["Location"] == ours.get_absolute_url()
    assert client.get(f"/lessons/{ours.pk}/improve/nonsense/?record=1").status_code == 404


def test_staff_may_not_turn_a_lesson_into_a_change_even_of_their_own_objective(org, as_user):
    lesson = _captured(org)
    own = make_objective(org.organisation, org.staff, title="Staff's own")
    client = as_user(org.staff)
    assert client.get(f"/lessons/{lesson.pk}/improve/objective/?record={own.pk}").status_code == 403
    # the staff owner reviews their objective, but not as the lesson's improvement
    assert client.get(f"/objectives/{own.pk}/review/").status_code == 200
    data = {
        "reviewed_on": org.organisation.today().isoformat(),
        "decision": "continue",
        "note": "x",
    }
    assert client.post(f"/objectives/{own.pk}/review/?lesson={lesson.pk}", data).status_code == 403
    assert not Review.objects.filter(objective=own).exists()
    # a manager may reassess risks but does not review others' objectives (leaders do)
    manager = as_user(org.manager)
    other = make_objective(org.organisation, org.leader)
    assert (
        manager.get(f"/lessons/{lesson.pk}/improve/objective/?record={other.pk}").status_code == 403
    )
    assert manager.get(f"/objectives/{other.pk}/review/?lesson={lesson.pk}").status_code == 403
    lesson.refresh_from_db()
    assert not lesson.is_improved


def test_a_lesson_not_captured_is_not_offered_and_cannot_be_used(org, as_user):
    waiting = prompted(org, org.staff)[0]
    objective = make_objective(org.organisation, org.manager)
    client = as_user(org.leader)
    response = client.get(f"/lessons/{waiting.pk}/improve/objective/?record={objective.pk}")
    assert response["Location"] == waiting.get_absolute_url()
    data = {
        "reviewed_on": org.organisation.today().isoformat(),
        "decision": "continue",
        "note": "x",
    }
    response = client.post(f"/objectives/{objective.pk}/review/?lesson={waiting.pk}", data)
    assert "Capture what worked" in response.content.decode()
    assert not Review.objects.filter(objective=objective).exists()


def test_the_health_share_counts_every_kind_of_improvement(org, as_user):
    today = org.organisation.today()
    first, second, third, fourth = (capture(org, x) for x in prompted(org, org.staff, n=4))
    improve(org, first)
    client = as_user(org.leader)
    objective = make_objective(org.organisation, org.manager)
    client.post(
        f"/objectives/{objective.pk}/review/?lesson={second.pk}",
        {"reviewed_on": today.isoformat(), "decision": "continue", "note": "x"},
    )
    risk = raise_risk(org)
    client.post(
        f"/risks/{risk.pk}/review/?lesson={third.pk}",
        {"reviewed_on": today.isoformat(), "likelihood": "2", "impact": "2",
         "controls_effective": "yes", "note": ""},
    )  # fmt: skip
    kinds = dict(Lesson.objects.values_list("pk", "improvement_kind"))
    assert [kinds[x.pk] for x in (first, second, third, fourth)] == [
        "action", "objective", "risk", "",
    ]  # fmt: skip
    [reading] = health.improved_share(org.organisation, today)
    assert (reading.value, reading.text) == (75.0, "75%: 3 of 4 lessons became improvements")


def test_the_review_pack_and_the_api_say_what_the_lesson_became(org, as_user):
    from isova.lessons.review_inputs import lessons_since
    from tests.isova.api.conftest import api_as

    lesson = _captured(org)
    risk = raise_risk(org, title="Castings supplier fails")
    today = org.organisation.today()
    as_user(org.manager).post(
        f"/risks/{risk.pk}/review/?lesson={lesson.pk}",
        {"reviewed_on": today.isoformat(), "likelihood": "2", "impact": "2",
         "controls_effective": "yes", "note": ""},
    )  # fmt: skip
    pack = lessons_since(org.organisation, today - datetime.timedelta(days=30), today)
    assert ["Turned into improvements", 1] in pack["figures"]
    [row] = pack["table"]["rows"]
    assert row[-1].startswith(f"Risk update: {risk.reference} reassessed")
    body = api_as(org.leader, org.organisation).get(f"/api/v1/lessons/{lesson.pk}/").json()
    assert body["improvement_kind"] == "risk" and body["improvement_url"] == risk.get_absolute_url()
