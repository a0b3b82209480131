"""Run the alert scans now: `manage.py run_alerts [--organisation SLUG] [--date YYYY-MM-DD]`."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from isova.accounts.models import Organisation
from isova.notifications import alerts


class Command(BaseCommand):
    help = "Make the alerts of every organisation (or one) for today (or a given date) now."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organisation", metavar="SLUG", help="only this organisation")
        parser.add_argument("--date", metavar="YYYY-MM-DD", help="scan as if today were this day")

    def handle(self, *args: Any, **options: Any) -> None:
        day = None
        if options["date"]:
            try:
                day = datetime.date.fromisoformat(options["date"])
            except ValueError as error:
                raise CommandError(f"--date: {error}") from error
        organisations = Organisation.objects.all()
        if options["organisation"]:
            organisations = organisations.filter(slug=options["organisation"])
            if not organisations.exists():
                raise CommandError(f"No organisation with the slug {options['organisation']!r}.")
        for organisation in organisations:
            made = alerts.scan(organisation, day)
            self.stdout.write(f"{organisation.slug}: {made} new notification(s)")
