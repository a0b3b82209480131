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


def _middleware_with_replica(settings, view):
    from django.http import HttpResponse

    from isova.ops.middleware import RequestMiddleware

    settings.DATABASES = {**settings.DATABASES, "replica": dict(settings.DATABASES["default"])}
    return RequestMiddleware(lambda request: view(request) or HttpResponse("ok"))


def test_a_request_that_wrote_pins_the_browser_to_the_primary(settings, rf):
    seen = {}

    def view(request):
        seen["before"] = router.db_for_read(Action)
        router.db_for_write(Action)
        seen["after"] = router.db_for_read(Action)

    middleware = _middleware_with_replica(settings, view)
    request = rf.get("/actions/")
    request.resolver_match = type("Match", (), {"view_name": "action_list"})()
    state_holder = {}

    def get_response(req):
        middleware.process_view(req, None, (), {})
        state_holder["state"] = current.get()
        return view(req)

    from django.http import HttpResponse

    middleware.get_response = lambda req: get_response(req) or HttpResponse("ok")
    response = middleware(request)
    assert (seen["before"], seen["after"]) == ("replica", "default")
    assert response.cookies["isova_primary"]["max-age"] == settings.REPLICA_PIN_SECONDS

    pinned = rf.get("/actions/")
    pinned.COOKIES["isova_primary"] = "1"
    pinned.resolver_match = request.resolver_match
    middleware.get_response = lambda req: (
        middleware.process_view(req, None, (), {}),
        seen.update(pinned=router.db_for_read(Action)),
        HttpResponse("ok"),
    )[-1]
    middleware(pinned)
    assert seen["pinned"] == "default"
