"""The decision register in (from a spreadsheet log: drafts, to be signed here) and out (with
each decision's state, links and actions, and the decisions taken in management reviews)."""

from __future__ import annotations

from typing import Any

from django.http import QueryDict

from isova.imports.kinds import Context, ExportKind, Field, ImportKind, Sheet
from isova.models import Organisation
from isova.registry import registry

from .models import Decision, Shown, register_rows

FIELDS = (
    Field("title", "Title", "text", True, ("subject", "topic", "headline"), max_length=200),
    Field("context", "Context", "text", False, ("background", "situation", "problem")),
    Field("options", "Options considered", "text", False, ("options", "alternatives")),
    Field("decision", "Decision", "text", True, ("decided", "what was decided", "outcome")),
    Field("rationale", "Rationale", "text", False, ("reason", "reasons", "why", "justification")),
    Field(
        "affects_customers",
        "Customers affected",
        "text",
        False,
        ("customers", "clients", "client impact", "customer impact", "affects"),
    ),
    Field("owner", "Accountable", "person", True, ("owner", "responsible", "decided by")),
    Field("decided_on", "Decided on", "date", True, ("date", "decision date", "decided")),
    Field("review_date", "Review by", "date", False, ("review", "review date", "revisit by")),
)
# Computed by isova (from the versions, links and actions): left out of a re-import.
DERIVED = ("State", "Version", "Signed on", "Risks", "Objectives", "Findings", "Actions")


def build(ctx: Context, row: Decision | None, values: dict[str, Any]) -> tuple[Decision, list[str]]:
    if row is None:
        row = Decision(organisation=ctx.organisation, created_by=ctx.membership.user)
    for name, value in values.items():
        setattr(row, name, value)
    warnings = [] if row.rationale.strip() else ["No rationale: add it before it is signed."]
    return row, warnings


KIND = ImportKind(
    name="decisions",
    label="Decisions",
    order=70,
    permission="decisions.decision.create",
    fields=FIELDS,
    model=Decision,
    build=build,
    notes_field="context",
    update_fields=tuple(f.name for f in FIELDS),
    derived=DERIVED,
    list_url="decisions:index",
    description="A decision log: one decision a row, imported as drafts for a leader to sign.",
)


def _cell(row: Decision, f: Field) -> Any:
    value = getattr(row, f.name)
    return value.email if f.name == "owner" else value


def sheets(organisation: Organisation, params: QueryDict) -> list[Sheet]:
    status = params.get("status", "")
    rows = (
        Decision.objects.for_org(organisation)
        .with_state()
        .select_related("owner")
        .prefetch_related("risks", "objectives", "findings__audit", "actions")
        .order_by("decided_on", "pk")
    )
    if status in Shown.values:
        rows = rows.in_state(status)
    register = [
        [
            r.external_ref or f"DEC-{r.pk}",
            *[_cell(r, f) for f in FIELDS],
            r.shown_label,
            r.version_number,
            r.signed_at.astimezone(organisation.tzinfo).date() if r.signed_at else None,
            "; ".join(risk.reference for risk in r.risks.all()),
            "; ".join(o.title for o in r.objectives.all()),
            "; ".join(f.reference for f in r.findings.all()),
            "; ".join(a.title for a in r.actions.all()),
        ]
        for r in rows
    ]
    reviews = register_rows(organisation, source="review").order_by("day", "pk")
    return [
        Sheet("Decisions", ["Reference", *[f.label for f in FIELDS], *DERIVED], register),
        Sheet(
            "Decided in management reviews",
            ["Meeting date", "Decision", "Minutes"],
            [[r["day"], r["title"], dict(Shown.choices)[r["shown"]]] for r in reviews],
        ),
    ]


registry.register("imports", KIND)
registry.register(
    "exports",
    ExportKind(
        "decisions", "Decision register", 70, "decisions.decision.view", sheets, unapproved=True
    ),
)
