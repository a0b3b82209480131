"""Issue 27 in a real browser: the leader opens the workload, sees the manager over-allocated
in March, opens that month and reassigns one of the manager's actions to a member of staff;
the figures change."""

import datetime
import re
from decimal import Decimal

from playwright.sync_api import expect

from isova.models import Action
from isova.resources import services
from tests.conftest import membership_of
from tests.objectives.conftest import make_objective

MARCH = datetime.date(2027, 3, 1)


def test_a_leader_reassigns_an_over_allocated_managers_action_and_the_figures_change(
    transactional_db, org, login, url
):
    plan = make_objective(org.organisation, org.manager, title="Raise on-time delivery")
    services.allocation_add(
        membership=membership_of(org.leader, org.organisation),
        plan=plan,
        person=org.manager,
        hours=Decimal(30),
        start_month=MARCH,
        end_month=MARCH,
    )
    action = Action.objects.create(
        organisation=org.organisation,
        title="Prepare the customer's quarterly review",
        owner=org.manager,
        due_date=datetime.date(2027, 3, 15),
        estimated_effort_hours=Decimal(20),
    )
    manager, staff = org.manager.get_full_name(), org.staff.get_full_name()

    page = login(org.leader)
    page.get_by_role("link", name="Workload", exact=True).click()
    page.get_by_label("From month").fill("2027-02")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#over-summary")).to_contain_text("1 person is over-allocated")
    cell = page.get_by_role(
        "link", name=f"{manager}, March 2027: 50 of 40 hours, over-allocated by 10"
    )
    expect(cell).to_be_visible()
    cell.click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"{manager}, March 2027")
    expect(page.locator(".figure")).to_contain_text("Over-allocated by 10 h")
    page.get_by_label(f"Reassign {action.title} to").select_option(label=f"{staff} (40 h free)")
    page.locator("tr", has_text=action.title).get_by_role("button", name="Reassign").click()

    expect(page.get_by_text(f"Reassigned “{action.title}” to {staff}.")).to_be_visible()
    expect(page.locator(".figure")).to_contain_text("30 h committed of 40 h")
    expect(page.locator(".figure")).not_to_contain_text("Over-allocated")
    page.locator(".crumbs").get_by_role("link", name="Workload", exact=True).click()
    expect(
        page.get_by_role("link", name=re.compile(rf"^{staff}, March 2027: 20 of 40"))
    ).to_be_visible()
    expect(page.locator("#over-summary")).to_contain_text("Nobody is over-allocated")
    action.refresh_from_db()
    assert action.owner == org.staff
