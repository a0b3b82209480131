"""The demo: a manager over-allocated in March in both demo organisations, plans whose
leaders approved their resources, and a second seed that adds nothing."""

from __future__ import annotations

from django.core.management import call_command

from isova import demo, records
from isova.models import Organisation, RecordStatus
from isova.resources.demo import next_march
from isova.resources.models import Allocation, ResourceLine
from isova.resources.review_inputs import adequacy
from isova.resources.workload import workload
from objectives.models import Objective


def test_the_demo_has_a_manager_over_allocated_in_march_in_both_organisations(db):
    demo.seed()
    for slug, manager in (("hartwell", "Marcus Reid"), ("rosewood", "Nina Walsh")):
        organisation = Organisation.objects.get(slug=slug)
        march = next_march(organisation.today())
        load = workload(organisation, march, 1)
        over = [row.person.get_full_name() for row in load.over_allocated]
        assert over == [manager], slug
        cell = load.over_allocated[0].cells[0]
        assert cell.hours > cell.capacity == 40
        data = adequacy(organisation, organisation.today(), organisation.today())
        assert dict(data["figures"])["People over-allocated"] >= 1
        assert ResourceLine.objects.for_org(organisation).exists()

    hartwell = Organisation.objects.get(slug="hartwell")
    complaints = Objective.objects.for_org(hartwell).get(title__startswith="Cut customer")
    state = records.state(complaints)
    # v1 approved before; v2 with its people and budget approved again, nothing pending
    assert state.status == RecordStatus.APPROVED and state.number == 2
    assert "people_allocated" in state.current.snapshot
    assert not state.material_diff

    allocations = Allocation.objects.count()
    demo.seed()
    assert Allocation.objects.count() == allocations
    call_command("verify_records")
