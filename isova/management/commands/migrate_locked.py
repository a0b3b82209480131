"""`migrate` that is safe to start twice at once: the second waits, then has nothing to do."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection

# Any fixed number: every isova migrate takes the same PostgreSQL advisory lock.
LOCK_KEY = 0x150FA_0026


class Command(BaseCommand):
    help = (
        "Run `migrate --noinput` under a PostgreSQL advisory lock, so that two deploy steps "
        "(or a retried one) never apply the same migration twice: the second waits for the "
        "first, then finds nothing to apply. Point DATABASE_URL at PostgreSQL itself, not at "
        "PgBouncer in transaction mode (a session lock cannot cross a pooler)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--timeout", type=int, default=600, help="seconds to wait for it")

    def handle(self, *args: Any, timeout: int, **options: Any) -> None:
        if connection.vendor != "postgresql":
            call_command("migrate", interactive=False, verbosity=options["verbosity"])
            return
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = %s", [f"{timeout}s"])
            if not self._try(cursor):
                self.stdout.write("Another migrate is running: waiting for it to finish.")
                cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
            cursor.execute("SET lock_timeout = 0")
        try:
            call_command("migrate", interactive=False, verbosity=options["verbosity"])
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])

    @staticmethod
    def _try(cursor: Any) -> bool:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
        return bool(cursor.fetchone()[0])
