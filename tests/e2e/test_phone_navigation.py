"""On a 390 x 844 phone every section of the main navigation is on screen (none scrolled out
of sight), and the header stays compact (under 15 % of the screen's height)."""

from tests.factories import PASSWORD

PHONE = {"width": 390, "height": 844}
NAV_LINKS = """() => Array.from(document.querySelectorAll('.main-nav a')).map(a => {
  const r = a.getBoundingClientRect();
  return {text: a.textContent.trim(), left: r.left, right: r.right, width: r.width};
})"""
HEADER_HEIGHT = "() => document.querySelector('.site-header').getBoundingClientRect().height"


def test_every_section_is_on_screen_and_the_header_is_compact_on_a_phone(
    transactional_db, org, browser, url
):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        page.goto(url("/accounts/login/"))
        page.get_by_label("E-mail address").fill(org.leader.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(lambda u: "/accounts/login/" not in u)
        links = page.evaluate(NAV_LINKS)
        assert len(links) >= 7, links
        hidden = [a["text"] for a in links if a["left"] < 0 or a["right"] > PHONE["width"]]
        assert hidden == [], f"off screen: {hidden}"
        assert page.evaluate(HEADER_HEIGHT) < 0.15 * PHONE["height"]
    finally:
        context.close()
