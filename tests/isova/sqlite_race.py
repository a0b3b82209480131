"""Run by test_sqlite_concurrency.py in a subprocess, on a fresh file-based SQLite database.

Threads (each its own connection) race to edit one action, to change its status from the
same version, and to approve and reject one submitted quality policy. Prints one JSON line:
the outcomes of each round.
"""

import datetime
import json
import os
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "isova.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
call_command("migrate", verbosity=0)

from isova import records  # noqa: E402
from isova.actions import services as actions  # noqa: E402
from isova.records import policy  # noqa: E402
from tests.conftest import make_org, membership_of  # noqa: E402
from tests.factories import PASSWORD  # noqa: E402
from tests.isova.conftest import make_action  # noqa: E402

THREADS, ROUNDS = 6, 4


def race(work) -> list[str]:
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []

    def run(i: int) -> None:
        try:
            barrier.wait()
            work(i)
            outcomes.append("saved")
        except (actions.Conflict, records.Stale):
            outcomes.append("conflict")
        except (actions.ActionError, records.RecordError):
            outcomes.append("refused")
        except Exception as error:  # noqa: BLE001 - the test reports any other error
            outcomes.append(f"{type(error).__name__}: {error}")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(outcomes)


def decide(i: int, leader, policy) -> None:
    """Half the threads approve, half reject the same submitted version."""
    if i % 2:
        records.reject(membership=leader, obj=policy, password=PASSWORD, comment="No.")
    else:
        records.approve(membership=leader, obj=policy, password=PASSWORD)


results: dict[str, list[list[str]]] = {"edit": [], "status": [], "decision": []}
for n in range(ROUNDS):
    org = make_org(f"Race {n}")
    manager = membership_of(org.manager, org.organisation)
    action = make_action(org, title="Original")
    results["edit"].append(
        race(
            lambda i, action=action, manager=manager: actions.action_update(
                membership=manager, action=action, version=1, title=f"Title {i}"
            )
        )
    )
    action = make_action(org, title="Status")
    results["status"].append(
        race(
            lambda i, action=action, manager=manager: actions.action_set_status(
                membership=manager,
                action=action,
                version=1,
                status="cancelled" if i % 2 else "in_progress",
            )
        )
    )
    the_policy = policy.policy_create(
        membership=manager,
        title="Quality policy",
        text="We meet our customers' requirements.",
        owner=org.leader,
        effective_from=datetime.date(2026, 1, 1),
    )
    records.submit(membership=manager, obj=the_policy)
    leader = membership_of(org.leader, org.organisation)
    results["decision"].append(
        race(lambda i, leader=leader, the_policy=the_policy: decide(i, leader, the_policy))
    )
connection.close()
print(json.dumps({"vendor": connection.vendor, "results": results}))
