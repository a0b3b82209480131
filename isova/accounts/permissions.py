"""The core's operations in the one role table (actions, records, the policy, evidence, ...)."""

from __future__ import annotations

from isova.accounts.tenancy import CORE_PERMISSIONS
from isova.registry import registry

registry.register("permissions", CORE_PERMISSIONS, name="isova")
