"""Import a register from CSV or XLSX: `import_records KIND FILE --organisation SLUG`.

With no `--mapping` isova's suggestions are applied. `--dry-run` reads and checks every row and
writes nothing; otherwise every row is saved or none is, and errors exit with status 1.

In the mapping's "values", a person column's value may be a member's e-mail, "" (leave
unassigned) or "invite": the value's e-mail address ("jane@example.com", "Jane Smith
<jane@example.com>") is invited to join as staff once the import is saved, and the rows are
left unassigned, or held by the member importing where every row needs a member (a risk's
owner); the report's "invited" lists them. The member the import is made as must be
allowed to invite staff (a leader or a manager).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from isova.accounts.models import Membership, Organisation, Role
from isova.imports import engine
from isova.imports.reading import Table, Unreadable, read_table
from isova.registry import registry


class Command(BaseCommand):
    help = "Import a register (risks, actions, findings, objectives, ...) from CSV or XLSX."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "kind",
            help="What the file holds: " + ", ".join(k.name for k in registry.import_kinds()),
        )
        parser.add_argument("file", type=Path)
        parser.add_argument("--organisation", required=True, help="The organisation's slug.")
        parser.add_argument(
            "--mapping",
            type=Path,
            help=(
                'A mapping as JSON: {"columns": {COLUMN: {"field": FIELD, "action": '
                '"mapped"|"kept"|"ignored"}}, "values": {COLUMN: {VALUE: ISOVA_VALUE}}, '
                '"dates": "dmy"|"mdy"} (see isova.imports.engine). For a person, ISOVA_VALUE '
                'is a member\'s e-mail, "" to leave unassigned, or "invite" to invite the '
                "value's e-mail address as staff (the rows are left unassigned, or held by the "
                "member importing where every row needs one)."
            ),
        )
        parser.add_argument("--sheet", help="The XLSX sheet to read (default: the first).")
        parser.add_argument("--user", help="The member the import is made as (default: a leader).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check every row; write nothing."
        )
        parser.add_argument("--report", type=Path, help="Write the report as JSON to this file.")

    def handle(self, *args: Any, **options: Any) -> None:
        kind = registry.import_kind(options["kind"])
        if kind is None:
            names = ", ".join(k.name for k in registry.import_kinds())
            raise CommandError(f"No import kind {options['kind']!r}; there are: {names}.")
        membership = _member(options)
        table = _table(options)
        ctx = engine.make_context(membership)
        if options["mapping"]:
            mapping = _mapping(options["mapping"])
        else:
            mapping = engine.suggest(kind, ctx, table)

        def progress(done: int, total: int) -> None:
            if total > engine.BATCH:
                self.stderr.write(f"{done:,} of {total:,} rows", ending="\r")

        report = engine.run(
            kind, ctx, table, mapping, write=not options["dry_run"], progress=progress
        )
        self._report(report, options)
        if report.errors:
            sys.exit(1)

    def _report(self, report: engine.Report, options: dict[str, Any]) -> None:
        """The report as JSON (to --report or standard output), then each error and a
        summary line on standard error."""
        payload = json.dumps(report.as_json(), indent=2, ensure_ascii=False, default=str)
        if options["report"]:
            options["report"].write_text(payload + "\n", encoding="utf-8")
        else:
            self.stdout.write(payload)
        for problem in report.errors:
            where = f"row {problem.row}" if problem.row else "file"
            column = f", {problem.column}" if problem.column else ""
            self.stderr.write(f"error ({where}{column}): {problem.message}")
        if options["dry_run"]:
            done = f"would create {report.would_create}, would update {report.would_update}"
        else:
            done = f"created {report.created}, updated {report.updated}"
        self.stderr.write(
            f"{report.rows} rows: {done}; {len(report.errors)} errors, "
            f"{len(report.warnings)} warnings."
        )
        for person in report.invited:
            state = {"invited": "invited", "waiting": "an invitation was already waiting"}.get(
                person["status"], "to be invited"
            )
            rows = f"held by {person['held_by']}" if person["held_by"] else "left unassigned"
            self.stderr.write(
                f"{person['email']}: {state} (as staff); {person['rows']} rows {rows}."
            )


def _member(options: dict[str, Any]) -> Membership:
    """The membership the import is made as: --user's, or the organisation's first leader."""
    organisation = Organisation.objects.filter(slug=options["organisation"]).first()
    if organisation is None:
        raise CommandError(f"No organisation with the slug {options['organisation']!r}.")
    memberships = Membership.objects.filter(organisation=organisation).select_related(
        "user", "organisation"
    )
    if options["user"]:
        membership = memberships.filter(user__email__iexact=options["user"]).first()
    else:
        membership = memberships.filter(role=Role.LEADER).order_by("pk").first()
    if membership is None:
        raise CommandError("No such member of the organisation to import as (see --user).")
    return membership


def _table(options: dict[str, Any]) -> Table:
    """The file's table (of --sheet for an XLSX file)."""
    try:
        data = options["file"].read_bytes()
    except OSError as error:
        raise CommandError(f"Cannot read {options['file']}: {error.strerror}.") from None
    try:
        return read_table(data, options["file"].name, options["sheet"])
    except Unreadable as error:
        raise CommandError(str(error)) from None


def _mapping(path: Path) -> dict[str, Any]:
    """The mapping read from a JSON file."""
    try:
        mapping = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise CommandError(f"Cannot read the mapping {path}: {error}") from None
    if not isinstance(mapping, dict) or not isinstance(mapping.get("columns", {}), dict):
        raise CommandError('The mapping must be a JSON object with "columns".')
    return mapping
