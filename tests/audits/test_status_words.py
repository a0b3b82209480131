"""An audit's status badge does not say "done" (green "Reported") while its findings are open."""

from .conftest import raise_finding
from .test_audit_workflow import issue, write_report


def test_a_reported_audit_with_open_findings_says_how_many_are_open_and_is_not_green(
    org, running_audit, as_user
):
    raise_finding(org, running_audit)
    raise_finding(org, running_audit)
    audit = issue(org, write_report(org, running_audit))
    client = as_user(org.leader)
    for url in (f"/audits/{audit.pk}/", f"/audits/?year={audit.planned_date.year}"):
        html = client.get(url).content.decode()
        assert "Reported · 2 findings open" in html, url
        assert 'class="badge status-reported"' not in html, url
        assert 'class="badge status-reported-open"' in html, url


def test_a_reported_audit_without_open_findings_is_plainly_reported(org, running_audit, as_user):
    audit = issue(org, write_report(org, running_audit))
    html = as_user(org.leader).get(f"/audits/{audit.pk}/").content.decode()
    assert '<span class="badge status-reported">Reported</span>' in html
