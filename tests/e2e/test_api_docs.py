"""The API docs page draws Swagger UI from our static files under our CSP, and a token made
on the profile page works in it."""

from playwright.sync_api import expect


def test_the_api_docs_render_under_the_content_security_policy(transactional_db, page, url):
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto(url("/api/v1/docs/"))
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("isova API")
    expect(page.get_by_text("/api/v1/actions/", exact=True).first).to_be_visible()
    assert violations == []


def test_a_token_made_on_the_profile_page_is_shown_once(transactional_db, org, login, url):
    page = login(org.staff)
    page.goto(url("/account/api/tokens/"))
    page.get_by_label("Name").fill("Phone shortcut")
    page.get_by_role("button", name="Make the token").click()
    secret = page.get_by_label("Token").input_value()
    assert secret.startswith("isova_")
    page.goto(url("/account/api/tokens/"))
    expect(page.get_by_role("cell", name="Phone shortcut")).to_be_visible()
    assert secret not in page.content()
