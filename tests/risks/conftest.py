"""Risks fixtures: risks raised through the services, and a bulk maker for query-count tests."""

from __future__ import annotations

import datetime
from typing import Any

from isova.models import Organisation, User
from risks import services
from risks.models import Risk
from tests.conftest import Org, membership_of


def raise_risk(org: Org, *, by: User | None = None, **fields: Any) -> Risk:
    """A risk raised by `by` (default the manager), Medium 3 × 3 unless told."""
    by = by or org.manager
    fields.setdefault("kind", "risk")
    fields.setdefault("title", "Key supplier of castings fails")
    fields.setdefault("category", "supplier")
    fields.setdefault("owner", org.manager)
    fields.setdefault("inherent_likelihood", 3)
    fields.setdefault("inherent_impact", 3)
    fields.setdefault("treatment", "reduce")
    return services.risk_create(membership=membership_of(by, org.organisation), **fields)


def bulk_risks(organisation: Organisation, owner: User, n: int, start: int = 1) -> None:
    """`n` risks spread over the 5 × 5 default matrix in one INSERT (query-count tests)."""
    matrix = services.current_matrix(organisation)
    rows = []
    for i in range(start, start + n):
        li, im = i % 5 + 1, (i // 5) % 5 + 1
        s = services.score(matrix, li, im)
        rows.append(
            Risk(
                organisation=organisation,
                reference=f"B-{i:05d}",
                title=f"Bulk risk {i}",
                owner=owner,
                matrix=matrix,
                inherent_likelihood=li,
                inherent_impact=im,
                inherent_score=s.score,
                inherent_band=s.band_name,
                inherent_rank=s.rank,
                residual_likelihood=li,
                residual_impact=im,
                residual_score=s.score,
                residual_band=s.band_name,
                residual_rank=s.rank,
                next_review_date=datetime.date(2020, 1, 1) if i % 7 == 0 else None,
            )
        )
    Risk.objects.bulk_create(rows)
