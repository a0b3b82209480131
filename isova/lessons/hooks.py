"""What an app offers a captured lesson to change (the `improvements` hook, improvements.py).

A lesson becomes an improvement with one click: an action (the core's own), or a change an
app makes on its own form: the objectives app offers "review an objective", the risks app
"reassess a risk". The lesson's page shows each target its reader may use, with a choice of
the app's records (the lesson's own source first when it is one of them); the click opens
the app's form at `url(pk)` with `?lesson=<lesson pk>`, prefilled from the lesson
(`isova.lessons.services.improvement_text`). The app's view reads the lesson with
`services.lesson_to_improve(request)` before anything else, and its service calls
`services.lesson_became(...)` in the transaction that saves the form: the lesson then says
which improvement it became (`kind`, a label and a link).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from isova.accounts.models import Organisation


@dataclass(frozen=True)
class ImprovementTarget:
    name: str  # the `ImprovementKind` value it records ("objective", "risk")
    title: str  # the heading on the lesson's page: "Change an objective"
    button: str  # the one click: "Review this objective"
    choice_label: str  # the label of the record picker: "Objective to review"
    order: int
    # The permission the app's form needs (besides "isova.lesson.improve").
    permission: str
    # The records a lesson may change, (pk, label), in one query: open objectives, risks.
    choices: Callable[[Organisation], list[tuple[int, str]]]
    # The app's form for one of them (the core appends ?lesson=<pk>).
    url: Callable[[int], str]
    # The model (app_label.model) whose record, when it is the lesson's source, comes first.
    model: str = ""
