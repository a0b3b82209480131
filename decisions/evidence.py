"""The decision register's leadership evidence: decisions leaders signed (ISO 9001 5.1.1 a,
accountability), and signed decisions left past their review date (2 queries)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.db.models import Count, Max
from django.urls import reverse
from django.utils.http import urlencode

from isova.evidence.services import period_bounds, tally
from isova.models import Organisation, Role, SignOff
from isova.registry import Evidence, EvidenceSource, Gap, registry

from .models import Decision


def build(org: Organisation, start: datetime.date, end: datetime.date) -> Iterator[Evidence | Gap]:
    since, until = period_bounds(org, start, end)
    url = reverse("decisions:index")
    rows = list(
        SignOff.objects.filter(
            organisation=org,
            content_type__app_label="decisions",
            content_type__model="decision",
            meaning="approved",
            signer_role=Role.LEADER,
            signed_at__gte=since,
            signed_at__lt=until,
        )
        .values("signer_name")
        .annotate(n=Count("pk"), last=Max("signed_at"))
        .order_by("signer_name")
    )
    count, last_date = tally(org, rows)
    if count:
        yield Evidence(
            "5.1.1 a",
            f"Decisions signed by leaders in the decision register: {count}, each with its "
            "context, options, rationale and the actions carrying it out.",
            count=count,
            last_date=last_date,
            people=tuple(row["signer_name"] for row in rows),
            url=url + "?" + urlencode({"status": "signed"}),
        )
    today = min(end, org.today())
    overdue = Decision.objects.for_org(org).due_for_review(today).filter(review_date__lt=today)
    late = overdue.count()
    if late:
        yield Gap(
            "5.1.1 a",
            f"{late} signed decision{'s are' if late > 1 else ' is'} past the review date: "
            "revisit to confirm or change.",
            severity=1,
            url=url + "?" + urlencode({"status": "due"}),
        )


registry.register("evidence", EvidenceSource(name="decisions", build=build))
