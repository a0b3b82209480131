"""Issue 3 in a real browser: a manager submits an objective, a leader approves it from the
inbox with their password, the record shows v1 approved; an edit shows v2 awaiting approval."""

import datetime
import re
from decimal import Decimal

from playwright.sync_api import expect

from isova import records
from isova.models import RecordStatus, SignOff
from objectives import services
from objectives.models import Objective, Status
from tests.conftest import membership_of
from tests.factories import PASSWORD
from tests.objectives.conftest import complete, make_objective

TITLE = "On-time delivery"


def _complete_draft(org) -> Objective:
    """A draft with every ISO 9001 6.2.2 element and one plan step, dated around today."""
    today = org.organisation.today()
    objective = make_objective(
        org.organisation,
        org.manager,
        title=TITLE,
        status=Status.DRAFT,
        baseline=Decimal("80"),
        target=Decimal("100"),
        start_date=today - datetime.timedelta(days=30),
        target_date=today + datetime.timedelta(days=300),
    )
    complete(objective)
    services.plan_step_add(
        membership=membership_of(org.manager, org.organisation),
        objective=objective,
        title="Weekly capacity review",
        owner=org.staff,
        due_date=today + datetime.timedelta(days=60),
    )
    return objective


def _inbox_card(page, number: int):
    return page.locator(".approval", has_text=TITLE).filter(has_text=f"version {number}")


def test_manager_submits_an_objective_leader_approves_it_in_the_inbox_and_an_edit_opens_v2(
    transactional_db, org, login, url
):
    objective = _complete_draft(org)
    detail = url(objective.get_absolute_url())

    # The manager submits version 1 with the objective page's own submit control.
    page = login(org.manager)
    page.goto(detail)
    expect(page.locator("#record-panel")).to_contain_text("Draft: not yet submitted")
    submit = page.locator("#submit")
    expect(submit).to_contain_text("Every element ISO 9001 6.2.2 asks for is filled in.")
    submit.get_by_label("Note to the approver (optional)").fill("Plan agreed with planning")
    submit.get_by_role("button", name="Submit version 1 for approval").click()
    expect(page.get_by_text("Submitted for approval. The leaders have been told.")).to_be_visible()
    expect(page.locator("#record-panel")).to_contain_text("Version 1 submitted by Acme Manager on")
    expect(page.locator("#record-panel")).to_contain_text("awaiting a leader’s approval")
    expect(page.locator(".page-head .badge").first).to_have_text("Submitted for approval")

    # The leader finds it in the Approvals inbox; a wrong password signs nothing.
    page.context.clear_cookies()
    login(org.leader)
    page.get_by_role("link", name="Approvals", exact=True).click()
    card = _inbox_card(page, 1)
    expect(card).to_contain_text("Objective · version 1 · submitted by Acme Manager")
    expect(card).to_contain_text("“Plan agreed with planning”")
    card.get_by_label("Your password (to sign)").fill("not my password")
    card.get_by_role("button", name=f"Approve “{TITLE}” version 1").click()
    card = _inbox_card(page, 1)
    expect(card.get_by_role("alert")).to_have_text("That is not your password. Nothing was signed.")
    assert not SignOff.objects.exists()
    shown = Objective.objects.with_shown_status().get(pk=objective.pk).shown_status
    assert shown == Status.SUBMITTED  # read from the record versions

    # The right password approves it in place, without leaving the inbox.
    card.get_by_label("Your password (to sign)").fill(PASSWORD)
    card.get_by_role("button", name=f"Approve “{TITLE}” version 1").click()
    card = _inbox_card(page, 1)
    expect(card.get_by_role("status")).to_have_text(
        re.compile(rf"^You approved version 1 of “{TITLE}”\. Sign-off #\d+\.$")
    )
    expect(card.get_by_label("Your password (to sign)")).to_have_count(0)
    assert page.url == url("/approvals/")  # decided in place, no navigation

    # The objective page shows version 1 approved by the leader, and the objective active.
    card.get_by_role("link", name=TITLE).click()
    page.wait_for_url(detail)
    panel = page.locator("#record-panel")
    expect(panel).to_contain_text("Approval · version 1 Approved")
    expect(panel).to_contain_text("Version 1 approved by Acme Leader on")
    expect(panel.locator("#version-1")).to_contain_text("Approved by Acme Leader (leader)")
    expect(panel).not_to_contain_text("Changed since approved")
    expect(page.locator(".page-head .badge").first).to_have_text("Active")

    # The manager changes the target: the approval is stale and version 2 is a draft.
    page.context.clear_cookies()
    login(org.manager)
    page.goto(detail)
    page.locator(".page-head").get_by_role("link", name="Edit").click()
    expect(page.get_by_role("heading", name="Edit objective")).to_be_visible()
    expect(page.locator(".message.warning")).to_contain_text(
        "Changing the target, dates, owner, measure, resources or plan of an approved objective"
        " asks the leaders to approve it again."
    )
    page.get_by_label(re.compile(r"^Target:?$")).fill("95")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(detail)
    expect(page.get_by_text("Objective saved.")).to_be_visible()
    panel = page.locator("#record-panel")
    expect(panel.locator(".stale-approval")).to_contain_text("Changed since approved on")
    expect(panel.locator(".stale-approval")).to_contain_text("(version 1, approved by Acme Leader)")
    expect(panel.locator(".stale-approval")).to_contain_text("A leader needs to approve version 2")
    expect(panel.locator(".stale-approval .changes")).to_contain_text("Target")
    expect(panel.locator(".stale-approval .changes")).to_contain_text("95")
    expect(panel).to_contain_text("Approval · version 2 Draft")
    expect(panel.locator("#version-1")).to_contain_text("Superseded")
    expect(page.locator(".page-head .badge").first).to_have_text("Active")

    # Submitted again, version 2 awaits a leader and shows in the inbox as version 2.
    page.locator("#submit").get_by_role("button", name="Submit version 2 for approval").click()
    expect(page.get_by_text("Submitted for approval. The leaders have been told.")).to_be_visible()
    expect(page.locator("#record-panel .stale-approval")).to_contain_text(
        "Version 2 is awaiting a leader’s approval."
    )
    page.context.clear_cookies()
    login(org.leader)
    page.get_by_role("link", name="Approvals", exact=True).click()
    card = _inbox_card(page, 2)
    expect(card).to_contain_text("Objective · version 2 · submitted by Acme Manager")
    expect(card.locator(".changes")).to_contain_text("Target")
    expect(card.get_by_role("button", name=f"Approve “{TITLE}” version 2")).to_be_visible()
    expect(_inbox_card(page, 1)).to_have_count(0)

    rows = records.versions(objective)
    assert [(v.number, v.status) for v in rows] == [
        (1, RecordStatus.SUPERSEDED),
        (2, RecordStatus.SUBMITTED),
    ]
    assert rows[0].decided_by == org.leader
    signoff = SignOff.objects.get()
    assert (signoff.meaning, signoff.signer, signoff.version_id) == (
        "approved",
        org.leader,
        rows[0].pk,
    )
    objective.refresh_from_db()
    assert (objective.status, objective.target) == (Status.ACTIVE, Decimal("95"))
