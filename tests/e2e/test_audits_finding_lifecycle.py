"""An auditor raises a finding, a manager responds and assigns an action, staff completes it,
another person verifies its effectiveness (signing with their password), the finding closes."""

import datetime

from playwright.sync_api import expect

from audits import services
from audits.models import Audit, Finding, FindingStatus, Process
from isova.models import SignOff
from tests.conftest import membership_of
from tests.factories import PASSWORD


def switch_user(page, login, user):
    page.context.clear_cookies()
    return login(user)


def test_a_finding_goes_from_raised_to_closed_through_four_people(
    transactional_db, org, login, url
):
    process = Process.objects.create(
        organisation=org.organisation, name="CNC machining", owner=org.manager
    )
    audit = services.audit_plan(
        membership=membership_of(org.auditor, org.organisation),
        title="CNC machining",
        audit_type="internal",
        process=process,
        lead_auditor=org.auditor,
        planned_date=org.organisation.today(),
    )
    services.audit_start(membership=membership_of(org.auditor, org.organisation), audit=audit)

    # The auditor raises a minor nonconformity against clause 8.5.1.
    page = login(org.auditor)
    page.goto(url(f"/audits/{audit.pk}/"))
    page.get_by_role("link", name="Raise a finding").click()
    page.get_by_label("Type").select_option("minor")
    page.get_by_label("Clause").fill("8.5.1")
    page.get_by_label("Description").fill("Set-up sheet SS-44 not followed on the 5-axis cell.")
    page.get_by_label("Objective evidence").fill("Job 6120: clamping differed from SS-44.")
    page.get_by_role("button", name="Raise finding").click()
    expect(page.get_by_role("heading", name=f"Finding {audit.reference}/1")).to_be_visible()
    expect(page.get_by_text("raised; response due")).to_be_visible()
    finding = Finding.objects.get()
    finding_url = url(f"/audits/findings/{finding.pk}/")

    # The manager records containment, root cause and risk decision, and assigns an action.
    page = switch_user(page, login, org.manager)
    page.goto(finding_url)
    page.get_by_label("Containment and correction").fill("Job 6120 parts re-inspected.")
    page.get_by_role("button", name="Save containment").click()
    expect(page.get_by_text("Containment saved.")).to_be_visible()
    page.get_by_label("Why? (1)").fill("The setter used last year's sheet.")
    page.get_by_label("Root cause:", exact=True).fill("Old set-up sheets stay in the cell.")
    page.get_by_role("button", name="Save root cause").click()
    expect(page.get_by_text("Root cause saved.")).to_be_visible()
    page.get_by_label("Corrective action").fill("Withdraw old set-up sheets")
    page.get_by_label("Owner").select_option(label=f"{org.staff.get_full_name()} (staff)")
    due = org.organisation.today() + datetime.timedelta(days=14)
    page.get_by_label("Due").fill(due.isoformat())
    page.get_by_role("button", name="Assign action").click()
    expect(page.get_by_text("Corrective action assigned.")).to_be_visible()
    page.locator("#risks").get_by_label("No").check()
    page.get_by_role("button", name="Save decision").click()
    expect(page.get_by_text("Risk decision saved.")).to_be_visible()
    expect(page.locator("#close")).to_contain_text("not done yet")

    # Staff completes the action from their own list.
    page = switch_user(page, login, org.staff)
    assert page.url.endswith("/actions/mine/")
    action = finding.actions.get()
    card = page.locator(f"#action-card-{action.pk}")
    card.get_by_label("New status for “Withdraw old set-up sheets”").select_option("done")
    expect(page.locator(f"#action-card-{action.pk}").get_by_text("Saved")).to_be_visible()

    # Someone who owns none of the actions (the leader) verifies, signing, then closes.
    page = switch_user(page, login, org.leader)
    page.goto(finding_url)
    check = page.locator("#effectiveness")
    check.get_by_label("Effective", exact=True).check()
    check.get_by_label("Evidence").fill("Three set-ups observed: all used the current SS-44.")
    check.get_by_label("Your password").fill("not my password")
    check.get_by_role("button", name="Record the check").click()
    expect(page.get_by_text("That is not your password. Nothing was signed.")).to_be_visible()
    check = page.locator("#effectiveness")
    check.get_by_label("Effective", exact=True).check()
    check.get_by_label("Your password").fill(PASSWORD)
    check.get_by_role("button", name="Record the check").click()
    expect(page.get_by_text("Effectiveness check recorded.")).to_be_visible()
    page.get_by_role("button", name="Close finding").click()
    expect(page.get_by_text(f"Finding {audit.reference}/1 is closed.")).to_be_visible()
    expect(page.locator("#close")).to_contain_text("Closed on")

    finding.refresh_from_db()
    assert finding.status == FindingStatus.CLOSED
    assert finding.effectiveness_by == org.leader
    assert SignOff.objects.filter(object_id=finding.pk, meaning="verified").count() == 1
    assert Audit.objects.get().findings.unresolved().count() == 0
