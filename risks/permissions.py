"""Who may do what in the risks app: its operations in the one role table."""

from __future__ import annotations

from isova.accounts.models import Role
from isova.accounts.tenancy import EVERYONE
from isova.registry import registry

planners = frozenset({Role.LEADER, Role.MANAGER})

registry.register(
    "permissions",
    {
        # Everyone reads the register, heat map, matrix and export; staff update
        # their own treatment actions through the core action workflow.
        "risks.risk.view": EVERYONE,
        "risks.risk.edit": planners,
        "risks.risk.review": planners,
        "risks.risk.import": planners,
        "risks.matrix.edit": planners,
        # Leaders approve plans and the matrix through records ("record.approve").
    },
    name="risks",
)
