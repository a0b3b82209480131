"""The first-run checklist on the dashboard: shown until done, each step linking to where
it is done; ticked off by the data, or by a leader for what the data cannot show."""

from __future__ import annotations

import datetime

import pytest

from isova.models import QualityPolicy
from isova.onboarding.models import Invitation
from tests.conftest import client_for
from tests.objectives.conftest import make_objective


def panel(client) -> str:
    return client.get("/dashboard/panels/getting_started/").content.decode()


@pytest.mark.django_db
def test_a_new_organisation_sees_every_step_with_its_link(org):
    html = client_for(org.leader).get("/dashboard/").content.decode()
    assert "Getting started" in html
    for text, link in [
        ("quality policy", "/policy/new/"),
        ("first quality objectives", "/objectives/new/"),
        ("Invite your team", "/people/invite/"),
        ("existing registers", "/data/"),
        ("first management review", "/reviews/new/"),
        ("first internal audit", "/audits/new/"),
    ]:
        assert text in html and f'href="{link}"' in html, text
    assert "6 steps left" in html


@pytest.mark.django_db
def test_steps_tick_off_as_the_work_is_done_and_the_list_goes(org):
    client = client_for(org.leader)
    QualityPolicy.objects.create(
        organisation=org.organisation,
        title="Policy",
        text="We do well.",
        owner=org.leader,
        effective_from=datetime.date(2026, 1, 1),
    )
    make_objective(org.organisation, org.manager)
    Invitation.objects.create(
        organisation=org.organisation,
        email="x@acme.example",
        role="staff",
        invited_by=org.leader,
        nonce="n",
        expires_at=datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC),
    )
    assert "3 steps left" in panel(client)
    assert client.post("/getting-started/import/done/").status_code == 302
    assert "2 steps left" in panel(client)
    # Only the steps the data cannot show may be ticked by hand.
    assert client.post("/getting-started/policy/done/").status_code == 404
    assert client.post("/getting-started/dismiss/").status_code == 302
    assert "Getting started" not in panel(client)


@pytest.mark.django_db
def test_staff_do_not_see_it_and_only_leaders_change_it(org):
    assert client_for(org.staff).get("/dashboard/panels/getting_started/").status_code == 404
    manager = client_for(org.manager)
    assert "Getting started" in panel(manager)
    assert "Hide this list" not in panel(manager)
    assert manager.post("/getting-started/dismiss/").status_code == 403
    assert manager.post("/getting-started/import/done/").status_code == 403
    assert "6 steps left" in panel(manager)


@pytest.mark.django_db
def test_the_checklist_runs_a_fixed_number_of_queries(org, django_assert_max_num_queries):
    from isova.onboarding.checklist import PANEL

    client = client_for(org.leader)
    panel(client)  # the first request of a session also checks the sign-in policy
    with django_assert_max_num_queries(PANEL.max_queries + 3):  # session, user, memberships
        panel(client)
