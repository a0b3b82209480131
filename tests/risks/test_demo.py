"""Demo registers: believable, a year of reviews, the states the story needs; idempotent."""

import random

import pytest

from audits import demo as audits_demo
from isova import records
from isova.demo import CARE_HOME, ENGINEERING
from isova.models import Notification, RecordStatus
from risks import demo
from risks.models import Risk
from tests.audits.test_demo import demo_org


@pytest.fixture
def hartwell(db):
    organisation, users = demo_org(ENGINEERING)
    audits_demo.seed(organisation, users, random.Random(9001))
    demo.seed(organisation, users, random.Random(9001))
    return organisation, users


def test_the_engineering_register_tells_the_whole_story(hartwell):
    organisation, users = hartwell
    today = organisation.today()
    risks = Risk.objects.for_org(organisation)
    assert 30 <= risks.count() <= 40
    assert risks.filter(kind="opportunity").count() >= 4
    assert risks.review_overdue(today).count() == 2
    assert risks.filter(treatment="accept").count() == 1
    accepted = risks.get(treatment="accept")
    assert records.state(accepted).is_approved
    waiting = [
        r
        for r in risks.filter(inherent_band="High")
        if records.state(r).status == RecordStatus.SUBMITTED
    ]
    assert len(waiting) == 1
    # a year of reviews, some scores moving
    moved = [r for r in risks if r.residual_score < r.inherent_score]
    assert len(moved) >= 10
    for risk in risks:
        dates = [a.assessed_on for a in risk.assessments.all()]
        assert min(dates) <= today.replace(year=today.year - 1) + __import__("datetime").timedelta(
            days=40
        )
        assert max(dates) < today
    # nobody verified their own treatment action
    from isova.models import Action

    for action in Action.objects.for_source_model(Risk).filter(status="verified"):
        assert action.verified_by_id not in (action.owner_id, action.completed_by_id)
    # every risk has a process, and no e-mail would go out for the story
    assert not risks.filter(process=None).exists()
    assert not Notification.objects.filter(
        kind="action_assigned", organisation=organisation
    ).exists()


def test_seeding_twice_makes_nothing_more(hartwell):
    organisation, users = hartwell
    before = Risk.objects.count()
    demo.seed(organisation, users, random.Random(1))
    assert Risk.objects.count() == before


def test_the_care_home_has_a_handful_of_risks(db):
    organisation, users = demo_org(CARE_HOME)
    audits_demo.seed(organisation, users, random.Random(9001))
    demo.seed(organisation, users, random.Random(9001))
    assert 3 <= Risk.objects.for_org(organisation).count() <= 8


def test_the_demo_register_exports_and_reimports_into_a_new_organisation(hartwell, client):
    import io

    from audits.models import Process
    from isova.models import Membership, Organisation
    from risks import csvio
    from tests.conftest import membership_of

    organisation, users = hartwell
    client.force_login(users["manager@example.com"])
    text = client.get("/risks/export/").content
    newco = Organisation.objects.create(name="Newco", slug="newco")
    for membership in Membership.objects.filter(organisation=organisation):
        Membership.objects.create(organisation=newco, user=membership.user, role=membership.role)
    for process in Process.objects.for_org(organisation):
        Process.objects.create(organisation=newco, name=process.name)
    created = csvio.import_register(
        membership=membership_of(users["manager@example.com"], newco), upload=io.BytesIO(text)
    )
    assert len(created) == Risk.objects.for_org(organisation).count()
    fields = ("reference", "title", "residual_score", "owner__email", "process__name", "status")
    ours = list(Risk.objects.for_org(organisation).order_by("reference").values_list(*fields))
    theirs = list(Risk.objects.for_org(newco).order_by("reference").values_list(*fields))
    assert ours == theirs
