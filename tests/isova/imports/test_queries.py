"""Big files: a constant number of queries per batch of rows, whatever the file's size."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from isova.imports import engine
from tests.conftest import membership_of
from tests.isova.imports.conftest import run_import

HEADER = "Risk ID,Risk,Type,Likelihood,Impact,Owner,Status,Review date,Notes\n"


def _register(org, n: int, start: int = 0) -> bytes:
    lines = [
        f"R{i},Risk {i},{'Opportunity' if i % 7 == 0 else 'Risk'},"
        f"{['Low', 'Medium', 'High'][i % 3]},"
        f"{['High', 'Low', 'Medium'][i % 3]},{org.manager.get_full_name()},"
        f"{['Open', 'Mitigated', 'Closed'][i % 3]},{i % 28 + 1}/03/2026,note {i}"
        for i in range(start, start + n)
    ]
    return (HEADER + "\n".join(lines) + "\n").encode()


def _queries(org, data: bytes) -> int:
    membership = membership_of(org.leader, org.organisation)
    with CaptureQueriesContext(connection) as ctx:
        report = run_import("risks", membership, data)
    assert report.errors == [] and report.saved
    return len(ctx.captured_queries)


def test_each_batch_of_rows_costs_the_same_few_queries(org, monkeypatch):
    monkeypatch.setattr(engine, "BATCH", 40)
    _queries(org, _register(org, 1, 9000))  # the organisation's first import makes its matrix
    one = _queries(org, _register(org, 40, 0))
    two = _queries(org, _register(org, 80, 1000))
    four = _queries(org, _register(org, 160, 2000))
    per_batch = two - one
    assert per_batch <= 8  # look-up, insert, history insert, assessments (and savepoints)
    assert four - two == 2 * per_batch


def test_re_importing_updates_in_the_same_few_queries_per_batch(org, monkeypatch):
    monkeypatch.setattr(engine, "BATCH", 40)
    _queries(org, _register(org, 160))
    small = _queries(org, _register(org, 40))
    large = _queries(org, _register(org, 160))
    assert (large - small) % 3 == 0 and (large - small) // 3 <= 8
