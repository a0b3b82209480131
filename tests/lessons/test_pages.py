"""The lessons pages: list and search, capture, skip with a reason, turn into an action; each
scoped to the organisation and checked by role on the server."""

import datetime

import pytest

from isova.lessons.models import Lesson, LessonStatus
from isova.models import Action

from .conftest import capture, prompted, recorded


def test_the_list_shows_this_organisations_lessons_only(org, other_org, as_user):
    mine = recorded(org, label="Move to the new ERP")
    recorded(other_org, label="Their secret project")
    html = as_user(org.staff).get("/lessons/").content.decode()
    assert "Move to the new ERP" in html and mine.get_absolute_url() in html
    assert "Their secret project" not in html


def test_search_finds_words_in_what_worked_what_didnt_and_tags(org, as_user):
    recorded(org, label="ERP", what_worked="Trained planners early", tags=["Planning"])
    recorded(org, label="Move", what_worked="Labels", what_did_not="Forklift booking late")
    recorded(org, label="Audit prep", what_worked="x", what_did_not="y", tags=["Despatch"])
    client = as_user(org.staff)

    def found(query: str) -> list[str]:
        response = client.get("/lessons/?" + query)
        return [lesson.source_label for lesson in response.context["page"].object_list]

    assert found("q=planners") == ["ERP"]
    assert found("q=forklift+late") == ["Move"]
    assert found("q=despatch") == ["Audit prep"]
    assert found("tag=planning") == ["ERP"]
    assert sorted(found("kind=recorded")) == ["Audit prep", "ERP", "Move"]
    assert found("status=skipped") == []


def test_the_list_filters_by_status_and_mine(org, as_user):
    waiting = prompted(org, org.staff)[0]
    recorded(org, org.manager)
    client = as_user(org.staff)
    shown = client.get("/lessons/?status=prompted").context["page"].object_list
    assert [x.pk for x in shown] == [waiting.pk]
    mine = client.get("/lessons/?mine=on").context["page"].object_list
    assert [x.pk for x in mine] == [waiting.pk]


def test_the_list_answers_htmx_with_its_table_only(org, as_user):
    recorded(org)
    client = as_user(org.staff)
    fragment = client.get("/lessons/?q=ERP", HTTP_HX_REQUEST="true").content.decode()
    assert 'id="results"' in fragment and "<html" not in fragment
    page = client.get("/lessons/?q=ERP").content.decode()
    assert "<html" in page and 'id="results"' in page


def test_the_owner_sees_their_lessons_to_capture_on_the_list(org, as_user):
    lesson = prompted(org, org.staff)[0]
    html = as_user(org.staff).get("/lessons/").content.decode()
    assert "Lessons for you to capture" in html and lesson.get_absolute_url() in html
    assert "Lessons for you to capture" not in as_user(org.leader).get("/lessons/").content.decode()


def test_the_owner_captures_what_worked_and_what_didnt(org, as_user):
    lesson = prompted(org, org.staff)[0]
    response = as_user(org.staff).post(
        f"/lessons/{lesson.pk}/capture/",
        {
            "what_worked": "Weekly call",
            "what_did_not": "No supplier buy-in",
            "tags": "Purchasing, purchasing ,Planning",
        },
    )
    assert response.status_code == 302
    lesson.refresh_from_db()
    assert lesson.status == LessonStatus.CAPTURED
    assert (lesson.what_worked, lesson.what_did_not) == ("Weekly call", "No supplier buy-in")
    assert lesson.tag_names == ["Planning", "Purchasing"]
    assert lesson.captured_by == org.staff
    html = as_user(org.auditor).get(lesson.get_absolute_url()).content.decode()
    assert "No supplier buy-in" in html and "Purchasing" in html


def test_an_empty_capture_is_a_form_error_not_a_500(org, as_user):
    lesson = prompted(org, org.staff)[0]
    response = as_user(org.staff).post(
        f"/lessons/{lesson.pk}/capture/", {"what_worked": " ", "what_did_not": ""}
    )
    assert response.status_code == 422
    assert "Say what worked, what didn" in response.content.decode()
    lesson.refresh_from_db()
    assert lesson.status == LessonStatus.PROMPTED


def test_a_skip_needs_a_reason_which_everyone_then_sees(org, as_user):
    lesson = prompted(org, org.staff)[0]
    client = as_user(org.staff)
    assert client.post(f"/lessons/{lesson.pk}/skip/", {"reason": ""}).status_code == 422
    response = client.post(f"/lessons/{lesson.pk}/skip/", {"reason": "Closed for a re-org."})
    assert response.status_code == 302
    lesson.refresh_from_db()
    assert lesson.status == LessonStatus.SKIPPED and lesson.skipped_by == org.staff
    for page in (lesson.get_absolute_url(), "/lessons/?status=skipped"):
        assert "Closed for a re-org." in as_user(org.leader).get(page).content.decode()
    # skipped once: not again
    again = client.post(f"/lessons/{lesson.pk}/skip/", {"reason": "Again"})
    assert again.status_code == 422 and "already skipped" in again.content.decode()


def test_a_skipped_lesson_may_still_be_captured(org):
    from isova.lessons import services
    from tests.conftest import membership_of

    lesson = prompted(org, org.staff)[0]
    services.lesson_skip(
        membership=membership_of(org.staff, org.organisation), lesson=lesson, reason="Busy"
    )
    lesson = capture(org, lesson)
    assert lesson.status == LessonStatus.CAPTURED


def test_a_leader_turns_a_captured_lesson_into_an_action_in_one_click(org, as_user):
    lesson = capture(org, prompted(org, org.staff)[0])
    client = as_user(org.leader)
    html = client.get(lesson.get_absolute_url()).content.decode()
    assert "Turn into an action" in html
    assert 'value="No agreed target with suppliers."' in html  # the title starts as the lesson
    due = (org.organisation.today() + datetime.timedelta(days=30)).isoformat()
    response = client.post(
        f"/lessons/{lesson.pk}/improve/",
        {"title": "Agree targets with suppliers", "owner": org.manager.pk, "due_date": due},
    )
    assert response.status_code == 302
    lesson.refresh_from_db()
    action = Action.objects.get()
    assert lesson.action == action and lesson.improved_by == org.leader
    assert action.source == lesson and action.owner == org.manager
    assert action.title == "Agree targets with suppliers"
    assert "No agreed target with suppliers." in action.description
    html = client.get(lesson.get_absolute_url()).content.decode()
    assert "Became the improvement" in html and "Turn into an action" not in html
    # once only
    again = client.post(
        f"/lessons/{lesson.pk}/improve/", {"title": "Again", "owner": org.manager.pk}
    )
    assert again.status_code == 422 and Action.objects.count() == 1


def test_a_lesson_still_to_capture_cannot_become_an_action(org, as_user):
    lesson = prompted(org, org.staff)[0]
    response = as_user(org.manager).post(
        f"/lessons/{lesson.pk}/improve/", {"title": "x", "owner": org.staff.pk}
    )
    assert response.status_code == 422 and not Action.objects.exists()


def test_an_improvement_owner_from_another_organisation_is_refused(org, other_org, as_user):
    lesson = capture(org, prompted(org, org.staff)[0])
    response = as_user(org.manager).post(
        f"/lessons/{lesson.pk}/improve/", {"title": "x", "owner": other_org.staff.pk}
    )
    assert response.status_code == 422 and not Action.objects.exists()


@pytest.mark.parametrize(
    ("role", "own", "status"),
    [
        ("staff", True, 302),
        ("staff", False, 403),
        ("auditor", True, 302),
        ("auditor", False, 403),
        ("manager", False, 302),
        ("leader", False, 302),
    ],
)
def test_the_owner_or_a_leader_or_manager_captures(org, as_user, role, own, status):
    user = org.user(role)
    lesson = prompted(org, user if own else org.staff if role != "staff" else org.manager)[0]
    response = as_user(user).post(
        f"/lessons/{lesson.pk}/capture/", {"what_worked": "a", "what_did_not": "b"}
    )
    assert response.status_code == status
    lesson.refresh_from_db()
    assert (lesson.status == LessonStatus.CAPTURED) == (status == 302)


@pytest.mark.parametrize("role", ["staff", "auditor"])
def test_staff_and_auditors_cannot_make_actions_of_lessons(org, as_user, role):
    lesson = capture(org, prompted(org, org.user(role))[0])
    response = as_user(org.user(role)).post(
        f"/lessons/{lesson.pk}/improve/", {"title": "x", "owner": org.staff.pk}
    )
    assert response.status_code == 403 and not Action.objects.exists()
    html = as_user(org.user(role)).get(lesson.get_absolute_url()).content.decode()
    assert "Turn into an action" not in html


def test_a_staff_member_cannot_skip_someone_elses_lesson(org, as_user):
    lesson = prompted(org, org.manager)[0]
    response = as_user(org.staff).post(f"/lessons/{lesson.pk}/skip/", {"reason": "Not mine"})
    assert response.status_code == 403
    lesson.refresh_from_db()
    assert lesson.status == LessonStatus.PROMPTED


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/lessons/{pk}/"),
        ("post", "/lessons/{pk}/capture/"),
        ("post", "/lessons/{pk}/skip/"),
        ("post", "/lessons/{pk}/improve/"),
    ],
)
def test_another_organisations_lessons_answer_404(org, other_org, as_user, method, path):
    theirs = prompted(other_org, other_org.staff)[0]
    data = {"what_worked": "a", "reason": "r", "title": "t", "owner": org.staff.pk}
    kwargs = {"data": data} if method == "post" else {}
    response = getattr(as_user(org.leader), method)(path.format(pk=theirs.pk), **kwargs)
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == LessonStatus.PROMPTED


def test_nonsense_ids_and_anonymous_visitors(org, client):
    assert client.get("/lessons/").status_code == 302  # to the login page
    from tests.conftest import client_for

    assert client_for(org.staff).get("/lessons/999999/").status_code == 404


def test_anyone_records_a_lesson_by_hand(org, as_user):
    client = as_user(org.staff)
    assert client.get("/lessons/new/").status_code == 200
    response = client.post(
        "/lessons/new/",
        {"label": "Office move", "what_worked": "Labelled crates", "what_did_not": "", "tags": ""},
    )
    assert response.status_code == 302
    lesson = Lesson.objects.get()
    assert lesson.source_kind == "recorded" and lesson.status == LessonStatus.CAPTURED
    assert lesson.owner == org.staff and lesson.source is None
    bad = client.post("/lessons/new/", {"label": "", "what_worked": ""})
    assert bad.status_code == 422 and Lesson.objects.count() == 1


def test_every_input_has_a_label(org, as_user):
    lesson = capture(org, prompted(org, org.staff)[0])
    html = as_user(org.leader).get(lesson.get_absolute_url()).content.decode()
    for name in ("what_worked", "what_did_not", "tags", "title", "owner", "due_date"):
        assert f'for="id_{name}"' in html
    listing = as_user(org.leader).get("/lessons/").content.decode()
    for name in ("q", "tag", "kind", "status", "mine"):
        assert f'for="id_{name}"' in listing


def test_a_lesson_form_sent_twice_records_once(org, as_user):
    import uuid

    client = as_user(org.staff)
    data = {"label": "Office move", "what_worked": "Crates", "form_token": str(uuid.uuid4())}
    first = client.post("/lessons/new/", data)
    second = client.post("/lessons/new/", data)
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"] == Lesson.objects.get().get_absolute_url()
