"""Who may do what in the decision register: its operations in the one role table."""

from __future__ import annotations

from isova.accounts.models import Role
from isova.accounts.tenancy import EVERYONE
from isova.registry import registry

L, M = Role.LEADER, Role.MANAGER

registry.register(
    "permissions",
    {
        # Everyone reads what the leaders decided and why (5.1.1, 7.4).
        "decisions.decision.view": EVERYONE,
        "decisions.decision.create": frozenset({L, M}),
        "decisions.decision.edit": frozenset({L, M}),
        # Signing is the records workflow's approval (isova.record.approve: leaders only,
        # never the one who submitted it); this key names it for the decision pages.
        "decisions.decision.sign": frozenset({L}),
    },
    name="decisions",
)
