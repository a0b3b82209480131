"""Optimistic concurrency: a stale edit or status change gets a clear conflict, nothing is lost."""

import threading
from html.parser import HTMLParser

import pytest
from django.db import connection

from isova.actions import services as actions
from isova.models import Action
from tests.conftest import make_org, membership_of

from .conftest import make_action, snapshot

CONFLICT = "Someone else changed this action while you were editing it."


class FormInputs(HTMLParser):
    """What a browser would submit from the page's main form: (name, value) pairs."""

    def __init__(self) -> None:
        super().__init__()
        self.pairs: list[tuple[str, str]] = []
        self._in_form = False
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attrs = dict(attrs)
        if tag == "form" and "stack" in (attrs.get("class") or ""):
            self._in_form = True
        elif not self._in_form:
            return
        elif tag == "input" and attrs.get("name"):
            self.pairs.append((attrs["name"], attrs.get("value") or ""))
        elif tag == "select":
            self._select = attrs.get("name")
        elif tag == "option" and self._select and "selected" in attrs:
            self.pairs.append((self._select, attrs.get("value") or ""))
        elif tag == "textarea":
            self._select = None

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False
        elif tag == "select":
            self._select = None


def browser_submit_data(html: str) -> dict[str, list[str]]:
    parser = FormInputs()
    parser.feed(html)
    data: dict[str, list[str]] = {}
    for name, value in parser.pairs:
        data.setdefault(name, []).append(value)
    return data


def edit_data(action: Action, **changes) -> dict:
    data = {
        "title": action.title,
        "owner": action.owner_id,
        "priority": action.priority,
        "due_date": action.due_date.isoformat() if action.due_date else "",
        "version": action.version,
    }
    return data | changes


def test_the_second_of_two_service_edits_from_the_same_version_gets_a_conflict(org, action_of):
    manager = membership_of(org.manager, org.organisation)
    leader = membership_of(org.leader, org.organisation)
    action = action_of(title="Original")
    actions.action_update(membership=manager, action=action, version=1, title="Manager's")
    with pytest.raises(actions.Conflict) as conflict:
        actions.action_update(membership=leader, action=action, version=1, title="Leader's")
    assert conflict.value.current.title == "Manager's"
    assert conflict.value.current.version == 2
    assert Action.objects.get(pk=action.pk).title == "Manager's"


def test_a_stale_edit_form_is_shown_again_with_the_users_input_and_the_current_values(
    org, as_user, action_of
):
    action = action_of(title="Original title")
    manager, leader = as_user(org.manager), as_user(org.leader)
    assert manager.get(f"/actions/{action.pk}/edit/").status_code == 200
    assert leader.get(f"/actions/{action.pk}/edit/").status_code == 200

    response = manager.post(f"/actions/{action.pk}/edit/", edit_data(action, title="Manager's"))
    assert response.status_code == 302
    response = leader.post(
        f"/actions/{action.pk}/edit/",
        edit_data(action, title="Leader's better title", priority="critical"),
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert CONFLICT in page
    assert 'value="Leader&#x27;s better title"' in page  # the user's input is kept
    assert "Current values (saved by someone else)" in page
    assert "<dd>Manager&#x27;s</dd>" in page  # and the current values are shown
    stored = Action.objects.get(pk=action.pk)
    assert (stored.title, stored.version) == ("Manager's", 2)

    # Submitting the re-shown form as a browser would keeps the leader's changes.
    data = browser_submit_data(page)
    assert data["version"] == ["2"]
    assert data["title"] == ["Leader's better title"]
    response = leader.post(f"/actions/{action.pk}/edit/", data)
    assert response.status_code == 302
    stored.refresh_from_db()
    assert (stored.title, stored.priority, stored.version) == (
        "Leader's better title",
        "critical",
        3,
    )


def test_an_edit_made_after_a_status_change_elsewhere_is_a_conflict(org, as_user, action_of):
    action = action_of(owner=org.staff, title="Paint the rail")
    as_user(org.staff).post(f"/actions/{action.pk}/status/", {"status": "done", "version": 1})
    response = as_user(org.manager).post(
        f"/actions/{action.pk}/edit/", edit_data(action, title="Paint both rails")
    )
    assert response.status_code == 200
    assert CONFLICT in response.content.decode()
    stored = Action.objects.get(pk=action.pk)
    assert (stored.title, stored.status) == ("Paint the rail", "done")


def test_the_second_of_two_htmx_status_changes_from_the_same_version_gets_409(
    org, as_user, action_of
):
    action = action_of(owner=org.staff)
    staff, manager = as_user(org.staff), as_user(org.manager)
    first = staff.post(
        f"/actions/{action.pk}/status/",
        {"status": "in_progress", "version": 1, "fragment": "card"},
        HTTP_HX_REQUEST="true",
    )
    assert first.status_code == 200
    before = snapshot(action)
    second = manager.post(
        f"/actions/{action.pk}/status/",
        {"status": "cancelled", "version": 1},
        HTTP_HX_REQUEST="true",
    )
    assert second.status_code == 409
    body = second.content.decode()
    assert CONFLICT in body
    assert "In progress" in body  # the row shows the current status
    assert 'name="version" value="2"' in body  # and can be submitted again from it
    assert "<html" not in body
    assert snapshot(action) == before


def test_a_stale_plain_status_form_redirects_with_the_conflict_message(org, as_user, action_of):
    action = action_of(owner=org.staff)
    as_user(org.staff).post(f"/actions/{action.pk}/status/", {"status": "done", "version": 1})
    manager = as_user(org.manager)
    response = manager.post(f"/actions/{action.pk}/status/", {"status": "cancelled", "version": 1})
    assert response.status_code == 302
    assert CONFLICT in manager.get(response["Location"]).content.decode()
    assert Action.objects.get(pk=action.pk).status == "done"


def test_an_edit_form_without_a_version_is_refused_with_a_clear_message(org, as_user, action_of):
    action = action_of(title="Keep me")
    data = edit_data(action, title="Lost update")
    del data["version"]
    response = as_user(org.manager).post(f"/actions/{action.pk}/edit/", data)
    assert response.status_code == 200
    assert "reload" in response.content.decode().lower()
    assert Action.objects.get(pk=action.pk).title == "Keep me"


@pytest.mark.postgres
def test_two_simultaneous_edits_from_the_same_version_never_both_win(transactional_db):
    """Real concurrency: two threads (two connections) race; the row lock lets one through."""
    org = make_org("Race")
    action = make_action(org, title="Original")
    people = [
        membership_of(org.manager, org.organisation),
        membership_of(org.leader, org.organisation),
    ]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def edit(membership, title: str) -> None:
        try:
            barrier.wait()
            actions.action_update(membership=membership, action=action, version=1, title=title)
            outcomes.append("saved")
        except actions.Conflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=edit, args=(m, f"Title {i}")) for i, m in enumerate(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["conflict", "saved"]
    stored = Action.objects.get(pk=action.pk)
    assert stored.version == 2
    assert stored.title in {"Title 0", "Title 1"}


@pytest.mark.postgres
def test_two_simultaneous_status_changes_from_the_same_version_never_both_win(transactional_db):
    org = make_org("Status race")
    action = make_action(org, title="Original")
    manager = membership_of(org.manager, org.organisation)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def move(status: str) -> None:
        try:
            barrier.wait()
            actions.action_set_status(membership=manager, action=action, version=1, status=status)
            outcomes.append("saved")
        except actions.Conflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=move, args=(s,)) for s in ("in_progress", "cancelled")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["conflict", "saved"]
    assert Action.objects.get(pk=action.pk).version == 2
