"""Backups that restore: one directory per backup with the database (pg_dump custom format,
taken in one snapshot), the uploaded files (MEDIA_ROOT, when any), and a manifest with every
file's SHA-256 and every table's row count in that same snapshot. `restore` checks the
checksums, refuses a database that is not empty, restores, and compares every count.
"""

from __future__ import annotations

import datetime
import glob
import hashlib
import json
import os
import shutil
import subprocess
import tarfile
from pathlib import Path
from typing import Any

import psycopg
from django.conf import settings
from django.db import connections

DUMP = "database.dump"
MEDIA = "media.tar.gz"
MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"


class BackupError(Exception):
    pass


def conninfo_of_settings(alias: str = "default") -> str:
    """A libpq URL for a Django database alias (the one this process uses)."""
    s = connections[alias].settings_dict
    user = s["USER"] or ""
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    return f"postgresql://{auth}{s['HOST'] or ''}:{s['PORT'] or 5432}/{s['NAME']}"


def tool(name: str) -> str:
    """pg_dump / pg_restore: PG_BIN, else the newest installed, else PATH (must be at least
    the server's major version)."""
    if os.environ.get("PG_BIN"):
        return str(Path(os.environ["PG_BIN"]) / name)
    found = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4])
    )
    return found[-1] if found else (shutil.which(name) or name)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def table_counts(cursor: Any) -> dict[str, int]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    tables = [row[0] for row in cursor.fetchall()]
    counts = {}
    for table in tables:
        cursor.execute(f'SELECT count(*) FROM public."{table}"')
        counts[table] = int(cursor.fetchone()[0])
    return counts


def backup(out_dir: Path, conninfo: str) -> Path:
    """Write a backup directory under `out_dir` and return it."""
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    target = Path(out_dir) / f"isova-{stamp}"
    target.mkdir(parents=True, exist_ok=False)
    with psycopg.connect(conninfo) as conn:
        # One snapshot for the dump and the counts: writes going on meanwhile are in neither.
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]  # type: ignore[index]
        with conn.cursor() as cursor:
            counts = table_counts(cursor)
        dumped = subprocess.run(
            [
                tool("pg_dump"),
                "--format=custom",
                f"--snapshot={snapshot}",
                f"--file={target / DUMP}",
                f"--dbname={conninfo}",
            ],
            capture_output=True,
            text=True,
        )
        conn.rollback()
    if dumped.returncode != 0:
        raise BackupError(f"pg_dump failed: {dumped.stderr.strip()}")
    media_root = Path(settings.MEDIA_ROOT) if settings.MEDIA_ROOT else None
    if media_root and media_root.is_dir() and any(media_root.iterdir()):
        with tarfile.open(target / MEDIA, "w:gz") as archive:
            archive.add(media_root, arcname="media")
    files = {p.name: sha256(p) for p in sorted(target.iterdir())}
    manifest = {
        "format": 1,
        "created_at": datetime.datetime.now(datetime.UTC).isoformat(),
        "database": conninfo.rsplit("/", 1)[-1],
        "tables": counts,
        "files": files,
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    # `sha256sum -c SHA256SUMS` checks a copy without isova; the manifest is covered too.
    sums = {**files, MANIFEST: sha256(target / MANIFEST)}
    (target / SUMS).write_text("".join(f"{digest}  {name}\n" for name, digest in sums.items()))
    return target


def check(source: Path) -> dict[str, Any]:
    """The manifest of a backup whose files all match their checksums."""
    source = Path(source)
    if not (source / MANIFEST).is_file():
        raise BackupError(f"{source} is not an isova backup: no {MANIFEST}")
    manifest: dict[str, Any] = json.loads((source / MANIFEST).read_text())
    for name, digest in manifest["files"].items():
        if not (source / name).is_file():
            raise BackupError(f"{name} is missing from the backup")
        if sha256(source / name) != digest:
            raise BackupError(f"{name} does not match its checksum: the copy is damaged")
    return manifest


def restore(source: Path, conninfo: str, media_root: Path | None = None) -> dict[str, int]:
    """Restore into an empty database; returns the restored table counts (all checked)."""
    source = Path(source)
    manifest = check(source)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        tables = conn.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        ).fetchone()[0]  # type: ignore[index]
    if tables:
        raise BackupError(
            f"the target database has {tables} tables: restore only into an empty database "
            "(createdb a new one)"
        )
    restored = subprocess.run(
        [
            tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={conninfo}",
            str(source / DUMP),
        ],
        capture_output=True,
        text=True,
    )
    if restored.returncode != 0:
        raise BackupError(f"pg_restore failed: {restored.stderr.strip()}")
    if MEDIA in manifest["files"]:
        into = Path(media_root or settings.MEDIA_ROOT)
        into.mkdir(parents=True, exist_ok=True)
        with tarfile.open(source / MEDIA) as archive:
            for member in archive.getmembers():
                name = member.name.removeprefix("media").lstrip("/")
                if not name or member.issym() or member.islnk() or ".." in Path(name).parts:
                    continue
                member.name = name
                archive.extract(member, into, filter="data")
    with psycopg.connect(conninfo) as conn, conn.cursor() as cursor:
        counts = table_counts(cursor)
    expected: dict[str, int] = manifest["tables"]
    if counts != expected:
        wrong = sorted(set(counts) ^ set(expected)) + [
            t for t in sorted(set(counts) & set(expected)) if counts[t] != expected[t]
        ]
        raise BackupError(f"restored tables differ from the backup's: {', '.join(wrong)}")
    return counts
