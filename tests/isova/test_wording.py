"""Wording shared by every page: quotations end sentences once, times say "just now", costs
carry the organisation's currency, dates read "Tue 15 Dec 2026"."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from isova.templatetags.wording import ago, money, quoted
from objectives.models import Status
from tests.factories import ActionFactory
from tests.objectives.conftest import complete, make_objective
from tests.objectives.test_approval import add_step, decide, submit


@pytest.fixture
def ready(org):
    """An objective ready to submit (every 6.2.2 element and a plan step)."""
    objective = complete(make_objective(org.organisation, org.manager, status=Status.DRAFT))
    add_step(objective, org.staff)
    return objective


def test_an_approval_comment_that_ends_a_sentence_is_not_followed_by_a_second_full_stop(
    org,
    ready,
    as_user,
):
    submit(as_user(org.manager), ready)
    decide(as_user(org.leader), ready, comment="Approved at the management meeting.")
    html = as_user(org.leader).get(f"/objectives/{ready.pk}/").content.decode()
    assert "“Approved at the management meeting.”" in html
    assert "meeting.”." not in html


def test_a_quotation_without_its_own_full_stop_gets_one():
    assert quoted("Agreed", ".") == "“Agreed”."
    assert quoted("Agreed!", ".") == "“Agreed!”"
    assert quoted("Agreed") == "“Agreed”"


def test_something_that_happened_seconds_ago_happened_just_now_not_0_minutes_ago():
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        assert ago(now - datetime.timedelta(seconds=20)) == "just now"
        assert ago(now - datetime.timedelta(minutes=3)) == "3\xa0minutes ago"


def test_an_action_cost_is_shown_in_the_organisations_currency(org, as_user):
    org.organisation.currency = "EUR"
    org.organisation.save()
    action = ActionFactory(
        organisation=org.organisation, owner=org.staff, estimated_cost=Decimal("1250")
    )
    html = as_user(org.manager).get(f"/actions/{action.pk}/").content.decode()
    assert "€1,250.00" in html


def test_organisations_count_in_pounds_unless_told_otherwise_and_unknown_symbols_use_the_code(
    org,
):
    assert org.organisation.currency == "GBP"
    assert money(Decimal("500"), org.organisation) == "£500.00"
    org.organisation.currency = "CHF"
    assert money(Decimal("80.5"), org.organisation) == "CHF 80.50"
    assert money(None, org.organisation) == "—"


def test_the_organisation_writes_dates_with_the_weekday_and_the_month_in_words(org):
    assert org.organisation.format_date(datetime.date(2026, 12, 15)) == "Tue 15 Dec 2026"
    assert org.organisation.format_date(datetime.date(2026, 12, 5)) == "Sat 5 Dec 2026"
