"""Field history reads every model's rows, including those with many-to-many history."""

from audits import services
from isova import history
from tests.audits.conftest import plan
from tests.conftest import membership_of


def test_the_history_of_an_audit_whose_team_changed_reads_without_error(org):
    audit = plan(org, team=[org.staff])
    services.audit_update(
        membership=membership_of(org.auditor, org.organisation),
        audit=audit,
        team=[org.manager],
        title="Production control, second go",
    )
    rows = list(audit.history.order_by("-history_date", "-history_id"))
    entries = history.entries(rows, users={u.pk: u for u in (org.staff, org.manager)})
    changed = [c.field for e in entries for c in e.changes]
    assert "title" in changed
    assert "audit team" in changed


def test_an_htmx_submit_of_an_audit_through_the_record_endpoint_is_no_server_error(org, as_user):
    audit = plan(org, team=[org.staff])
    services.audit_update(
        membership=membership_of(org.auditor, org.organisation), audit=audit, team=[org.manager]
    )
    response = as_user(org.manager).post(
        f"/records/audits.audit/{audit.pk}/submit/", HTTP_HX_REQUEST="true"
    )
    assert response.status_code < 500
