"""Leadership evidence (ISO 9001:2015 5.1): what isova holds for each item of 5.1.1 a–j and
5.1.2 a–c, drawn live from the records, with the gaps a certification auditor would find.

Each app contributes through `registry.register("evidence", EvidenceSource(...))`; this module
adds the core's own (sign-offs, the quality policy, how actions are spread across people),
groups everything by clause item, and names a gap for every item with no evidence. A leader
signs the pack as "reviewed" through `isova.records`; the signature binds the pack as shown
(its hash travels in the form and is compared with the pack rebuilt at signing).
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Q, Sum
from django.urls import reverse
from django.utils import timezone

from isova import records
from isova.accounts import tenancy
from isova.accounts.models import Membership, Organisation, Role
from isova.actions.models import Action, ActionStatus
from isova.errors import Conflict, DomainError, NotAllowed
from isova.evidence.models import EvidencePack
from isova.records.models import QualityPolicy, SignOff
from isova.registry import Evidence, Gap, registry

# Paraphrased, not quoted: the standard's own words are the standard's.
ITEMS: tuple[tuple[str, str], ...] = (
    ("5.1.1 a", "Takes accountability for the effectiveness of the QMS"),
    ("5.1.1 b", "Quality policy and objectives set, fitting the context and strategic direction"),
    ("5.1.1 c", "QMS requirements built into the organisation's business processes"),
    ("5.1.1 d", "Process approach and risk-based thinking promoted"),
    ("5.1.1 e", "Resources the QMS needs are made available"),
    ("5.1.1 f", "The importance of effective quality management communicated"),
    ("5.1.1 g", "The QMS achieves its intended results"),
    ("5.1.1 h", "People engaged, directed and supported to contribute"),
    ("5.1.1 i", "Improvement promoted"),
    ("5.1.1 j", "Other managers supported in leading their areas"),
    ("5.1.2 a", "Customer and legal requirements determined, understood and met"),
    ("5.1.2 b", "Risks and opportunities that affect conformity and satisfaction addressed"),
    ("5.1.2 c", "Focus on enhancing customer satisfaction maintained"),
)
TITLES = dict(ITEMS)
# Share of the open actions above which one person carries "everything delegated to one".
BUSIEST_SHARE_GAP = 0.5


class EvidenceError(DomainError):
    pass


# --- the period ------------------------------------------------------------------------------


def default_period(organisation: Organisation) -> tuple[datetime.date, datetime.date]:
    """The last twelve months up to today, in the organisation's time zone."""
    today = organisation.today()
    try:
        start = today.replace(year=today.year - 1) + datetime.timedelta(days=1)
    except ValueError:  # 29 February
        start = today.replace(year=today.year - 1, day=28) + datetime.timedelta(days=1)
    return start, today


def period_bounds(
    organisation: Organisation, start: datetime.date, end: datetime.date
) -> tuple[datetime.datetime, datetime.datetime]:
    """[start 00:00, the day after end 00:00) in the organisation's zone, as aware datetimes:
    what sources filter timestamps with, so a sign-off at 23:30 local time on the last day
    counts, whatever the server's zone."""
    tz = organisation.tzinfo
    after = end + datetime.timedelta(days=1)
    return (
        datetime.datetime.combine(start, datetime.time.min, tzinfo=tz),
        datetime.datetime.combine(after, datetime.time.min, tzinfo=tz),
    )


def tally(
    organisation: Organisation, rows: Sequence[Mapping[str, Any]]
) -> tuple[int, datetime.date | None]:
    """Sign-offs counted by group (`rows`, each with its count `n` and its `last` time): how
    many in all, and the day of the last in the organisation's zone (None when there are none)."""
    count = sum(row["n"] for row in rows)
    if not count:
        return 0, None
    last = max(row["last"] for row in rows)
    return count, timezone.localtime(last, organisation.tzinfo).date()


# --- the pack ------------------------------------------------------------------------------------


@dataclass
class Section:
    clause: str
    title: str
    evidence: list[Evidence] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)

    @property
    def strength(self) -> str:
        """ "none", "thin" (some evidence but a gap) or "good"."""
        if not self.evidence:
            return "none"
        return "thin" if self.gaps else "good"


@dataclass
class Pack:
    organisation: Organisation
    start: datetime.date
    end: datetime.date
    sections: list[Section]

    @property
    def gaps(self) -> list[tuple[Section, Gap]]:
        """Every gap, worst first, then in clause order: what to put right before the audit."""
        pairs = [(s, g) for s in self.sections for g in s.gaps]
        order = {clause: i for i, (clause, _) in enumerate(ITEMS)}
        return sorted(pairs, key=lambda p: (-p[1].severity, order.get(p[0].clause, 99)))

    def as_json(self) -> dict[str, Any]:
        """The pack as shown, JSON-able: what a signature binds."""
        return {
            "organisation": self.organisation.name,
            "period": {"start": self.start.isoformat(), "end": self.end.isoformat()},
            "sections": [
                {
                    "clause": s.clause,
                    "title": s.title,
                    "strength": s.strength,
                    "evidence": [
                        {
                            "summary": e.summary,
                            "count": e.count,
                            "last_date": e.last_date.isoformat() if e.last_date else None,
                            "people": list(e.people),
                            "url": e.url,
                        }
                        for e in s.evidence
                    ],
                    "gaps": [
                        {"summary": g.summary, "severity": g.severity, "url": g.url} for g in s.gaps
                    ],
                }
                for s in self.sections
            ],
        }

    @property
    def hash(self) -> str:
        return hashlib.sha256(records.canonical_json(self.as_json()).encode()).hexdigest()


def build(organisation: Organisation, start: datetime.date, end: datetime.date) -> Pack:
    """Every registered source's evidence for the period, by clause item, gaps named."""
    if end < start:
        raise EvidenceError("The period ends before it starts.")
    sections = {clause: Section(clause, title) for clause, title in ITEMS}
    for source in registry.evidence_sources():
        for item in source.build(organisation, start, end):
            section = sections.get(item.clause)
            if section is None:
                continue  # an item of another clause: not this page's business
            if isinstance(item, Gap):
                section.gaps.append(item)
            else:
                section.evidence.append(item)
    for section in sections.values():
        if not section.evidence and not section.gaps:
            section.gaps.append(
                Gap(section.clause, "No evidence recorded in this period.", severity=2)
            )
    return Pack(organisation, start, end, list(sections.values()))


# --- signing -------------------------------------------------------------------------------------


@transaction.atomic
def pack_sign(
    *,
    membership: Membership,
    start: datetime.date,
    end: datetime.date,
    shown_hash: str,
    password: str = "",
    comment: str = "",
    proof: records.ProviderSignIn | None = None,
) -> EvidencePack:
    """A leader signs the pack as "reviewed". Refused when the pack changed since it was shown
    (`shown_hash` differs from the pack rebuilt now): nothing is signed, nothing is kept.
    `proof`: a fresh sign-in at the provider instead of the password, made for `shown_hash`."""
    if not tenancy.has_perm(membership, "isova.evidence.sign"):
        raise NotAllowed("Only leaders sign the leadership evidence pack.")
    pack = build(membership.organisation, start, end)
    if pack.hash != shown_hash:
        raise Conflict(
            "The evidence changed since you opened this page (a record was added or changed). "
            "Nothing was signed: look at the pack again, then sign."
        )
    kept = EvidencePack.objects.create(
        organisation=membership.organisation,
        period_start=start,
        period_end=end,
        pack=pack.as_json(),
        pack_hash=pack.hash,
        created_by=membership.user,
    )
    records.sign(
        membership=membership,
        obj=kept,
        meaning="reviewed",
        password=password,
        comment=comment,
        proof=proof,
        binding=shown_hash,
    )
    return kept


# --- the core's own evidence ---------------------------------------------------------------------


def _names(values: list[str | None]) -> tuple[str, ...]:
    return tuple(sorted({v for v in values if v}))


def core_evidence(
    organisation: Organisation, start: datetime.date, end: datetime.date
) -> Iterator[Evidence | Gap]:
    """Sign-offs by leaders, the quality policy, and how actions are shared out (4 queries)."""
    since, until = period_bounds(organisation, start, end)
    yield _leader_signoffs(organisation, since, until)
    yield _policy_approved(organisation)
    yield from _actions_assigned(organisation, since, until)
    yield from _busiest_owner(organisation)


def _leader_signoffs(
    organisation: Organisation, since: datetime.datetime, until: datetime.datetime
) -> Evidence | Gap:
    """5.1.1 a: approvals and signatures leaders gave in the period, by whom (1 query)."""
    in_period = Q(signed_at__gte=since, signed_at__lt=until)
    signoffs = SignOff.objects.filter(organisation=organisation).filter(in_period)
    by_leaders = list(
        signoffs.filter(signer_role=Role.LEADER)
        .values("signer_name", "meaning")
        .annotate(n=Count("pk"), last=Max("signed_at"))
    )
    count, last_date = tally(organisation, by_leaders)
    if count:
        return Evidence(
            "5.1.1 a",
            f"{count} approvals and signatures given by leaders (approved, reviewed, issued, "
            "verified records), each on the tamper-evident record chain.",
            count=count,
            last_date=last_date,
            people=_names([row["signer_name"] for row in by_leaders]),
            url=reverse("approvals"),
        )
    return Gap(
        "5.1.1 a",
        "No leader approved or signed any record in this period.",
        severity=3,
        url=reverse("approvals"),
    )


def _policy_approved(organisation: Organisation) -> Evidence | Gap:
    """5.1.1 b and f: the policy in force, approved by a leader (whenever).

    1 query, and 1 more only when nothing was approved, to tell "no approved version" from
    "no policy at all".
    """
    policy_rows = list(
        SignOff.objects.filter(
            organisation=organisation,
            content_type__app_label="isova",
            content_type__model="qualitypolicy",
            meaning="approved",
        )
        .order_by("-signed_at")
        .values("signer_name", "signed_at", "version_number", "object_id")[:1]
    )
    if policy_rows:
        row = policy_rows[0]
        signed = timezone.localtime(row["signed_at"], organisation.tzinfo).date()
        return Evidence(
            "5.1.1 b",
            f"Quality policy version {row['version_number']} approved by {row['signer_name']}.",
            count=1,
            last_date=signed,
            people=(row["signer_name"],),
            url=reverse("quality_policy_detail", args=[row["object_id"]]),
        )
    has_policy = QualityPolicy.objects.filter(organisation=organisation).exists()
    return Gap(
        "5.1.1 b",
        "The quality policy has no approved version."
        if has_policy
        else "No quality policy is recorded.",
        severity=3,
        url=reverse("quality_policy_list"),
    )


def _action_figures(
    organisation: Organisation, since: datetime.datetime, until: datetime.datetime
) -> dict[str, Any]:
    """Actions created in the period: by leaders, owners, effort, cost, verified (1 query)."""
    leaders = Membership.objects.filter(organisation=organisation, role=Role.LEADER)
    return (
        Action.objects.for_org(organisation)
        .filter(created_at__gte=since, created_at__lt=until)
        .aggregate(
            total=Count("pk"),
            # A subquery, not a join: a member of two organisations must not count twice.
            by_leaders=Count("pk", filter=Q(assigned_by__in=leaders.values("user"))),
            owners=Count("owner", distinct=True),
            hours=Sum("estimated_effort_hours"),
            cost=Sum("estimated_cost"),
            resourced=Count(
                "pk",
                filter=Q(estimated_effort_hours__isnull=False) | Q(estimated_cost__isnull=False),
            ),
            verified=Count("pk", filter=Q(status=ActionStatus.VERIFIED)),
        )
    )


def _actions_assigned(
    organisation: Organisation, since: datetime.datetime, until: datetime.datetime
) -> Iterator[Evidence]:
    """5.1.1 h, e, j: actions assigned in the period, the resources given, those verified."""
    made = _action_figures(organisation, since, until)
    if made["total"]:
        yield Evidence(
            "5.1.1 h",
            f"{made['total']} actions assigned to {made['owners']} people "
            f"({made['by_leaders']} by leaders).",
            count=made["total"],
            url=reverse("action_list"),
        )
    if made["resourced"]:
        parts = []
        if made["hours"]:
            parts.append(f"{made['hours']:g} hours")
        if made["cost"]:
            parts.append(f"{made['cost']:,.2f} {getattr(organisation, 'currency', '')}".strip())
        yield Evidence(
            "5.1.1 e",
            f"{made['resourced']} actions with the effort or cost they need estimated"
            + (f" ({', '.join(parts)} in all)." if parts else "."),
            count=made["resourced"],
            url=reverse("action_list"),
        )
    if made["verified"]:
        yield Evidence(
            "5.1.1 j",
            f"{made['verified']} actions of the period completed and verified by someone "
            "other than the person who did them.",
            count=made["verified"],
            url=f"{reverse('action_list')}?status=verified",
        )


def _busiest_owner(organisation: Organisation) -> Iterator[Gap]:
    """5.1.1 h: the gap when one person holds most of the open actions (1 query)."""
    open_by_owner = list(
        Action.objects.for_org(organisation)
        .outstanding()
        .values("owner__full_name", "owner__email")
        .annotate(n=Count("pk"))
        .order_by("-n")
    )
    open_total = sum(row["n"] for row in open_by_owner)
    if open_total >= 5 and open_by_owner[0]["n"] / open_total > BUSIEST_SHARE_GAP:
        busiest = open_by_owner[0]
        name = busiest["owner__full_name"] or busiest["owner__email"]
        share = round(100 * busiest["n"] / open_total)
        yield Gap(
            "5.1.1 h",
            f"{name} holds {share}% of the open actions ({busiest['n']} of {open_total}): "
            "the work is delegated to one person.",
            severity=2,
            url=reverse("action_list"),
        )
