"""The embedded default (SQLite, `make run`) survives two people at once (issue 9.6)."""

import json
import os
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).with_name("sqlite_race.py")


def test_simultaneous_edits_on_sqlite_give_one_winner_and_clear_conflicts_never_locked(tmp_path):
    env = os.environ | {"DATABASE_URL": f"sqlite:///{tmp_path / 'race.sqlite3'}"}
    env.pop("CELERY_BROKER_URL", None)
    done = subprocess.run(
        [sys.executable, str(SCRIPT)], env=env, capture_output=True, text=True, timeout=240
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["vendor"] == "sqlite"
    for kind in ("edit", "status", "decision"):
        for outcomes in report["results"][kind]:
            # Exactly one winner; every other thread a clear conflict (or, for a decision, "it
            # is no longer waiting"); never "database is locked".
            assert outcomes.count("saved") == 1, (kind, outcomes)
            allowed = {"saved", "conflict"} | ({"refused"} if kind == "decision" else set())
            assert set(outcomes) <= allowed, (kind, outcomes)
