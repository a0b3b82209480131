import datetime

from playwright.sync_api import expect

from isova.models import Action, SignOff
from reviews.models import Review, ReviewStatus
from reviews.pack import section_keys
from tests.factories import PASSWORD


def test_a_leader_prepares_a_review_from_the_live_pack_holds_it_decides_and_signs(
    transactional_db, org, login, url
):
    page = login(org.leader)
    page.goto(url("/reviews/"))
    page.get_by_role("link", name="Plan a review").first.click()
    page.get_by_label("Title").fill("Q4 management review")
    page.get_by_label("Meeting date").fill(datetime.date.today().isoformat())
    page.get_by_label("The pack covers data from").fill(
        (datetime.date.today() - datetime.timedelta(days=90)).isoformat()
    )
    page.get_by_label("Acme Manager").check()
    page.get_by_role("button", name="Plan the review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Q4 management review")

    # The live pack: a presenter's comment saved in place (htmx).
    section = page.locator("#section-reviews_feedback")
    expect(section).to_contain_text("No data for this period.")
    section.get_by_label("Presenter's comment").fill("No complaints this quarter.")
    section.get_by_role("button", name="Save comment").click()
    expect(page.locator("#section-reviews_feedback")).to_contain_text("Saved.")

    page.get_by_role("button", name="Hold the meeting and freeze the pack").click()
    expect(page.get_by_text("the inputs pack is frozen")).to_be_visible()

    attendance = page.locator("#attendance")
    attendance.get_by_label("Acme Leader").select_option("present")
    attendance.get_by_label("Acme Manager").select_option("apologies")
    attendance.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_text("Attendance saved.")).to_be_visible()

    for key in section_keys():
        box = page.locator(f"#section-{key}")
        box.get_by_label("Discussion").fill("Discussed and accepted.")
        box.get_by_role("button", name="Save discussion").click()
        expect(page.locator(f"#section-{key}")).to_contain_text("Saved.")

    outputs = page.locator("#outputs")
    outputs.get_by_label("Type of output").select_option("resources")
    outputs.get_by_label("Decision").fill("Train a second CMM operator")
    outputs.get_by_label("Action owner").select_option(label="Acme Staff (staff)")
    outputs.get_by_label("Due date").fill(
        (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
    )
    outputs.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Decision recorded and the action assigned.")).to_be_visible()
    expect(page.locator("#outputs")).to_contain_text("Acme Staff")

    sign = page.locator("#sign")
    sign.get_by_label("Your password (to sign the minutes)").fill(PASSWORD)
    sign.get_by_role("button", name="Sign the minutes and close the review").click()
    expect(page.get_by_text("Minutes signed: the review is closed.")).to_be_visible()

    review = Review.objects.get()
    assert review.status == ReviewStatus.CLOSED
    action = Action.objects.get()
    assert action.source == review and action.owner == org.staff
    assert SignOff.objects.get().meaning == "approved minutes"
    page.get_by_role("link", name="Signed minutes").click()
    expect(page.locator("article.minutes")).to_contain_text("No complaints this quarter.")
    expect(page.locator("article.minutes")).to_contain_text("Approved minutes by Acme Leader")


PHONE = {"width": 390, "height": 844}
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def test_staff_make_a_suggestion_on_a_phone_and_the_reviews_pages_fit_the_screen(
    transactional_db, org, browser, url
):
    from reviews import services
    from tests.conftest import membership_of
    from tests.reviews.conftest import hold_and_discuss, plan_review

    review = hold_and_discuss(org, plan_review(org))
    services.output_add(
        membership=membership_of(org.leader, org.organisation),
        review=review,
        kind="improvement",
        decision="A long decision about shadow boards on every machine in every cell",
        owner=org.staff,
    )
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        page.goto(url("/accounts/login/"))
        page.get_by_label("E-mail address").fill(org.staff.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(lambda u: "/accounts/login/" not in u)
        page.goto(url("/reviews/feedback/mine/"))
        page.get_by_label("Your suggestion").fill("Label the gauges by size")
        page.get_by_role("button", name="Send my suggestion").click()
        expect(page.get_by_text("your suggestion is recorded")).to_be_visible()
        expect(page.locator("main")).to_contain_text("Label the gauges by size")
        too_wide = {}
        for path in (
            "/reviews/",
            review.get_absolute_url(),
            f"/reviews/{review.pk}/minutes/",
            "/reviews/feedback/mine/",
            "/reviews/policy/",
            "/reviews/context/",
        ):
            page.goto(url(path))
            if (extra := page.evaluate(OVERFLOW)) > 0:
                too_wide[path] = f"{extra}px wider than the screen"
        assert too_wide == {}
    finally:
        context.close()
