"""The bench harness keeps working: a tiny seed makes a valid chain, the runner writes every
figure (times are never asserted: they are the bench's business, not the tests')."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from bench import runner, seeding
from isova import records
from isova.models import Action, Organisation, SignOff
from reviews.models import Review, ReviewStatus
from risks.models import Risk

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PAGE_FIELDS = {
    "p50_ms",
    "p95_ms",
    "p99_ms",
    "queries",
    "rps",
    "c8",
    "in_process_p50_ms",
    "sql_floor_ms",
}


def test_seed_bench_at_a_tiny_scale_makes_a_large_organisation_with_a_valid_chain(capsys):
    call_command("seed_bench", "--scale", "0.01", "--seed", "3")

    large = Organisation.objects.get(slug=seeding.LARGE_SLUG)
    # 140 plain, 12 plan steps, 48 corrective, 15 risk treatments, 6 review decisions
    assert Action.objects.filter(organisation=large).count() == 221
    assert Risk.objects.filter(organisation=large, reference="R-001").exists()
    assert Review.objects.for_org(large).filter(status=ReviewStatus.CLOSED).exists()
    count, breaks = records.verify_chain(large)
    assert count == SignOff.objects.filter(organisation=large).count() > 0
    assert breaks == []
    call_command("verify_records")  # raises CommandError on any broken link
    assert "rows in" in capsys.readouterr().out


def test_seed_bench_refuses_to_seed_twice_without_reset():
    call_command("seed_bench", "--scale", "0.01")
    with pytest.raises(Exception, match="--reset"):
        call_command("seed_bench", "--scale", "0.01")


def test_seed_bench_reset_empties_a_seeded_database_although_sign_offs_refuse_truncate():
    from django.db import connection

    call_command("seed_bench", "--scale", "0.01")
    with connection.cursor() as cursor:
        cursor.execute("SET isova.allow_wipe = 'off'")  # as outside the test suite
    try:
        call_command("seed_bench", "--scale", "0.01", "--reset")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET isova.allow_wipe = 'on'")
    assert Organisation.objects.filter(slug__startswith=seeding.SLUG_PREFIX).count() == 1
    assert records.verify_chain(Organisation.objects.get(slug=seeding.LARGE_SLUG))[1] == []


def test_the_runner_writes_every_figure_of_results_json(tmp_path):
    call_command("seed_bench", "--scale", "0.01")
    output = tmp_path / "results.json"

    call_command(
        "run_bench",
        "--repeat",
        "2",
        "--concurrent-repeat",
        "1",
        "--page",
        "dashboard",
        "--page",
        "my actions (staff)",
        "--output",
        str(output),
    )

    results = json.loads(output.read_text())
    assert {"timestamp", "scale", "machine", "rows", "pages", "scan", "verify"} <= set(results)
    assert results["rows"]["isova_action"] == 221
    assert len(results["machine"]["loadavg"]) == 3
    assert set(results["pages"]) == {"dashboard", "my actions (staff)"}
    for row in results["pages"].values():
        assert set(row) >= PAGE_FIELDS
        assert {"p50_ms", "p95_ms", "p99_ms", "rps"} <= set(row["c8"])
        assert row["queries"] > 0
    assert {"seconds", "notifications", "notifications_per_second"} <= set(results["scan"])
    assert results["scan"]["notifications"] > 0
    assert results["verify"]["intact"] is True
    assert results["verify"]["seconds"] >= 0
    # 20,000 rows at scale 1: 200 here, in one batch, imported and rolled back.
    assert results["import"]["rows"] == 200 and results["import"]["state"] == "done"
    assert results["import"]["batches"] == 1 and results["import"]["queries"] > 0
    assert not Risk.objects.filter(title__startswith="Imported risk").exists()


def test_every_page_the_runner_times_has_a_label_path_and_person():
    labels = [page.label for page in runner.pages()]
    assert len(labels) == len(set(labels))
    assert "panel actions" in labels
    assert {"risk register", "risk heat map", "reviews list", "feedback register"} <= set(labels)
    assert "review page" in labels
    assert all(page.who in ("leader", "staff") for page in runner.pages())
