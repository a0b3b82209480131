"""What a person's one e-mail of the day says: each subject once, grouped by what they must do,
most urgent first, at most ALERTS_DIGEST_CAP lines.

A scan finds many things for one person (their actions due and overdue, others' actions
escalated to them, objectives off track, reviews and audits due, late findings). They go out
together in the daily digest (`notifications.send_digests`), and what goes out at once is
bundled per person (`notifications.deliver`), so nobody gets thirty separate e-mails.

The subject of an alert is the first two parts of its key ("action:42" of
"action:42:due:2026-06-01:rung:2"): every alert source keys by "<thing>:<id>:…", so the
core can tell that two alerts are about the same thing without knowing any app.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from isova.registry import Alert

if TYPE_CHECKING:
    from isova.notifications.models import Notification


@dataclass(frozen=True)
class Group:
    key: str
    title: str


# What the person must do, most urgent first; a kind's group (and its rank within the day's
# alerts about one subject: the earlier group is the stronger reason).
DECIDE = Group("decide", "Waiting for your decision")
OVERDUE = Group("overdue", "Overdue: yours to finish")
CHASE = Group("chase", "Overdue with others: ask what is in the way")
OFF_TRACK = Group("off_track", "Objectives that changed state")
SOON = Group("soon", "Coming up")
NEWS = Group("news", "For your information")
GROUPS: tuple[Group, ...] = (DECIDE, OVERDUE, CHASE, OFF_TRACK, SOON, NEWS)

KIND_GROUPS: dict[str, Group] = {
    "approval_requested": DECIDE,
    "approval_waiting": DECIDE,
    "finding_overdue": OVERDUE,
    "objective_review_overdue": OVERDUE,
    "risk_review_overdue": OVERDUE,
    "review_overdue": OVERDUE,
    "audit_late": OVERDUE,
    "action_escalated": CHASE,
    "objective_off_track": OFF_TRACK,
    "objective_forecast_miss": OFF_TRACK,
    "objective_stale": OFF_TRACK,
    "finding_check_due": SOON,
    "review_upcoming": SOON,
    "review_invited": SOON,
    "action_assigned": SOON,
}


class Keyed(Protocol):
    @property
    def kind(self) -> str: ...

    @property
    def key(self) -> str: ...


def subject_of(key: str) -> str:
    """What an alert is about: "action:42" for every alert about action 42."""
    return ":".join(key.split(":")[:2])


def group_of(item: Keyed) -> Group:
    if item.kind == "actions_due":
        # One kind for the owner's own actions: the key says whether it is late or coming.
        return OVERDUE if ":overdue" in item.key else SOON
    return KIND_GROUPS.get(item.kind, NEWS)


def once_only(window: str) -> bool:
    """Alerts made once (an escalation rung, a change of state on its day) rather than again
    every day or week while the matter lasts."""
    return window == "once" or window.startswith("on-")


def _strength(alert: Alert) -> tuple[bool, int, str]:
    # A once-only alert wins over a reminder that comes back tomorrow anyway (else the news
    # would be lost); then the earlier group; within one kind the later key, so rung 2 of an
    # escalation ("…:rung:2") beats rung 1 for a leader who also assigned the action.
    return (once_only(alert.window), -GROUPS.index(group_of(alert)), alert.key)


def one_per_subject(alerts: Iterable[Alert]) -> list[Alert]:
    """Each person's alerts with each subject once: the strongest reason is kept.

    Deterministic: the same alerts in any order give the same result (ties on strength are
    broken by kind)."""
    best: dict[tuple[int, str], Alert] = {}
    for alert in alerts:
        ident = (alert.recipient.pk, subject_of(alert.key))
        kept = best.get(ident)
        if kept is None or (_strength(alert), alert.kind) > (_strength(kept), kept.kind):
            best[ident] = alert
    return list(best.values())


@dataclass(frozen=True)
class Section:
    group: Group
    items: list[Notification]


@dataclass(frozen=True)
class Digest:
    sections: list[Section]
    total: int
    more: int  # lines left out by the cap: "and N more" links to the notifications page


def compose(items: Sequence[Notification], cap: int) -> Digest:
    """The digest's sections in order of urgency, each subject once, at most `cap` lines.

    Items arrive in the order they were made (each source orders by due date); that order
    is kept inside a section."""
    seen: set[str] = set()
    unique: list[Notification] = []
    for item in sorted(items, key=lambda n: (GROUPS.index(group_of(n)), n.pk)):
        subject = subject_of(item.key)
        if subject in seen and subject.count(":") == 1:
            continue
        seen.add(subject)
        unique.append(item)
    shown = unique[:cap]
    sections = [
        Section(group, [n for n in shown if group_of(n) == group])
        for group in GROUPS
        if any(group_of(n) == group for n in shown)
    ]
    return Digest(sections=sections, total=len(unique), more=len(unique) - len(shown))


WORDS: dict[str, tuple[str, str]] = {
    "decide": ("to decide", "to decide"),
    "overdue": ("overdue", "overdue"),
    "chase": ("to chase", "to chase"),
    "off_track": ("objective update", "objective updates"),
    "soon": ("coming up", "coming up"),
    "news": ("for information", "for information"),
}


def counts_line(digest: Digest) -> str:
    """ "2 overdue, 3 coming up" for the subject line: what the day holds at a glance."""
    parts = []
    for section in digest.sections:
        one, many = WORDS[section.group.key]
        parts.append(f"{len(section.items)} {one if len(section.items) == 1 else many}")
    if digest.more:
        parts.append(f"{digest.more} more")
    return ", ".join(parts)
