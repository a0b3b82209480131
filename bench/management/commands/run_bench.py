"""Time the large bench organisation's pages in-process and over HTTP (see bench/runner.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bench import runner, seeding
from isova.models import Organisation


class Command(BaseCommand):
    help = (
        "Measure the pages of the large bench organisation (seed it first with seed_bench): "
        "queries per request, p50/p95/p99 ms over HTTP through gunicorn at 1 and 8 users, "
        "requests per second; then the alert scan and verify_records. Writes results JSON."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--repeat", type=int, default=20, help="requests per page, 1 user")
        parser.add_argument(
            "--concurrent-repeat", type=int, default=10, help="requests per user at 8 users"
        )
        parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
        parser.add_argument("--no-http", action="store_true", help="in-process only")
        parser.add_argument(
            "--page", action="append", metavar="LABEL", help="only this page (repeatable)"
        )
        parser.add_argument("--output", default=str(runner.RESULTS))
        parser.add_argument(
            "--compare", metavar="JSON", help="print the growth against an earlier results file"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not Organisation.objects.filter(slug=seeding.LARGE_SLUG).exists():
            raise CommandError("No bench data: run manage.py seed_bench --scale S first.")
        results = runner.run(
            repeat=options["repeat"],
            concurrent_repeat=options["concurrent_repeat"],
            workers=options["workers"],
            http=not options["no_http"],
            out=self.stdout.write,
            only=options["page"],
        )
        output = Path(options["output"])
        if options["compare"]:
            runner.compare(
                json.loads(Path(options["compare"]).read_text()), results, self.stdout.write
            )
        runner.write(results, output)
        self.stdout.write(f"Wrote {output}")
