from django.core.management.base import BaseCommand

from isova import demo


class Command(BaseCommand):
    help = "Create or refresh the demo organisations and their users (idempotent)."

    def handle(self, *args, **options) -> None:
        organisations = demo.seed()
        for organisation in organisations:
            self.stdout.write(f"Seeded {organisation} ({organisation.actions.count()} actions)")
        self.stdout.write(
            self.style.SUCCESS(
                "Demo logins (password “isova-demo”): leader@example.com, manager@example.com, "
                "staff@example.com, auditor@example.com, leader@care.example.com"
            )
        )
