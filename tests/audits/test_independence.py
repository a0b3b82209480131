"""Auditors should not audit their own work: a warning, confirmed once, never a hard block."""

from audits.models import Audit, Process, independence_warnings

from .conftest import plan


def form_data(org, process, lead, team=()):
    return {
        "title": "Production",
        "audit_type": "internal",
        "process": process.pk,
        "lead_auditor": lead.pk,
        "team": [u.pk for u in team],
        "planned_date": "2026-06-10",
    }


def test_no_warning_when_the_auditors_do_not_own_the_process(org, process):
    assert independence_warnings(process, org.auditor, [org.leader]) == []


def test_a_lead_auditor_who_owns_the_process_is_warned_about(org, process):
    [warning] = independence_warnings(process, org.manager, [])
    assert "Acme Manager owns the process “Production”" in warning


def test_a_team_member_who_owns_the_process_is_warned_about(org, process):
    [warning] = independence_warnings(process, org.auditor, [org.manager])
    assert "Team member Acme Manager" in warning


def test_a_process_without_owner_or_an_area_gives_no_warning(org):
    unowned = Process.objects.create(organisation=org.organisation, name="Stores")
    assert independence_warnings(unowned, org.auditor, []) == []
    assert independence_warnings(None, org.auditor, []) == []


def test_the_form_shows_the_warning_and_saves_nothing_until_confirmed(org, process, as_user):
    client = as_user(org.leader)
    response = client.post("/audits/new/", form_data(org, process, org.manager))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Independence warning" in content
    assert 'type="checkbox" name="confirm_independence"' in content
    assert not Audit.objects.exists()

    data = form_data(org, process, org.manager) | {"confirm_independence": "on"}
    response = client.post("/audits/new/", data)
    assert response.status_code == 302
    audit = Audit.objects.get()
    assert audit.lead_auditor == org.manager
    page = client.get(f"/audits/{audit.pk}/").content.decode()
    assert "Independence warning" in page


def test_an_independent_team_is_saved_at_once_without_a_warning(org, process, as_user):
    response = as_user(org.leader).post(
        "/audits/new/", form_data(org, process, org.auditor, team=[org.staff])
    )
    assert response.status_code == 302
    audit = Audit.objects.get()
    assert list(audit.team.all()) == [org.staff]
    assert "Independence warning" not in as_user(org.leader).get(response.url).content.decode()


def test_editing_in_an_owner_as_team_member_warns_too(org, process, as_user):
    audit = plan(org, process=process)
    response = as_user(org.auditor).post(
        f"/audits/{audit.pk}/edit/", form_data(org, process, org.auditor, team=[org.manager])
    )
    assert response.status_code == 200
    assert "Team member Acme Manager" in response.content.decode()
    assert not audit.team.exists()
