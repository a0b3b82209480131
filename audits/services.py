"""Writes of the audits app: plan and run audits, raise findings, follow them through 10.2.

Every function is keyword-only and atomic, checks the caller's role through `isova.tenancy`,
locks the row it moves, refuses moves the workflow does not allow with an `AuditError`
whose message is shown to the user, and saves with `update_fields`.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from isova import errors, records
from isova.accounts import tenancy
from isova.actions import services as actions
from isova.clauses import normalise_clause, validate_clause
from isova.lessons import services as lessons
from isova.models import (
    Action,
    Approvable,
    Membership,
    Organisation,
    SignOff,
    User,
)
from isova.notifications import services as notifications

from .models import (
    AUDIT_TRANSITIONS,
    Audit,
    AuditSettings,
    AuditStatus,
    AuditType,
    Finding,
    FindingStatus,
    Process,
    RootCauseMethod,
)

REFERENCE_PREFIX: dict[str, str] = {
    AuditType.INTERNAL: "IA",
    AuditType.EXTERNAL: "EA",
    AuditType.SUPPLIER: "SA",
    AuditType.CUSTOMER: "CA",
}


class AuditError(errors.DomainError):
    """A move the audit workflow does not allow; the message says why."""


# --- helpers ---------------------------------------------------------------------------


def _require(membership: Membership, perm: str, message: str) -> None:
    if not tenancy.has_perm(membership, perm):
        raise PermissionDenied(message)


def _check_same_org(membership: Membership, obj: models.Model) -> None:
    if membership.organisation_id != obj.organisation_id:  # type: ignore[attr-defined]
        raise PermissionDenied("Not a member of this organisation.")


def _check_members(organisation: Organisation, users: list[User]) -> None:
    ids = {u.pk for u in users}
    found = set(organisation.memberships.filter(user_id__in=ids).values_list("user_id", flat=True))
    if ids - found:
        raise AuditError("Auditors must be members of this organisation.")


def _check_process(organisation: Organisation, process: Process | None) -> None:
    if process is not None and process.organisation_id != organisation.pk:
        raise AuditError("Choose one of this organisation’s processes.")


def _save(obj: models.Model, user: User, fields: list[str]) -> None:
    obj._history_user = user  # type: ignore[attr-defined]  # simple-history's "who"
    obj.save(update_fields=[*fields, "updated_at"])


def _lock_audit(audit: Audit) -> Audit:
    return Audit.objects.select_for_update().get(pk=audit.pk)


def _lock_finding(finding: Finding) -> Finding:
    return Finding.objects.select_for_update().get(pk=finding.pk)


def _sign(
    *,
    membership: Membership,
    obj: Approvable,
    meaning: str,
    password: str,
    comment: str,
    proof: records.ProviderSignIn | None = None,
    shown_hash: str | None = None,
) -> SignOff:
    """Sign through the one records mechanism; its refusals become AuditErrors for the form."""
    try:
        return records.sign(
            membership=membership,
            obj=obj,
            meaning=meaning,
            password=password,
            comment=comment,
            proof=proof,
            binding=shown_hash,
        )
    except records.RecordError as error:
        raise AuditError(str(error)) from error


# --- settings and processes -----------------------------------------------------------


@transaction.atomic
def settings_update(*, membership: Membership, **days: int) -> AuditSettings:
    """Change the organisation's response times; findings raised later use the new values."""
    _require(membership, "audits.settings.edit", "Only leaders change the audit settings.")
    fields = [f"sla_{kind}_days" for kind in ("major", "minor", "observation", "ofi")]
    unknown = set(days) - set(fields)
    if unknown:
        raise ValueError(f"not settings: {sorted(unknown)}")
    settings_row, _ = AuditSettings.objects.select_for_update().get_or_create(
        organisation=membership.organisation
    )
    for field, value in days.items():
        if not 1 <= int(value) <= 365:
            raise AuditError("Response times are between 1 and 365 days.")
        setattr(settings_row, field, int(value))
    settings_row._history_user = membership.user  # type: ignore[attr-defined]
    settings_row.save()
    return settings_row


@transaction.atomic
def process_save(
    *,
    membership: Membership,
    name: str,
    owner: User | None,
    description: str = "",
    process: Process | None = None,
) -> Process:
    """Create a process (or edit `process`) of the member's organisation."""
    _require(membership, "audits.process.manage", "Only managers and leaders manage processes.")
    organisation = membership.organisation
    if process is not None:
        _check_same_org(membership, process)
    if owner is not None:
        _check_members(organisation, [owner])
    duplicate = Process.objects.for_org(organisation).filter(name__iexact=name.strip())
    if process is not None:
        duplicate = duplicate.exclude(pk=process.pk)
    if duplicate.exists():
        raise AuditError(f"There is already a process called “{name.strip()}”.")
    process = process or Process(organisation=organisation)
    process.name, process.owner, process.description = name.strip(), owner, description
    process._history_user = membership.user  # type: ignore[attr-defined]
    process.save()
    return process


# --- audits ----------------------------------------------------------------------------

AUDIT_FIELDS = (
    *Audit.PLAN_FIELDS,
    "external_auditor",
    "planned_date",
    "summary",
    "conclusion",
)


def _next_reference(organisation: Organisation, audit_type: str, year: int) -> str:
    taken = set(
        Audit.objects.for_org(organisation)
        .filter(reference__contains=f"-{year}-")
        .values_list("reference", flat=True)
    )
    number = len(taken) + 1
    while True:
        reference = f"{REFERENCE_PREFIX[audit_type]}-{year}-{number:02d}"
        if reference not in taken:
            return reference
        number += 1


def _check_audit_people(organisation: Organisation, lead_auditor: User, team: list[User]) -> None:
    _check_members(organisation, [lead_auditor, *team])


@transaction.atomic
def audit_plan(*, membership: Membership, team: list[User] | None = None, **fields: Any) -> Audit:
    """Put an audit on the programme. Independence is warned about by the form, not refused."""
    _require(membership, "audits.audit.plan", "Only auditors, managers and leaders plan audits.")
    unknown = set(fields) - set(AUDIT_FIELDS)
    if unknown:
        raise ValueError(f"not audit fields: {sorted(unknown)}")
    organisation = membership.organisation
    team = list(team or [])
    _check_audit_people(organisation, fields["lead_auditor"], team)
    _check_process(organisation, fields.get("process"))
    for _attempt in range(5):
        try:
            with transaction.atomic():
                audit = Audit(organisation=organisation, created_by=membership.user, **fields)
                audit.reference = _next_reference(
                    organisation, audit.audit_type, audit.planned_date.year
                )
                audit._history_user = membership.user  # type: ignore[attr-defined]
                audit.save()
                audit.team.set(team)
                return audit
        except IntegrityError:
            continue  # another audit took that reference at the same moment; take the next
    raise AuditError("Could not number this audit; please try again.")


@transaction.atomic
def audit_update(
    *, membership: Membership, audit: Audit, team: list[User] | None = None, **fields: Any
) -> Audit:
    """Edit a planned or running audit; an issued report is a record and no longer changes."""
    _require(membership, "audits.audit.plan", "Only auditors, managers and leaders edit audits.")
    _check_same_org(membership, audit)
    unknown = set(fields) - set(AUDIT_FIELDS)
    if unknown:
        raise ValueError(f"not audit fields: {sorted(unknown)}")
    current = _lock_audit(audit)
    if not current.is_editable:
        raise AuditError(
            f"This audit is {current.get_status_display().lower()}: its report has been issued "
            "and can no longer change."
        )
    lead = fields.get("lead_auditor", current.lead_auditor)
    _check_audit_people(current.organisation, lead, list(team or []))
    _check_process(current.organisation, fields.get("process"))
    for field, value in fields.items():
        setattr(current, field, value)
    _save(current, membership.user, list(fields))
    if team is not None:
        current.team.set(team)
    return current


def _move_audit(audit: Audit, status: str) -> None:
    if status not in AUDIT_TRANSITIONS[audit.status]:
        raise AuditError(
            f"An audit that is {audit.get_status_display().lower()} cannot become "
            f"{AuditStatus(status).label.lower()}."
        )


@transaction.atomic
def audit_start(
    *, membership: Membership, audit: Audit, started_on: datetime.date | None = None
) -> Audit:
    _require(membership, "audits.audit.plan", "Only auditors, managers and leaders run audits.")
    _check_same_org(membership, audit)
    current = _lock_audit(audit)
    _move_audit(current, AuditStatus.IN_PROGRESS)
    current.status = AuditStatus.IN_PROGRESS
    current.started_on = started_on or current.organisation.today()
    _save(current, membership.user, ["status", "started_on"])
    return current


def report_blockers(audit: Audit) -> list[str]:
    """Why the report of this audit cannot be issued yet (empty when it can)."""
    reasons = []
    if audit.status != AuditStatus.IN_PROGRESS:
        reasons.append(
            f"Only an audit in progress can issue its report; this one is "
            f"{audit.get_status_display().lower()}."
        )
    if not audit.summary.strip():
        reasons.append("Write the summary of the audit first.")
    if not audit.conclusion.strip():
        reasons.append("Write the audit’s conclusion first.")
    return reasons


@transaction.atomic
def audit_report(
    *,
    membership: Membership,
    audit: Audit,
    password: str = "",
    comment: str = "",
    proof: records.ProviderSignIn | None = None,
    shown_hash: str | None = None,
) -> Audit:
    """Issue the audit report: signed with meaning "issued" (password re-entered, or `proof`,
    a fresh sign-in at the provider made for `shown_hash`, the audit as its page showed it)."""
    _require(membership, "audits.audit.report", "Only auditors, managers and leaders do this.")
    _check_same_org(membership, audit)
    current = _lock_audit(audit)
    reasons = report_blockers(current)
    if reasons:
        raise AuditError(" ".join(reasons))
    if proof is not None:
        records.check_shown(current, shown_hash)
    current.status = AuditStatus.REPORTED
    current.reported_on = current.organisation.today()
    _save(current, membership.user, ["status", "reported_on"])
    _sign(
        membership=membership,
        obj=current,
        meaning="issued",
        password=password,
        comment=comment,
        proof=proof,
        shown_hash=shown_hash,
    )
    return current


@transaction.atomic
def audit_close(*, membership: Membership, audit: Audit) -> Audit:
    """Close an audit whose report is issued and whose findings are all closed."""
    _require(membership, "audits.audit.close", "Only auditors, managers and leaders do this.")
    _check_same_org(membership, audit)
    current = _lock_audit(audit)
    _move_audit(current, AuditStatus.CLOSED)
    unresolved = list(current.findings.unresolved().order_by("number"))
    if unresolved:
        refs = ", ".join(f.reference for f in unresolved)
        raise AuditError(
            f"This audit still has {len(unresolved)} unresolved finding"
            f"{'s' if len(unresolved) != 1 else ''} ({refs}); close them first."
        )
    current.status = AuditStatus.CLOSED
    current.closed_on = current.organisation.today()
    _save(current, membership.user, ["status", "closed_on"])
    lessons.prompt(
        source=current,
        owner=current.lead_auditor,
        kind="audit",
        label=f"Audit {current.reference} “{current.title}”",
        url=current.get_absolute_url(),
        tags=[current.process.name] if current.process else [],
    )
    return current


# --- findings ---------------------------------------------------------------------------

FINDING_FIELDS = ("finding_type", "clause", "process", "description", "evidence")


def _clean_clause(value: str) -> str:
    clause = normalise_clause(value)
    try:
        validate_clause(clause)
    except Exception as error:
        raise AuditError(" ".join(error.messages)) from error  # type: ignore[attr-defined]
    return clause


def _notify_process_owner(finding: Finding, by: User) -> None:
    process = finding.process
    if process is None or process.owner_id is None or process.owner_id == by.pk:
        return
    notifications.notify(
        organisation=finding.organisation,
        recipient=process.owner,  # type: ignore[arg-type]
        kind="finding_raised",
        key=f"finding:{finding.pk}",
        subject=f"{finding.get_finding_type_display()} raised on {process.name}",
        body=(
            f"{by} raised a finding on “{process.name}” in audit {finding.audit}:\n\n"
            f"{finding.description}\n\nResponse due {finding.response_due:%d %B %Y}.\n"
        ),
        url=finding.get_absolute_url(),
    )


@transaction.atomic
def finding_raise(
    *,
    membership: Membership,
    audit: Audit,
    finding_type: str,
    clause: str,
    description: str,
    evidence: str,
    process: Process | None = None,
    raised_on: datetime.date | None = None,
) -> Finding:
    """Record a finding on an audit in progress; its response date follows the org's SLA."""
    _require(membership, "audits.finding.raise", "Only auditors, managers and leaders do this.")
    _check_same_org(membership, audit)
    current = _lock_audit(audit)
    if current.status != AuditStatus.IN_PROGRESS:
        raise AuditError(
            "Findings are raised while the audit is in progress; this audit is "
            f"{current.get_status_display().lower()}."
        )
    _check_process(current.organisation, process)
    organisation = current.organisation
    raised_on = raised_on or organisation.today()
    number = (current.findings.aggregate(n=models.Max("number"))["n"] or 0) + 1
    finding = Finding(
        organisation=organisation,
        audit=current,
        number=number,
        finding_type=finding_type,
        clause=_clean_clause(clause),
        process=process if process is not None else current.process,
        description=description,
        evidence=evidence,
        raised_on=raised_on,
        raised_by=membership.user,
        response_due=AuditSettings.for_org(organisation).response_due(finding_type, raised_on),
    )
    finding._history_user = membership.user  # type: ignore[attr-defined]
    finding.save()
    _notify_process_owner(finding, membership.user)
    return finding


@transaction.atomic
def finding_update(*, membership: Membership, finding: Finding, **fields: Any) -> Finding:
    """Correct what was raised (while the audit runs); a new type recomputes the due date."""
    _require(membership, "audits.finding.raise", "Only auditors, managers and leaders do this.")
    _check_same_org(membership, finding)
    unknown = set(fields) - set(FINDING_FIELDS)
    if unknown:
        raise ValueError(f"not finding fields: {sorted(unknown)}")
    current = _lock_finding(finding)
    if current.audit.status != AuditStatus.IN_PROGRESS or current.is_closed:
        raise AuditError("A finding can be corrected only while its audit is in progress.")
    if "clause" in fields:
        fields["clause"] = _clean_clause(fields["clause"])
    _check_process(current.organisation, fields.get("process"))
    for field, value in fields.items():
        setattr(current, field, value)
    changed = list(fields)
    if "finding_type" in fields:
        settings_row = AuditSettings.for_org(current.organisation)
        current.response_due = settings_row.response_due(current.finding_type, current.raised_on)
        changed.append("response_due")
    _save(current, membership.user, changed)
    return current


def _open_for_response(finding: Finding) -> None:
    if finding.is_closed:
        raise AuditError("This finding is closed; its record no longer changes.")


def _mark_in_progress(finding: Finding, fields: list[str]) -> None:
    if finding.status == FindingStatus.OPEN:
        finding.status = FindingStatus.IN_PROGRESS
        fields.append("status")


def _respond(membership: Membership, finding: Finding) -> Finding:
    _require(
        membership,
        "audits.finding.respond",
        "Only managers and leaders record the response to a finding.",
    )
    _check_same_org(membership, finding)
    current = _lock_finding(finding)
    _open_for_response(current)
    return current


@transaction.atomic
def finding_record_containment(
    *, membership: Membership, finding: Finding, containment: str
) -> Finding:
    """10.2.1 a): what was done to control and correct the nonconformity."""
    current = _respond(membership, finding)
    if not containment.strip():
        raise AuditError("Describe the containment or correction.")
    current.containment = containment.strip()
    current.containment_by, current.containment_at = membership.user, timezone.now()
    fields = ["containment", "containment_by", "containment_at"]
    _mark_in_progress(current, fields)
    _save(current, membership.user, fields)
    return current


@transaction.atomic
def finding_record_root_cause(
    *,
    membership: Membership,
    finding: Finding,
    method: str,
    root_cause: str,
    whys: list[str] | None = None,
    similar_elsewhere: str = "",
) -> Finding:
    """10.2.1 b): the cause, as five whys (at least one answered) or free text."""
    current = _respond(membership, finding)
    if method not in RootCauseMethod.values:
        raise AuditError("Choose how the root cause was analysed.")
    whys = [w.strip() for w in (whys or [])][:5]
    while whys and not whys[-1]:
        whys.pop()
    if method == RootCauseMethod.FIVE_WHYS and not any(whys):
        raise AuditError("Answer at least the first “why?”.")
    if not root_cause.strip():
        raise AuditError("State the root cause.")
    current.root_cause_method = method
    current.root_cause_whys = whys if method == RootCauseMethod.FIVE_WHYS else []
    current.root_cause = root_cause.strip()
    current.similar_elsewhere = similar_elsewhere.strip()
    current.root_cause_by, current.root_cause_at = membership.user, timezone.now()
    fields = [
        "root_cause_method",
        "root_cause_whys",
        "root_cause",
        "similar_elsewhere",
        "root_cause_by",
        "root_cause_at",
    ]
    _mark_in_progress(current, fields)
    _save(current, membership.user, fields)
    return current


@transaction.atomic
def finding_assign_action(*, membership: Membership, finding: Finding, **action: Any) -> Action:
    """10.2.1 c): a corrective action, an `isova.Action` whose source is the finding.

    `action` holds `isova.actions.action_create`'s fields (title, owner, due_date, …).
    """
    _require(
        membership,
        "audits.finding.assign",
        "Only managers and leaders assign corrective actions.",
    )
    _check_same_org(membership, finding)
    current = _lock_finding(finding)
    _open_for_response(current)
    created = actions.action_create(membership=membership, source=current, **action)
    fields: list[str] = []
    if current.status == FindingStatus.VERIFIED:
        # New work after a verified check: its effectiveness has to be checked again.
        current.status = FindingStatus.IN_PROGRESS
        fields.append("status")
    _mark_in_progress(current, fields)
    if fields:
        _save(current, membership.user, fields)
    return created


@transaction.atomic
def finding_plan_effectiveness_check(
    *, membership: Membership, finding: Finding, check_after: datetime.date | None
) -> Finding:
    """Set the date from which effectiveness may be checked (enough time for evidence)."""
    current = _respond(membership, finding)
    current.effectiveness_check_after = check_after
    _save(current, membership.user, ["effectiveness_check_after"])
    return current


@transaction.atomic
def finding_record_risk_decision(
    *,
    membership: Membership,
    finding: Finding,
    changes_risks: bool,
    note: str = "",
    risks: list[Any] | None = None,
) -> Finding:
    """10.2.1 e): does this change our risks and opportunities? Yes needs the risk named
    (risks of the register, or a note)."""
    current = _respond(membership, finding)
    risks = list(risks or []) if changes_risks else []
    if any(r.organisation_id != membership.organisation_id for r in risks):
        raise AuditError("Choose risks of this organisation.")
    if changes_risks and not (note.strip() or risks):
        raise AuditError("Name the risk (or opportunity) that changes and how.")
    current.risks.set(risks)
    current.risk_changes, current.risk_note = changes_risks, note.strip()
    current.risk_decided_by, current.risk_decided_at = membership.user, timezone.now()
    fields = ["risk_changes", "risk_note", "risk_decided_by", "risk_decided_at"]
    _mark_in_progress(current, fields)
    _save(current, membership.user, fields)
    return current


def _live_actions(finding: Finding) -> list[Action]:
    return list(finding.actions.live().select_related("owner").order_by("pk"))


def _unfinished(live: list[Action]) -> list[Action]:
    return [a for a in live if not a.is_finished]


def _titles(items: list[Action]) -> str:
    return ", ".join(f"“{a.title}”" for a in items)


def verify_blockers(finding: Finding, today: datetime.date, live: list[Action]) -> list[str]:
    """Why effectiveness cannot be checked yet (empty when it can), whoever checks."""
    if not finding.is_nonconformity:
        return ["Observations and opportunities for improvement need no effectiveness check."]
    if finding.is_closed:
        return ["This finding is closed."]
    reasons = []
    if not live:
        reasons.append("Assign at least one corrective action first.")
    unfinished = _unfinished(live)
    if unfinished:
        reasons.append(f"These corrective actions are not done yet: {_titles(unfinished)}.")
    after = finding.effectiveness_check_after
    if after and today < after:
        reasons.append(f"The effectiveness check is planned for {after:%d %B %Y} or later.")
    return reasons


def action_workers(finding: Finding) -> set[int]:
    """Everyone who ever owned or completed one of the finding's actions (1 query).

    From the actions' history, not their current rows: reassigning a completed action to
    someone else must not make its doer independent of it.
    """
    rows = Action.history.filter(
        source_type=ContentType.objects.get_for_model(Finding), source_id=finding.pk
    ).values_list("owner_id", "completed_by_id")
    return {pk for row in rows for pk in row if pk is not None}


def is_action_owner(membership: Membership | None, workers: set[int]) -> bool:
    """The member owns, or ever owned or completed, one of the finding's actions."""
    return membership is not None and membership.user_id in workers


def can_verify_effectiveness(membership: Membership | None, workers: set[int]) -> bool:
    """Role allows it and the member did none of the finding's actions (no self-checking)."""
    return tenancy.has_perm(membership, "audits.finding.verify") and not is_action_owner(
        membership, workers
    )


@transaction.atomic
def finding_verify_effectiveness(
    *,
    membership: Membership,
    finding: Finding,
    effective: bool,
    note: str,
    password: str = "",
    proof: records.ProviderSignIn | None = None,
    shown_hash: str | None = None,
) -> Finding:
    """10.2.1 d): review effectiveness. "Effective" is signed (meaning "verified"), with the
    password or `proof`, a fresh sign-in at the provider made for `shown_hash` (the finding
    as its page showed it).

    "Not effective" is recorded unsigned and sends the finding back to its response: more
    corrective action is needed before it can be checked again.
    """
    _require(
        membership,
        "audits.finding.verify",
        "Only auditors, managers and leaders check effectiveness.",
    )
    _check_same_org(membership, finding)
    current = _lock_finding(finding)
    _check_verifiable(membership, current, note)
    if effective and proof is not None:
        records.check_shown(current, shown_hash)
    _record_effectiveness(current, membership.user, effective, note)
    if effective:
        _sign(
            membership=membership,
            obj=current,
            meaning="verified",
            password=password,
            comment="",
            proof=proof,
            shown_hash=shown_hash,
        )
    _prompt_finding_lesson(current, membership.user)
    return current


def _check_verifiable(membership: Membership, finding: Finding, note: str) -> None:
    """Raise unless the member did none of the (locked) finding's actions, its effectiveness
    can be checked now and the note says what shows it (2 queries)."""
    live = _live_actions(finding)
    if is_action_owner(membership, action_workers(finding)):
        raise PermissionDenied(
            "You own or did one of this finding’s corrective actions; someone else must "
            "check their effectiveness."
        )
    reasons = verify_blockers(finding, finding.organisation.today(), live)
    if reasons:
        raise AuditError(" ".join(reasons))
    if not note.strip():
        raise AuditError("Say what evidence shows the actions worked (or did not).")


def _record_effectiveness(finding: Finding, checker: User, effective: bool, note: str) -> None:
    """Save the verdict: verified when effective, otherwise back to its response."""
    finding.effective, finding.effectiveness_note = effective, note.strip()
    finding.effectiveness_by, finding.effectiveness_at = checker, timezone.now()
    finding.status = FindingStatus.VERIFIED if effective else FindingStatus.IN_PROGRESS
    fields = ["effective", "effectiveness_note", "effectiveness_by", "effectiveness_at", "status"]
    _save(finding, checker, fields)


def _prompt_finding_lesson(finding: Finding, checker: User) -> None:
    """Ask what worked and what didn't in the response, once per finding (the first check,
    effective or not): the process owner, or whoever checked when the process has none."""
    process = finding.process
    verdict = "effective" if finding.effective else "not effective"
    lessons.prompt(
        source=finding,
        owner=process.owner if process and process.owner else checker,
        kind="finding",
        label=f"Finding {finding.reference}: corrective action {verdict}",
        url=finding.get_absolute_url(),
        tags=[process.name] if process else [],
    )


def close_blockers(finding: Finding, live: list[Action]) -> list[str]:
    """Why this finding cannot close yet, in the order of the 10.2 steps (empty if it can)."""
    if finding.is_closed:
        return ["This finding is already closed."]
    reasons = []
    unfinished = _unfinished(live)
    if finding.is_nonconformity:
        if not finding.containment:
            reasons.append("Record the containment and correction.")
        if not finding.root_cause:
            reasons.append("Record the root cause.")
        if not live:
            reasons.append("Assign at least one corrective action.")
    if unfinished:
        reasons.append(f"These actions are not done yet: {_titles(unfinished)}.")
    if finding.risk_changes is None:
        reasons.append("Record whether this finding changes your risks.")
    if finding.is_nonconformity and finding.effective is not True:
        reasons.append("Verify the effectiveness of the corrective actions.")
    return reasons


@transaction.atomic
def finding_close(*, membership: Membership, finding: Finding) -> Finding:
    """Close a finding whose actions are finished, risks decided and effectiveness verified."""
    _require(membership, "audits.finding.close", "Only auditors, managers and leaders do this.")
    _check_same_org(membership, finding)
    current = _lock_finding(finding)
    reasons = close_blockers(current, _live_actions(current))
    if reasons:
        raise AuditError("This finding cannot be closed yet: " + " ".join(reasons))
    current.status = FindingStatus.CLOSED
    current.closed_on, current.closed_by = current.organisation.today(), membership.user
    _save(current, membership.user, ["status", "closed_on", "closed_by"])
    return current
