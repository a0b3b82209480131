"""manage.py import_records: the JSON report, dry runs, all or nothing, exit status."""

import json

import pytest
from django.core.management import CommandError, call_command

from risks.models import Risk
from tests.isova.imports.test_risks_import import REGISTER


@pytest.fixture
def register_file(tmp_path):
    path = tmp_path / "register.csv"
    path.write_text(REGISTER, encoding="utf-8")
    return path


def test_a_dry_run_reports_every_column_and_row_and_writes_nothing(org, register_file, tmp_path):
    out = tmp_path / "report.json"
    call_command(
        "import_records",
        "risks",
        str(register_file),
        "--organisation",
        org.organisation.slug,
        "--dry-run",
        "--report",
        str(out),
    )
    report = json.loads(out.read_text())
    assert set(report) >= {"rows", "created", "updated", "errors", "warnings", "columns"}
    assert (report["rows"], report["created"], report["updated"]) == (3, 0, 0)
    assert report["errors"] == []
    assert set(report["columns"]) == set(REGISTER.splitlines()[0].split(","))
    assert report["columns"]["Type"] == {
        "field": "kind",
        "action": "mapped",
        "values": {"Risk": "risk", "Opportunity": "opportunity"},
    }
    assert report["columns"]["Risk ID"]["action"] == "kept"
    assert report["columns"]["Date Identified"] == {
        "field": "description",
        "action": "kept",
        "values": {},
    }
    assert not Risk.objects.exists()


def test_a_real_run_saves_everything_and_a_mapping_file_is_applied(org, register_file, tmp_path):
    mapping = tmp_path / "mapping.json"
    mapping.write_text(
        json.dumps({"columns": {"Date Identified": {"field": None, "action": "ignored"}}})
    )
    out = tmp_path / "report.json"
    call_command(
        "import_records",
        "risks",
        str(register_file),
        "--organisation",
        org.organisation.slug,
        "--mapping",
        str(mapping),
        "--report",
        str(out),
    )
    report = json.loads(out.read_text())
    assert (report["created"], report["errors"]) == (3, [])
    assert report["columns"]["Date Identified"]["action"] == "ignored"
    # Columns the mapping does not name take the suggestion, and say so.
    assert any(w["column"] == "Risk" for w in report["warnings"])
    assert Risk.objects.filter(organisation=org.organisation).count() == 3


def test_errors_exit_non_zero_with_every_error_in_the_report_and_nothing_saved(
    org, tmp_path, capsys
):
    path = tmp_path / "bad.csv"
    path.write_text(
        REGISTER.replace("Acme Leader", "Bob Nobody").replace("Low,High", "Low,Enormous")
    )
    out = tmp_path / "report.json"
    with pytest.raises(SystemExit) as exit_:
        call_command(
            "import_records",
            "risks",
            str(path),
            "--organisation",
            org.organisation.slug,
            "--report",
            str(out),
        )
    assert exit_.value.code == 1
    report = json.loads(out.read_text())
    assert [(e["row"], e["column"]) for e in report["errors"]] == [(3, "Risk Owner"), (4, "Impact")]
    assert "row 3, Risk Owner" in capsys.readouterr().err
    assert not Risk.objects.exists()


def test_bad_arguments_get_clear_messages(org, register_file, tmp_path):
    with pytest.raises(CommandError, match="No import kind 'nope'; there are: risks"):
        call_command(
            "import_records", "nope", str(register_file), "--organisation", org.organisation.slug
        )
    with pytest.raises(CommandError, match="No organisation"):
        call_command("import_records", "risks", str(register_file), "--organisation", "nope")
    big = tmp_path / "big.csv"
    big.write_bytes(b"a,b\n" + b"x" * (11 * 1024 * 1024))
    with pytest.raises(CommandError, match="limit is 10 MB"):
        call_command("import_records", "risks", str(big), "--organisation", org.organisation.slug)
