"""Demo objectives: believable trends, approvals through records, and idempotent."""

import random

import pytest

from isova import records
from isova.demo import CARE_HOME, DEMO_PASSWORD, ENGINEERING
from isova.models import Action, Membership, Notification, Organisation, User
from objectives import demo
from objectives.models import Measurement, Objective, Rag, Review


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
    organisation, _ = hartwell
    today = organisation.today()
    objectives = Objective.objects.for_org(organisation)
    assert 8 <= objectives.count() <= 12
    assert (
        objectives.with_shown_status().filter(shown_status="submitted").count() == 1
    )  # one awaiting approval
    rag = objectives.rag_counts(today)
    assert rag[Rag.GREEN] >= 3 and rag[Rag.AMBER] >= 1 and rag[Rag.RED] >= 1
    assert rag[Rag.STALE] == 1
    assert objectives.review_overdue(today).count() == 1
    # 18 months of monthly values on the long-running objectives
    longest = max(objectives, key=lambda o: o.measurements.count())
    assert longest.measurements.count() == 18
    assert Measurement.history.filter(history_type="~").count() == 1  # one corrected value
    # every active objective was approved by the managing director through records
    for objective in objectives.filter(status="active"):
        state = records.state(objective)
        assert state.is_approved
        assert state.last_signoff.signer.email == "leader@example.com"
        assert Action.objects.for_source(objective).exists()
    assert records.verify_chain(organisation)[1] == []
    assert records.verify_versions(organisation) == []
    assert Review.objects.filter(objective__organisation=organisation).exists()
    # only the pending approval is news
    kinds = set(Notification.objects.filter(organisation=organisation).values_list("kind", "url"))
    pending = objectives.with_shown_status().get(shown_status="submitted")
    assert kinds == {("approval_requested", pending.get_absolute_url())}


def test_seeding_twice_adds_nothing(hartwell):
    organisation, users = hartwell
    before = Objective.objects.count(), Measurement.objects.count(), Action.objects.count()
    demo.seed(organisation, users, random.Random(1))
    assert (Objective.objects.count(), Measurement.objects.count(), Action.objects.count()) == (
        before
    )


def test_the_care_home_has_a_few_objectives(db):
    organisation, users = demo_org(CARE_HOME)
    demo.seed(organisation, users, random.Random(9001))
    assert 2 <= Objective.objects.for_org(organisation).count() <= 5


def test_other_organisations_get_no_demo_objectives(org):
    demo.seed(org.organisation, {}, random.Random(1))
    assert not Objective.objects.exists()
