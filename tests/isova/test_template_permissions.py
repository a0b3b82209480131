import pytest


@pytest.mark.parametrize(
    ("role", "shown"), [("leader", True), ("manager", True), ("staff", False), ("auditor", False)]
)
def test_new_action_button_shows_only_to_roles_that_may_create(org, as_user, role, shown):
    html = as_user(org.user(role)).get("/actions/").content.decode()
    assert ('href="/actions/new/"' in html) is shown
