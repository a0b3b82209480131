"""The web flow: upload → columns → values → preview → import; and exports.

The upload and the mapping chosen so far live in an `ImportUpload` row (server side, so each
step works without JavaScript and a reload loses nothing). Permission is checked from the
URL's kind before any input is read. The last step starts the import as a task (services.py)
and answers with its progress page, polled until the result is there.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from isova.accounts.tenancy import OrgRequest, has_perm, member_required
from isova.errors import NotAllowed
from isova.registry import registry

from . import engine, services
from .exporting import XLSX_TYPE, csv_bytes, xlsx_bytes
from .kinds import Context, Field, ImportKind
from .models import ImportState, ImportUpload, SavedMapping
from .reading import MAX_BYTES, Table, Unreadable, read_table

KEEP_REF, KEEP_NOTES, IGNORE = "kept:external_ref", "kept:notes", "ignored"
UNASSIGNED = "__unassigned__"


def _kind(request: OrgRequest, name: str) -> ImportKind:
    kind = registry.import_kind(name)
    if kind is None:
        raise Http404("No such import.")
    if not has_perm(request.membership, kind.permission):
        raise NotAllowed(f"Your role does not import {kind.label.lower()}.")
    return kind


def _upload(request: OrgRequest, pk: int) -> tuple[ImportUpload, ImportKind, Table]:
    upload = ImportUpload.objects.filter(
        pk=pk, organisation=request.organisation, user=request.user
    ).first()
    if upload is None:
        raise Http404("No such import.")
    kind = _kind(request, upload.kind)
    if upload.state not in (ImportState.MAPPING, ImportState.FAILED):
        raise Imported(upload.pk)
    return upload, kind, read_table(bytes(upload.data), upload.filename, upload.sheet or None)


def _started(request: OrgRequest, pk: int) -> tuple[ImportUpload, ImportKind]:
    """The member's own upload (another person's or organisation's is 404), whatever its
    state, with the kind it imports, which their role must still import."""
    upload = ImportUpload.objects.filter(
        pk=pk, organisation=request.organisation, user=request.user
    ).first()
    if upload is None:
        raise Http404("No such import.")
    return upload, _kind(request, upload.kind)


class Imported(Exception):
    """The upload's import was started (or is done): its steps show the progress or the
    result instead."""


class UploadForm(forms.Form):
    file = forms.FileField(label="CSV or Excel (.xlsx) file", help_text="Up to 10 MB.")
    sheet = forms.CharField(
        label="Sheet (Excel only; blank: the first)", required=False, max_length=100
    )
    saved = forms.ChoiceField(label="Use a saved mapping", required=False)


@member_required
def index(request: OrgRequest) -> HttpResponse:
    """What this member may import and export."""
    kinds = [k for k in registry.import_kinds() if has_perm(request.membership, k.permission)]
    exports = [
        k
        for k in registry.export_kinds()
        if has_perm(request.membership, k.permission)
        and (not k.unapproved or has_perm(request.membership, "isova.record.read_unapproved"))
    ]
    recent = ImportUpload.objects.filter(
        organisation=request.organisation, user=request.user
    ).order_by("-created_at")[:10]
    context = {"kinds": kinds, "exports": exports, "recent": recent}
    return render(request, "isova/imports/index.html", context)


@member_required
@require_http_methods(["GET", "POST"])
def upload(request: OrgRequest, kind_name: str) -> HttpResponse:
    kind = _kind(request, kind_name)
    saved = SavedMapping.objects.filter(organisation=request.organisation, kind=kind.name)
    choices = [("", "No: suggest a mapping")] + [(str(s.pk), s.name) for s in saved]
    form = UploadForm(request.POST or None, request.FILES or None)
    form.fields["saved"].choices = choices  # type: ignore[attr-defined]
    status = 200
    if request.method == "POST":
        status = 422
        incoming = request.FILES.get("file")
        if incoming is not None and incoming.size and incoming.size > MAX_BYTES:
            form.add_error(
                "file",
                f"The file is {incoming.size / 1024 / 1024:.1f} MB; the limit is 10 MB. "
                "Split it into smaller files, or remove columns you do not need.",
            )
        elif form.is_valid():
            data = form.cleaned_data["file"].read()
            name = form.cleaned_data["file"].name or "upload"
            sheet = form.cleaned_data["sheet"].strip()
            try:
                table = read_table(data, name, sheet or None)
            except Unreadable as error:
                form.add_error("file", str(error))
            else:
                ctx = engine.make_context(request.membership)
                mapping = engine.suggest(kind, ctx, table)
                if form.cleaned_data["saved"]:
                    chosen = saved.filter(pk=form.cleaned_data["saved"]).first()
                    if chosen is not None:
                        mapping = _merge(mapping, chosen.mapping, table)
                row = ImportUpload.objects.create(
                    organisation=request.organisation,
                    user=request.user,
                    kind=kind.name,
                    filename=name[:255],
                    sheet=table.sheet if sheet else "",
                    data=data,
                    mapping=mapping,
                )
                return redirect("imports:columns", pk=row.pk)
    context = {"kind": kind, "form": form}
    return render(request, "isova/imports/upload.html", context, status=status)


def _merge(suggested: dict[str, Any], saved: dict[str, Any], table: Table) -> dict[str, Any]:
    """A saved mapping for the columns it names; the suggestion for the others."""
    columns = dict(suggested["columns"])
    for header, entry in (saved.get("columns") or {}).items():
        if header in columns:
            columns[header] = entry
    return {"columns": columns, "values": saved.get("values") or {}, "dates": saved.get("dates")}


def _column_options(kind: ImportKind) -> list[tuple[str, str]]:
    notes = kind.field(kind.notes_field)
    notes_label = notes.label if notes else kind.notes_field.replace("_", " ")
    return [
        *[
            (f"mapped:{f.name}", f.label + (" (required)" if f.required else ""))
            for f in kind.fields
        ],
        (KEEP_REF, "Keep as the external reference (the source's ID)"),
        (KEEP_NOTES, f"Keep: add to {notes_label.lower()}, labelled"),
        (IGNORE, "Ignore this column"),
    ]


def _encode(entry: dict[str, Any]) -> str:
    if entry.get("action") == "mapped":
        return f"mapped:{entry.get('field')}"
    if entry.get("action") == "kept":
        return KEEP_REF if entry.get("field") == engine.EXTERNAL_REF else KEEP_NOTES
    return IGNORE


def _decode(value: str, kind: ImportKind) -> dict[str, Any] | None:
    if value.startswith("mapped:") and kind.field(value[7:]) is not None:
        return {"field": value[7:], "action": "mapped"}
    if value == KEEP_REF:
        return {"field": engine.EXTERNAL_REF, "action": "kept"}
    if value == KEEP_NOTES:
        return {"field": kind.notes_field, "action": "kept"}
    if value == IGNORE:
        return {"field": None, "action": "ignored"}
    return None


def _steps(view: Any) -> Any:
    """Once imported, an upload's steps lead to its result (a second POST saves nothing)."""

    def wrapped(request: OrgRequest, pk: int) -> HttpResponse:
        try:
            return view(request, pk)
        except Imported:
            return redirect("imports:result", pk=pk)

    return wrapped


@member_required
@require_http_methods(["GET", "POST"])
@_steps
def columns(request: OrgRequest, pk: int) -> HttpResponse:
    upload, kind, table = _upload(request, pk)
    current = upload.mapping.get("columns") or {}
    rows: list[dict[str, Any]] = []
    errors: list[str] = []
    for i, header in enumerate(table.headers):
        chosen = _encode(current.get(header) or {"action": "kept", "field": kind.notes_field})
        if request.method == "POST":
            chosen = request.POST.get(f"col{i}", "")
            if _decode(chosen, kind) is None:
                errors.append(f"Choose what to do with “{header}”.")
        samples = [engine._shown(r[i]) for r in table.rows[:4] if str(r[i]).strip()]
        rows.append({"i": i, "header": header, "samples": samples, "chosen": chosen})
    if request.method == "POST":
        used: dict[str, str] = {}
        for row in rows:
            if row["chosen"].startswith("mapped:") or row["chosen"] == KEEP_REF:
                if row["chosen"] in used:
                    errors.append(
                        f"“{row['header']}” and “{used[row['chosen']]}” are mapped to "
                        "the same field: keep or ignore one of them."
                    )
                used[row["chosen"]] = row["header"]
        missing = [f.label for f in kind.fields if f.required and f"mapped:{f.name}" not in used]
        if missing:
            errors.append("Map a column to each required field: " + ", ".join(missing) + ".")
        if not errors:
            upload.mapping = {
                **upload.mapping,
                "columns": {r["header"]: _decode(r["chosen"], kind) for r in rows},
            }
            upload.save(update_fields=["mapping"])
            return redirect("imports:values", pk=upload.pk)
    context = {
        "upload": upload,
        "kind": kind,
        "table": table,
        "rows": rows,
        "options": _column_options(kind),
        "errors": errors,
    }
    return render(request, "isova/imports/columns.html", context, status=422 if errors else 200)


@member_required
@require_http_methods(["GET", "POST"])
@_steps
def values(request: OrgRequest, pk: int) -> HttpResponse:
    upload, kind, table = _upload(request, pk)
    ctx = engine.make_context(request.membership)
    mapping = upload.mapping
    posted = request.POST if request.method == "POST" else None
    may_invite = engine.may_invite(request.membership)
    groups = _value_groups(kind, ctx, table, mapping, posted, may_invite)
    date_cols = _date_columns(kind, mapping)
    detected, conflict = engine.detect_dates(table, date_cols)
    dates = mapping.get("dates") or detected or "dmy"
    if request.method == "POST":
        dates = request.POST.get("dates") if request.POST.get("dates") in ("dmy", "mdy") else dates
        upload.mapping = {**mapping, "values": _chosen_values(groups), "dates": dates}
        upload.save(update_fields=["mapping"])
        return redirect("imports:preview", pk=upload.pk)
    context = {
        "upload": upload,
        "kind": kind,
        "groups": groups,
        "date_cols": date_cols,
        "dates": dates,
        "ambiguous": bool(date_cols) and detected is None,
        "conflict": conflict,
        "may_invite": may_invite,
    }
    return render(request, "isova/imports/values.html", context)


def _value_groups(
    kind: ImportKind,
    ctx: Context,
    table: Table,
    mapping: dict[str, Any],
    posted: Any,
    may_invite: bool,
) -> list[dict[str, Any]]:
    """One group per column whose values are matched: each distinct value with what it is
    matched to (as chosen so far, else as suggested; as posted, when `posted`). People not
    yet members may be left unassigned, or invited by a member who may invite (the engine
    checks that again)."""
    given = mapping.get("values") or {}
    groups: list[dict[str, Any]] = []
    for n, (header, f) in enumerate(engine.value_columns(kind, mapping["columns"])):
        found = engine.distinct_values(table, header)
        suggested = engine.suggest_values(ctx, f, found)
        unassigned = f.type == "person" and engine.may_be_unassigned(kind, f)
        invite = f.type == "person" and f.invite and may_invite
        options = _value_options(ctx, f, unassigned, invite)
        items = []
        for m, raw in enumerate(found):
            chosen = (given.get(header) or {}).get(raw, suggested.get(raw))
            if chosen == "":
                chosen = UNASSIGNED
            if posted is not None:
                chosen = posted.get(f"v{n}_{m}", "")
            items.append(
                {
                    "name": f"v{n}_{m}",
                    "raw": raw,
                    "chosen": chosen or "",
                    "suggested": suggested.get(raw) is not None,
                }
            )
        groups.append(
            {
                "header": header,
                "field": f,
                "options": options,
                "items": items,
                "unassigned": unassigned,
                "invite": invite,
            }
        )
    return groups


def _value_options(ctx: Context, f: Field, unassigned: bool, invite: bool) -> list[tuple[str, str]]:
    """What a value may be matched to: the field's choices (members, for a person), after
    "leave unassigned" and "invite" where they are offered."""
    options = [(c.value, c.label) for c in engine.choices_of(ctx, f)]
    if invite:
        held = "left unassigned" if unassigned else "yours until you hand it over"
        options = [(engine.INVITE, f"Invite (as staff); {held}"), *options]
    if unassigned:
        options = [(UNASSIGNED, "Leave unassigned"), *options]
    return options


def _date_columns(kind: ImportKind, mapping: dict[str, Any]) -> list[str]:
    return [
        h
        for h, e in mapping["columns"].items()
        if e.get("action") == "mapped"
        and (field := kind.field(e.get("field") or "")) is not None
        and field.type == "date"
    ]


def _chosen_values(groups: list[dict[str, Any]]) -> dict[str, dict[str, str]]:
    """The value mapping as saved: "" for "leave unassigned"; values left unchosen out."""
    return {
        g["header"]: {
            i["raw"]: ("" if i["chosen"] == UNASSIGNED else i["chosen"])
            for i in g["items"]
            if i["chosen"]
        }
        for g in groups
    }


@member_required
@require_http_methods(["GET", "POST"])
@_steps
def preview(request: OrgRequest, pk: int) -> HttpResponse:
    upload, kind, table = _upload(request, pk)
    if request.method == "POST":
        # The import runs as a task; a second submit finds it started and starts nothing.
        services.upload_start(
            upload=upload, total_rows=len(table.rows), save_as=request.POST.get("save_as", "")
        )
        upload.refresh_from_db(fields=["state"])
        if upload.state == ImportState.MAPPING:  # the task could not be queued
            messages.error(request, "The import could not be started just now: try again.")
            return redirect("imports:preview", pk=upload.pk)
        return redirect("imports:result", pk=upload.pk)
    ctx = engine.make_context(request.membership)
    # Every row is read (every error and warning listed); one page of them is shown.
    page = Paginator(range(len(table.rows)), engine.PREVIEW_ROWS).get_page(request.GET.get("page"))
    first = page.start_index() - 1 if table.rows else 0
    report = engine.run(kind, ctx, table, upload.mapping, write=False, preview_from=first)
    labels = {f.name: f.label for f in kind.fields} | {engine.EXTERNAL_REF: "External reference"}
    context = {
        "upload": upload,
        "kind": kind,
        "report": report,
        "page": page,
        "query": "",
        "labels": labels,
        "headers": list(dict.fromkeys(k for _, shown, _ in report.preview for k in shown)),
    }
    return render(request, "isova/imports/preview.html", context)


@require_GET
@member_required
def result(request: OrgRequest, pk: int) -> HttpResponse:
    """What the import did; while it runs, its progress; when it failed, why."""
    upload, kind = _started(request, pk)
    if upload.state == ImportState.MAPPING:
        return redirect("imports:preview", pk=upload.pk)
    if upload.state != ImportState.DONE:
        return render(request, "isova/imports/progress.html", _progress_context(upload, kind))
    list_url = reverse(kind.list_url) if kind.list_url else ""
    return render(
        request,
        "isova/imports/result.html",
        {"upload": upload, "kind": kind, "report": upload.report, "list_url": list_url},
    )


def _progress_context(upload: ImportUpload, kind: ImportKind) -> dict[str, Any]:
    done = services.progress_of(upload) if upload.state == ImportState.QUEUED else None
    return {
        "upload": upload,
        "kind": kind,
        "report": upload.report or {},
        "done": done,
        "total": upload.total_rows,
    }


@require_GET
@member_required
def progress(request: OrgRequest, pk: int) -> HttpResponse:
    """The progress fragment its page polls; once the import has ended, the page reloads
    into the result (or the errors)."""
    upload, kind = _started(request, pk)
    if upload.state != ImportState.QUEUED:
        url = reverse("imports:result", args=[upload.pk])
        return HttpResponseClientRedirect(url) if getattr(request, "htmx", False) else redirect(url)
    return render(request, "isova/imports/_progress.html", _progress_context(upload, kind))


@require_GET
@member_required
def export(request: OrgRequest, name: str, fmt: str) -> HttpResponse:
    kind = registry.export_kind(name)
    if kind is None or fmt not in ("csv", "xlsx"):
        raise Http404("No such export.")
    if not has_perm(request.membership, kind.permission):
        raise NotAllowed(f"Your role does not export {kind.label.lower()}.")
    if kind.unapproved and not has_perm(request.membership, "isova.record.read_unapproved"):
        raise NotAllowed(
            f"The {kind.label.lower()} export includes changes still awaiting approval; "
            "read the register as approved on its page."
        )
    organisation = request.organisation
    sheets = kind.sheets(organisation, request.GET)
    stamp = f"{organisation.slug}-{organisation.today():%Y-%m-%d}"
    if fmt == "csv":
        response = HttpResponse(csv_bytes(sheets[0]), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(xlsx_bytes(sheets), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.{fmt}"'
    return response
