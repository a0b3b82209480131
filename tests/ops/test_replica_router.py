"""The read-replica router: which reads may lag (a streaming replica serves them in
`make prod-check`), and everything else on the primary."""

from __future__ import annotations

import pytest

from isova.models import Action
from isova.ops.context import RequestState, current
from isova.ops.router import ReplicaRouter, may_read_replica

router = ReplicaRouter()


@pytest.mark.parametrize(
    "view",
    [
        "dashboard",
        "dashboard_panel",
        "action_list",
        "my_actions",
        "objectives:index",
        "risks:heat_map",
        "risks:export",
        "audits:finding_list",
        "reviews:feedback_export",
    ],
)
def test_dashboards_lists_and_exports_may_read_the_replica(view):
    assert may_read_replica(view, "GET", pinned=False)


@pytest.mark.parametrize(
    ("view", "method", "pinned"),
    [
        ("action_list", "POST", False),  # a write request
        ("action_list", "GET", True),  # this browser wrote a moment ago
        ("action_detail", "GET", False),  # a record's own page: read your writes
        ("risks:edit", "GET", False),
        ("approvals", "GET", False),
    ],
)
def test_everything_else_reads_the_primary(view, method, pinned):
    assert not may_read_replica(view, method, pinned=pinned)


def test_a_write_sends_the_rest_of_the_request_to_the_primary():
    state = RequestState(replica_allowed=True)
    token = current.set(state)
    try:
        assert router.db_for_read(Action) == "replica"
        assert router.db_for_write(Action) == "default"
        assert router.db_for_read(Action) == "default"
    finally:
        current.reset(token)


def test_outside_a_request_tasks_and_commands_read_the_primary():
    assert current.get() is None
    assert router.db_for_read(Action) == "default"
    assert router.allow_migrate("replica", "isova") is False
    assert router.allow_migrate("default", "isova") is True
