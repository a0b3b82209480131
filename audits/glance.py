"""Audits in the dashboard's "At a glance" block: outstanding audit actions and the overdue
ones, the audits panel's own counts and links (`memo.panel_data`), so no query of its own on
the dashboard."""

from __future__ import annotations

from isova.dashboard import memo
from isova.registry import Glance, GlanceFigure, PanelContext, registry

FINDING_WORDS = (
    "unresolved finding",
    "unresolved findings",
    "finding past its response date",
    "findings past their response date",
)
ACTION_WORDS = ("outstanding action", "outstanding actions", "overdue action", "overdue actions")


def _tone(n: int) -> str:
    return "bad" if n else "good"


def _count_and_late(
    count: int, late: int, words: tuple[str, str, str, str], urls: tuple[str, str]
) -> list[GlanceFigure]:
    """A count and how many of those are late (bad when any), each linking to its list;
    `words`: the singular and plural of each."""
    one, many, one_late, many_late = words
    return [
        GlanceFigure(label=one if count == 1 else many, value=count, url=urls[0]),
        GlanceFigure(
            label=one_late if late == 1 else many_late, value=late, url=urls[1], tone=_tone(late)
        ),
    ]


def audit_actions(ctx: PanelContext) -> list[GlanceFigure]:
    """Outstanding actions raised on audit findings, and how many of them are overdue. Under
    the process or period filter (a finding's, which the actions list cannot narrow by) the
    unresolved findings and those past their response date instead, whose register can."""
    data = memo.panel_data(ctx, "audits")
    if data is None:
        return []
    urls = data["urls"]
    if "process" in ctx.filters or "since" in ctx.filters:
        return _count_and_late(
            data["findings"]["total"],
            data["findings"]["past_due"],
            FINDING_WORDS,
            (urls["register"], urls["past_due"]),
        )
    return _count_and_late(
        data["actions"]["count"],
        data["actions"]["overdue"],
        ACTION_WORDS,
        (urls["count"], urls["overdue"]),
    )


registry.register("glance", Glance(name="audits", title="Audits", order=20, build=audit_actions))
