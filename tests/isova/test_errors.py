"""One error hierarchy: every error a user should read is an isova.errors.DomainError."""

from audits import services as audit_services
from isova import errors
from isova.actions import services as actions
from objectives import services as objective_services


def test_every_apps_errors_are_domain_errors_that_views_catch_once():
    assert issubclass(actions.ActionError, errors.DomainError)
    assert issubclass(actions.Conflict, errors.Conflict)
    assert issubclass(objective_services.ObjectiveError, errors.DomainError)
    assert issubclass(audit_services.AuditError, errors.DomainError)
    assert issubclass(audit_services.WrongPassword, errors.WrongPassword)


def test_an_action_conflict_carries_the_current_row():
    current = object()
    conflict = actions.Conflict(current)  # type: ignore[arg-type]
    assert conflict.current is current and "Nothing was saved" in conflict.message
