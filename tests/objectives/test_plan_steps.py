"""Plan steps are ordinary actions whose source is the objective: the one action form, the
one action table, and `Objective.actions` (ActionSource) with `.live()` / `.finished()`."""

import datetime

from isova.models import ActionStatus
from tests.factories import ActionFactory

from .conftest import make_objective


def _step(objective, org, status, title):
    return ActionFactory(
        organisation=org.organisation,
        owner=org.staff,
        status=status,
        title=title,
        source=objective,
    )


def test_an_objective_counts_live_and_finished_steps_through_its_actions(org):
    objective = make_objective(org.organisation, org.manager)
    _step(objective, org, ActionStatus.OPEN, "open")
    _step(objective, org, ActionStatus.DONE, "done")
    _step(objective, org, ActionStatus.VERIFIED, "verified")
    _step(objective, org, ActionStatus.CANCELLED, "cancelled")
    assert objective.actions.live().count() == 3
    assert sorted(objective.actions.finished().values_list("title", flat=True)) == [
        "done",
        "verified",
    ]


def test_plan_steps_show_in_the_one_action_table_with_their_status_control(org, as_user):
    objective = make_objective(org.organisation, org.manager)
    step = _step(objective, org, ActionStatus.OPEN, "Calibrate gauge 12")
    step.estimated_effort_hours = 6
    step.save()
    html = as_user(org.manager).get(objective.get_absolute_url()).content.decode()
    assert f'id="action-{step.pk}"' in html  # the row of isova/_action_row.html
    assert f'action="/actions/{step.pk}/status/"' in html
    assert "Resources: 6" in html
    assert "1 of 1 step" not in html and "0 of 1 step done" in html


def test_the_plan_step_form_is_the_action_form_with_a_due_date_required(org):
    from isova.actions.forms import ActionForm
    from isova.actions.services import EDITABLE_FIELDS
    from objectives.forms import PlanStepForm

    form = PlanStepForm(
        {"title": "Step", "owner": org.staff.pk, "priority": "medium"},
        organisation=org.organisation,
    )
    assert isinstance(form, ActionForm)
    assert not form.is_valid() and "due_date" in form.errors
    form = PlanStepForm(
        {
            "title": "Step",
            "owner": org.staff.pk,
            "priority": "medium",
            "due_date": datetime.date(2026, 12, 31).isoformat(),
        },
        organisation=org.organisation,
    )
    assert form.is_valid(), form.errors
    assert set(form.action_fields()) == set(EDITABLE_FIELDS)
