"""Demo lessons in both demo organisations: a missed objective's lesson turned into an
improvement, the lessons of audits and findings, one skipped with its reason, the latest
review's still waiting for its chair; seeding twice adds nothing."""

import pytest

from isova import demo
from isova.lessons.models import Lesson, LessonStatus, SourceKind
from isova.models import Action, Notification, Organisation, User
from objectives.models import Objective, Status


@pytest.fixture
def seeded(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        demo.seed()


@pytest.mark.parametrize(
    ("slug", "title", "improvement"),
    [
        (
            "hartwell",
            "Suppliers' on-time delivery of 95%",
            "Qualify a second heat-treatment supplier before the summer shutdown",
        ),
        (
            "rosewood",
            "Every care plan reviewed within its month",
            "Put care-plan review dates in the rota system, with reminders to key workers",
        ),
    ],
)
def test_each_demo_organisation_learnt_from_a_missed_objective(seeded, slug, title, improvement):
    organisation = Organisation.objects.get(slug=slug)
    objective = Objective.objects.get(organisation=organisation, title=title)
    assert objective.status == Status.MISSED
    lesson = Lesson.objects.get(source_kind=SourceKind.OBJECTIVE, source_id=objective.pk)
    assert lesson.status == LessonStatus.CAPTURED
    assert lesson.owner == objective.owner
    assert lesson.what_worked and lesson.what_did_not and lesson.tag_names
    assert lesson.action.title == improvement and lesson.action.source == lesson
    # told in person: the captured prompt is not news
    assert not Notification.objects.filter(url=lesson.get_absolute_url()).exists()


def test_the_engineering_demo_has_every_kind_of_lesson(seeded):
    organisation = Organisation.objects.get(slug="hartwell")
    lessons = Lesson.objects.for_org(organisation)
    kinds = set(lessons.values_list("source_kind", flat=True))
    assert {SourceKind.OBJECTIVE, SourceKind.AUDIT, SourceKind.FINDING, SourceKind.REVIEW} <= kinds
    skipped = lessons.get(status=LessonStatus.SKIPPED)
    assert skipped.skip_reason and skipped.source_kind == SourceKind.FINDING
    assert lessons.filter(status=LessonStatus.CAPTURED, action__isnull=False).count() == 2
    # the latest review's lesson waits for its chair, who is told
    waiting = lessons.get(status=LessonStatus.PROMPTED)
    assert waiting.source_kind == SourceKind.REVIEW
    assert Notification.objects.filter(
        recipient=waiting.owner, kind="lesson_prompted", url=waiting.get_absolute_url()
    ).exists()


def test_the_chair_finds_the_waiting_lesson_on_the_dashboard(seeded, client):
    organisation = Organisation.objects.get(slug="hartwell")
    waiting = Lesson.objects.for_org(organisation).get(status=LessonStatus.PROMPTED)
    client.force_login(User.objects.get(pk=waiting.owner_id))
    html = client.get("/dashboard/").content.decode()
    assert "Lessons for you to capture" in html and waiting.get_absolute_url() in html


def test_seeding_the_demo_twice_adds_no_lesson(seeded, django_capture_on_commit_callbacks):
    before = (
        Lesson.objects.count(),
        Action.objects.count(),
        list(Lesson.objects.values_list("status", flat=True).order_by("pk")),
    )
    with django_capture_on_commit_callbacks(execute=True):
        demo.seed()
    after = (
        Lesson.objects.count(),
        Action.objects.count(),
        list(Lesson.objects.values_list("status", flat=True).order_by("pk")),
    )
    assert after == before
