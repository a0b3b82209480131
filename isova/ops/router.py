"""Send the reads that may lag to the streaming replica (DATABASE_REPLICA_URL).

Only reads of GET/HEAD requests to the pages listed by `READ_MAY_LAG` (dashboards, lists,
registers, exports) go to the replica. Everything else reads the primary: POSTs, record
pages, Celery tasks and commands (no request), any read after this request wrote (the first
write flips it for the rest of the request), and, for REPLICA_PIN_SECONDS after a write, every
request of that browser (the middleware sets a cookie), so the page shown after a save shows it.
"""

from __future__ import annotations

import re
from typing import Any

from .context import current

REPLICA = "replica"
PRIMARY = "default"
PIN_COOKIE = "isova_primary"
# Namespaced view names (resolver_match.view_name) whose reads may be a few seconds old.
READ_MAY_LAG = re.compile(
    r"^(dashboard(_panel)?|action_list|my_actions|[a-z]+:(index|ours|goals|finding_list|"
    r"process_list|heat_map|matrix|export|feedback_list|feedback_export))$"
)


def may_read_replica(view_name: str, method: str, pinned: bool) -> bool:
    return method in {"GET", "HEAD"} and not pinned and bool(READ_MAY_LAG.match(view_name))


class ReplicaRouter:
    def db_for_read(self, model: Any, **hints: Any) -> str:
        state = current.get()
        if state is not None and state.replica_allowed and not state.wrote:
            return REPLICA
        return PRIMARY

    def db_for_write(self, model: Any, **hints: Any) -> str:
        state = current.get()
        if state is not None:
            state.wrote = True
        return PRIMARY

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # one database, two copies of it

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == PRIMARY  # the replica follows by streaming, never migrated itself
