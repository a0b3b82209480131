"""The core's bench rows: people and memberships, plain actions and the quality policy."""

from __future__ import annotations

from isova.models import Membership, QualityPolicy, Role, User

from .seeding import BenchOrg, bulk

NAME = "isova_core"

# (label, path, who): "leader" or "staff" of the large organisation. Panels are added by the
# runner from the dashboard's own list.
PAGES = [
    ("dashboard", "/dashboard/", "leader"),
    ("actions list", "/actions/", "leader"),
    ("actions overdue", "/actions/?status=outstanding&overdue=on", "leader"),
    ("actions page 20", "/actions/?page=20", "leader"),
    ("approvals inbox", "/approvals/", "leader"),
    ("my actions (staff)", "/actions/mine/", "staff"),
]

FIRST = ["Alex", "Sam", "Jo", "Chris", "Pat", "Robin", "Kim", "Lee", "Morgan", "Taylor"]
LAST = ["Smith", "Jones", "Patel", "Khan", "Brown", "Wilson", "Evans", "Taylor", "Hughes"]


def _role(i: int, count: int) -> str:
    """1 % leaders (at least one), 9 % managers, 4 % auditors, the rest staff."""
    if i < max(1, count // 100):
        return Role.LEADER
    if i < max(2, count // 10):
        return Role.MANAGER
    if i < max(3, count * 14 // 100):
        return Role.AUDITOR
    return Role.STAFF


def seed(ctx: BenchOrg) -> dict[str, int]:
    org, rng = ctx.organisation, ctx.rng
    count = max(4, ctx.n(500))
    slug = org.slug
    users: list[User] = []
    for i in range(count):
        role = _role(i, count)
        # Known logins for the runner: the first leader and the first staff member.
        if i == 0:
            email = f"leader@{slug}.example"
        elif role == Role.STAFF and not any(u.email.startswith("staff@") for u in users):
            email = f"staff@{slug}.example"
        else:
            email = f"person{i}@{slug}.example"
        users.append(
            User(
                email=email,
                full_name=f"{rng.choice(FIRST)} {rng.choice(LAST)} {i}",
                password=ctx.password_hash,
            )
        )
    ctx.users = bulk(User, users)
    ctx.roles = {u.pk: _role(i, count) for i, u in enumerate(ctx.users)}
    bulk(
        Membership,
        (Membership(user=u, organisation=org, role=ctx.roles[u.pk]) for u in ctx.users),
    )
    actions = ctx.actions(ctx.n(14000), title="Bench action")
    leader = ctx.users[0]
    policy = QualityPolicy.objects.create(
        organisation=org,
        title="Quality policy",
        text="We meet our customers' requirements and improve continually.",
        owner=leader,
        effective_from=ctx.today.replace(month=1, day=1),
    )
    ctx.sign(policy, 1, meaning="approved", signer=leader, at=ctx.now_minus(800))
    return {
        "isova_user": len(ctx.users),
        "isova_membership": len(ctx.users),
        "isova_action": len(actions),
        "isova_qualitypolicy": 1,
    }
