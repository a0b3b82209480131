"""All actions opens on what is still to do, overdue first; closed rows offer no moves.
My actions saves on change and keeps what is done under its own heading."""

import datetime
import re

from isova.models import ActionStatus
from tests.factories import ActionFactory


def _titles(html: str) -> list[str]:
    return re.findall(r'<a href="/actions/\d+/">([^<]+)</a>', html)


def _action(org, title, status=ActionStatus.OPEN, days=7, owner=None):
    due = None if days is None else org.organisation.today() + datetime.timedelta(days=days)
    return ActionFactory(
        organisation=org.organisation,
        owner=owner or org.staff,
        title=title,
        status=status,
        due_date=due,
    )


def test_all_actions_opens_on_outstanding_actions_overdue_first(org, as_user):
    _action(org, "Done last year", ActionStatus.VERIFIED, days=-400)
    _action(org, "Due next week", days=7)
    _action(org, "Late by a month", ActionStatus.IN_PROGRESS, days=-30)
    _action(org, "No due date", days=None)
    html = as_user(org.manager).get("/actions/").content.decode()
    assert _titles(html) == ["Late by a month", "Due next week", "No due date"]
    assert '<option value="outstanding" selected>Outstanding</option>' in html


def test_closed_actions_are_one_status_filter_away_and_offer_no_controls(org, as_user):
    _action(org, "Verified one", ActionStatus.VERIFIED, days=-400)
    _action(org, "Cancelled one", ActionStatus.CANCELLED, days=-300)
    _action(org, "Open one", days=-3)
    html = as_user(org.manager).get("/actions/?status=").content.decode()
    assert _titles(html) == ["Open one", "Verified one", "Cancelled one"]
    assert html.count('class="status-form"') == 1  # the open one only


def test_the_second_page_keeps_the_outstanding_default(org, as_user):
    for n in range(27):
        _action(org, f"Outstanding {n:02}", days=n)
    _action(org, "Finished", ActionStatus.DONE)
    html = as_user(org.manager).get("/actions/?page=2").content.decode()
    assert _titles(html) == ["Outstanding 25", "Outstanding 26"]


def test_my_actions_save_on_change_and_list_done_items_under_their_own_heading(org, as_user):
    _action(org, "Still to do")
    _action(org, "Finished it", ActionStatus.DONE)
    html = as_user(org.staff).get("/actions/mine/").content.decode()
    assert 'hx-trigger="change, submit"' in html
    todo, done = html.split('<h2 id="done-heading">Done recently</h2>')
    assert "Still to do" in todo and "Finished it" not in todo
    assert "Finished it" in done


def test_my_actions_headings_go_h1_h2_h3_without_skipping(org, as_user):
    _action(org, "Still to do")
    _action(org, "Finished it", ActionStatus.DONE)
    html = as_user(org.staff).get("/actions/mine/").content.decode()
    main = html.split('<main id="main"', 1)[1]
    levels = [int(n) for n in re.findall(r"<h([1-6])", main)]
    assert levels[0] == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), levels
