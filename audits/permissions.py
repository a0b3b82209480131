"""Who may do what in the audits app: its operations in the one role table."""

from __future__ import annotations

from isova.accounts.models import Role
from isova.accounts.tenancy import EVERYONE
from isova.registry import registry

L, M, A = Role.LEADER, Role.MANAGER, Role.AUDITOR

registry.register(
    "permissions",
    {
        # Everyone in the organisation reads the programme, findings and reports.
        "audits.audit.view": EVERYONE,
        # Auditors (and leaders, managers) plan and run audits and raise findings.
        "audits.audit.plan": frozenset({L, M, A}),
        "audits.audit.report": frozenset({L, M, A}),
        "audits.audit.close": frozenset({L, M, A}),
        "audits.finding.raise": frozenset({L, M, A}),
        # The auditee's management responds (10.2) and assigns corrective actions.
        "audits.finding.respond": frozenset({L, M}),
        "audits.finding.assign": frozenset({L, M}),
        # Someone other than the actions' owners checks effectiveness (object rule in
        # audits.services.can_verify_effectiveness).
        "audits.finding.verify": frozenset({L, M, A}),
        "audits.finding.close": frozenset({L, M, A}),
        "audits.process.manage": frozenset({L, M}),
        "audits.settings.edit": frozenset({L}),
    },
    name="audits",
)
