"""The main navigation marks exactly the section a page belongs to (by its first path segment)."""

import re

from tests.audits.conftest import plan, raise_finding, start

CURRENT = re.compile(r'<a href="[^"]*"\s+aria-current="page">([^<]+)</a>')


def current_sections(html: str) -> list[str]:
    main_nav = html.split('<nav aria-label="Main"', 1)[1].split("</nav>", 1)[0]
    return CURRENT.findall(main_nav)


def test_the_reviews_of_objectives_page_is_in_objectives_not_in_reviews(org, as_user):
    response = as_user(org.leader).get("/objectives/reviews/")
    assert response.status_code == 200
    assert current_sections(response.content.decode()) == ["Objectives"]


def test_a_finding_shown_again_after_a_rejected_corrective_action_is_in_audits_only(org, as_user):
    finding = raise_finding(org, start(org, plan(org)))
    response = as_user(org.manager).post(f"/audits/findings/{finding.pk}/actions/", {})
    assert response.status_code == 422  # the form's errors on the finding's page
    assert current_sections(response.content.decode()) == ["Audits"]


def test_each_section_marks_its_own_link(org, as_user):
    client = as_user(org.leader)
    for path, section in [
        ("/dashboard/", "Dashboard"),
        ("/objectives/", "Objectives"),
        ("/audits/", "Audits"),
        ("/risks/", "Risks"),
        ("/reviews/", "Reviews"),
        ("/actions/", "Actions"),
        ("/actions/mine/", "My work"),
        ("/approvals/", "Approvals"),
        ("/policy/", "Approvals"),
    ]:
        assert current_sections(client.get(path).content.decode()) == [section], path
