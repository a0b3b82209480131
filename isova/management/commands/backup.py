"""Back up the database (pg_dump, custom format) and uploaded files, with checksums."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from isova.ops import backup


class Command(BaseCommand):
    help = (
        "Write a backup directory (database.dump from pg_dump in one snapshot, media.tar.gz "
        "of MEDIA_ROOT when it has files, manifest.json with every table's row count and "
        "SHA256SUMS) under --output (default BACKUP_DIR or ./backups). Behind PgBouncer, set "
        "BACKUP_DATABASE_URL to PostgreSQL itself: a snapshot cannot cross a pooler."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", default=os.getenv("BACKUP_DIR", "backups"))
        parser.add_argument(
            "--database-url",
            default=os.getenv("BACKUP_DATABASE_URL", ""),
            help="the database to dump (default: BACKUP_DATABASE_URL, else this app's)",
        )

    def handle(self, *args: Any, output: str, database_url: str, **options: Any) -> None:
        conninfo = database_url or backup.conninfo_of_settings()
        try:
            target = backup.backup(Path(output), conninfo)
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        manifest = backup.check(target)
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up {len(manifest['tables'])} tables ({rows} rows) to {target}"
            )
        )
