"""Audit findings in (from any findings log) and out; the audit programme out."""

from __future__ import annotations

from operator import attrgetter
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.http import QueryDict

from isova.clauses import normalise_clause, validate_clause
from isova.imports.building import fill, lookup_choices
from isova.imports.kinds import Choice, Context, ExportKind, Field, ImportKind, RowProblem, Sheet
from isova.models import Organisation
from isova.registry import registry

from .forms import FindingFilterForm
from .models import Audit, AuditSettings, Finding, FindingStatus, FindingType, Process

TYPES = (
    Choice(
        FindingType.MAJOR,
        "Major nonconformity",
        (
            "major",
            "major nc",
            "major ncr",
            "nc major",
            "major non conformity",
            "major non conformance",
            "ncr major",
        ),
    ),
    Choice(
        FindingType.MINOR,
        "Minor nonconformity",
        (
            "minor",
            "minor nc",
            "minor ncr",
            "nc",
            "nc minor",
            "nonconformity",
            "non conformity",
            "non conformance",
            "ncr",
        ),
    ),
    Choice(FindingType.OBSERVATION, "Observation", ("obs", "concern", "area of concern")),
    Choice(
        FindingType.OFI,
        "Opportunity for improvement",
        ("ofi", "improvement", "oi", "afi", "opportunity", "recommendation", "suggestion"),
    ),
)
STATUSES = (
    Choice(FindingStatus.OPEN, "Open", ("new", "raised", "not started", "outstanding")),
    Choice(
        FindingStatus.IN_PROGRESS,
        "Response in progress",
        ("in progress", "ongoing", "action in progress", "responded", "pending verification"),
    ),
    Choice(FindingStatus.VERIFIED, "Effectiveness verified", ("verified", "effective")),
    Choice(
        FindingStatus.CLOSED, "Closed", ("done", "complete", "completed", "resolved", "closed out")
    ),
)


def _audits(ctx: Context) -> list[Choice]:
    audits = Audit.objects.for_org(ctx.organisation)
    return lookup_choices(ctx, "audits", audits, attrgetter("reference"), lambda a: (a.title,))


def processes(ctx: Context) -> list[Choice]:
    """The organisation's processes, by name (risks' import looks them up too)."""
    return lookup_choices(ctx, "processes", Process.objects.for_org(ctx.organisation))


FIELDS = (
    Field(
        "audit",
        "Audit",
        "lookup",
        True,
        ("audit reference", "audit ref", "audit title", "audit name", "audit no"),
        _audits,
        help="By reference or title.",
    ),
    Field(
        "finding_type",
        "Type",
        "choice",
        True,
        ("finding type", "classification", "grade", "category", "nc type", "finding category"),
        TYPES,
    ),
    Field(
        "clause",
        "Clause",
        "text",
        True,
        ("iso clause", "standard clause", "requirement", "clause ref", "iso 9001 clause"),
        max_length=12,
    ),
    Field("process", "Process", "lookup", False, ("area", "department", "process area"), processes),
    Field(
        "description",
        "Description",
        "text",
        True,
        ("finding", "nonconformity", "details", "finding description", "statement", "observation"),
    ),
    Field("evidence", "Objective evidence", "text", False, ("evidence", "objective evidence")),
    Field(
        "raised_on",
        "Date raised",
        "date",
        False,
        ("date", "raised", "date raised", "found on", "audit date", "date found", "raised on"),
    ),
    Field("raised_by", "Raised by", "person", False, ("auditor", "raised by", "found by")),
    Field(
        "response_due",
        "Response due",
        "date",
        False,
        ("due", "due date", "target date", "response date", "deadline"),
    ),
    Field("status", "Status", "choice", False, ("finding status", "state"), STATUSES),
    Field(
        "containment",
        "Containment and correction",
        "text",
        False,
        ("containment", "correction", "immediate action", "correction taken"),
    ),
    Field("root_cause", "Root cause", "text", False, ("cause", "root cause analysis", "rca")),
    Field("closed_on", "Closed on", "date", False, ("closed", "date closed", "closure date")),
)


def prepare(ctx: Context) -> None:
    _audits(ctx)
    processes(ctx)
    ctx.cache["settings"] = AuditSettings.for_org(ctx.organisation)
    ctx.cache["numbers"] = dict(
        Finding.objects.for_org(ctx.organisation)
        .values("audit_id")
        .annotate(n=Max("number"))
        .values_list("audit_id", "n")
    )


def build(
    ctx: Context, finding: Finding | None, values: dict[str, Any]
) -> tuple[Finding, list[str]]:
    for name in ("audit", "process"):
        if name in values:
            values[name] = ctx.cache[f"{name}s"][values[name]]
    if "clause" in values:
        clause = normalise_clause(values["clause"])
        try:
            validate_clause(clause)
        except ValidationError as error:
            raise RowProblem("clause", " ".join(error.messages)) from None
        values["clause"] = clause
    warnings = []
    if finding is None:
        audit = values["audit"]
        number = ctx.cache["numbers"].get(audit.pk, 0) + 1
        ctx.cache["numbers"][audit.pk] = number
        finding = Finding(
            organisation=ctx.organisation,
            audit=audit,
            number=number,
            evidence="",
            raised_by=ctx.membership.user,
            raised_on=ctx.today,
        )
        if "raised_on" not in values:
            warnings.append("No date raised: today's date is used.")
    elif "audit" in values and values["audit"].pk != finding.audit_id:
        raise RowProblem("audit", "A finding cannot move to another audit on re-import.")
    fill(finding, values)
    if finding.raised_by_id is None:
        finding.raised_by = ctx.membership.user
    if "response_due" not in values and not finding.response_due:
        finding.response_due = ctx.cache["settings"].response_due(
            finding.finding_type, finding.raised_on
        )
    if finding.status == FindingStatus.CLOSED and not finding.closed_on:
        finding.closed_on = finding.raised_on
        warnings.append("Closed without a closing date: the date raised is used.")
    return finding, warnings


KIND = ImportKind(
    name="findings",
    label="Audit findings",
    order=30,
    permission="audits.finding.raise",
    fields=FIELDS,
    model=Finding,
    build=build,
    notes_field="evidence",
    prepare=prepare,
    list_url="audits:finding_list",
    description="A findings log: one row per finding, each on an audit already in isova.",
)


def _person(user: Any) -> str:
    return user.email if user else ""


def findings(organisation: Organisation, params: QueryDict) -> list[Sheet]:
    today = organisation.today()
    form = FindingFilterForm(params or None, organisation=organisation)
    rows = form.filter(
        Finding.objects.for_org(organisation).with_flags(today), today
    ).select_related("audit", "process", "raised_by")
    rows = rows.order_by("audit__planned_date", "audit_id", "number")
    return [
        Sheet(
            "Findings",
            ["Reference", *[f.label for f in FIELDS]],
            [
                [
                    f.external_ref or f"{f.audit.reference}-{f.number}",
                    f.audit.reference,
                    f.get_finding_type_display(),
                    f.clause,
                    f.process.name if f.process else "",
                    f.description,
                    f.evidence,
                    f.raised_on,
                    _person(f.raised_by),
                    f.response_due,
                    f.get_status_display(),
                    f.containment,
                    f.root_cause,
                    f.closed_on,
                ]
                for f in rows
            ],
        )
    ]


PROGRAMME_HEADERS = [
    "Reference",
    "Title",
    "Type",
    "Process",
    "Area",
    "Clauses",
    "Scope",
    "Criteria",
    "Lead auditor",
    "External auditor",
    "Planned date",
    "Actual start",
    "Report issued",
    "Closed on",
    "Status",
    "Summary",
    "Conclusion",
]


def programme(organisation: Organisation, params: QueryDict) -> list[Sheet]:
    audits = Audit.objects.for_org(organisation).select_related("process", "lead_auditor")
    if params.get("status"):
        audits = audits.filter(status=params["status"])
    year = params.get("year") or ""
    if year.isdigit():
        audits = audits.filter(planned_date__year=int(year))
    rows = [_programme_row(a) for a in audits.order_by("planned_date", "reference")]
    return [Sheet("Audit programme", PROGRAMME_HEADERS, rows)]


def _programme_row(a: Audit) -> list[Any]:
    return [
        a.reference,
        a.title,
        a.get_audit_type_display(),
        a.process.name if a.process else "",
        a.area,
        a.clauses,
        a.scope,
        a.criteria,
        _person(a.lead_auditor),
        a.external_auditor,
        a.planned_date,
        a.started_on,
        a.reported_on,
        a.closed_on,
        a.get_status_display(),
        a.summary,
        a.conclusion,
    ]


registry.register("imports", KIND)
registry.register(
    "exports", ExportKind("findings", "Audit findings", 30, "audits.audit.view", findings)
)
registry.register(
    "exports", ExportKind("audit_programme", "Audit programme", 35, "audits.audit.view", programme)
)
