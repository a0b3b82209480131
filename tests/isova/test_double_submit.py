"""A create form sent twice (double click, resend, two tabs) makes one record (issue 9.9)."""

import re

import pytest

from audits.models import Audit, Finding, Process
from isova.models import Action, QualityPolicy
from objectives.models import Objective, StrategicGoal
from tests.audits.conftest import plan
from tests.html_forms import post_forms
from tests.objectives.conftest import make_objective

from ..audits.conftest import raise_finding, respond, start


def _errors(response) -> list[str]:
    return re.findall(r'role="alert">(.*?)</', response.content.decode(), re.S)


def _form(page: str, token_field: str = "form_token"):
    (form,) = [f for f in post_forms(page) if token_field in f.kinds]
    return form


CASES = {
    "action": (
        "/actions/new/",
        Action,
        {
            "title": "Fix the lathe",
            "due_date": "2026-06-30",
            "owner": "{staff}",
            "confirm_past_due": "on",
        },
    ),
    "goal": ("/objectives/goals/", StrategicGoal, {"title": "Fewer complaints"}),
    "objective": (
        "/objectives/new/",
        Objective,
        {
            "title": "On time",
            "measure_name": "Orders on time",
            "unit": "%",
            "baseline": "80",
            "target": "95",
            "start_date": "2026-01-01",
            "target_date": "2026-12-31",
        },
    ),
    "process": ("/audits/processes/", Process, {"name": "Purchasing"}),
    "audit": ("/audits/new/", Audit, {"title": "Purchasing audit", "area": "Stores"}),
    "quality policy": (
        "/policy/new/",
        QualityPolicy,
        {
            "title": "Our policy",
            "text": "We keep our promises.",
            "owner": "{staff}",
            "effective_from": "2026-01-01",
        },
    ),
}


@pytest.mark.parametrize("kind", CASES)
def test_the_same_create_form_posted_twice_makes_one_record(org, as_user, kind):
    path, model, values = CASES[kind]
    client = as_user(org.leader)
    form = _form(client.get(path).content.decode())
    values = {k: v.format(staff=org.staff.pk) for k, v in values.items()}
    before = model.objects.count()
    first = client.post(form.action or path, form.data(**values))
    assert first.status_code == 302, _errors(first)
    second = client.post(form.action or path, form.data(**values))
    assert second.status_code == 302
    assert second["Location"] == first["Location"]
    assert model.objects.count() == before + 1


def test_a_plan_step_and_a_finding_posted_twice_make_one_each(org, as_user):
    objective = make_objective(org.organisation, org.manager, status="draft")
    audit = start(org, plan(org))
    client = as_user(org.leader)
    for path, model, values in [
        (
            f"/objectives/{objective.pk}/plan/new/",
            Action,
            {"title": "Step", "due_date": str(objective.target_date), "confirm_past_due": "on"},
        ),
        (
            f"/audits/{audit.pk}/findings/new/",
            Finding,
            {
                "finding_type": "minor",
                "clause": "8.5.1",
                "description": "Missing WI",
                "evidence": "Lathe 4",
            },
        ),
    ]:
        form = _form(client.get(path).content.decode())
        before = model.objects.count()
        first = client.post(path, form.data(**values))
        assert first.status_code == 302, _errors(first)
        second = client.post(path, form.data(**values))
        assert (second.status_code, second["Location"]) == (302, first["Location"])
        assert model.objects.count() == before + 1


def test_a_corrective_action_posted_twice_is_assigned_once(org, as_user):
    finding = raise_finding(org, start(org, plan(org)))
    respond(org, finding)
    client = as_user(org.manager)
    page = client.get(finding.get_absolute_url()).content.decode()
    (form,) = [f for f in post_forms(page) if f.action.endswith("/actions/")]
    values = {"title": "Put WI-7 at every lathe", "owner": str(org.staff.pk)}
    values["due_date"] = str(finding.response_due or "2026-06-30")
    values["confirm_past_due"] = "on"
    for _ in range(2):
        response = client.post(form.action, form.data(**values))
        assert response.status_code == 302, _errors(response)
    assert Action.objects.for_source(finding).count() == 1


def test_two_renderings_of_a_form_make_two_records(org, as_user):
    client = as_user(org.leader)
    for title in ("One", "Two"):
        form = _form(client.get("/objectives/goals/").content.decode())
        assert client.post("/objectives/goals/", form.data(title=title)).status_code == 302
    assert StrategicGoal.objects.count() == 2
