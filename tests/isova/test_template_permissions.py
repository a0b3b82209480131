import pytest


@pytest.mark.parametrize(
    ("role", "shown"), [("leader", True), ("manager", True), ("staff", False), ("auditor", False)]
)
def test_new_action_button_shows_only_to_roles_that_may_create(org, as_user, role, shown):
    html = as_user(org.user(role)).get("/actions/").content.decode()
    assert ('href="/actions/new/"' in html) is shown


def test_templates_read_permissions_by_their_dotted_names_only(org, as_user):
    can = as_user(org.manager).get("/actions/").context["can"]
    assert can["isova"]["action"]["create"] is True
    assert can["objectives"]["objective"]["create"] is True
    assert can["audits"]["finding"]["assign"] is True
    assert can["isova"]["record"]["approve"] is False  # a manager
    flat = [key for key in can if "_" in key]
    assert flat == [], flat


def test_every_permission_follows_the_app_entity_verb_scheme(db):
    from isova.accounts.tenancy import PERMISSIONS

    apps = ("isova.", "objectives.", "audits.", "risks.", "reviews.", "decisions.", "resources.")
    assert PERMISSIONS and all(n.startswith(apps) and n.count(".") == 2 for n in PERMISSIONS), [
        n for n in PERMISSIONS if not (n.startswith(apps) and n.count(".") == 2)
    ]
