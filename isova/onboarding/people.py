"""People and roles: who is in an organisation, changing a role, deactivating someone.

Every change is locked against the organisation's leaders (SELECT … FOR UPDATE on their
memberships), so two leaders demoting each other at once cannot leave none.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from isova.errors import Conflict, DomainError
from isova.models import Membership, Organisation, Role, User

from .hooks import owned_work
from .invitations import event
from .models import FormerMember, PeopleEventKind


@dataclass
class PersonRow:
    membership: Membership
    open_work: dict[str, int] = field(default_factory=dict)

    @property
    def open_total(self) -> int:
        return sum(self.open_work.values())


def rows(organisation: Organisation) -> list[PersonRow]:
    """Every member with their open work by kind: one query for the members and one per
    registered kind of work, whatever the number of people."""
    members = list(
        Membership.objects.for_org(organisation)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )
    counts = {work.label: work.counts(organisation) for work in owned_work()}
    return [
        PersonRow(m, {label: c.get(m.user_id, 0) for label, c in counts.items()}) for m in members
    ]


def open_work_of(organisation: Organisation, user: User) -> dict[str, int]:
    return {work.label: work.counts(organisation).get(user.pk, 0) for work in owned_work()}


def _check_manager(by: Membership, organisation: Organisation) -> None:
    if by.organisation_id != organisation.pk or by.role != Role.LEADER:
        raise PermissionDenied("Only the organisation's leaders manage people and roles.")


def _lock(organisation: Organisation, membership_id: int) -> tuple[Membership, int]:
    """The target membership (of this organisation) and the number of leaders, both locked."""
    leaders = list(
        Membership.objects.select_for_update()
        .filter(organisation=organisation, role=Role.LEADER)
        .values_list("pk", flat=True)
    )
    target = (
        Membership.objects.select_for_update()
        .select_related("user")
        .filter(organisation=organisation, pk=membership_id)
        .first()
    )
    if target is None:
        raise Conflict("That person is no longer a member of this organisation.")
    return target, len(leaders)


def change_role(membership_id: int, role: str, *, by: Membership) -> Membership:
    organisation = by.organisation
    _check_manager(by, organisation)
    if role not in Role.values:
        raise DomainError(f"“{role}” is not a role.")
    with transaction.atomic():
        target, leaders = _lock(organisation, membership_id)
        if target.role == role:
            return target
        if target.role == Role.LEADER and leaders <= 1:
            raise DomainError(
                f"{target.user} is the only leader: make someone else a leader first."
            )
        before = target.get_role_display()
        target.role = role
        target.save(update_fields=["role"])
        event(
            organisation,
            PeopleEventKind.ROLE_CHANGED,
            email=target.user.email,
            actor=by.user,
            person=target.user,
            detail=f"{before} → {target.get_role_display()}",
        )
    return target


def deactivate(membership_id: int, *, by: Membership, reassign_to: User | None) -> FormerMember:
    """Hand the person's open work to `reassign_to` (required when they have any), remove
    their membership, and keep a FormerMember row; an account left in no organisation is
    deactivated, so it cannot sign in. Their records and history stay as they are."""
    organisation = by.organisation
    _check_manager(by, organisation)
    with transaction.atomic():
        target, leaders = _lock(organisation, membership_id)
        _check_deactivation(organisation, target, leaders, reassign_to)
        _hand_over_work(organisation, target.user, reassign_to, by=by)
        former = _remove(organisation, target, by=by)
    return former


def _check_deactivation(
    organisation: Organisation, target: Membership, leaders: int, reassign_to: User | None
) -> None:
    """Raise when `target` is the only leader, or their work cannot go to `reassign_to`."""
    person = target.user
    if target.role == Role.LEADER and leaders <= 1:
        raise DomainError(f"{person} is the only leader: make someone else a leader first.")
    if reassign_to is not None:
        if reassign_to.pk == person.pk:
            raise DomainError("Give their open work to someone else.")
        if not Membership.objects.filter(organisation=organisation, user=reassign_to).exists():
            raise DomainError("Open work can only go to a member of this organisation.")


def _hand_over_work(
    organisation: Organisation, person: User, reassign_to: User | None, *, by: Membership
) -> None:
    """Give each kind of `person`'s open work to `reassign_to` (raise without one when there
    is any) and record what moved."""
    moved: list[str] = []
    for work in owned_work():
        if work.counts(organisation).get(person.pk, 0) == 0:
            continue
        if reassign_to is None:
            raise DomainError(f"{person} still owns open {work.label}: choose who takes them over.")
        count = work.reassign(organisation, person, reassign_to)
        moved.append(f"{count} {work.label}")
    if moved and reassign_to is not None:
        event(
            organisation,
            PeopleEventKind.WORK_REASSIGNED,
            email=person.email,
            actor=by.user,
            person=person,
            detail=f"{', '.join(moved)} to {reassign_to}",
        )


def _remove(organisation: Organisation, target: Membership, *, by: Membership) -> FormerMember:
    """Delete the membership, keep a FormerMember row, deactivate an account left in no
    organisation, and record it."""
    person = target.user
    former = FormerMember.objects.create(
        organisation=organisation,
        user=person,
        role=target.role,
        job_title=target.job_title,
        deactivated_at=timezone.now(),
        deactivated_by=by.user,
    )
    target.delete()
    if not Membership.objects.filter(user=person).exists():
        User.objects.filter(pk=person.pk).update(is_active=False)
    event(
        organisation,
        PeopleEventKind.DEACTIVATED,
        email=person.email,
        actor=by.user,
        person=person,
        detail=f"was {former.get_role_display()}",
    )
    return former
