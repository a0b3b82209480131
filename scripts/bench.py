"""Time the main pages on a large organisation and report queries per request.

Usage: make bench [ARGS="--actions 5000 --repeat 20"]. Prints one line per page: median and
95th-percentile milliseconds over --repeat requests (after one warm-up), and query count.
"""

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "isova.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from isova.models import Action, ActionStatus, Membership, Organisation, Role, User  # noqa: E402


def build(n_actions: int, n_objectives: int) -> tuple[Organisation, User, User]:
    org, _ = Organisation.objects.get_or_create(slug="bench", defaults={"name": "Bench Ltd"})
    leader, _ = User.objects.get_or_create(email="bench-leader@example.com")
    staff, _ = User.objects.get_or_create(email="bench-staff@example.com")
    Membership.objects.get_or_create(user=leader, organisation=org, defaults={"role": Role.LEADER})
    Membership.objects.get_or_create(user=staff, organisation=org, defaults={"role": Role.STAFF})
    have = Action.objects.filter(organisation=org).count()
    today = datetime.date.today()
    statuses = list(ActionStatus)
    Action.objects.bulk_create(
        Action(
            organisation=org,
            title=f"Bench action {i}",
            owner=staff if i % 3 else leader,
            assigned_by=leader,
            due_date=today + datetime.timedelta(days=(i % 120) - 60),
            status=statuses[i % len(statuses)],
        )
        for i in range(have, n_actions)
    )
    _objectives(org, leader, n_objectives)
    return org, leader, staff


def _objectives(org: Organisation, owner: User, n: int) -> None:
    """n active monthly objectives with 18 values each (skipped when already there)."""
    from decimal import Decimal

    from objectives.models import Measurement, Objective, period_bounds

    have = Objective.objects.filter(organisation=org).count()
    start = datetime.date.today().replace(day=1) - datetime.timedelta(days=540)
    made = Objective.objects.bulk_create(
        Objective(
            organisation=org,
            owner=owner,
            title=f"Bench objective {i}",
            measure_name="Orders on time",
            unit="%",
            direction="higher",
            baseline=Decimal(80),
            target=Decimal(95),
            start_date=start,
            target_date=start + datetime.timedelta(days=730),
            frequency="monthly",
            status="active",
            next_review_date=datetime.date.today() + datetime.timedelta(days=(i % 60) - 30),
        )
        for i in range(have, n)
    )
    values = []
    for objective in made:
        day = start
        for month in range(18):
            first, last = period_bounds(day, "monthly")
            values.append(
                Measurement(
                    objective=objective,
                    period=first,
                    period_end=last,
                    value=Decimal(80 + month * 0.7 + (objective.pk % 5) * 0.3),
                )
            )
            day = last + datetime.timedelta(days=1)
    Measurement.objects.bulk_create(values)


def measure(client: Client, path: str, repeat: int) -> tuple[float, float, int]:
    client.get(path)
    times = []
    queries = []

    # Count with a wrapper: the test client's request_started signal resets connection.queries.
    def count(execute, sql, *a):
        queries.append(sql)
        return execute(sql, *a)

    with connection.execute_wrapper(count):
        client.get(path)
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    times.sort()
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    return statistics.median(times), p95, len(queries)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--actions", type=int, default=2000)
    parser.add_argument("--objectives", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    setup_test_environment()
    _, leader, staff = build(args.actions, args.objectives)
    pages = {
        leader: [
            "/dashboard/",
            "/actions/",
            "/actions/?status=outstanding&overdue=on",
            "/actions/?page=20",
            "/objectives/",
            "/objectives/?rag=red",
            "/objectives/ours/",
            "/audits/findings/",
            "/approvals/",
        ],
        staff: ["/actions/mine/"],
    }
    print(
        f"database: {connection.vendor}; actions: {args.actions}; "
        f"objectives: {args.objectives} x 18 values; repeat: {args.repeat}"
    )
    print(f"{'page':45} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for user, paths in pages.items():
        client = Client()
        client.force_login(user)
        for path in paths:
            median, p95, queries = measure(client, path, args.repeat)
            print(f"{path:45} {median:10.1f} {p95:8.1f} {queries:8d}")


if __name__ == "__main__":
    main()
