"""manage.py create_organisation NAME --leader EMAIL [--timezone ZONE]: the operator starts
an organisation; its first leader gets an invitation e-mail (and the link is printed, for
when mail is not set up yet)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.db import transaction
from django.utils.text import slugify

from isova.models import Organisation, Role, validate_timezone
from isova.onboarding import invitations
from isova.onboarding.models import PeopleEventKind


def unique_slug(name: str) -> str:
    base = slugify(name)[:40] or "organisation"
    slug, n = base, 1
    while Organisation.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


class Command(BaseCommand):
    help = "Start an organisation and e-mail its first leader an invitation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        parser.add_argument("--leader", required=True, help="The first leader's e-mail address.")
        parser.add_argument("--timezone", default="Europe/London", help="e.g. Europe/Paris")
        parser.add_argument("--currency", default="GBP", help="ISO 4217 code, e.g. EUR")

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["name"].strip()
        email = options["leader"].strip().lower()
        if not name:
            raise CommandError("Give the organisation a name.")
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"“{email}” is not an e-mail address.") from None
        try:
            validate_timezone(options["timezone"])
        except ValidationError as error:
            raise CommandError(error.messages[0]) from None
        currency = options["currency"].strip().upper()
        if len(currency) != 3 or not currency.isalpha():
            raise CommandError(f"“{currency}” is not a currency code (e.g. GBP, EUR).")
        with transaction.atomic():
            organisation = Organisation.objects.create(
                name=name,
                slug=unique_slug(name),
                timezone=options["timezone"],
                currency=currency,
            )
            invitations.event(
                organisation, PeopleEventKind.ORGANISATION_CREATED, email=email, detail=name
            )
        # invite() commits the invitation before it e-mails it.
        [invitation] = invitations.invite(
            organisation, [invitations.Invitee(email, Role.LEADER)], by=None
        )
        self.stdout.write(f"Started {organisation.name} ({organisation.slug}).")
        if invitation.sent_at:
            self.stdout.write(f"Invitation e-mailed to {email}.")
        else:
            self.stderr.write(
                f"The invitation e-mail to {email} could not be sent ({invitation.send_error}); "
                "give them the link below."
            )
        self.stdout.write(f"Invitation link (valid once, until {invitation.expires_at:%Y-%m-%d}):")
        self.stdout.write(invitations.link_for(invitation))
