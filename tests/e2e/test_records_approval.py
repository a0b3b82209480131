import datetime

from playwright.sync_api import expect

from isova import records
from isova.models import QualityPolicy, RecordStatus, SignOff
from tests.factories import PASSWORD


def test_manager_submits_leader_approves_in_the_inbox_and_an_edit_opens_v2(
    transactional_db, org, login, url
):
    policy = QualityPolicy.objects.create(
        organisation=org.organisation,
        title="Quality policy",
        text="We deliver parts right first time.",
        owner=org.manager,
        effective_from=datetime.date(2026, 1, 1),
    )

    # The manager submits v1 from the policy page (swapped in place by htmx).
    page = login(org.manager)
    page.goto(url(policy.get_absolute_url()))
    panel = page.locator("#record-panel")
    expect(panel).to_contain_text("Draft: not yet submitted")
    panel.get_by_label("Note to the approver (optional)").fill("Annual review")
    panel.get_by_role("button", name="Submit version 1 for approval").click()
    expect(page.locator("#record-panel")).to_contain_text("awaiting a leader’s approval")

    # The leader approves it from the inbox, after one wrong password.
    page.context.clear_cookies()
    login(org.leader)
    page.get_by_role("link", name="Approvals", exact=True).click()
    card = page.locator(".approval", has_text="Quality policy")
    expect(card).to_contain_text("“Annual review”")
    card.get_by_label("Your password (to sign)").fill("not my password")
    card.get_by_role("button", name="Approve").click()
    card = page.locator(".approval", has_text="Quality policy")
    expect(card).to_contain_text("Nothing was signed")
    assert not SignOff.objects.exists()
    card.get_by_label("Your password (to sign)").fill(PASSWORD)
    card.get_by_role("button", name="Approve").click()
    expect(page.locator(".approval", has_text="Quality policy")).to_contain_text(
        "You approved version 1 of “Quality policy”."
    )

    # The record shows v1 approved.
    page.locator(".approval").get_by_role("link", name="Quality policy").click()
    panel = page.locator("#record-panel")
    expect(panel).to_contain_text("Approval · version 1 Approved")
    expect(panel).to_contain_text("Version 1 approved by Acme Leader")

    # An edit of the text opens v2, shown as changed since the approval; submitted, it waits.
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Policy text").fill("We deliver parts right first time, on time.")
    page.get_by_role("button", name="Save").click()
    panel = page.locator("#record-panel")
    expect(panel).to_contain_text("Changed since approved on")
    expect(panel).to_contain_text("version 2 Draft")
    expect(panel).to_contain_text("→ We deliver parts right first time, on time.")
    panel.get_by_role("button", name="Submit version 2 for approval").click()
    expect(page.locator("#record-panel")).to_contain_text(
        "Version 2 is awaiting a leader’s approval"
    )

    state = records.state(policy)
    assert (state.number, state.status) == (2, RecordStatus.SUBMITTED)
    assert [v.status for v in records.versions(policy)] == ["superseded", "submitted"]
    assert SignOff.objects.get().meaning == "approved"
