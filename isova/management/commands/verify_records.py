"""Recompute every organisation's sign-off hash chain and report each broken link."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from isova import records
from isova.accounts.models import Organisation
from isova.records.chain import ChainBreak, anchor_problem


class Command(BaseCommand):
    help = (
        "Recompute the keyed chain of sign-offs of every organisation (or one, --organisation "
        "SLUG) and report each broken link: altered, reordered or deleted sign-offs; check every "
        "record version's status against its decision sign-off and every approved record's "
        "content against its approved snapshot. Exits "
        "non-zero when any link is broken. Prints each chain's head hash: keep those somewhere "
        "else (a printed report, an e-mail) to be able to prove later that nothing was rewritten."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organisation", metavar="SLUG", help="check only this organisation")
        parser.add_argument(
            "--expect-head",
            action="append",
            default=[],
            metavar="[SLUG:]HASH[@LENGTH]",
            help="a chain head recorded earlier (a briefing or an evidence pack prints it): "
            "fail unless that sign-off still stands in the chain, at that length if given. "
            "Without SLUG: the --organisation's chain. Repeatable.",
        )

    def handle(
        self,
        *args: Any,
        organisation: str | None = None,
        expect_head: list[str] | None = None,
        **options: Any,
    ) -> None:
        organisations = Organisation.objects.order_by("slug")
        if organisation:
            organisations = organisations.filter(slug=organisation)
            if not organisations.exists():
                raise CommandError(f"No organisation with the slug “{organisation}”.")
        anchors = self._anchors(expect_head or [], organisation)
        total, broken = 0, []
        for org in organisations:
            count, breaks = records.verify_chain(org)
            breaks += records.verify_versions(org)
            for anchor in anchors.pop(org.slug, []):
                problem = anchor_problem(org, anchor)
                if problem:
                    breaks.append(ChainBreak(org, None, problem))
            total += count
            broken += breaks
            verdict = "BROKEN" if breaks else "intact"
            self.stdout.write(
                f"{org.slug}: {count} sign-off{'s' if count != 1 else ''}, chain {verdict}, "
                f"head {records.chain_head(org)}"
            )
            for item in breaks:
                self.stderr.write(f"  BROKEN LINK: {item}")
        if anchors:
            raise CommandError(f"--expect-head names organisations not checked: {sorted(anchors)}")
        if broken:
            raise CommandError(
                f"{len(broken)} broken link{'s' if len(broken) != 1 else ''} in the record "
                "chains: the sign-offs, versions or records above were altered, reordered or "
                "deleted."
            )
        self.stdout.write(self.style.SUCCESS(f"All chains intact ({total} sign-offs checked)."))

    def _anchors(self, values: list[str], organisation: str | None) -> dict[str, list[str]]:
        anchors: dict[str, list[str]] = {}
        for value in values:
            slug, sep, digest = value.rpartition(":")
            if not sep:
                if not organisation:
                    raise CommandError("--expect-head HASH needs --organisation (or SLUG:HASH).")
                slug = organisation
            anchors.setdefault(slug, []).append(digest)
        return anchors
