"""Bench rows of the reviews app: five years of quarterly management reviews (attendance,
notes, frozen packs, decisions with their actions, minutes signed by the chair) and the
feedback register (see bench/seeding.py for the contract)."""

from __future__ import annotations

import datetime
import sys
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.utils import timezone

from isova.models import Organisation
from isova.registry import registry
from reviews.models import (
    Attendance,
    AttendanceStatus,
    Feedback,
    FeedbackKind,
    FeedbackStatus,
    OutputKind,
    Review,
    ReviewOutput,
    ReviewStatus,
    SectionNote,
    Severity,
)
from reviews.pack import live_pack, section_keys

NAME = "reviews"


def _latest_held(organisation: Organisation) -> str:
    review = Review.objects.for_org(organisation).held().first()
    return f"/reviews/{review.pk}/" if review else "/reviews/"


PAGES = [
    ("reviews list", "/reviews/", "leader"),
    ("feedback register", "/reviews/feedback/", "leader"),
    ("feedback page 20", "/reviews/feedback/?page=20", "leader"),
    ("review page", _latest_held, "leader"),
]

CATEGORIES = ["delivery", "quality", "service", "price", "documentation", "packaging"]


def seed(ctx: Any) -> dict[str, int]:
    """Quarterly management reviews with their attendance, section notes, decisions (with
    their actions), frozen packs and signed minutes; and two years of feedback."""
    from bench.seeding import bulk

    leaders = ctx.with_role("leader")
    managers = ctx.with_role("manager") or leaders
    reviews = bulk(Review, _reviews(ctx, leaders))
    invited = leaders + managers[:5]
    bulk(Attendance, _attendances(ctx, reviews, invited))
    held = [r for r in reviews if r.status != ReviewStatus.PLANNED]
    notes = bulk(SectionNote, _notes(held))
    actions = ctx.actions(len(held) * 3, title="Review decision", sources=held) if held else []
    outputs = bulk(
        ReviewOutput,
        (
            ReviewOutput(
                review=held[i % len(held)],
                kind=list(OutputKind)[i % 3],
                decision=f"Decision {i + 1}: what the leaders decided.",
                action=action,
            )
            for i, action in enumerate(actions)
        ),
    )
    _packs_and_minutes(ctx, held)
    feedback = _feedback(ctx, ctx.n(5000), ctx.today)
    return {
        "reviews_review": len(reviews),
        "reviews_attendance": len(reviews) * len(invited),
        "reviews_sectionnote": len(notes),
        "reviews_reviewoutput": len(outputs),
        "reviews_feedback": len(feedback),
        "isova_action": len(actions),
    }


def _reviews(ctx: Any, leaders: list[Any]) -> list[Review]:
    """The reviews (unsaved), quarterly: the newest one planned a month ahead, the one before
    it held but its minutes not yet signed, every older one closed (at least one of each)."""
    count = max(3, ctx.n(20))
    reviews = []
    for i in range(count):
        age = count - 1 - i
        meeting = ctx.today + datetime.timedelta(days=30 - 91 * age)
        status = (
            ReviewStatus.PLANNED
            if age == 0
            else ReviewStatus.HELD
            if age == 1
            else ReviewStatus.CLOSED
        )
        at = datetime.datetime.combine(meeting, datetime.time(12), tzinfo=datetime.UTC)
        reviews.append(
            Review(
                organisation=ctx.organisation,
                title=f"Management review {meeting:%B %Y}",
                meeting_date=meeting,
                location="Board room",
                chair=leaders[i % len(leaders)],
                agenda="The 9.3.2 inputs, then decisions.",
                period_start=meeting - datetime.timedelta(days=91),
                external_providers="Two suppliers late twice; one replaced.",
                status=status,
                held_at=at if status != ReviewStatus.PLANNED else None,
                closed_at=at + datetime.timedelta(days=7)
                if status == ReviewStatus.CLOSED
                else None,
                created_by=leaders[0],
            )
        )
    return reviews


def _attendances(ctx: Any, reviews: list[Review], invited: list[Any]) -> Iterator[Attendance]:
    """Everyone invited to every review: invited to the planned one, present (or sending
    apologies, one in six) at the others."""
    for review in reviews:
        for user in invited:
            yield Attendance(
                review=review,
                user=user,
                status=AttendanceStatus.INVITED
                if review.status == ReviewStatus.PLANNED
                else ctx.rng.choices(
                    (AttendanceStatus.PRESENT, AttendanceStatus.APOLOGIES), weights=(5, 1)
                )[0],
            )


def _notes(held: list[Review]) -> Iterator[SectionNote]:
    """A comment and a discussion on every section of every review held."""
    keys = section_keys()
    for review in held:
        for key in keys:
            yield SectionNote(
                review=review,
                key=key,
                comment="What the presenter wants the leaders to see.",
                discussion="What was said, and what was agreed.",
            )


def _packs_and_minutes(ctx: Any, held: list[Review]) -> None:
    """The pack each meeting froze, built by the same code as `services.review_hold` (from
    today's data: the seed has no history to build it from); then the closed reviews'
    minutes signed by their chair."""
    for review in held:
        comments = dict(review.notes.values_list("key", "comment"))
        review.pack = live_pack(review, comments)
        review.save(update_fields=["pack"])
    for review in held:
        if review.status == ReviewStatus.CLOSED:
            ctx.sign(
                review, 1, meaning="approved minutes", signer=review.chair, at=review.closed_at
            )


def _feedback(ctx: Any, count: int, today: datetime.date) -> list[Feedback]:
    from bench.seeding import bulk

    rng, users = ctx.rng, ctx.users
    owners = ctx.with_role("manager") or ctx.with_role("leader")
    rows = []
    for i in range(count):
        kind = rng.choices(list(FeedbackKind), weights=(3, 2, 3, 2))[0]
        received = today - datetime.timedelta(days=rng.randint(0, 730))
        status = rng.choices(list(FeedbackStatus), weights=(1, 1, 6))[0]
        answered = status != FeedbackStatus.OPEN
        owner = owners[i % len(owners)]
        rows.append(
            Feedback(
                organisation=ctx.organisation,
                kind=kind,
                title=f"Bench {kind} {i + 1}",
                description="What the customer or colleague said.",
                customer=f"Customer {i % 200 + 1}" if kind != FeedbackKind.SUGGESTION else "",
                received_on=received,
                category=rng.choice(CATEGORIES),
                severity=rng.choice(Severity.values) if kind == FeedbackKind.COMPLAINT else "",
                score=Decimal(rng.randint(40, 100)) / 10 if kind == FeedbackKind.SURVEY else None,
                submitted_by=users[rng.randrange(len(users))],
                owner=owner,
                response_due=received + datetime.timedelta(days=14),
                response="Thanked them and said what we changed." if answered else "",
                responded_at=timezone.now() if answered else None,
                responded_by=owner if answered else None,
                status=status,
            )
        )
    return bulk(Feedback, rows)


registry.register("bench", sys.modules[__name__], name=NAME)
