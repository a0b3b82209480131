"""The core's own leadership evidence: sign-offs, the quality policy, actions shared out."""

from __future__ import annotations

from isova.evidence.services import core_evidence
from isova.registry import EvidenceSource, registry

registry.register("evidence", EvidenceSource(name="isova", build=core_evidence))
