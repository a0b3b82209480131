"""The web flow and the exports: permission first, every step without JavaScript, clear
messages, formula-safe files with dates as dates."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from isova.imports.models import ImportUpload, SavedMapping
from risks.models import Risk
from tests.isova.imports.test_risks_import import REGISTER
from tests.risks.conftest import raise_risk


def _upload(client, kind="risks", data=None, name="register.csv", **extra):
    data = REGISTER.encode() if data is None else data
    return client.post(
        reverse("imports:upload", args=[kind]), {"file": SimpleUploadedFile(name, data), **extra}
    )


def test_staff_cannot_import_risks_and_the_file_is_not_read(org, as_user):
    response = _upload(as_user(org.staff))
    assert response.status_code == 403
    assert not ImportUpload.objects.exists()


def test_an_unknown_kind_is_404(org, as_user):
    assert _upload(as_user(org.leader), kind="nope").status_code == 404


def test_another_organisations_upload_is_404(org, other_org, as_user):
    _upload(as_user(other_org.leader))
    upload = ImportUpload.objects.get()
    for step in ("columns", "values", "preview"):
        assert (
            as_user(org.leader).get(reverse(f"imports:{step}", args=[upload.pk])).status_code == 404
        )


def test_the_whole_flow_imports_the_register_and_saves_the_mapping(
    org, as_user, django_capture_on_commit_callbacks
):
    client = as_user(org.manager)
    response = _upload(client)
    upload = ImportUpload.objects.get()
    assert response.url == reverse("imports:columns", args=[upload.pk])
    page = client.get(response.url).content.decode()
    assert 'value="mapped:title" selected' in page and "Risk Description" not in page
    form = {
        f"col{i}": v
        for i, v in enumerate(
            [
                "kept:external_ref",
                "mapped:title",
                "mapped:kind",
                "mapped:category",
                "mapped:inherent_likelihood",
                "mapped:inherent_impact",
                "mapped:owner",
                "ignored",
                "mapped:next_review_date",
                "mapped:status",
                "kept:notes",
            ]
        )
    }
    response = client.post(reverse("imports:columns", args=[upload.pk]), form)
    assert response.url == reverse("imports:values", args=[upload.pk])
    page = client.get(response.url).content.decode()
    assert "Mitigated" in page and "Day first" in page
    # Every value field as the page suggests it (what a browser posts without changes).
    import re

    posted = dict(
        re.findall(r'<select name="(v\d+_\d+)".*?<option value="([^"]*)" selected', page, re.S)
    )
    assert len(posted) == 16
    response = client.post(reverse("imports:values", args=[upload.pk]), {**posted, "dates": "dmy"})
    assert response.url == reverse("imports:preview", args=[upload.pk])
    page = client.get(response.url).content.decode()
    assert "3 rows: 3 to create, 0 to update" in page
    with django_capture_on_commit_callbacks(execute=True):  # the task, in-process
        response = client.post(response.url, {"save_as": "Old register"})
    assert response.url == reverse("imports:result", args=[upload.pk])
    assert Risk.objects.filter(organisation=org.organisation).count() == 3
    late = Risk.objects.get(external_ref="RR-01")
    assert "Mitigation: Second supplier approved" in late.description
    assert "Date Identified" not in late.description
    assert SavedMapping.objects.get().mapping["columns"]["Date Identified"]["action"] == "ignored"
    assert b"3 created" in client.get(response.url).content
    # Posting the import again saves nothing twice.
    with django_capture_on_commit_callbacks(execute=True) as queued:
        client.post(reverse("imports:preview", args=[upload.pk]))
    assert queued == []
    assert Risk.objects.filter(organisation=org.organisation).count() == 3


def test_the_preview_lists_every_error_and_offers_no_import_button(
    org, as_user, django_capture_on_commit_callbacks
):
    client = as_user(org.leader)
    bad = REGISTER.replace("Acme Leader", "Bob Nobody").replace("Low,High", "Low,Enormous")
    _upload(client, data=bad.encode())
    upload = ImportUpload.objects.get()
    page = client.get(reverse("imports:preview", args=[upload.pk])).content.decode()
    assert "“Bob Nobody” is not a member" in page and "“Enormous”" in page
    assert "Import 3 rows" not in page
    # Posted all the same: the import fails, saving nothing, and its page lists the errors.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("imports:preview", args=[upload.pk]))
    page = client.get(response.url).content.decode()
    assert "Nothing was saved" in page
    assert "“Bob Nobody” is not a member" in page and "“Enormous”" in page
    assert not Risk.objects.exists()


def test_an_oversized_or_non_tabular_upload_gets_a_clear_message(org, as_user):
    client = as_user(org.leader)
    response = _upload(client, data=b"a,b\n" + b"x" * (10 * 1024 * 1024 + 1))
    assert response.status_code == 422 and "the limit is 10 MB" in response.content.decode()
    response = _upload(client, data=b"\x89PNG\r\n\x1a\n\x00\x00", name="logo.png")
    assert response.status_code == 422 and "not text" in response.content.decode()
    assert not ImportUpload.objects.exists()


def test_a_saved_mapping_is_applied_to_the_next_file(org, as_user):
    SavedMapping.objects.create(
        organisation=org.organisation,
        kind="risks",
        name="Old tool",
        mapping={"columns": {"Mitigation": {"field": None, "action": "ignored"}}, "values": {}},
    )
    client = as_user(org.leader)
    saved = SavedMapping.objects.get()
    _upload(client, saved=str(saved.pk))
    mapping = ImportUpload.objects.get().mapping
    assert mapping["columns"]["Mitigation"]["action"] == "ignored"
    assert mapping["columns"]["Risk"]["field"] == "title"


def test_the_csv_export_is_formula_safe_and_filtered_as_on_screen(org, as_user):
    raise_risk(org, title="=cmd|' /C calc'!A0")
    raise_risk(org, title="Opportunity", kind="opportunity", treatment="pursue")
    client = as_user(org.manager)
    body = client.get(
        reverse("imports:export", args=["risks", "csv"]) + "?kind=risk"
    ).content.decode("utf-8-sig")
    assert "'=cmd" in body and "Opportunity" not in body.split("\n", 1)[1]
    assert client.get(reverse("imports:export", args=["risks", "pdf"])).status_code == 404


def test_the_xlsx_export_keeps_dates_as_dates_and_formulas_as_text(org, as_user):
    from openpyxl import load_workbook

    raise_risk(org, title="=1+1", next_review_date=datetime.date(2026, 7, 1))
    response = as_user(org.leader).get(reverse("imports:export", args=["risks", "xlsx"]))
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Risks", "Assessments", "Treatment actions"]
    ws = book["Risks"]
    headers = [c.value for c in ws[1]]
    row = list(ws[2])
    title = row[headers.index("Title")]
    assert title.value == "=1+1" and title.data_type == "s"
    review = row[headers.index("Next review date")]
    assert review.is_date and review.value.date() == datetime.date(2026, 7, 1)


@pytest.mark.parametrize(
    "name",
    [
        "actions",
        "objectives",
        "objective_values",
        "findings",
        "risks",
        "reviews",
        "feedback",
        "audit_programme",
    ],
)
def test_every_register_exports_as_csv_and_xlsx(org, as_user, name):
    client = as_user(org.leader)
    for fmt in ("csv", "xlsx"):
        response = client.get(reverse("imports:export", args=[name, fmt]))
        assert response.status_code == 200
        assert f"{name}-{org.organisation.slug}" in response["Content-Disposition"]


def test_staff_cannot_export_feedback(org, as_user):
    assert (
        as_user(org.staff).get(reverse("imports:export", args=["feedback", "csv"])).status_code
        == 403
    )


@pytest.mark.parametrize("name", ["objectives", "risks", "decisions"])
def test_staff_cannot_export_a_register_holding_changes_awaiting_approval(org, as_user, name):
    """Staff read the last approved version of everything (issue 22.3); these exports hold
    the rows as they stand, a change awaiting approval included."""
    raise_risk(org)
    url = reverse("imports:export", args=[name, "csv"])
    refused = as_user(org.staff).get(url)
    assert refused.status_code == 403
    assert "awaiting approval" in refused.content.decode()
    assert as_user(org.auditor).get(url).status_code == 200
    assert as_user(org.manager).get(url).status_code == 200
    # measured values are not approved records: staff export those
    values = reverse("imports:export", args=["objective_values", "csv"])
    assert as_user(org.staff).get(values).status_code == 200
    index = as_user(org.staff).get(reverse("imports:index")).content.decode()
    assert url not in index and values in index
    register = as_user(org.staff).get(reverse("risks:index")).content.decode()
    assert url not in register


def test_the_index_lists_what_the_member_may_import(org, as_user):
    page = as_user(org.staff).get(reverse("imports:index")).content.decode()
    assert "Import risks" not in page and "Export" in page
    page = as_user(org.manager).get(reverse("imports:index")).content.decode()
    assert "Import risks and opportunities" in page


def test_the_findings_export_is_filtered_as_the_register_page(org, as_user):
    from tests.audits.conftest import plan, raise_finding, start

    audit = start(org, plan(org))
    raise_finding(org, audit, description="Minor one")
    raise_finding(org, audit, finding_type="observation", description="An observation")
    client = as_user(org.auditor)
    body = client.get(reverse("imports:export", args=["findings", "csv"]) + "?type=observation")
    text = body.content.decode("utf-8-sig")
    assert "An observation" in text and "Minor one" not in text
    page = client.get(reverse("audits:finding_list") + "?type=observation").content.decode()
    assert "type=observation" in page  # the export links carry the filters
