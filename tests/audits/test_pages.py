"""Every page renders for members, refuses what a role may not do, and hides other orgs (404)."""

import pytest

from audits.models import Audit, AuditSettings, Finding, FindingStatus, Process
from tests.factories import PASSWORD

from .conftest import assign, complete, plan, raise_finding, respond

ROLES = ["leader", "manager", "staff", "auditor"]


@pytest.mark.parametrize("role", ROLES)
def test_every_member_reads_the_audit_pages(org, finding, as_user, role):
    client = as_user(org.user(role))
    audit = finding.audit
    for url in (
        "/audits/",
        f"/audits/{audit.pk}/",
        f"/audits/{audit.pk}/report/",
        "/audits/findings/",
        f"/audits/findings/{finding.pk}/",
        "/audits/processes/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert finding.audit.reference in response.content.decode() or url.endswith("processes/")


def test_anonymous_visitors_are_sent_to_log_in(client, finding):
    response = client.get(f"/audits/findings/{finding.pk}/")
    assert response.status_code == 302
    assert "/accounts/login/" in response.url


@pytest.mark.parametrize(
    ("role", "status"), [("leader", 200), ("manager", 200), ("auditor", 200), ("staff", 403)]
)
def test_planning_an_audit_is_for_auditors_managers_and_leaders(org, as_user, role, status):
    assert as_user(org.user(role)).get("/audits/new/").status_code == status


@pytest.mark.parametrize(
    ("role", "status"), [("leader", 200), ("manager", 200), ("auditor", 200), ("staff", 403)]
)
def test_raising_a_finding_is_for_auditors_managers_and_leaders(
    org, running_audit, as_user, role, status
):
    response = as_user(org.user(role)).get(f"/audits/{running_audit.pk}/findings/new/")
    assert response.status_code == status


@pytest.mark.parametrize(("role", "status"), [("leader", 200), ("manager", 403), ("staff", 403)])
def test_only_leaders_open_the_response_time_settings(org, as_user, role, status):
    assert as_user(org.user(role)).get("/audits/settings/").status_code == status


def test_a_leader_changes_the_response_times(org, as_user):
    data = {
        "sla_major_days": "14",
        "sla_minor_days": "45",
        "sla_observation_days": "90",
        "sla_ofi_days": "120",
    }
    response = as_user(org.leader).post("/audits/settings/", data)
    assert response.status_code == 302
    row = AuditSettings.objects.get(organisation=org.organisation)
    assert (row.sla_major_days, row.sla_ofi_days) == (14, 120)


def test_response_times_out_of_range_show_an_error(org, as_user):
    data = {
        "sla_major_days": "0",
        "sla_minor_days": "x",
        "sla_observation_days": "90",
        "sla_ofi_days": "9999",
    }
    response = as_user(org.leader).post("/audits/settings/", data)
    assert response.status_code == 200
    assert b"greater than or equal to 1" in response.content
    assert not AuditSettings.objects.filter(organisation=org.organisation).exists()


def test_an_auditor_plans_an_audit_through_the_form(org, process, as_user):
    data = {
        "title": "Purchasing",
        "audit_type": "internal",
        "process": process.pk,
        "clauses": "clause 8.4, 8.4.2.",
        "lead_auditor": org.auditor.pk,
        "planned_date": "2026-05-14",
    }
    response = as_user(org.auditor).post("/audits/new/", data)
    audit = Audit.objects.get(title="Purchasing")
    assert response.status_code == 302
    assert response.url == f"/audits/{audit.pk}/"
    assert audit.clauses == "8.4, 8.4.2"
    assert audit.created_by == org.auditor


def test_audit_form_refuses_unknown_clauses_and_bad_dates(org, process, as_user):
    data = {
        "title": "Purchasing",
        "audit_type": "internal",
        "process": process.pk,
        "clauses": "8.4, 11.2",
        "lead_auditor": org.auditor.pk,
        "planned_date": "mid May",
    }
    response = as_user(org.auditor).post("/audits/new/", data)
    content = response.content.decode()
    assert response.status_code == 200
    assert "Not clauses of ISO 9001:2015: 11.2" in content
    assert "YYYY-MM-DD" in content
    assert not Audit.objects.exists()


def test_audit_form_needs_a_process_or_an_area(org, as_user):
    data = {
        "title": "Somewhere",
        "audit_type": "internal",
        "lead_auditor": org.auditor.pk,
        "planned_date": "2026-05-14",
    }
    response = as_user(org.auditor).post("/audits/new/", data)
    assert b"Choose the process audited or name the area" in response.content


def test_audit_form_refuses_another_organisations_people_and_processes(org, other_org, as_user):
    theirs = Process.objects.create(organisation=other_org.organisation, name="Sales")
    data = {
        "title": "x",
        "audit_type": "internal",
        "process": theirs.pk,
        "lead_auditor": other_org.auditor.pk,
        "team": [other_org.staff.pk],
        "planned_date": "2026-05-14",
    }
    response = as_user(org.auditor).post("/audits/new/", data)
    content = response.content.decode()
    assert "Choose one of this organisation’s processes." in content
    assert "Choose a member of this organisation." in content
    assert not Audit.objects.exists()


def test_the_whole_audit_lifecycle_through_the_pages(org, process, as_user):
    audit = plan(org, process=process)
    auditor = as_user(org.auditor)
    assert auditor.post(f"/audits/{audit.pk}/start/", {"started_on": ""}).status_code == 302
    response = auditor.post(
        f"/audits/{audit.pk}/summary/", {"summary": "All fine.", "conclusion": "Effective."}
    )
    assert response.status_code == 302
    response = auditor.post(f"/audits/{audit.pk}/issue/", {"password": "wrong"})
    assert response.status_code == 422
    assert "password" in response.content.decode().lower()
    response = auditor.post(f"/audits/{audit.pk}/issue/", {"password": PASSWORD})
    assert response.status_code == 302
    response = auditor.post(f"/audits/{audit.pk}/close/", follow=True)
    assert "is closed" in response.content.decode()
    audit.refresh_from_db()
    assert audit.status == "closed"


def test_issuing_an_incomplete_report_explains_why(org, running_audit, as_user):
    response = as_user(org.auditor).post(
        f"/audits/{running_audit.pk}/issue/", {"password": PASSWORD}
    )
    assert response.status_code == 422
    assert "Write the summary of the audit first." in response.content.decode()


def test_a_bad_start_date_is_a_form_error(org, process, as_user):
    audit = plan(org, process=process)
    response = as_user(org.auditor).post(f"/audits/{audit.pk}/start/", {"started_on": "soon"})
    assert response.status_code == 422
    assert b"YYYY-MM-DD" in response.content


def test_raising_a_finding_through_the_form(org, running_audit, as_user):
    data = {
        "finding_type": "major",
        "clause": "Clause 7.1.5.",
        "description": "Gauges past calibration in use.",
        "evidence": "Gauge G-114 due 3 March, used 12 May.",
    }
    response = as_user(org.auditor).post(f"/audits/{running_audit.pk}/findings/new/", data)
    finding = Finding.objects.get()
    assert response.status_code == 302
    assert response.url == f"/audits/findings/{finding.pk}/"
    assert finding.clause == "7.1.5"
    assert finding.process == running_audit.process  # the audit's own process by default


@pytest.mark.parametrize("clause", ["11", "8.9", "4.4.3", "abc", ""])
def test_a_finding_with_an_unknown_clause_is_refused(org, running_audit, as_user, clause):
    data = {"finding_type": "minor", "clause": clause, "description": "d", "evidence": "e"}
    response = as_user(org.auditor).post(f"/audits/{running_audit.pk}/findings/new/", data)
    assert response.status_code == 200
    assert b"ISO 9001:2015" in response.content or b"required" in response.content
    assert not Finding.objects.exists()


def test_each_10_2_step_through_the_finding_page(org, finding, as_user):
    manager = as_user(org.manager)
    url = f"/audits/findings/{finding.pk}/"
    assert manager.post(url + "containment/", {"containment": "Posted WI-7."}).status_code == 302
    response = manager.post(
        url + "root-cause/",
        {"method": "five_whys", "why1": "Not printed", "root_cause": "No owner."},
    )
    assert response.status_code == 302
    response = manager.post(
        url + "actions/",
        {
            "title": "Name an owner",
            "owner": org.staff.pk,
            "due_date": "2030-01-31",
            "priority": "high",
        },
    )
    assert response.status_code == 302
    assert manager.post(url + "risks/", {"changes_risks": "no"}).status_code == 302
    action = finding.actions.get()
    complete(org, action)
    response = as_user(org.leader).post(
        url + "verify/", {"effective": "yes", "note": "Seen twice.", "password": PASSWORD}
    )
    assert response.status_code == 302
    response = as_user(org.auditor).post(url + "close/", follow=True)
    assert "is closed" in response.content.decode()
    finding.refresh_from_db()
    assert finding.status == FindingStatus.CLOSED
    page = as_user(org.staff).get(url).content.decode()
    assert (
        page.index('id="containment"')
        < page.index('id="root-cause"')
        < page.index('id="actions"')
        < page.index('id="risks"')
        < page.index('id="effectiveness"')
        < page.index('id="close"')
    )


def test_step_forms_with_bad_input_show_errors_and_save_nothing(org, finding, as_user):
    manager = as_user(org.manager)
    url = f"/audits/findings/{finding.pk}/"
    response = manager.post(url + "risks/", {"changes_risks": "yes", "note": ""})
    assert response.status_code == 422
    assert "Name the risk" in response.content.decode()
    response = manager.post(
        url + "actions/", {"title": "x", "owner": "999999", "due_date": "tomorrow"}
    )
    assert response.status_code == 422
    assert "Choose an owner from this organisation’s members." in response.content.decode()
    finding.refresh_from_db()
    assert finding.risk_changes is None
    assert not finding.actions.exists()


def test_closing_early_is_refused_with_the_reason(org, finding, as_user):
    response = as_user(org.auditor).post(f"/audits/findings/{finding.pk}/close/", follow=True)
    assert "cannot be closed yet" in response.content.decode()
    finding.refresh_from_db()
    assert finding.status == FindingStatus.OPEN


def test_staff_cannot_record_a_response(org, finding, as_user):
    response = as_user(org.staff).post(
        f"/audits/findings/{finding.pk}/containment/", {"containment": "x"}
    )
    assert response.status_code == 403


def test_the_owner_of_an_action_sees_why_they_cannot_verify(org, finding, as_user):
    respond(org, finding)
    complete(org, assign(org, finding, owner=org.manager))
    page = as_user(org.manager).get(f"/audits/findings/{finding.pk}/").content.decode()
    assert "You own or did one of the corrective actions" in page
    response = as_user(org.manager).post(
        f"/audits/findings/{finding.pk}/verify/",
        {"effective": "yes", "note": "ok", "password": PASSWORD},
    )
    assert response.status_code == 403


def test_verifying_effective_needs_the_password_field(org, finding, as_user):
    respond(org, finding)
    complete(org, assign(org, finding))
    response = as_user(org.leader).post(
        f"/audits/findings/{finding.pk}/verify/", {"effective": "yes", "note": "ok"}
    )
    assert response.status_code == 422
    assert "Re-enter your password" in response.content.decode()


def test_the_report_page_prints_the_findings(org, finding, as_user):
    response = as_user(org.staff).get(f"/audits/{finding.audit.pk}/report/")
    content = response.content.decode()
    assert finding.description in content
    assert "css/audits.css" in content
    assert "Draft" in content


def test_processes_are_managed_by_managers(org, as_user):
    response = as_user(org.manager).post(
        "/audits/processes/", {"name": "Calibration", "owner": org.staff.pk}
    )
    assert response.status_code == 302
    process = Process.objects.get(name="Calibration")
    response = as_user(org.manager).post("/audits/processes/", {"name": "calibration", "owner": ""})
    assert response.status_code == 422
    assert "already a process" in response.content.decode()
    assert as_user(org.staff).post("/audits/processes/", {"name": "X"}).status_code == 403
    response = as_user(org.manager).post(
        f"/audits/processes/{process.pk}/edit/", {"name": "Calibration & MSA", "owner": ""}
    )
    assert response.status_code == 302
    process.refresh_from_db()
    assert process.name == "Calibration & MSA"


# --- organisation isolation ------------------------------------------------------------


def test_another_organisations_audits_findings_and_processes_answer_404(org, other_org, as_user):
    from .conftest import start

    their_process = Process.objects.create(organisation=other_org.organisation, name="Sales")
    their_audit = start(other_org, plan(other_org, process=their_process))
    their_finding = raise_finding(other_org, their_audit)
    client = as_user(org.leader)
    gets = [
        f"/audits/{their_audit.pk}/",
        f"/audits/{their_audit.pk}/edit/",
        f"/audits/{their_audit.pk}/report/",
        f"/audits/{their_audit.pk}/findings/new/",
        f"/audits/findings/{their_finding.pk}/",
        f"/audits/findings/{their_finding.pk}/edit/",
        f"/audits/processes/{their_process.pk}/edit/",
    ]
    for url in gets:
        assert client.get(url).status_code == 404, url
    posts = ["start", "summary", "issue", "close"]
    for step in posts:
        assert client.post(f"/audits/{their_audit.pk}/{step}/").status_code == 404, step
    steps = ["containment", "root-cause", "actions", "check-date", "risks", "verify", "close"]
    for step in steps:
        url = f"/audits/findings/{their_finding.pk}/{step}/"
        assert client.post(url).status_code == 404, step
    listing = client.get("/audits/findings/").content.decode()
    assert their_finding.description not in listing
    programme = client.get(f"/audits/?year={their_audit.planned_date.year}").content.decode()
    assert their_audit.reference not in programme


def test_the_register_refuses_another_organisations_process_as_a_filter(
    org, other_org, finding, as_user
):
    theirs = Process.objects.create(organisation=other_org.organisation, name="Sales")
    response = as_user(org.leader).get(f"/audits/findings/?process={theirs.pk}")
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
