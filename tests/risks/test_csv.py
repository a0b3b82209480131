"""CSV export (formula injection neutralised) and import (all or nothing, errors by line)."""

import io

import pytest

from audits.models import Process
from isova.models import Membership, Role
from risks import csvio
from risks.models import Risk
from tests.conftest import make_org, membership_of
from tests.risks.conftest import raise_risk

HEADER = ",".join(csvio.COLUMNS)


def export(client) -> str:
    return client.get("/risks/export/").content.decode()


def upload(client, text: str | bytes, name="risks.csv"):
    data = text.encode() if isinstance(text, str) else text
    return client.post("/risks/import/", {"file": io.BytesIO(data) and _file(data, name)})


def _file(data, name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="text/csv")


def row(**fields):
    values = (
        dict.fromkeys(csvio.COLUMNS, "")
        | {
            "title": "Power cut",
            "owner_email": "",
            "inherent_likelihood": "2",
            "inherent_impact": "3",
        }
        | fields
    )
    return ",".join(values[c] for c in csvio.COLUMNS)


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_cells_a_spreadsheet_would_run_as_formulas_are_neutralised(org, as_user, prefix):
    raise_risk(org, title=f'{prefix}HYPERLINK("http://evil")', cause=f"{prefix}1+1")
    text = export(as_user(org.auditor))
    assert f"'{prefix}HYPERLINK" in text and f"'{prefix}1+1" in text


def test_an_export_reimports_cleanly_into_a_new_organisation(org, as_user):
    process = Process.objects.create(organisation=org.organisation, name="Machining")
    raise_risk(
        org, title="=cmd|' /C calc'!A0", process=process, cause="Line one\nline two, with comma"
    )
    raise_risk(
        org,
        kind="opportunity",
        treatment="pursue",
        title="New aerospace customer",
        inherent_likelihood=4,
        inherent_impact=5,
        target_likelihood=5,
        target_impact=5,
    )
    raise_risk(
        org,
        treatment="accept",
        treatment_justification="Cheap to live with.",
        residual_likelihood=1,
        residual_impact=2,
        review_every_days=60,
    )
    text = export(as_user(org.manager))

    other = make_org("Newco")
    # The owner is matched by e-mail among the new organisation's members.
    Membership.objects.create(user=org.manager, organisation=other.organisation, role=Role.MANAGER)
    Process.objects.create(organisation=other.organisation, name="machining")
    created = csvio.import_register(
        membership=membership_of(org.manager, other.organisation), upload=io.BytesIO(text.encode())
    )
    assert len(created) == 3
    fields = ("reference", "kind", "title", "cause", "inherent_score", "residual_score",
              "target_likelihood", "treatment", "treatment_justification", "status",
              "review_every_days", "next_review_date", "owner_id")  # fmt: skip
    ours = list(
        Risk.objects.filter(organisation=org.organisation)
        .order_by("reference")
        .values_list(*fields)
    )
    theirs = list(
        Risk.objects.filter(organisation=other.organisation)
        .order_by("reference")
        .values_list(*fields)
    )
    assert ours == theirs
    assert (
        Risk.objects.get(organisation=other.organisation, reference="R-001").process.name
        == "machining"
    )


def test_bad_rows_are_reported_by_line_and_nothing_is_saved(org, as_user):
    raise_risk(org)
    email = org.manager.email
    lines = [
        HEADER,
        row(reference="X-1", owner_email=email),  # fine
        row(reference="X-2", owner_email=email, inherent_likelihood="6"),  # outside 1–5
        row(reference="X-3", owner_email="nobody@example.com"),
        row(reference="X-4", owner_email=email, process="No such process"),
        row(reference="X-1", owner_email=email),  # duplicate of line 2
        row(reference="R-001", owner_email=email),  # already in the register
        row(reference="X-7", owner_email=email, inherent_impact="big"),
        row(reference="X-8", owner_email=email, kind="threat"),
    ]
    response = upload(as_user(org.manager), "\n".join(lines) + "\n")
    assert response.status_code == 422
    errors = [(e.line, e.message) for e in response.context["errors"]]
    assert [line for line, _ in errors] == [3, 4, 5, 6, 7, 8, 9]
    assert "1 to 5" in errors[0][1] and "nobody@example.com" in errors[1][1]
    assert "line 2" in errors[3][1]
    assert Risk.objects.count() == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (HEADER.encode() + b"\nA\x00B\n", "NUL"),
        (HEADER.encode() + "\nR-9,risk,Caf\u00e9".encode("latin-1") + b"\n", "UTF-8"),
        (f'{HEADER}\nR-9,risk,"unterminated\n'.encode(), "not valid CSV"),
        (b"title,owner\nA,b\n", "Missing columns"),
        (HEADER.encode() + b"\n", "no rows"),
    ],
)
def test_a_broken_file_is_refused_with_a_reason(org, as_user, content, message):
    response = upload(as_user(org.manager), content)
    assert response.status_code == 422
    assert message in " ".join(e.message for e in response.context["errors"])
    assert not Risk.objects.exists()


def test_a_good_file_imports_every_row(org, as_user):
    email = org.manager.email
    text = "\n".join([HEADER, row(owner_email=email), row(owner_email=email, title="Flood")]) + "\n"
    response = upload(as_user(org.manager), text)
    assert response.status_code == 302
    assert sorted(Risk.objects.values_list("reference", flat=True)) == ["R-001", "R-002"]
