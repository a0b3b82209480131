"""Demo audits: both years' programmes, findings in every state, some past due; idempotent."""

import random

import pytest

from audits import demo
from audits.models import Audit, AuditStatus, Finding, FindingStatus
from isova import records
from isova.demo import CARE_HOME, DEMO_PASSWORD, ENGINEERING
from isova.models import Membership, Notification, Organisation, User


def demo_org(spec) -> tuple[Organisation, dict[str, User]]:
    """The organisation and its people as isova.demo makes them (without other apps' data)."""
    organisation = Organisation.objects.create(name=spec["name"], slug=spec["slug"])
    users = {}
    for person in spec["people"]:
        user, _ = User.objects.get_or_create(email=person.email, full_name=person.name)
        user.set_password(DEMO_PASSWORD)
        user.save()
        Membership.objects.create(user=user, organisation=organisation, role=person.role)
        users[person.email] = user
    return organisation, users


@pytest.fixture
def hartwell(db):
    organisation, users = demo_org(ENGINEERING)
    demo.seed(organisation, users, random.Random(9001))
    return organisation, users


def test_the_engineering_demo_tells_the_whole_story(hartwell):
    """One seed (it takes seconds), several facts about it."""
    organisation, _ = hartwell
    today = organisation.today()
    audits = Audit.objects.for_org(organisation)
    # last year's programme and this year's, every audit status, one late audit
    assert today.year - 1 in audits.years() and today.year in audits.years()
    assert audits.in_year(today.year - 1).count() >= 3
    assert set(audits.values_list("status", flat=True)) == set(AuditStatus.values)
    assert audits.not_started_late(today).exists()
    # findings in every state, some past due, outstanding actions of all ages
    findings = Finding.objects.for_org(organisation)
    assert set(findings.values_list("status", flat=True)) == set(FindingStatus.values)
    assert findings.past_response_due(today).count() >= 3
    summary = findings.outstanding_action_summary(organisation)
    assert summary["count"] >= 3 and summary["overdue"] >= 1
    assert findings.average_days_to_close(today)["major"] is not None
    # reports and effectiveness checks are signed, on an intact chain
    reported = audits.filter(status__in=["reported", "closed"]).count()
    verified = findings.filter(effective=True).count()
    assert records.verify_chain(organisation) == (reported + verified, [])
    # the story's past events send nobody any notification
    assert not Notification.objects.filter(organisation=organisation).exists()


def test_seeding_twice_adds_nothing(hartwell):
    organisation, users = hartwell
    before = (Audit.objects.count(), Finding.objects.count())
    demo.seed(organisation, users, random.Random(1))
    assert (Audit.objects.count(), Finding.objects.count()) == before


def test_the_care_home_gets_a_couple_of_audits(db):
    organisation, users = demo_org(CARE_HOME)
    demo.seed(organisation, users, random.Random(9001))
    assert 2 <= Audit.objects.for_org(organisation).count() <= 4
    assert Finding.objects.for_org(organisation).exists()
    assert records.verify_chain(organisation)[1] == []
