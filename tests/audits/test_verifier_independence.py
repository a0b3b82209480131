"""Who checks effectiveness did none of the work: owners and completers at any time."""

import pytest
from django.core.exceptions import PermissionDenied

from audits import services
from isova.actions import services as actions
from tests.conftest import membership_of

from .conftest import assign, plan, raise_finding, respond, start


def test_a_manager_who_completed_an_action_cannot_reassign_it_and_verify_it_himself(org):
    """Issue 9.3: independence looks at who did the work at any time, not the current owner."""
    manager = membership_of(org.manager, org.organisation)
    audit = start(org, plan(org))
    finding = raise_finding(org, audit)
    respond(org, finding)
    action = assign(org, finding, owner=org.manager)
    action = actions.action_set_status(
        membership=manager, action=action, status="in_progress", version=action.version
    )
    action = actions.action_set_status(
        membership=manager, action=action, status="done", version=action.version
    )
    # A done action is a record of who did it: it cannot be handed to someone else...
    with pytest.raises(actions.ActionError, match="reopen it"):
        actions.action_update(
            membership=manager, action=action, version=action.version, owner=org.staff
        )
    # ...and even after reopening, reassigning and finishing it again, the one who did the
    # work first is not independent of it.
    action = actions.action_set_status(
        membership=manager, action=action, status="in_progress", version=action.version
    )
    action = actions.action_update(
        membership=manager, action=action, version=action.version, owner=org.staff
    )
    staff = membership_of(org.staff, org.organisation)
    action = actions.action_set_status(
        membership=staff, action=action, status="done", version=action.version
    )
    assert not services.can_verify_effectiveness(manager, services.action_workers(finding))
    with pytest.raises(PermissionDenied, match="own or did one"):
        services.finding_verify_effectiveness(
            membership=manager, finding=finding, effective=True, note="Checked.", password="x"
        )
    auditor = membership_of(org.auditor, org.organisation)
    assert services.can_verify_effectiveness(auditor, services.action_workers(finding))


def test_the_finding_page_tells_whoever_once_did_an_action_that_someone_else_checks(org, as_user):
    """The page says "own or did", like the rule: the manager no longer owns the action."""
    manager = membership_of(org.manager, org.organisation)
    audit = start(org, plan(org))
    finding = raise_finding(org, audit)
    respond(org, finding)
    action = assign(org, finding, owner=org.manager)
    action = actions.action_update(
        membership=manager, action=action, version=action.version, owner=org.staff
    )
    staff = membership_of(org.staff, org.organisation)
    for status in ("in_progress", "done"):
        action = actions.action_set_status(
            membership=staff, action=action, status=status, version=action.version
        )
    page = as_user(org.manager).get(finding.get_absolute_url()).content.decode()
    assert "You own or did one of the corrective actions" in page
    assert "You own one of" not in page
    assert "Record the check" not in page
    auditor_page = as_user(org.auditor).get(finding.get_absolute_url()).content.decode()
    assert "Record the check" in auditor_page
