"""Every model of the core app "isova", gathered where Django looks for them.

Each feature package keeps its own models (`isova/accounts/models.py`, `isova/actions/models.py`,
`isova/records/models.py`, ...); they are imported here so that Django registers them all under
the one app label "isova" (tables and migrations unchanged). New code imports a model from the
package that defines it; the names below stay for existing imports.
"""

from __future__ import annotations

from isova.accounts.models import (
    CURRENCY_SYMBOLS,
    FormSubmission,
    Membership,
    MembershipQuerySet,
    Organisation,
    Role,
    User,
    UserManager,
    validate_timezone,
)
from isova.actions.models import (
    ACTION_AGE_BUCKETS,
    FINISHED_STATUSES,
    OUTSTANDING_STATUSES,
    Action,
    ActionQuerySet,
    ActionSource,
    ActionStatus,
    Priority,
    action_source_models,
    overdue_q,
)
from isova.evidence.models import (
    EvidencePack,
)
from isova.health.models import (
    HealthThreshold,
    HealthThresholdQuerySet,
)
from isova.notifications.models import (
    AlertState,
    CalendarFeed,
    Notification,
    NotificationMode,
    NotificationPreference,
    NotificationQuerySet,
    NotificationStatus,
)
from isova.records.models import (
    Approvable,
    QualityPolicy,
    RecordStatus,
    RecordVersion,
    RecordVersionQuerySet,
    SignOff,
    SignOffChain,
)

__all__ = [
    "overdue_q",
    "ACTION_AGE_BUCKETS",
    "Action",
    "ActionQuerySet",
    "ActionSource",
    "ActionStatus",
    "AlertState",
    "Approvable",
    "CURRENCY_SYMBOLS",
    "CalendarFeed",
    "EvidencePack",
    "FINISHED_STATUSES",
    "FormSubmission",
    "HealthThreshold",
    "HealthThresholdQuerySet",
    "Membership",
    "MembershipQuerySet",
    "Notification",
    "NotificationMode",
    "NotificationPreference",
    "NotificationQuerySet",
    "NotificationStatus",
    "OUTSTANDING_STATUSES",
    "Organisation",
    "Priority",
    "QualityPolicy",
    "RecordStatus",
    "RecordVersion",
    "RecordVersionQuerySet",
    "Role",
    "SignOff",
    "SignOffChain",
    "User",
    "UserManager",
    "action_source_models",
    "validate_timezone",
]


# The import engine's state (its own package, registered under the one app label).
from isova.imports.models import ImportUpload, SavedMapping  # noqa: E402

__all__ += ["ImportUpload", "SavedMapping"]
