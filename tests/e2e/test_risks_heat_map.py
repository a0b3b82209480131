"""Issue 11 in a real browser: a manager raises a High risk with a plan and submits it, a
leader approves it from the inbox with their password, and the heat map shows it in the
right cell, whose link lists it in the register."""

import re

from playwright.sync_api import expect

from isova import records
from risks.models import Risk
from tests.factories import PASSWORD

TITLE = "Spindle bearing failure on the Mazak"


def test_manager_raises_a_high_risk_leader_approves_it_and_the_heat_map_cell_lists_it(
    transactional_db, org, login, url
):
    # The manager raises the risk: likely (4) × major (4) = 16, High.
    page = login(org.manager)
    page.goto(url("/risks/new/"))
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Inherent likelihood").select_option(label="4 – Likely")
    page.get_by_label("Inherent impact").select_option(label="4 – Major")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"R-001 {TITLE}")
    expect(page.locator(".scores")).to_contain_text("High (16)")
    risk = Risk.objects.get()

    # Its plan: one treatment action, then it is submitted for approval.
    page.get_by_role("link", name="Add a treatment action").click()
    page.get_by_label("Title").fill("Fit vibration monitoring")
    page.get_by_label("Owner").select_option(label=f"{org.staff.get_full_name()} (staff)")
    page.get_by_role("button", name="Add").click()
    expect(page.get_by_text("Treatment action added.")).to_be_visible()
    page.get_by_role("button", name="Submit version 1 for approval").click()
    expect(page.locator("#record-panel")).to_contain_text("awaiting a leader’s approval")

    # The leader approves it from the inbox with their password.
    page.context.clear_cookies()
    login(org.leader)
    page.get_by_role("link", name="Approvals", exact=True).click()
    card = page.locator(".approval", has_text=TITLE)
    card.get_by_label("Your password (to sign)").fill(PASSWORD)
    card.get_by_role("button", name=re.compile(r"^Approve")).click()
    expect(card.get_by_role("status")).to_contain_text("You approved version 1")
    assert records.state(risk).is_approved

    # The heat map shows it in likelihood 4 × impact 4, High, on both maps.
    page.goto(url("/risks/heat-map/"))
    residual = page.locator("#map-residual").locator("xpath=..")
    cell = residual.get_by_role("link", name="1 in likelihood 4, impact 4: High")
    expect(cell).to_be_visible()
    expect(cell).to_contain_text("1")
    cell.click()
    expect(page.locator("#results .count")).to_have_text("1 risk and opportunity")
    expect(page.locator("#results")).to_contain_text(TITLE)
