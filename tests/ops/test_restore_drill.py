"""The restore drill (CI runs it in `make test`): seed, back up, restore into a new database;
the sign-off chain verifies on the copy and every table has the same rows."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from isova.ops import backup

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def admin_url(name: str = "postgres") -> str:
    return backup.conninfo_of_settings().rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture
def empty_database():
    name = f"{connection.settings_dict['NAME']}_drill_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(admin_url(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn, conn.cursor() as cursor:
        return backup.table_counts(cursor)


def test_restore_drill(tmp_path, empty_database, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    (tmp_path / "media" / "uploads").mkdir(parents=True)
    (tmp_path / "media" / "uploads" / "minutes.txt").write_text("management review minutes\n")
    call_command("seed_demo")
    original = counts(backup.conninfo_of_settings())
    assert original["isova_signoff"] > 0, "the drill needs a sign-off chain to verify"

    call_command("backup", output=str(tmp_path / "backups"))
    [made] = list((tmp_path / "backups").iterdir())
    assert {p.name for p in made.iterdir()} == {
        "database.dump",
        "media.tar.gz",
        "manifest.json",
        "SHA256SUMS",
    }
    checked = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=made, capture_output=True)
    assert checked.returncode == 0, checked.stdout

    target = admin_url(empty_database)
    call_command(
        "restore", str(made), database_url=target, media_root=str(tmp_path / "restored-media")
    )
    assert counts(target) == original
    assert (tmp_path / "restored-media" / "uploads" / "minutes.txt").read_text() == (
        "management review minutes\n"
    )
    environ = {**os.environ, "DATABASE_URL": target.replace("postgresql://", "postgres://")}
    verified = subprocess.run(
        [sys.executable, "manage.py", "verify_records"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "All chains intact" in verified.stdout

    # A second restore into the same (now full) database is refused, and changes nothing.
    with pytest.raises(CommandError, match="restore only into an empty database"):
        call_command("restore", str(made), database_url=target)
    assert counts(target) == original


def test_a_damaged_backup_is_refused_before_anything_is_restored(tmp_path, empty_database):
    call_command("backup", output=str(tmp_path))
    [made] = list(tmp_path.iterdir())
    with (made / "database.dump").open("r+b") as dump:
        dump.seek(200)
        dump.write(b"\x00\x01\x02")
    target = admin_url(empty_database)
    with pytest.raises(CommandError, match="database.dump does not match its checksum"):
        call_command("restore", str(made), database_url=target)
    assert counts(target) == {}
