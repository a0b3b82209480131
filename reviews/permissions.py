"""Who may do what in the reviews app: its operations in the one role table."""

from __future__ import annotations

from isova.accounts.models import Role
from isova.accounts.tenancy import EVERYONE
from isova.registry import registry

L, M, A = Role.LEADER, Role.MANAGER, Role.AUDITOR

registry.register(
    "permissions",
    {
        # Everyone reads reviews and their minutes (staff included: 7.4, 5.2.2).
        "reviews.review.view": EVERYONE,
        "reviews.review.plan": frozenset({L, M}),
        "reviews.review.record": frozenset({L, M}),
        # Leaders sign; the object rule (services.review_close): only the chair.
        "reviews.review.sign": frozenset({L}),
        "reviews.context.manage": frozenset({L, M}),
        # Every member makes suggestions and sees what became of their own.
        "reviews.feedback.submit": EVERYONE,
        "reviews.feedback.view": frozenset({L, M, A}),
        "reviews.feedback.respond": frozenset({L, M}),
        "reviews.policy.acknowledge": EVERYONE,
        "reviews.policy.follow": frozenset({L, M}),
    },
    name="reviews",
)
