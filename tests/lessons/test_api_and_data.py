"""Lessons through the REST API (scoped, roles as on the pages) and in and out as CSV/XLSX."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from isova.lessons.models import Lesson, LessonStatus
from tests.conftest import membership_of
from tests.isova.api.conftest import api_as
from tests.isova.imports.conftest import csv_of, export_sheets, run_import

from .conftest import capture, improve, prompted, recorded

ROLES = ["leader", "manager", "staff", "auditor"]


@pytest.mark.parametrize("role", ROLES)
def test_everyone_reads_their_organisations_lessons(org, other_org, role):
    lesson = capture(org, prompted(org, org.staff)[0], tags=["Purchasing"])
    theirs = recorded(other_org)
    api = api_as(org.user(role), org.organisation)
    body = api.get("/api/v1/lessons/").json()
    assert [row["id"] for row in body["results"]] == [lesson.pk]
    row = body["results"][0]
    assert row["status"] == "captured" and row["tags"] == ["Purchasing"]
    assert row["source_label"] == lesson.source_label and row["owner"]["id"] == org.staff.pk
    assert api.get(f"/api/v1/lessons/{theirs.pk}/").status_code == 404
    assert api.post(f"/api/v1/lessons/{theirs.pk}/skip/", {"reason": "x"}).status_code == 404


def test_the_api_filters_and_refuses_nonsense(org):
    waiting = prompted(org, org.staff)[0]
    done = recorded(org, what_worked="Trained early", tags=["Planning"])
    api = api_as(org.leader, org.organisation)

    def ids(**params):
        return [row["id"] for row in api.get("/api/v1/lessons/", **params).json()["results"]]

    assert ids(status="prompted") == [waiting.pk]
    assert ids(kind="recorded") == [done.pk]
    assert ids(tag="planning") == [done.pk]
    assert ids(q="trained") == [done.pk]
    assert api.get("/api/v1/lessons/", status="late").status_code == 400


def test_the_owner_captures_and_skips_through_the_api_others_may_not(org):
    first, second = prompted(org, org.staff, n=2)
    owner = api_as(org.staff, org.organisation)
    other = api_as(org.auditor, org.organisation)
    assert (
        other.post(f"/api/v1/lessons/{first.pk}/capture/", {"what_worked": "x"}).status_code == 403
    )
    response = owner.post(
        f"/api/v1/lessons/{first.pk}/capture/",
        {"what_worked": "Call", "what_did_not": "Target", "tags": ["Planning"]},
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "captured" and response.json()["tags"] == ["Planning"]
    assert owner.post(f"/api/v1/lessons/{second.pk}/capture/", {}).status_code == 422
    assert owner.post(f"/api/v1/lessons/{second.pk}/skip/", {}).status_code == 400
    skipped = owner.post(f"/api/v1/lessons/{second.pk}/skip/", {"reason": "Re-org"})
    assert skipped.json()["skip_reason"] == "Re-org"
    assert Lesson.objects.get(pk=second.pk).status == LessonStatus.SKIPPED


def test_the_api_list_runs_the_same_queries_at_2_and_at_12_lessons(org):
    api = api_as(org.leader, org.organisation)
    api.get("/api/v1/lessons/")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api.get("/api/v1/lessons/").status_code == 200
        return len(queries)

    for i in range(2):
        recorded(org, label=f"Project {i}", tags=["A", "B"])
    count()
    small = count()
    for i in range(10):
        recorded(org, label=f"More {i}", tags=["C"])
    improve(org, Lesson.objects.first())
    assert count() == small


def test_the_export_holds_the_filtered_register(org, other_org):
    lesson = capture(org, prompted(org, org.staff)[0], tags=["Purchasing"])
    improve(org, lesson, title="Agree targets")
    recorded(org, label="Office move", tags=["Facilities"])
    recorded(other_org, label="Theirs")
    [(title, headers, rows)] = export_sheets("lessons", org.organisation)
    assert title == "Lessons learned"
    assert headers[:7] == [
        "Reference", "About", "What worked", "What didn't work", "Owner", "Date", "Processes",
    ]  # fmt: skip
    assert [row[1] for row in rows] == [lesson.source_label, "Office move"]
    assert rows[0][6:] == ["Purchasing", "Captured", "Objective closed", "", "Agree targets"]
    [(_, _, only)] = export_sheets("lessons", org.organisation, "tag=facilities")
    assert [row[1] for row in only] == ["Office move"]


def test_a_lessons_log_imports_as_captured_lessons_with_tags(org):
    data = csv_of(
        "Project,What went well,What went wrong,Owner,Date,Process\n"
        f"ERP move,Early training,Late data migration,{org.staff.email},2026-01-15,"
        '"Planning, Purchasing"\n'
    )
    manager = membership_of(org.manager, org.organisation)
    bad = run_import("lessons", manager, data + b"Nothing learnt,,,,,\n")
    # the row with neither what worked nor what didn't: nothing is saved
    assert [e.message for e in bad.errors] == ["Give what worked, what didn't, or both."]
    assert not Lesson.objects.exists()
    report = run_import("lessons", manager, data)
    assert report.errors == []
    lesson = Lesson.objects.get()
    assert lesson.tag_names == ["Planning", "Purchasing"]
    assert (lesson.source_label, lesson.what_worked, lesson.what_did_not) == (
        "ERP move", "Early training", "Late data migration",
    )  # fmt: skip
    assert lesson.owner == org.staff and lesson.status == LessonStatus.CAPTURED
    assert lesson.source_kind == "recorded" and str(lesson.prompted_on) == "2026-01-15"
    assert lesson.organisation == org.organisation


def test_staff_cannot_import_lessons(org, as_user):
    response = as_user(org.staff).get("/data/import/lessons/")
    assert response.status_code in (403, 404)
