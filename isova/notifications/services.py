"""Notifications: one row per person, event and window, shown in the app and e-mailed.

`notify` is called inside the service's transaction; the e-mail goes out through Celery only
once that transaction commits. Delivery is at least once, never zero, and duplicates are
recognisable:

- a delivery claims its row with a conditional update that sets a lease (`claimed_until`)
  and sends only if it won the claim, so a task delivered twice sends once;
- `sent_at` is written only after the mail server accepted the message, so a worker that
  dies mid-send leaves an expired claim that the sweep (`pending_ids`) sends again;
- every e-mail carries a Message-ID made from the notification's id and the site's domain,
  the same on every attempt;
- a timeout once the message was handed over is "unknown": the row keeps its claim until
  the lease expires instead of being resent at once; other SMTP errors are retried with
  backoff by the task, and after `ALERTS_MAX_ATTEMPTS` the row is "failed" (shown to leaders
  and managers on the notifications page) and leaves the sweep.

Each person chooses per kind: at once, in the daily digest, or off (in the app only);
approvals they must give are always e-mailed at once.
"""

from __future__ import annotations

import datetime
import logging
import secrets
import smtplib
from collections import defaultdict
from collections.abc import Iterable
from urllib.parse import urlsplit

from celery import current_app
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from isova.accounts.models import Membership, Organisation, User
from isova.accounts.tenancy import has_perm, with_org
from isova.errors import Conflict, Invalid, NotAllowed
from isova.notifications import briefing, digests
from isova.notifications.models import (
    CalendarFeed,
    Notification,
    NotificationMode,
    NotificationPreference,
    NotificationStatus,
)
from isova.registry import Alert

log = logging.getLogger(__name__)

# ALERTS_LEASE_SECONDS: how long a claim holds (and how old an unsent row is before the sweep).
LEASE = datetime.timedelta(seconds=settings.ALERTS_LEASE_SECONDS)
DIGEST_KIND = "daily_digest"

# What people can choose for, with its default; approvals waiting for you are not listed: they
# are always e-mailed at once.
# Only what cannot wait goes out at once by default (an assignment, an invitation, a decision
# on your submission); everything the daily scans find waits for the one digest a day.
KINDS: dict[str, tuple[str, str]] = {
    "action_assigned": ("An action is assigned to you", NotificationMode.IMMEDIATE),
    "actions_due": ("Your actions due soon or overdue", NotificationMode.DIGEST),
    "action_escalated": ("Someone's action is long overdue", NotificationMode.DIGEST),
    "approval_decided": ("Your submission was approved or rejected", NotificationMode.IMMEDIATE),
    "finding_raised": ("A finding is raised in your process", NotificationMode.IMMEDIATE),
    "finding_overdue": ("A finding is past its response date", NotificationMode.DIGEST),
    "finding_check_due": ("An effectiveness check is due", NotificationMode.DIGEST),
    "audit_late": ("An audit has not started", NotificationMode.DIGEST),
    "objective_off_track": (
        "An objective changes state (on track, behind, off track, stale)",
        NotificationMode.DIGEST,
    ),
    "objective_forecast_miss": (
        "An objective's forecast stops reaching its target",
        NotificationMode.DIGEST,
    ),
    "objective_review_overdue": ("An objective's review is overdue", NotificationMode.DIGEST),
    "objective_stale": ("An objective has no recent value", NotificationMode.DIGEST),
    "risk_review_overdue": ("A risk's review is overdue", NotificationMode.DIGEST),
    "review_invited": ("You are invited to a management review", NotificationMode.IMMEDIATE),
    "review_upcoming": ("A management review is coming up", NotificationMode.DIGEST),
    "review_overdue": ("A management review you chair is overdue", NotificationMode.DIGEST),
    "weekly_briefing": ("The weekly briefing (leaders)", NotificationMode.IMMEDIATE),
}
ALWAYS_IMMEDIATE = frozenset({"approval_requested"})
# E-mails of their own, never bundled with others nor folded into a digest.
STANDALONE = frozenset({DIGEST_KIND, "weekly_briefing"})


class TransientDeliveryError(Exception):
    """The mail server refused or was unreachable: the task retries later with backoff."""


def message_id(notification: Notification) -> str:
    """The same Message-ID on every attempt, so a duplicate can be recognised as one."""
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<isova.{notification.organisation_id}.{notification.pk}@{domain}>"


# --- making notifications ------------------------------------------------------------------


def modes_for(
    users: Iterable[int], kinds: Iterable[str], *, scanned: bool = False
) -> dict[tuple[int, str], str]:
    """Each (user id, kind)'s mode, defaults filled in (one query). A kind not in KINDS (a
    new app's) goes out at once when it is an event, and waits for the digest when a scan
    found it (`scanned`): a scan must not flood anybody by default."""
    users, kinds = set(users), set(kinds)
    chosen = {
        (p.user_id, p.kind): p.mode
        for p in NotificationPreference.objects.filter(user_id__in=users, kind__in=kinds)
    }
    return {
        (user, kind): _mode(kind, chosen.get((user, kind)), scanned)
        for user in users
        for kind in kinds
    }


def _mode(kind: str, chosen: str | None, scanned: bool = False) -> str:
    if kind in ALWAYS_IMMEDIATE:
        return NotificationMode.IMMEDIATE
    unlisted = NotificationMode.DIGEST if scanned else NotificationMode.IMMEDIATE
    return chosen or KINDS.get(kind, ("", unlisted))[1]


def _status(mode: str) -> str:
    if mode == NotificationMode.IMMEDIATE:
        return NotificationStatus.PENDING
    if mode == NotificationMode.DIGEST:
        return NotificationStatus.DIGEST
    return NotificationStatus.IN_APP


def notify(
    *,
    organisation: Organisation,
    recipient: User,
    kind: str,
    key: str,
    subject: str,
    body: str,
    url: str = "",
    window: str = "",
) -> Notification | None:
    """Record a notification and queue its e-mail; None if this one was already made in its
    window (by default the organisation's day)."""
    today = organisation.today()
    mode = modes_for([recipient.pk], [kind])[(recipient.pk, kind)]
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                organisation=organisation,
                recipient=recipient,
                kind=kind,
                key=key,
                day=today,
                window=window or today.isoformat(),
                subject=subject[:200],
                body=body,
                url=url,
                status=_status(mode),
            )
    except IntegrityError:
        return None
    if notification.status == NotificationStatus.PENDING:
        # A short wait, so that what else happens for this person in the next minutes (three
        # actions assigned in a row) goes out in the same e-mail (`deliver` bundles them).
        delay = settings.ALERTS_BATCH_SECONDS
        transaction.on_commit(lambda: queue_delivery([notification.pk], countdown=delay))
    return notification


def notify_many(
    organisation: Organisation,
    alerts: Iterable[Alert],
    today: datetime.date,
    *,
    catch_up: bool = False,
) -> int:
    """Make the notifications of a scan that are new in their window; returns how many.

    Set-based: one query for the preferences, one for what exists already, one insert.
    Rows another scan inserts meanwhile are skipped by the unique constraint. When catching
    up (go-live, after a pause) everything e-mailed goes into the day's summary digest,
    whatever the person chose, so that nobody gets one e-mail per old item.
    """
    alerts = list(alerts)
    if not alerts:
        return 0
    modes = modes_for({a.recipient.pk for a in alerts}, {a.kind for a in alerts}, scanned=True)
    windows = {a.window or today.isoformat() for a in alerts}
    existing = set(
        Notification.objects.filter(organisation=organisation, window__in=windows).values_list(
            "recipient_id", "kind", "key", "window"
        )
    )
    rows: dict[tuple[int, str, str, str], Notification] = {}
    for alert in alerts:
        window = alert.window or today.isoformat()
        ident = (alert.recipient.pk, alert.kind, alert.key, window)
        if ident in existing or ident in rows:
            continue
        rows[ident] = Notification(
            organisation=organisation,
            recipient=alert.recipient,
            kind=alert.kind,
            key=alert.key,
            day=today,
            window=window,
            subject=alert.subject[:200],
            body=alert.body,
            url=alert.url,
            status=_scan_status(modes[(alert.recipient.pk, alert.kind)], alert.kind, catch_up),
        )
    started = timezone.now()
    Notification.objects.bulk_create(rows.values(), ignore_conflicts=True)
    transaction.on_commit(lambda: queue_delivery(_new_pending(organisation, windows, started)))
    return len(rows)


def _scan_status(mode: str, kind: str, catch_up: bool) -> str:
    status = _status(mode)
    if catch_up and status == NotificationStatus.PENDING and kind not in STANDALONE:
        return NotificationStatus.DIGEST
    return status


def _new_pending(
    organisation: Organisation, windows: set[str], since: datetime.datetime
) -> list[int]:
    return list(
        Notification.objects.filter(
            organisation=organisation,
            window__in=windows,
            created_at__gte=since,
            status=NotificationStatus.PENDING,
            sent_at=None,
        ).values_list("pk", flat=True)
    )


QUEUE_BATCH = 100  # notifications per queued delivery task
BUNDLE_MAX = 100  # notifications one e-mail carries at most (it lists ALERTS_DIGEST_CAP)


def queue_delivery(ids: Iterable[int], countdown: int = 0) -> None:
    """Hand the deliveries to Celery, a batch of QUEUE_BATCH per task over one producer (a
    scan queues thousands: one message each was most of the scan's time). Never raises:
    with tasks run in-process (or the broker down) a send failure must not turn the request
    that caused it into an error after its data was saved; the row stays pending and the
    sweep sends it."""
    # Found by name: isova.tasks imports this module, so importing it back would be a cycle
    # (IsovaConfig.ready() loads isova.tasks, which registers it). On the *current* app, as
    # the shared task did before: the project's app in production, and a test's worker app
    # under test (the project's app is eager there, which sent in-process, countdown ignored).
    deliver_notifications = current_app.tasks["isova.tasks.deliver_notifications"]

    ids = list(ids)
    if not ids:
        return
    batches = [ids[i : i + QUEUE_BATCH] for i in range(0, len(ids), QUEUE_BATCH)]
    try:
        acquired = deliver_notifications.app.producer_or_acquire()
        producer = acquired.__enter__()
    except Exception:
        log.exception(
            "could not reach the broker for %s notifications; the sweep retries", len(ids)
        )
        return
    try:
        for batch in batches:
            try:
                deliver_notifications.apply_async(
                    args=(batch,), producer=producer, countdown=float(countdown)
                )
            except Exception:
                log.exception("could not deliver notifications %s now; the sweep retries", batch)
    finally:
        acquired.__exit__(None, None, None)


# --- delivery ---------------------------------------------------------------------------------


def claim(notification_id: int, now: datetime.datetime) -> bool:
    """Take the row for one delivery attempt (a lease), unless it is sent, failed, or held."""
    return bool(
        Notification.objects.filter(
            pk=notification_id,
            status=NotificationStatus.PENDING,
            sent_at=None,
            failed_at=None,
        )
        .filter(Q(claimed_until=None) | Q(claimed_until__lt=now))
        .update(claimed_until=now + LEASE, attempts=F("attempts") + 1)
    )


def claim_bundle(notification: Notification, now: datetime.datetime) -> list[Notification]:
    """Also claim the person's other e-mails of this organisation that wait to go out at once,
    so that several made within minutes go out as one message (the Message-ID is the first
    one's). Rows claimed by another delivery are left to it; a digest or briefing goes alone."""
    if notification.kind in STANDALONE:
        return []
    with transaction.atomic():
        others = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(
                organisation_id=notification.organisation_id,
                recipient_id=notification.recipient_id,
                status=NotificationStatus.PENDING,
                sent_at=None,
                failed_at=None,
            )
            .filter(Q(claimed_until=None) | Q(claimed_until__lt=now))
            .exclude(pk=notification.pk)
            .exclude(kind__in=STANDALONE)
            .order_by("created_at", "pk")[: BUNDLE_MAX - 1]
        )
        Notification.objects.filter(pk__in=[n.pk for n in others]).update(claimed_until=now + LEASE)
    return others


def deliver(notification_id: int) -> bool:
    """Send one notification's e-mail unless it was sent or is being sent. True if this call
    sent it; raises TransientDeliveryError when a later retry may succeed."""
    if not claim(notification_id, timezone.now()):
        return False
    notification = Notification.objects.select_related("recipient", "organisation").get(
        pk=notification_id
    )
    bundle = claim_bundle(notification, timezone.now())
    rows = Notification.objects.filter(pk__in=[notification_id, *(n.pk for n in bundle)])
    connection = get_connection()
    try:
        message = _message(notification, connection, bundle)
    except Exception as error:
        # Not the mail server: retrying cannot help. Fail now, visibly, and log the cause.
        log.exception("notification %s cannot be rendered", notification_id)
        _release(bundle)
        rows = rows.filter(pk=notification_id)
        rows.update(
            status=NotificationStatus.FAILED,
            failed_at=timezone.now(),
            claimed_until=None,
            last_error=f"{error!r}"[:2000],
        )
        return False
    try:
        connection.open()
    except (smtplib.SMTPException, OSError) as error:
        _release(bundle)
        return _failed_attempt(notification, error)
    try:
        connection.send_messages([message])
    except (TimeoutError, smtplib.SMTPServerDisconnected) as error:
        return _unconfirmed_attempt(notification, error)
    except (smtplib.SMTPException, OSError) as error:
        _release(bundle)
        return _failed_attempt(notification, error)
    finally:
        connection.close()
    with transaction.atomic():
        rows.update(
            status=NotificationStatus.SENT,
            sent_at=timezone.now(),
            claimed_until=None,
            last_error="",
        )
        # Those that rode along name the message that carried them (its Message-ID is the
        # first one's), as a digest's items name their digest.
        Notification.objects.filter(pk__in=[n.pk for n in bundle]).update(digest=notification)
    return True


def _release(bundle: list[Notification]) -> None:
    """Give back the claims of rows that rode along: their own task or the sweep sends them."""
    Notification.objects.filter(pk__in=[n.pk for n in bundle], sent_at=None).update(
        claimed_until=None
    )


def _unconfirmed_attempt(notification: Notification, error: Exception) -> bool:
    """The server may have accepted the message: keep the claim until the lease expires, then
    the sweep sends it again with the same Message-ID (recognisable as a duplicate). Each such
    attempt counts: after the last one the row is "failed" as unconfirmed, for a person to
    check, instead of being sent again at every sweep."""
    rows = Notification.objects.filter(pk=notification.pk)
    if notification.attempts >= settings.ALERTS_MAX_ATTEMPTS:
        rows.update(
            status=NotificationStatus.FAILED,
            failed_at=timezone.now(),
            claimed_until=None,
            last_error=(
                f"delivery unconfirmed after {notification.attempts} attempts (the mail server "
                f"did not answer after receiving the message; it may have arrived): {error!r}"
            )[:2000],
        )
        log.error("notification %s: delivery unconfirmed, given up", notification.pk)
        return False
    rows.update(last_error=f"unknown outcome: {error!r}"[:2000])
    log.warning("notification %s: %r after sending; left claimed", notification.pk, error)
    return False


def _failed_attempt(notification: Notification, error: Exception) -> bool:
    """Give the claim back and raise for a retry, or, after the last attempt, mark the row
    failed (it leaves the sweep and shows to managers) and answer False."""
    rows = Notification.objects.filter(pk=notification.pk)
    message = f"{error!r}"[:2000]
    if notification.attempts >= settings.ALERTS_MAX_ATTEMPTS:
        rows.update(
            status=NotificationStatus.FAILED,
            failed_at=timezone.now(),
            claimed_until=None,
            last_error=message,
        )
        log.error("notification %s failed for good: %s", notification.pk, message)
        return False
    rows.update(claimed_until=None, last_error=message)
    raise TransientDeliveryError(message) from error


def _message(
    notification: Notification, connection, bundle: list[Notification] | None = None
) -> EmailMultiAlternatives:
    link = email_link(notification.url, notification.organisation)
    subject, body = notification.subject, notification.body
    if notification.kind in STANDALONE:
        # a digest's items, or (on Mondays) the day's items riding in a leader's briefing
        digest = digests.compose(_digest_items(notification), settings.ALERTS_DIGEST_CAP)
    elif bundle:
        digest = digests.compose([notification, *bundle], settings.ALERTS_DIGEST_CAP)
        subject = f"{len(bundle) + 1} things for you: {notification.subject}"
        body = f"What happened for you in {notification.organisation} in the past few minutes:"
        link = email_link("/notifications/", notification.organisation)
    else:
        digest = None
    context = {
        "notification": notification,
        "link": link,
        "digest": digest,
        "body": body,
        "body_html": briefing.as_html(body) if notification.kind == briefing.KIND else "",
        "digest_heading": "Also today" if notification.kind == briefing.KIND else "",
        "site_url": settings.SITE_URL,
    }
    email = EmailMultiAlternatives(
        subject=f"[isova] {subject}"[:250],
        body=render_to_string("isova/email/notification.txt", context),
        to=[notification.recipient.email],
        headers={"Message-ID": message_id(notification)},
        connection=connection,
    )
    email.attach_alternative(
        render_to_string("isova/email/notification.html", context), "text/html"
    )
    return email


def email_link(url: str, organisation: Organisation) -> str:
    """The whole address of a page for an e-mail, naming its organisation (`?org=`): a member
    of several organisations who opens it is switched to that one and lands on the record."""
    return f"{settings.SITE_URL}{with_org(url or '/', organisation)}"


def _digest_items(notification: Notification) -> list[Notification]:
    if notification.kind not in STANDALONE:
        return []
    return list(notification.items.order_by("created_at", "pk"))


def pending_ids(older_than: datetime.timedelta = LEASE) -> list[int]:
    """Notifications still unsent some minutes after they were made (their task gave up or
    their worker died holding the claim); fewest attempts first, so failing rows never
    starve the good ones."""
    return list(
        Notification.objects.to_sweep(timezone.now(), older_than).values_list("pk", flat=True)[:500]
    )


# --- the daily digest -------------------------------------------------------------------------


@transaction.atomic
def send_digests(
    organisation: Organisation, today: datetime.date, *, catch_up: bool = False
) -> int:
    """One e-mail per person and day listing what waits for their digest; returns how many.

    Items locked by a concurrent run are skipped (it sends them); a person who already had
    today's digest gets the newer items tomorrow. When catching up (go-live, after a pause)
    the digest is worded as a summary of what is outstanding. A fixed number of queries.
    """
    by_person = _waiting_by_person(organisation, today)
    briefings = _briefings_to_carry(organisation, today)
    made = [
        _digest(organisation, today, items, catch_up)
        for person, items in sorted(by_person.items())
        if person not in briefings
    ]
    Notification.objects.bulk_create(made)  # PostgreSQL and SQLite return the new ids
    carriers = [*made, *(b for person, b in briefings.items() if person in by_person)]
    items = []
    for digest in carriers:
        for item in by_person[digest.recipient_id]:
            item.digest, item.status = digest, NotificationStatus.SENT
            items.append(item)
    Notification.objects.bulk_update(items, ["digest", "status"], batch_size=1000)
    ids = [digest.pk for digest in made]
    transaction.on_commit(lambda: queue_delivery(ids))
    return len(made)


def _waiting_by_person(
    organisation: Organisation, today: datetime.date
) -> dict[int, list[Notification]]:
    """The items waiting for a digest (locked; those a concurrent run holds skipped) by
    recipient, leaving out people who already had today's digest (2 queries)."""
    waiting = list(
        Notification.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(organisation=organisation, status=NotificationStatus.DIGEST, digest=None)
        .select_related("recipient")
        .order_by("recipient_id", "created_at", "pk")
    )
    had_today = set(
        Notification.objects.filter(organisation=organisation)
        .filter(
            Q(kind=DIGEST_KIND, window=today.isoformat())
            | Q(kind=briefing.KIND, day=today, items__isnull=False)
        )
        .values_list("recipient_id", flat=True)
    )
    by_person: dict[int, list[Notification]] = defaultdict(list)
    for item in waiting:
        if item.recipient_id not in had_today:
            by_person[item.recipient_id].append(item)
    return by_person


def _briefings_to_carry(
    organisation: Organisation, today: datetime.date
) -> dict[int, Notification]:
    """Today's weekly briefings still to be e-mailed at once, by recipient (1 query).

    On Mondays a leader's day rides in their weekly briefing, when it is still to be
    e-mailed at once: one e-mail, not a briefing and a digest side by side."""
    return {
        row.recipient_id: row
        for row in Notification.objects.filter(
            organisation=organisation,
            kind=briefing.KIND,
            day=today,
            status=NotificationStatus.PENDING,
            sent_at=None,
            claimed_until=None,
        )
    }


def _digest(
    organisation: Organisation, today: datetime.date, items: list[Notification], catch_up: bool
) -> Notification:
    composed = digests.compose(items, settings.ALERTS_DIGEST_CAP)
    if catch_up:
        subject = f"What is outstanding for you in {organisation}: {digests.counts_line(composed)}"
        body = (
            f"isova now e-mails you once a day about what needs you in {organisation}. "
            "To start, here is everything outstanding for you, most urgent first:"
        )
    else:
        subject = f"Your day in {organisation}: {digests.counts_line(composed)}"
        body = f"What needs you in {organisation} today, most urgent first:"
    return Notification(
        organisation=organisation,
        recipient=items[0].recipient,
        kind=DIGEST_KIND,
        key="digest",
        day=today,
        window=today.isoformat(),
        subject=subject[:200],
        body=body,
        url="/notifications/",
    )


# --- what people do with their notifications ----------------------------------------------------


def mark_read(*, membership: Membership, ids: Iterable[int] | None = None) -> int:
    """Mark the person's notifications in this organisation read (all, or those `ids`)."""
    rows = Notification.objects.filter(
        organisation_id=membership.organisation_id, recipient_id=membership.user_id, read_at=None
    )
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=timezone.now())


def preferences_of(user: User) -> dict[str, str]:
    """Every choosable kind's mode for `user`, defaults filled in (one query)."""
    modes = modes_for([user.pk], KINDS)
    return {kind: modes[(user.pk, kind)] for kind in KINDS}


@transaction.atomic
def preferences_save(*, user: User, modes: dict[str, str]) -> None:
    """Store each kind's mode; unknown kinds and approvals (never switchable) are refused."""
    unknown = set(modes) - set(KINDS)
    if unknown or not set(modes.values()) <= set(NotificationMode.values):
        raise Invalid("Choose at once, in the daily digest, or off for each kind.")
    NotificationPreference.objects.bulk_create(
        [NotificationPreference(user=user, kind=k, mode=m) for k, m in modes.items()],
        update_conflicts=True,
        unique_fields=["user", "kind"],
        update_fields=["mode"],
    )


# --- the calendar feed ---------------------------------------------------------------------------


@transaction.atomic
def calendar_feed_issue(*, membership: Membership) -> CalendarFeed:
    """A new private address for the person's calendar (the old one stops working)."""
    CalendarFeed.objects.filter(membership=membership).delete()
    return CalendarFeed.objects.create(membership=membership, token=secrets.token_urlsafe(32))


def calendar_feed_revoke(*, membership: Membership) -> None:
    CalendarFeed.objects.filter(membership=membership).delete()


# --- the organisation's escalation ladder -------------------------------------------------------


@transaction.atomic
def escalation_update(
    *,
    membership: Membership,
    to_assigner: int,
    to_leaders: int,
    forecast_margin: int | None = None,
) -> None:
    """Set after how many days overdue an action goes to its assigner, then to the leaders."""
    if not has_perm(membership, "isova.escalation.edit"):
        raise NotAllowed("Only leaders set the escalation ladder.")
    if not 1 <= to_assigner < to_leaders <= 365:
        raise Invalid("The leaders hear after the assigner: 1 ≤ first < second ≤ 365 days.")
    Organisation.objects.filter(pk=membership.organisation_id).update(
        escalate_to_assigner_after_days=to_assigner, escalate_to_leaders_after_days=to_leaders
    )
    if forecast_margin is not None:
        if not 0 <= forecast_margin <= 100:
            raise Conflict("The forecast margin is a percentage from 0 to 100.")
        Organisation.objects.filter(pk=membership.organisation_id).update(
            forecast_alert_margin=forecast_margin
        )
