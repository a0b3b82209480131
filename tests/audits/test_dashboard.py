"""Dashboard reads: outstanding audit actions, findings by type and status, past due, time to
close. Each is one query."""

import datetime

import time_machine

from audits import services
from audits.models import Finding, FindingStatus, FindingType
from isova.models import Action
from tests.conftest import membership_of
from tests.factories import ActionFactory

from .conftest import assign, complete, plan, raise_finding, respond, start, verify


def days_ago(n):
    """Noon UTC n days back: the same calendar day in the organisation's zone whatever the
    hour the suite runs (late in the evening, "now minus n days" could cross a DST change)."""
    day = datetime.datetime.now(datetime.UTC).date() - datetime.timedelta(days=n)
    return time_machine.travel(
        datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC), tick=False
    )


def test_outstanding_audit_actions_are_counted_with_overdue_and_age(
    org, other_org, running_audit, django_assert_num_queries
):
    finding = raise_finding(org, running_audit)
    today = org.organisation.today()
    for age, due in [(5, 3), (10, -1), (45, -20), (75, 9), (120, -60)]:
        with days_ago(age):
            assign(org, finding, title=f"{age} days old", due_date=today + datetime.timedelta(due))
    done = assign(org, finding, title="done already")
    complete(org, done)
    # actions that are not audit actions, or of another organisation, do not count
    ActionFactory(organisation=org.organisation, owner=org.staff)
    their_finding = raise_finding(other_org, start(other_org, plan(other_org)))
    assign(other_org, their_finding, due_date=today - datetime.timedelta(5))

    with django_assert_num_queries(1):
        summary = Finding.objects.for_org(org.organisation).outstanding_action_summary(
            org.organisation
        )
    assert summary == {
        "count": 5,
        "overdue": 3,
        "age_buckets": {"0-30": 2, "31-60": 1, "61-90": 1, "90+": 1},
    }


def test_outstanding_audit_actions_of_an_empty_organisation_are_zero(org):
    summary = Finding.objects.for_org(org.organisation).outstanding_action_summary(org.organisation)
    assert summary["count"] == 0
    assert summary["age_buckets"] == {"0-30": 0, "31-60": 0, "61-90": 0, "90+": 0}


def test_audit_actions_are_a_filter_on_the_one_action_table(org, finding):
    action = assign(org, finding)
    assert list(Action.objects.for_source_model(Finding)) == [action]


def test_findings_by_type_and_status_include_zeros(org, running_audit, django_assert_num_queries):
    raise_finding(org, running_audit, FindingType.MAJOR)
    raise_finding(org, running_audit, FindingType.MAJOR)
    minor = raise_finding(org, running_audit, FindingType.MINOR)
    respond(org, minor)
    with django_assert_num_queries(1):
        table = Finding.objects.for_org(org.organisation).by_type_and_status()
    assert table["major"]["open"] == 2
    assert table["minor"]["in_progress"] == 1
    assert table["ofi"] == {"open": 0, "in_progress": 0, "verified": 0, "closed": 0}


def test_findings_past_their_response_date(org, running_audit, django_assert_num_queries):
    with days_ago(40):
        late_major = raise_finding(org, running_audit, FindingType.MAJOR)
        raise_finding(org, running_audit, FindingType.MINOR)  # due in 60 days: fine
    raise_finding(org, running_audit, FindingType.MAJOR)
    today = org.organisation.today()
    with django_assert_num_queries(1):
        late = list(Finding.objects.for_org(org.organisation).past_response_due(today))
    assert late == [late_major]


def close_after(org, audit, finding_type, raised_days_ago, closed_days_ago):
    with days_ago(raised_days_ago):
        finding = raise_finding(org, audit, finding_type)
    with days_ago(closed_days_ago):
        finding = respond(org, finding)
        if finding.is_nonconformity:
            complete(org, assign(org, finding))
            finding = verify(org, finding)
        return services.finding_close(
            membership=membership_of(org.auditor, org.organisation), finding=finding
        )


def test_average_days_to_close_per_type_over_twelve_months(
    org, running_audit, django_assert_num_queries
):
    close_after(org, running_audit, FindingType.MAJOR, 50, 20)  # 30 days
    close_after(org, running_audit, FindingType.MAJOR, 30, 10)  # 20 days
    close_after(org, running_audit, FindingType.OFI, 9, 2)  # 7 days
    close_after(org, running_audit, FindingType.MINOR, 500, 400)  # closed too long ago
    today = org.organisation.today()
    with django_assert_num_queries(1):
        averages = Finding.objects.for_org(org.organisation).average_days_to_close(today)
    assert averages == {"major": 25.0, "minor": None, "observation": None, "ofi": 7.0}
    assert Finding.objects.filter(status=FindingStatus.CLOSED).count() == 4
