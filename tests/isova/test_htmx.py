"""HTMX: fragments for htmx, full pages without it, and CSRF enforced on htmx posts."""

import re

import pytest
from django.test import Client

from isova.models import Action

from .conftest import make_action, snapshot


def csrf_client(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def hx_headers_token(html: str) -> str:
    """The token base.html puts in <body hx-headers>, as htmx sends it."""
    match = re.search(r"hx-headers='\{\"X-CSRFToken\": \"([^\"]+)\"\}'", html)
    assert match, "base.html should carry the CSRF token in hx-headers"
    return match.group(1)


# --- CSRF ------------------------------------------------------------------------------------


def test_an_htmx_status_post_without_a_csrf_token_is_refused(org, action_of):
    action = action_of(owner=org.staff)
    before = snapshot(action)
    client = csrf_client(org.staff)
    client.get("/actions/mine/")  # sets the CSRF cookie, as a browser would have it
    response = client.post(
        f"/actions/{action.pk}/status/",
        {"status": "in_progress", "version": 1},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 403
    assert snapshot(action) == before


def test_an_htmx_status_post_with_the_token_from_hx_headers_works(org, action_of):
    action = action_of(owner=org.staff)
    client = csrf_client(org.staff)
    token = hx_headers_token(client.get("/actions/mine/").content.decode())
    response = client.post(
        f"/actions/{action.pk}/status/",
        {"status": "in_progress", "version": 1, "fragment": "card"},
        HTTP_HX_REQUEST="true",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 200
    assert Action.objects.get(pk=action.pk).status == "in_progress"


def test_a_wrong_csrf_token_is_refused(org, action_of):
    action = action_of(owner=org.staff)
    client = csrf_client(org.staff)
    client.get("/actions/mine/")
    response = client.post(
        f"/actions/{action.pk}/status/",
        {"status": "in_progress", "version": 1},
        HTTP_HX_REQUEST="true",
        HTTP_X_CSRFTOKEN="x" * 64,
    )
    assert response.status_code == 403
    assert Action.objects.get(pk=action.pk).status == "open"


def test_the_plain_status_form_carries_its_own_csrf_token(org, action_of):
    action = action_of(owner=org.staff)
    client = csrf_client(org.staff)
    page = client.get(f"/actions/{action.pk}/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = client.post(
        f"/actions/{action.pk}/status/",
        {"status": "done", "version": 1, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert Action.objects.get(pk=action.pk).status == "done"


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/actions/new/", {"title": "Sneaky", "priority": "low"}),
        ("/organisation/switch/", {"organisation": "1"}),
        ("/accounts/logout/", {}),
    ],
)
def test_other_posts_need_the_csrf_token_too(org, path, data):
    client = csrf_client(org.manager)
    response = client.post(path, data | {"owner": org.staff.pk})
    assert response.status_code == 403
    assert not Action.objects.filter(title="Sneaky").exists()
    assert client.get("/actions/").status_code == 200  # still logged in


# --- fragments and full pages --------------------------------------------------------------


def test_the_action_list_is_a_full_page_without_htmx(org, as_user, action_of):
    action_of(title="Listed")
    response = as_user(org.manager).get("/actions/?status=open")
    page = response.content.decode()
    assert "<html" in page
    assert 'id="results"' in page
    assert "Listed" in page
    assert 'class="filters"' in page


def test_the_action_list_is_only_the_results_fragment_for_htmx(org, as_user, action_of):
    action_of(title="Listed")
    response = as_user(org.manager).get("/actions/?status=open", HTTP_HX_REQUEST="true")
    fragment = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in fragment
    assert fragment.strip().startswith('<section id="results"')
    assert "Listed" in fragment
    assert 'class="filters"' not in fragment


def test_the_action_list_varies_on_the_htmx_header(org, as_user):
    """Browsers and caches must not serve the fragment for a normal visit of the same URL."""
    response = as_user(org.manager).get("/actions/")
    assert "HX-Request" in response.get("Vary", "")


def test_an_htmx_history_restore_gets_the_full_page(org, as_user):
    response = as_user(org.manager).get(
        "/actions/", HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in response.content.decode()


@pytest.mark.parametrize(
    ("fragment", "start"),
    [
        ("row", '<tr id="action-{pk}"'),
        ("card", '<li class="card action-card" id="action-card-{pk}"'),
    ],
)
def test_an_htmx_status_change_returns_the_updated_row_or_card(
    org, as_user, action_of, fragment, start
):
    action = action_of(owner=org.staff)
    response = as_user(org.staff).post(
        f"/actions/{action.pk}/status/",
        {"status": "in_progress", "version": 1, "fragment": fragment},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body
    assert body.strip().startswith(start.format(pk=action.pk))
    assert "In progress" in body
    assert "Saved" in body
    assert 'name="version" value="2"' in body  # ready for the next change


def test_the_same_status_change_without_htmx_redirects_back_with_a_message(org, as_user, action_of):
    action = action_of(owner=org.staff, title="Mop")
    client = as_user(org.staff)
    response = client.post(
        f"/actions/{action.pk}/status/",
        {"status": "in_progress", "version": 1, "next": "/actions/mine/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/actions/mine/"
    page = client.get("/actions/mine/").content.decode()
    assert "“Mop” is now in progress." in page


def test_every_inline_status_control_is_a_real_form_that_works_without_javascript(
    org, as_user, action_of
):
    action = action_of(owner=org.staff)
    for path in ["/actions/", "/actions/mine/"]:
        page = as_user(org.staff).get(path).content.decode()
        form = re.search(r'<form method="post" action="([^"]+)" class="status-form"', page)
        assert form and form.group(1) == f"/actions/{action.pk}/status/"
        assert f'hx-post="/actions/{action.pk}/status/"' in page


def test_every_hx_get_also_has_a_plain_href_or_action(org, as_user, action_of):
    action_of()
    page = as_user(org.manager).get("/actions/").content.decode()
    for tag in re.findall(r"<[^>]*hx-get=[^>]*>", page):
        assert "href=" in tag or "action=" in tag or 'method="get"' in tag, tag


def test_an_expired_session_during_an_htmx_post_sends_the_browser_to_the_login_page(
    org, client, action_of
):
    action = action_of(owner=org.staff)
    response = client.post(
        f"/actions/{action.pk}/status/",
        {"status": "done", "version": 1},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver/actions/mine/",
    )
    assert response.get("HX-Redirect", "").startswith("/accounts/login/?next=/actions/mine/")
    assert Action.objects.get(pk=action.pk).status == "open"


def test_an_expired_session_without_htmx_redirects_to_the_login_page(org, client):
    action = make_action(org)
    response = client.post(f"/actions/{action.pk}/status/", {"status": "done", "version": 1})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_inline_status_control_preselects_no_move(org, as_user):
    from tests.factories import ActionFactory

    ActionFactory(organisation=org.organisation, owner=org.staff, title="Sweep")
    html = as_user(org.staff).get("/actions/mine/").content.decode()
    assert '<option value="" selected disabled>Move to…</option>' in html
    assert 'name="status"' in html and "required" in html
