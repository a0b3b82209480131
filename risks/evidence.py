"""The risks' leadership evidence (5.1): built in risks.reports."""

from __future__ import annotations

from isova.registry import EvidenceSource, registry

from . import reports

registry.register("evidence", EvidenceSource(name="risks", build=reports.evidence))
