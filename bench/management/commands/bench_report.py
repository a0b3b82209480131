"""Rewrite the README's performance figures from a bench results file (bench/report.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from bench import report


class Command(BaseCommand):
    help = "Regenerate the README's bench figures from bench/results.sample.json (or --results)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--results", default=str(report.SAMPLE))
        parser.add_argument("--readme", default=str(report.README))

    def handle(self, *args: Any, **options: Any) -> None:
        readme = Path(options["readme"])
        results = report.load(Path(options["results"]))
        readme.write_text(report.readme_with_figures(readme.read_text(), results))
        self.stdout.write(f"Wrote the bench figures of {options['results']} into {readme}")
