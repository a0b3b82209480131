"""One error hierarchy: every error a user should read is an isova.errors.DomainError."""

from audits import services as audit_services
from isova import errors
from isova.actions import services as actions
from objectives import services as objective_services
from reviews import services as review_services


def test_every_apps_errors_are_domain_errors_that_views_catch_once():
    assert issubclass(actions.ActionError, errors.DomainError)
    assert issubclass(actions.Conflict, errors.Conflict)
    assert issubclass(objective_services.ObjectiveError, errors.DomainError)
    assert issubclass(audit_services.AuditError, errors.DomainError)
    # One WrongPassword, defined once in the core: no app wraps or redefines it.
    for module in (audit_services, review_services, objective_services):
        assert getattr(module, "WrongPassword", errors.WrongPassword) is errors.WrongPassword


def test_an_action_conflict_carries_the_current_row():
    current = object()
    conflict = actions.Conflict(current)  # type: ignore[arg-type]
    assert conflict.current is current and "Nothing was saved" in conflict.message


def test_each_kind_of_error_has_one_http_status():
    assert errors.status_for(errors.NotFound("gone")) == 404
    assert errors.status_for(errors.NotAllowed("no")) == 403
    assert errors.status_for(errors.Forbidden("no")) == 403
    assert errors.status_for(actions.Conflict(object())) == 409  # type: ignore[arg-type]
    assert errors.status_for(errors.Invalid("bad")) == 422
    assert errors.status_for(errors.WrongPassword()) == 422
    assert errors.status_for(errors.DomainError("not now")) == 422


def test_input_errors_are_invalid_not_conflicts(org):
    import pytest

    from isova.health import services as health
    from isova.notifications import services as notifications
    from tests.conftest import membership_of

    leader = membership_of(org.leader, org.organisation)
    with pytest.raises(errors.Invalid):
        notifications.escalation_update(membership=leader, to_assigner=9, to_leaders=3)
    with pytest.raises(errors.Invalid):
        notifications.preferences_save(user=org.leader, modes={"no such kind": "off"})
    with pytest.raises(errors.Invalid):
        health.health_thresholds_update(membership=leader, values={"no such figure": (1, 2)})


def test_an_uncaught_domain_error_answers_its_status_with_its_message(rf, org):
    from django.contrib.auth.models import AnonymousUser

    from isova.http import DomainErrorMiddleware

    middleware = DomainErrorMiddleware(lambda request: None)  # type: ignore[arg-type,return-value]
    request = rf.get("/")
    request.user = AnonymousUser()
    request.htmx = False
    response = middleware.process_exception(request, errors.Invalid("Red must be below amber."))
    assert response is not None and response.status_code == 422
    assert "Red must be below amber." in response.content.decode()
    conflict = middleware.process_exception(request, errors.Conflict("It moved on."))
    assert conflict is not None and conflict.status_code == 409
    assert middleware.process_exception(request, errors.NotFound("gone")) is None  # Django's 404
    assert middleware.process_exception(request, ValueError("bug")) is None
