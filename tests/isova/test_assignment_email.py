"""The assignment e-mail says what, for which record and why, by when and who assigned it;
its links follow the address `make run` serves."""

import datetime
import os
import subprocess

from django.core import mail

from isova.actions import services as actions
from tests.conftest import membership_of
from tests.objectives.conftest import make_objective


def test_the_assignment_email_names_the_objective_the_date_in_words_and_the_assigner(
    org, django_capture_on_commit_callbacks
):
    objective = make_objective(org.organisation, org.manager, title="On-time delivery 95%")
    with django_capture_on_commit_callbacks(execute=True):
        actions.action_create(
            membership=membership_of(org.manager, org.organisation),
            title="Add a second shift planner",
            owner=org.staff,
            due_date=datetime.date(2026, 12, 15),
            source=objective,
        )
    body = mail.outbox[0].body
    assert "Acme Manager assigned you an action in" in body
    assert "What: Add a second shift planner" in body
    assert "For: the objective “On-time delivery 95%”" in body
    assert "Why: it is part of the response to this objective." in body
    assert "By when: Tue 15 Dec 2026" in body
    assert "2026-12-15" not in body
    assert f"Assigned by: Acme Manager ({org.manager.email})" in body


def test_the_description_says_why_when_there_is_one(org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        actions.action_create(
            membership=membership_of(org.manager, org.organisation),
            title="Oil the press",
            description="The press squeaked in the audit.",
            owner=org.staff,
        )
    body = mail.outbox[0].body
    assert "Why: The press squeaked in the audit." in body
    assert "By when: no due date set" in body


def _make_run_commands(*args: str, env: dict | None = None) -> str:
    return subprocess.run(
        ["make", "-n", "run", *args], capture_output=True, text=True, check=True, env=env
    ).stdout


def test_make_run_sets_the_site_url_to_the_port_it_serves_unless_site_url_is_given():
    env = {k: v for k, v in os.environ.items() if k != "SITE_URL"}
    commands = _make_run_commands("PORT=8893", env=env)
    assert 'SITE_URL="http://127.0.0.1:8893" .venv/bin/python manage.py runserver' in commands
    given = _make_run_commands("PORT=8893", env=env | {"SITE_URL": "https://qms.example.com"})
    assert 'SITE_URL="https://qms.example.com" .venv/bin/python manage.py runserver' in given
