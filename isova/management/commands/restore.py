"""Restore a backup made by `manage.py backup` into an empty database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from isova.ops import backup


class Command(BaseCommand):
    help = (
        "Check a backup's checksums, restore it into an EMPTY database (--database-url, "
        "default this app's) and the files into MEDIA_ROOT, then compare every table's row "
        "count with the backup's manifest. Run `manage.py verify_records` afterwards."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", help="a backup directory (isova-YYYYMMDDTHHMMSSZ)")
        parser.add_argument("--database-url", default="")
        parser.add_argument("--media-root", default="")
        parser.add_argument("--check-only", action="store_true", help="only verify the checksums")

    def handle(
        self,
        *args: Any,
        source: str,
        database_url: str,
        media_root: str,
        check_only: bool,
        **options: Any,
    ) -> None:
        try:
            if check_only:
                manifest = backup.check(Path(source))
                self.stdout.write(
                    self.style.SUCCESS(f"{len(manifest['files'])} files match their checksums")
                )
                return
            counts = backup.restore(
                Path(source),
                database_url or backup.conninfo_of_settings(),
                Path(media_root) if media_root else None,
            )
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {len(counts)} tables ({sum(counts.values())} rows); every count "
                "matches the backup's."
            )
        )
