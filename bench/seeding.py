"""Bulk seeding of the bench database: S × 100 organisations, one large, the rest a tenth.

Each app contributes its rows through its `bench.py`, registered with the "bench" hook
(`isova.registry`): the module has `NAME`, `seed(ctx: BenchOrg) -> dict[str, int]` (the rows it
made, by table) and `PAGES` (the pages the runner times, see `bench.runner.Page`). Seeders run
in that order for each organisation, so a later one can use what an earlier one made
(`ctx.users`, `ctx.processes`, …). Rows go in with `bulk_create` in batches; nothing here
calls a service (far too slow for a million rows), so each seeder must write rows that the
services could have written.

Sign-offs: seeders declare approvals and signatures with `ctx.sign(...)` / `ctx.submitted(...)`;
after every seeder ran for an organisation, `finish_chain` writes the record versions and the
sign-offs in time order as one valid HMAC-SHA256 chain (hashes from `isova.records.compute_hash`),
so `manage.py verify_records` passes. Snapshots are never written by hand: `finish_chain`
takes each record's `records.current_snapshot` once its rows (and children) exist, exactly
what `approve` / `sign` store; an older, superseded version is that snapshot with the
`changes` its seeder declares (what the record said before its last approval). A standalone
signature (`meaning` neither "approved" nor "rejected", as `records.sign` writes for
SIGN_ONLY records) leaves its version a draft without a snapshot, like `records.sign`.
"""

from __future__ import annotations

import datetime
import importlib
import random
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.utils import timezone

from isova import records
from isova.models import (
    Action,
    ActionStatus,
    Organisation,
    Priority,
    RecordStatus,
    RecordVersion,
    SignOff,
    SignOffChain,
    User,
)

SLUG_PREFIX = "bench-"
LARGE_SLUG = "bench-large"
PASSWORD = "isova-bench"
BATCH = 2000
DECISIONS = (records.APPROVED, records.REJECTED)

M = TypeVar("M", bound=models.Model)


def seeder_modules() -> list[Any]:
    """The bench's own core rows first, then each app's `bench.py` (the registry's "bench"
    hook), in the installed apps' order."""
    from isova.registry import registry

    return [importlib.import_module("bench.core"), *registry.bench_seeders()]


def bulk(model: type[M], rows: Iterable[M]) -> list[M]:
    """Insert in batches of BATCH; PostgreSQL returns the primary keys."""
    made: list[M] = []
    batch: list[M] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            made += model.objects.bulk_create(batch)  # type: ignore[attr-defined]
            batch = []
    if batch:
        made += model.objects.bulk_create(batch)  # type: ignore[attr-defined]
    return made


@dataclass
class PendingSignoff:
    model: type[models.Model]
    object_id: int
    label: str
    number: int
    changes: dict[str, Any]  # keys of the current snapshot this version had otherwise
    meaning: str | None  # None: submitted, awaiting a decision (a version, no sign-off)
    signer: User
    signer_role: str
    at: datetime.datetime
    status: str  # the version's status afterwards

    @property
    def versioned(self) -> bool:
        """Submitted or decided: the version keeps the snapshot (a standalone signature
        leaves its version a draft without one, as `records.sign` does)."""
        return self.meaning is None or self.meaning in DECISIONS


@dataclass
class BenchOrg:
    """One organisation being seeded, and what the seeders made so far."""

    organisation: Organisation
    index: int  # 0 is the large one
    # The large one's size is 1.0 (0.1 the others'); below scale 1 both shrink with the scale,
    # so scale 0.1 has ten organisations a tenth of the size (what bench-growth compares).
    factor: float
    rng: random.Random
    today: datetime.date
    password_hash: str
    users: list[User] = field(default_factory=list)
    roles: dict[int, str] = field(default_factory=dict)  # user id → role
    extra: dict[str, Any] = field(default_factory=dict)  # what a seeder leaves for later ones
    pending: list[PendingSignoff] = field(default_factory=list)

    @property
    def large(self) -> bool:
        return self.index == 0

    def n(self, large_count: int) -> int:
        """How many of something this organisation gets (at least one)."""
        return max(1, round(large_count * self.factor))

    def with_role(self, role: str) -> list[User]:
        return [u for u in self.users if self.roles[u.pk] == role]

    def now_minus(self, days: float) -> datetime.datetime:
        return timezone.now() - datetime.timedelta(days=days)

    def sign(
        self,
        record: models.Model,
        number: int,
        *,
        meaning: str,
        signer: User,
        at: datetime.datetime,
        status: str = RecordStatus.APPROVED,
        changes: dict[str, Any] | None = None,
    ) -> None:
        """Declare a decided version `number` (and its sign-off) of `record`, or a standalone
        signature (`meaning` such as "issued": the version stays a draft, as `records.sign`
        leaves it). Its snapshot is the record's current one with `changes` applied."""
        if meaning not in DECISIONS:
            status = RecordStatus.DRAFT
        self._declare(record, number, changes or {}, meaning, signer, at, status)

    def submitted(
        self, record: models.Model, number: int, *, by: User, at: datetime.datetime
    ) -> None:
        """Declare version `number` of `record` submitted and awaiting a leader's decision (the
        inbox): the record as it stands now."""
        self._declare(record, number, {}, None, by, at, RecordStatus.SUBMITTED)

    def _declare(
        self,
        record: models.Model,
        number: int,
        changes: dict[str, Any],
        meaning: str | None,
        user: User,
        at: datetime.datetime,
        status: str,
    ) -> None:
        self.pending.append(
            PendingSignoff(
                type(record),
                record.pk,
                str(record),
                number,
                changes,
                meaning,
                user,
                self.roles[user.pk],
                at,
                status,
            )
        )

    def actions(
        self,
        count: int,
        *,
        title: str,
        sources: Sequence[models.Model] = (),
        overdue_share: float = 0.15,
    ) -> list[Action]:
        """`count` actions of every status, `overdue_share` of them outstanding and overdue,
        owned by the organisation's people, spread over `sources` (round robin) if given."""
        rng, today = self.rng, self.today
        users = self.users
        assigners = self.with_role("leader") + self.with_role("manager")
        source_type = ContentType.objects.get_for_model(sources[0]) if sources else None
        overdue_count = round(count * overdue_share)
        rows = []
        for i in range(count):
            if i < overdue_count:
                status = rng.choice((ActionStatus.OPEN, ActionStatus.IN_PROGRESS))
                due = today - datetime.timedelta(days=rng.randint(1, 200))
            else:
                r = rng.random()
                if r < 0.35:
                    status = rng.choice((ActionStatus.OPEN, ActionStatus.IN_PROGRESS))
                    due = today + datetime.timedelta(days=rng.randint(0, 180))
                elif r < 0.45:
                    status, due = ActionStatus.DONE, today - datetime.timedelta(rng.randint(0, 90))
                elif r < 0.93:
                    status = ActionStatus.VERIFIED
                    due = today - datetime.timedelta(days=rng.randint(0, 700))
                else:
                    status = ActionStatus.CANCELLED
                    due = today - datetime.timedelta(days=rng.randint(0, 700))
            source = sources[i % len(sources)] if sources else None
            rows.append(
                Action(
                    organisation=self.organisation,
                    title=f"{title} {i + 1}",
                    description="Bench action: what to do, and why, in a sentence or two.",
                    owner=users[rng.randrange(len(users))],
                    assigned_by=assigners[rng.randrange(len(assigners))],
                    due_date=due,
                    priority=rng.choice(Priority.values),
                    status=status,
                    completed_at=timezone.now() if status in ("done", "verified") else None,
                    source_type=source_type,
                    source_id=source.pk if source else None,
                )
            )
        return bulk(Action, rows)


def finish_chain(ctx: BenchOrg) -> dict[str, int]:
    """Write the declared versions and one valid sign-off chain, in time order."""
    pending = sorted(ctx.pending, key=lambda p: (p.at, p.object_id, p.number))
    if not pending:
        return {}
    content_types = ContentType.objects.get_for_models(*{p.model for p in pending})
    current = _current_snapshots(pending)
    versions = bulk(RecordVersion, _versions(ctx, pending, content_types, current))
    signoffs = _chain(ctx, pending, versions, content_types, current)
    bulk(SignOff, signoffs)
    SignOffChain.objects.update_or_create(
        organisation=ctx.organisation,
        defaults={
            "length": len(signoffs),
            "last_hash": signoffs[-1].hash if signoffs else records.GENESIS_HASH,
        },
    )
    return {"isova_recordversion": len(versions), "isova_signoff": len(signoffs)}


Snapshots = dict[tuple[type[models.Model], int], dict[str, Any]]


def _snapshot(current: Snapshots, p: PendingSignoff) -> dict[str, Any]:
    """The record as it stands, with the changes that version declared on top."""
    return {**current[(p.model, p.object_id)], **p.changes}


def _versions(
    ctx: BenchOrg,
    pending: list[PendingSignoff],
    content_types: dict[Any, ContentType],
    current: Snapshots,
) -> Iterator[RecordVersion]:
    """One record version per declared sign-off or submission, decided or superseded as
    declared; a snapshot only on versioned records."""
    for p in pending:
        yield RecordVersion(
            organisation=ctx.organisation,
            content_type=content_types[p.model],
            object_id=p.object_id,
            number=p.number,
            status=p.status,
            record_label=p.label[:200],
            snapshot=_snapshot(current, p) if p.versioned else None,
            created_by=p.signer,
            submitted_at=p.at if p.versioned else None,
            submitted_by=p.signer if p.meaning is None else None,
            submission=1 if p.versioned else 0,
            decided_at=p.at if p.meaning in DECISIONS else None,
            decided_by=p.signer if p.meaning in DECISIONS else None,
            superseded_at=p.at if p.status == RecordStatus.SUPERSEDED else None,
        )


def _chain(
    ctx: BenchOrg,
    pending: list[PendingSignoff],
    versions: list[RecordVersion],
    content_types: dict[Any, ContentType],
    current: Snapshots,
) -> list[SignOff]:
    """The sign-offs (unsaved) of the versions that have a meaning, in order, each hashed
    on the one before it from the genesis hash: one valid chain."""
    previous, sequence, signoffs = records.GENESIS_HASH, 0, []
    for p, version in zip(pending, versions, strict=True):
        if p.meaning is None:
            continue
        sequence += 1
        signoff = SignOff(
            organisation=ctx.organisation,
            sequence=sequence,
            version=version,
            content_type=content_types[p.model],
            object_id=p.object_id,
            record_label=p.label[:200],
            version_number=p.number,
            signer=p.signer,
            signer_name=p.signer.get_full_name()[:150],
            signer_email=p.signer.email,
            signer_role=p.signer_role,
            meaning=p.meaning,
            comment="",
            signed_at=p.at,
            snapshot=records.canonical_json(_snapshot(current, p)),
            previous_hash=previous,
            key_id=settings.RECORDS_HMAC_KEY_ID,
        )
        signoff.hash = records.compute_hash(signoff)
        previous = signoff.hash
        signoffs.append(signoff)
    return signoffs


def _current_snapshots(
    pending: list[PendingSignoff],
) -> dict[tuple[type[models.Model], int], dict[str, Any]]:
    """Each signed record's `records.current_snapshot`, taken from the rows as inserted."""
    ids: dict[type[models.Model], set[int]] = {}
    for p in pending:
        ids.setdefault(p.model, set()).add(p.object_id)
    out: dict[tuple[type[models.Model], int], dict[str, Any]] = {}
    for model, pks in ids.items():
        for pk, obj in model._base_manager.in_bulk(sorted(pks)).items():
            out[(model, pk)] = records.current_snapshot(obj)  # type: ignore[arg-type]
    return out


def organisation_count(scale: float) -> int:
    return max(1, round(scale * 100))


def existing() -> int:
    return Organisation.objects.filter(slug__startswith=SLUG_PREFIX).count()


def reset_database() -> None:
    """Empty every table (TRUNCATE … CASCADE): only ever on a database named *bench* (or the
    test runner's own test_* database)."""
    name = str(connection.settings_dict["NAME"] or "")
    if "bench" not in name and not name.startswith("test_"):
        raise RuntimeError(f"Refusing to empty the database {name!r}: its name lacks 'bench'.")
    tables = connection.introspection.django_table_names(include_views=False)
    keep = {"django_migrations", "django_content_type", "auth_permission"}
    tables = [t for t in tables if t not in keep]
    with transaction.atomic(), connection.cursor() as cursor:
        # The sign-off tables refuse TRUNCATE (isova migration 0006) unless a wipe of the
        # whole database says so, for this transaction only.
        cursor.execute("SET LOCAL isova.allow_wipe = 'on'")
        cursor.execute(
            "TRUNCATE " + ", ".join(connection.ops.quote_name(t) for t in tables) + " CASCADE"
        )


def seed(
    scale: float, seed_value: int = 1, *, out: Callable[[str], None] = print
) -> dict[str, int]:
    """Seed scale × 100 organisations; returns the rows made per table."""
    password_hash = make_password(PASSWORD)
    modules = seeder_modules()
    today = timezone.localdate()
    total = organisation_count(scale)
    counts: dict[str, int] = {}
    started = time.monotonic()
    for index in range(total):
        with transaction.atomic():
            slug = LARGE_SLUG if index == 0 else f"{SLUG_PREFIX}{index:04d}"
            organisation = Organisation.objects.create(
                name=("Bench Large Ltd" if index == 0 else f"Bench Organisation {index:04d}"),
                slug=slug,
                timezone="Europe/London",
            )
            ctx = BenchOrg(
                organisation=organisation,
                index=index,
                factor=min(1.0, scale) * (1.0 if index == 0 else 0.1),
                rng=random.Random(f"{seed_value}:{index}"),
                today=organisation.today() if index else today,
                password_hash=password_hash,
            )
            for module in modules:
                for table, n in module.seed(ctx).items():
                    counts[table] = counts.get(table, 0) + n
            for table, n in finish_chain(ctx).items():
                counts[table] = counts.get(table, 0) + n
        if index == 0 or (index + 1) % 10 == 0 or index + 1 == total:
            rows = sum(counts.values())
            out(
                f"  {index + 1}/{total} organisations, {rows:,} rows, "
                f"{time.monotonic() - started:.1f} s"
            )
    return counts
