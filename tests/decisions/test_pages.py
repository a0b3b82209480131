"""The register, a decision's page, the form and revisit: access, scoping, bad input, queries."""

import datetime

import pytest
from django.urls import reverse

from decisions.models import Decision, Shown
from isova import records
from isova.models import SignOff
from reviews import services as review_services
from tests.conftest import client_for, membership_of
from tests.decisions.conftest import record, signed, submit
from tests.factories import PASSWORD
from tests.reviews.conftest import hold_and_discuss, plan_review
from tests.risks.conftest import raise_risk


def form_data(org, **overrides):
    data = {
        "title": "Stop quoting 3-day turnaround to new customers",
        "context": "Late deliveries to two customers.",
        "options": "Keep it; drop it",
        "decision": "Quote five working days.",
        "rationale": "We meet five days 98% of the time.",
        "affects_customers": "New customers only.",
        "owner": org.manager.pk,
        "decided_on": "2026-11-20",
        "review_date": "2027-03-01",
    }
    return data | overrides


@pytest.mark.parametrize("role", ["leader", "manager", "staff", "auditor"])
def test_every_member_reads_the_register_and_a_decision(org, role):
    decision = signed(org)
    client = client_for(org.user(role))
    page = client.get(reverse("decisions:index"))
    assert page.status_code == 200
    assert decision.title in page.content.decode()
    detail = client.get(decision.get_absolute_url())
    assert detail.status_code == 200
    assert "Fewer changeovers" in detail.content.decode()


@pytest.mark.parametrize("role", ["staff", "auditor"])
def test_staff_and_auditors_cannot_record_or_edit_a_decision(org, role):
    decision = record(org)
    client = client_for(org.user(role))
    assert client.get(reverse("decisions:create")).status_code == 403
    assert client.post(reverse("decisions:create"), form_data(org)).status_code == 403
    edit = reverse("decisions:edit", args=[decision.pk])
    assert client.post(edit, form_data(org, title="Hijacked")).status_code == 403
    assert Decision.objects.get(pk=decision.pk).title != "Hijacked"
    assert Decision.objects.count() == 1


def test_staff_cannot_sign_a_decision_from_its_page(org):
    decision = record(org)
    submit(org, decision)
    version = records.state(decision).current
    response = client_for(org.staff).post(
        reverse("record_decide", args=["decisions.decision", decision.pk]),
        {
            "decision": "approve",
            "password": PASSWORD,
            "version": version.number,
            "snapshot_hash": version.snapshot_hash,
        },
    )
    assert response.status_code == 403
    assert not SignOff.objects.filter(object_id=decision.pk).exists()


def test_a_leader_signs_from_the_record_panel_with_their_password(org):
    decision = record(org)
    submit(org, decision)
    page = client_for(org.leader).get(decision.get_absolute_url())
    version = records.state(decision).current
    assert version.snapshot_hash in page.content.decode()  # the form carries what is shown
    response = client_for(org.leader).post(
        reverse("record_decide", args=["decisions.decision", decision.pk]),
        {
            "decision": "approve",
            "password": PASSWORD,
            "version": version.number,
            "snapshot_hash": version.snapshot_hash,
        },
    )
    assert response.status_code == 302
    assert Decision.objects.with_state().get(pk=decision.pk).shown == Shown.SIGNED


def test_a_manager_records_a_decision_with_its_links(org):
    risk = raise_risk(org, title="Late deliveries lose a customer")
    response = client_for(org.manager).post(
        reverse("decisions:create"), form_data(org, risks=[risk.pk])
    )
    assert response.status_code == 302
    decision = Decision.objects.get()
    assert response["Location"] == decision.get_absolute_url()
    assert list(decision.risks.all()) == [risk]
    assert decision.created_by == org.manager


def test_bad_input_is_a_form_error_not_a_500(org):
    client = client_for(org.manager)
    response = client.post(
        reverse("decisions:create"),
        form_data(org, decided_on="31/31/2026", decision="", owner="999999"),
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "YYYY-MM-DD" in body
    assert "Choose someone of this organisation" in body
    late = client.post(reverse("decisions:create"), form_data(org, review_date="2020-01-01"))
    assert late.status_code == 422
    assert "review date cannot come before" in late.content.decode()
    assert not Decision.objects.exists()


def test_another_organisations_ids_give_404_or_a_form_error(org, other_org):
    theirs = record(other_org)
    their_risk = raise_risk(other_org)
    client = client_for(org.leader)
    assert client.get(theirs.get_absolute_url()).status_code == 404
    assert client.get(reverse("decisions:edit", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("decisions:edit", args=[theirs.pk]), {}).status_code == 404
    assert theirs.title not in client.get(reverse("decisions:index")).content.decode()
    response = client.post(reverse("decisions:create"), form_data(org, risks=[their_risk.pk]))
    assert response.status_code == 422
    assert not Decision.objects.filter(organisation=org.organisation).exists()


def test_revisiting_from_the_page_asks_why_and_makes_version_two(org):
    decision = signed(org)
    client = client_for(org.manager)
    edit = reverse("decisions:edit", args=[decision.pk])
    page = client.get(edit)
    assert "Revisit" in page.content.decode()
    missing = client.post(edit, form_data(org, review_date="2027-09-01"))
    assert missing.status_code == 422  # the reason is required when revisiting
    response = client.post(
        edit, form_data(org, review_date="2027-09-01", revisit_reason="Volumes doubled.")
    )
    assert response.status_code == 302
    decision = Decision.objects.with_state().get(pk=decision.pk)
    assert decision.shown == Shown.REVISITING
    assert decision.version_number == 2
    assert [v.number for v in records.versions(decision)] == [1, 2]


def test_the_register_filters_by_state_and_search(org):
    record(org, title="Draft one")
    signed(org, title="Signed one")
    client = client_for(org.leader)
    signed_page = client.get(reverse("decisions:index"), {"status": "signed"}).content.decode()
    assert "Signed one" in signed_page and "Draft one" not in signed_page
    found = client.get(reverse("decisions:index"), {"q": "draft"}).content.decode()
    assert "Draft one" in found and "Signed one" not in found
    bad = client.get(reverse("decisions:index"), {"status": "nonsense"})
    assert bad.status_code == 200
    assert "not understood" in bad.content.decode()


def test_htmx_gets_the_results_fragment_and_a_plain_request_the_page(org):
    record(org)
    client = client_for(org.leader)
    fragment = client.get(reverse("decisions:index"), HTTP_HX_REQUEST="true").content.decode()
    assert 'id="results"' in fragment and "<html" not in fragment
    page = client.get(reverse("decisions:index")).content.decode()
    assert "<html" in page


def _held_review_with_an_output(org):
    """A held review (minutes not signed yet) that decided "Offer Northline a consignment
    stock"."""
    review = hold_and_discuss(org, plan_review(org))
    review_services.output_add(
        membership=membership_of(org.manager, org.organisation),
        review=review,
        kind="improvement",
        decision="Offer Northline a consignment stock",
    )
    return review


def test_decisions_taken_in_a_management_review_are_in_the_register(org):
    review = _held_review_with_an_output(org)
    record(org, title="Our own register entry")
    manager = client_for(org.manager)
    body = manager.get(reverse("decisions:index")).content.decode()
    assert "Offer Northline a consignment stock" in body
    assert reverse("reviews:detail", args=[review.pk]) in body
    assert "Our own register entry" in body
    only_reviews = manager.get(reverse("decisions:index"), {"source": "review"})
    assert "Our own register entry" not in only_reviews.content.decode()
    open_minutes = manager.get(reverse("decisions:index"), {"status": "minutes_open"})
    assert "Offer Northline" in open_minutes.content.decode()


def test_a_planned_reviews_outputs_are_not_listed(org):
    review = plan_review(org, days_ahead=10)
    assert review.status == "planned"
    body = client_for(org.staff).get(reverse("decisions:index")).content.decode()
    assert "0 decisions" in body


def bulk(org, n):
    Decision.objects.bulk_create(
        Decision(
            organisation=org.organisation,
            title=f"Bulk {i}",
            decision="x",
            rationale="y",
            owner=org.manager,
            decided_on=datetime.date(2026, 1, 1) + datetime.timedelta(days=i % 300),
            review_date=datetime.date(2026, 12, 1),
        )
        for i in range(n)
    )


@pytest.mark.parametrize("n", [2, 120])
def test_the_register_runs_a_fixed_number_of_queries(org, n, django_assert_max_num_queries):
    bulk(org, n)
    signed(org, title="Signed")
    review = hold_and_discuss(org, plan_review(org))
    for i in range(3 if n < 10 else 30):
        review_services.output_add(
            membership=membership_of(org.manager, org.organisation),
            review=review,
            kind="improvement",
            decision=f"Output {i}",
        )
    client = client_for(org.leader)
    client.get(reverse("decisions:index"))  # warm the session and content types
    # session, user, memberships with their organisation (3); the page's count (1), the state
    # counts (1) and the page of rows, decisions and review outputs in one UNION (1).
    with django_assert_max_num_queries(6):
        response = client.get(reverse("decisions:index"))
    assert response.status_code == 200


@pytest.mark.parametrize("n", [2, 60])
def test_a_decisions_page_runs_a_fixed_number_of_queries(org, n, django_assert_max_num_queries):
    from isova.actions import services as actions

    decision = signed(org)
    for i in range(n):
        actions.action_create(
            membership=membership_of(org.manager, org.organisation),
            title=f"Step {i}",
            owner=org.staff,
            source=decision,
        )
    client = client_for(org.leader)
    client.get(decision.get_absolute_url())
    # session, user, memberships (3); the decision with its state (1); its actions (1), the
    # processes, risks, objectives, findings and feedback it rests on (5); the record panel's
    # versions, sign-offs, snapshot children (6), field history and its people (2); 19 today.
    with django_assert_max_num_queries(20):
        response = client.get(decision.get_absolute_url())
    assert response.content.decode().count("Step ") >= n


def test_the_objective_finding_and_feedback_pages_name_the_decisions_behind_them(org, other_org):
    from reviews.models import Feedback
    from tests.audits.conftest import plan, raise_finding, start
    from tests.objectives.conftest import make_objective

    objective = make_objective(org.organisation, org.manager, title="On-time delivery")
    finding = raise_finding(org, start(org, plan(org)))
    feedback = Feedback.objects.create(
        organisation=org.organisation,
        kind="complaint",
        title="Late again",
        received_on=org.organisation.today(),
        submitted_by=org.manager,
    )
    decision = record(
        org, objectives=[objective], findings=[finding], feedback=[feedback], title="Linked"
    )
    client = client_for(org.leader)
    for page in (objective, finding, feedback):
        body = client.get(page.get_absolute_url()).content.decode()
        assert decision.get_absolute_url() in body, page
    detail = client.get(decision.get_absolute_url()).content.decode()
    for page in (objective, finding, feedback):
        assert page.get_absolute_url() in detail
    # another organisation's page lists none of ours
    their_objective = make_objective(other_org.organisation, other_org.manager, title="Theirs")
    theirs = client_for(other_org.leader).get(their_objective.get_absolute_url()).content.decode()
    assert "Linked" not in theirs and "No decision in the register rests on this yet" in theirs


def test_the_register_query_orders_only_the_whole_union(org):
    """SQLite (make run) refuses an ORDER BY inside a part of a UNION."""
    import re

    from decisions.models import register_rows

    sql = str(register_rows(org.organisation).query)
    assert " UNION ALL " in sql
    scalar = re.findall(r"ORDER BY [^()]*LIMIT 1\)", sql)  # a version subquery's own
    assert sql.count("ORDER BY") - len(scalar) == 1
    assert sql.endswith("ORDER BY 4 DESC, 2 DESC")


# --- staff read what the leaders signed, and nothing else (issue 22.3) ---------------------


def test_staff_do_not_see_a_decision_never_signed(org):
    draft = record(org, title="Close the Leeds site")
    submit(org, record(org, title="Raise prices by 4%"))
    staff = client_for(org.staff)
    body = staff.get(reverse("decisions:index")).content.decode()
    assert "Close the Leeds site" not in body and "Raise prices" not in body
    assert "Awaiting sign-off" not in body
    assert staff.get(draft.get_absolute_url()).status_code == 404
    awaiting = staff.get(reverse("decisions:index"), {"status": "awaiting"}).content.decode()
    assert "0 decisions" in awaiting
    # a manager reads both
    assert (
        "Close the Leeds site"
        in client_for(org.manager).get(reverse("decisions:index")).content.decode()
    )


def test_staff_read_a_revisited_decision_as_last_signed(org):
    decision = signed(org, title="Weekly delivery slot", rationale="Fewer changeovers.")
    risk = raise_risk(org)
    response = client_for(org.manager).post(
        reverse("decisions:edit", args=[decision.pk]),
        form_data(
            org,
            title="Twice-weekly delivery slot",
            rationale="Volumes doubled.",
            revisit_reason="Volumes doubled.",
            risks=[risk.pk],
        ),
    )
    assert response.status_code == 302
    submit(org, Decision.objects.get(pk=decision.pk))  # awaiting the second signature
    staff = client_for(org.staff)
    page = staff.get(decision.get_absolute_url()).content.decode()
    assert "Weekly delivery slot" in page and "Fewer changeovers." in page
    assert "Twice-weekly" not in page and "Volumes doubled." not in page
    assert risk.get_absolute_url() not in page  # linked only in the change awaiting a signature
    assert "Signed" in page
    register = staff.get(reverse("decisions:index")).content.decode()
    assert "Weekly delivery slot" in register and "Twice-weekly" not in register
    assert "Awaiting sign-off" not in register
    # what the leader is shown is the change
    leader = client_for(org.leader).get(decision.get_absolute_url()).content.decode()
    assert "Twice-weekly delivery slot" in leader


def test_staff_do_not_see_outputs_of_minutes_not_yet_signed(org):
    _held_review_with_an_output(org)
    body = client_for(org.staff).get(reverse("decisions:index")).content.decode()
    assert "Offer Northline" not in body
    assert (
        "Offer Northline"
        in client_for(org.manager).get(reverse("decisions:index")).content.decode()
    )
