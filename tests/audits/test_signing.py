"""Issuing a report and verifying effectiveness sign through isova.records."""

import json

from django.contrib.contenttypes.models import ContentType

from audits import services
from isova import records
from isova.models import SignOff
from tests.conftest import membership_of
from tests.factories import PASSWORD

from .conftest import assign, complete, raise_finding, respond, verify


def signoffs_of(obj):
    return list(
        SignOff.objects.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
        ).order_by("sequence")
    )


def test_issuing_the_report_writes_an_issued_signoff_with_the_findings(org, running_audit):
    finding = raise_finding(org, running_audit, description="Gauge G-114 out of calibration.")
    audit = services.audit_update(
        membership=membership_of(org.auditor, org.organisation),
        audit=running_audit,
        summary="One finding.",
        conclusion="Effective with one gap.",
    )
    services.audit_report(
        membership=membership_of(org.auditor, org.organisation),
        audit=audit,
        password=PASSWORD,
        comment="Sent to the MD.",
    )
    [signoff] = signoffs_of(audit)
    assert signoff.meaning == "issued"
    assert signoff.signer == org.auditor
    assert signoff.comment == "Sent to the MD."
    snapshot = json.loads(signoff.snapshot)
    assert snapshot["conclusion"] == "Effective with one gap."
    assert snapshot["findings"][0]["reference"] == finding.reference
    assert snapshot["findings"][0]["description"] == "Gauge G-114 out of calibration."
    count, breaks = records.verify_chain(org.organisation)
    assert (count, breaks) == (1, [])


def test_an_effective_check_writes_a_verified_signoff_with_the_actions(org, finding):
    finding = respond(org, finding)
    action = assign(org, finding, title="Post WI-7")
    complete(org, action)
    finding = verify(org, finding, by=org.auditor)
    [signoff] = signoffs_of(finding)
    assert signoff.meaning == "verified"
    assert signoff.signer == org.auditor
    snapshot = json.loads(signoff.snapshot)
    assert snapshot["effective"] is True
    assert snapshot["actions"] == [
        {
            "id": action.pk,
            "title": "Post WI-7",
            "owner": org.staff.get_full_name(),
            "status": "done",
            "due_date": action.due_date.isoformat(),
            "completion_note": "Done",
        }
    ]


def test_a_not_effective_check_is_recorded_unsigned(org, finding):
    finding = respond(org, finding)
    complete(org, assign(org, finding))
    verify(org, finding, effective=False)
    assert signoffs_of(finding) == []


def test_the_signature_shows_on_the_audit_and_report_pages(org, running_audit, as_user):
    audit = services.audit_update(
        membership=membership_of(org.auditor, org.organisation),
        audit=running_audit,
        summary="s",
        conclusion="c",
    )
    services.audit_report(
        membership=membership_of(org.auditor, org.organisation), audit=audit, password=PASSWORD
    )
    [signoff] = signoffs_of(audit)
    for url in (f"/audits/{audit.pk}/", f"/audits/{audit.pk}/report/"):
        page = as_user(org.staff).get(url).content.decode()
        assert signoff.hash in page
        assert "Issued</strong> by Acme Auditor" in page


def test_audits_and_findings_are_signed_never_submitted_for_approval(
    org, running_audit, finding, as_user
):
    import pytest

    from isova.models import RecordVersion

    manager = membership_of(org.manager, org.organisation)
    for obj in (running_audit, finding):
        with pytest.raises(records.RecordError, match="signed, not submitted"):
            records.submit(membership=manager, obj=obj)
    # nor through the generic records endpoint
    response = as_user(org.manager).post(f"/records/audits.finding/{finding.pk}/submit/")
    assert response.status_code in (302, 422)
    assert not RecordVersion.objects.exists()
