import datetime

from playwright.sync_api import expect

from isova.models import EvidencePack, SignOff
from tests.factories import PASSWORD
from tests.objectives.conftest import complete, make_objective


def test_a_leader_follows_a_gap_to_where_it_is_fixed_then_signs_the_pack(
    transactional_db, org, login, url
):
    objective = make_objective(
        org.organisation,
        org.manager,
        start_date=datetime.date.today() - datetime.timedelta(90),
        target_date=datetime.date.today() + datetime.timedelta(270),
    )
    complete(objective)
    objective.next_review_date = datetime.date.today() - datetime.timedelta(days=10)
    objective.save()

    page = login(org.leader)
    page.get_by_role("link", name="Evidence", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Leadership evidence")
    gaps = page.locator("#gaps-heading + ol")
    expect(gaps).to_contain_text("past its review date")

    # The gap's link leads to the objective reviews, where the overdue objective is listed.
    gaps.locator("li", has_text="past its review date").get_by_role("link").click()
    expect(page).to_have_url(url("/objectives/reviews/"))
    expect(page.locator("main")).to_contain_text(objective.title)

    # Back on the pack, the leader signs it with their password.
    page.go_back()
    page.get_by_label("Your password (to sign)").fill(PASSWORD)
    page.get_by_role("button", name="Sign as reviewed").click()
    expect(page.locator(".messages")).to_contain_text("You signed the leadership evidence pack")
    kept = EvidencePack.objects.get()
    assert SignOff.objects.filter(object_id=kept.pk, meaning="reviewed").count() == 1
    expect(page.locator("main")).to_contain_text("past its review date")
