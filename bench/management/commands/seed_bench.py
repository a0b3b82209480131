"""Fill the bench database: scale × 100 organisations, one large (see bench/seeding.py)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from bench import seeding


class Command(BaseCommand):
    help = (
        "Bulk-seed scale × 100 organisations (one large: 500 people, 20,000 actions, …; the "
        "others a tenth of it), deterministic for a --seed. Refuses when bench organisations "
        "exist unless --reset, which empties the whole database (only one named *bench*)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", type=float, default=1.0)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--reset", action="store_true", help="empty the (bench) database first")

    def handle(self, *args: Any, scale: float, seed: int, reset: bool, **options: Any) -> None:
        if scale <= 0:
            raise CommandError("--scale must be positive.")
        if seeding.existing():
            if not reset:
                raise CommandError(
                    "Bench organisations exist already: run again with --reset to start over."
                )
            try:
                seeding.reset_database()
            except RuntimeError as error:
                raise CommandError(str(error)) from error
            self.stdout.write("Emptied the bench database.")
        started = time.monotonic()
        total = seeding.organisation_count(scale)
        self.stdout.write(
            f"Seeding {total} organisation{'s' if total != 1 else ''} at scale {scale} "
            f"(seed {seed}) into {connection.settings_dict['NAME']}"
        )
        counts = seeding.seed(scale, seed, out=self.stdout.write)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        for table, n in sorted(counts.items()):
            self.stdout.write(f"  {table:32} {n:>10,}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{sum(counts.values()):,} rows in {time.monotonic() - started:.1f} s"
            )
        )
