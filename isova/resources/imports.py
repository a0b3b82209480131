"""Resources out: the people allocated to plans, and the plans' tools and budget (CSV/XLSX).

Export only: allocations are made on the plan's page, where the leaders' approval covers them.
"""

from __future__ import annotations

from django.http import QueryDict

from isova.accounts.models import Organisation
from isova.imports.kinds import ExportKind, Sheet
from isova.registry import registry

from .models import Allocation, ResourceLine


def sheets(organisation: Organisation, params: QueryDict) -> list[Sheet]:
    """Every allocation and every tool or budget line of the organisation (2 queries)."""
    people = Allocation.objects.for_org(organisation).select_related("person")
    lines = ResourceLine.objects.for_org(organisation)
    return [
        Sheet(
            "Allocations",
            [
                "Plan",
                "Person",
                "E-mail",
                "Hours",
                "From month",
                "To month",
                "Hours a month",
                "Note",
            ],
            [
                [
                    a.plan_label,
                    a.person.get_full_name(),
                    a.person.email,
                    a.hours,
                    a.start_month,
                    a.end_month,
                    round(a.hours_per_month, 2),
                    a.note,
                ]
                for a in people.order_by("plan_label", "start_month", "pk")
            ],
        ),
        Sheet(
            "Tools and budget",
            ["Plan", "Kind", "What", "Amount", "Spent so far"],
            [
                [
                    line.plan_label,
                    line.get_kind_display(),
                    line.description,
                    line.amount_approved,
                    line.amount_spent,
                ]
                for line in lines.order_by("plan_label", "pk")
            ],
        ),
    ]


registry.register(
    "exports",
    ExportKind("allocations", "Resource allocations", 80, "resources.workload.view", sheets),
)
