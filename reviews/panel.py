"""The reviews panel of the leadership dashboard (registered in apps.py)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.urls import reverse
from django.utils.http import urlencode

from isova.models import overdue_q
from isova.registry import PanelContext

from . import policy
from .models import AGE_BUCKETS, Feedback, FeedbackKind, FeedbackStatus, Review, ReviewOutput


def build(ctx: PanelContext) -> dict[str, Any]:
    """Next and overdue reviews, open outputs, leaders' attendance, open feedback by kind and
    age, policy acknowledgement share: a fixed 11 queries whatever the organisation's size."""
    org, today = ctx.organisation, ctx.today
    reviews = Review.objects.for_org(org)
    outputs = ReviewOutput.objects.for_org(org).open()
    ages = Feedback.objects.for_org(org).open_by_kind_and_age(today)  # 1 query
    feedback_url = reverse("reviews:feedback_list") + "?"
    outputs_url = reverse("action_list") + "?"
    outputs_query = {"source": "reviews.review", "status": "outstanding"}
    return {
        "next_review": reviews.upcoming(today).select_related("chair").first(),  # 1
        "overdue_reviews": list(reviews.overdue(today).order_by("meeting_date")[:5]),  # 1
        **outputs.aggregate(  # 1
            open_outputs=Count("pk"),
            overdue_outputs=Count("pk", filter=overdue_q(today, "action__")),
        ),
        "attendance": Review.objects.leader_attendance(org),  # 3
        "feedback": [
            (
                FeedbackKind(kind).label,
                [row.get(b, 0) for b in AGE_BUCKETS],
                sum(row.values()),
                feedback_url + urlencode({"kind": kind, "status": FeedbackStatus.OPEN}),
            )
            for kind, row in sorted(ages.items())
        ],
        # the lists behind the figures: review outputs are the reviews' outstanding actions
        "outputs_url": outputs_url + urlencode(outputs_query),
        "overdue_outputs_url": outputs_url + urlencode(outputs_query | {"overdue": "on"}),
        "age_buckets": AGE_BUCKETS,
        "policy": policy.reach(org, counts_only=True),  # 4
    }
