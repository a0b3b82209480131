"""The navigation offers each role what it can use, and names objective reviews unambiguously."""

import re

import pytest

LINKS = re.compile(r"<a [^>]*>([^<]+)</a>")


def nav_links(html: str, label: str) -> list[str]:
    nav = html.split(f'<nav aria-label="{label}"', 1)[1].split("</nav>", 1)[0]
    return LINKS.findall(nav)


def test_staff_see_no_dashboard_or_approvals_in_the_main_navigation(org, as_user):
    links = nav_links(as_user(org.staff).get("/actions/mine/").content.decode(), "Main")
    assert "Dashboard" not in links
    assert "Approvals" not in links
    assert {"Objectives", "Actions", "My work"} <= set(links)


@pytest.mark.parametrize("role", ["leader", "manager", "auditor"])
def test_other_roles_keep_the_dashboard_and_approvals(org, as_user, role):
    links = nav_links(as_user(org.user(role)).get("/objectives/").content.decode(), "Main")
    assert {"Dashboard", "Approvals"} <= set(links)


def test_staff_still_reach_the_quality_policy_from_every_page(org, as_user):
    html = as_user(org.staff).get("/actions/mine/").content.decode()
    assert '<a href="/policy/">Our quality policy</a>' in html


def test_the_objectives_pages_name_their_reviews_objective_reviews(org, as_user):
    client = as_user(org.leader)
    for path in ("/objectives/", "/objectives/ours/", "/objectives/goals/"):
        links = nav_links(client.get(path).content.decode(), "Objectives")
        assert "Objective reviews" in links, path
    html = client.get("/objectives/reviews/").content.decode()
    assert "<h1>Objective reviews</h1>" in html
    assert 'aria-current="page">Objective reviews</a>' in html
    assert nav_links(html, "Main").count("Reviews") == 1  # management reviews keep the name
