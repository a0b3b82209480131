"""The import engine: suggest a mapping, read every row through it, report every problem at
once, and save all rows or none.

A mapping is JSON (saved with an upload, in a saved mapping, or a `--mapping` file):

    {"columns": {"<source column>": {"field": "<field>" | null,
                                     "action": "mapped" | "kept" | "ignored"}},
     "values": {"<source column>": {"<source value>": "<isova value>"}},
     "dates": "dmy" | "mdy" | null}

"kept" keeps a column as the record's external reference (field "external_ref") or appends
it, labelled, to the kind's notes field. A person's value is a member's e-mail, "" for
"leave unassigned" (where a row may be), or "invite": the source value's e-mail address
("jane@example.com" or "Jane Smith <jane@example.com>") is invited to join as staff when the
import is saved (by a member whose role may invite staff). An invitation does not make a
member, so the rows cannot be theirs yet: they are left unassigned, or, where every row needs
a member (a risk's owner), held by the member importing until they hand them over; the
report's "invited" names each person, their rows and who holds them.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import DataError, IntegrityError, transaction

from isova.accounts.models import User
from isova.errors import DomainError
from isova.registry import registry

from .kinds import Choice, Context, Field, ImportKind, RowProblem
from .reading import Cell, Table

EXTERNAL_REF = "external_ref"
INVITE = "invite"  # a person's value: invite them as staff and leave their rows unassigned
INVITE_ROLE = "staff"
BATCH = 1000
PREVIEW_ROWS = 200
ID_HEADERS = {
    "id",
    "ref",
    "ref no",
    "reference",
    "ref number",
    "no",
    "number",
    "#",
    "key",
    "external ref",
    "external reference",
    "external id",
    "source id",
    "uid",
}

# Words registers use for ordered levels, as a position from 0 (lowest) to 1 (highest).
LEVEL_WORDS = {
    "very low": 0.0,
    "negligible": 0.0,
    "insignificant": 0.0,
    "rare": 0.0,
    "remote": 0.0,
    "low": 0.25,
    "minor": 0.25,
    "unlikely": 0.25,
    "improbable": 0.25,
    "medium": 0.5,
    "moderate": 0.5,
    "possible": 0.5,
    "med": 0.5,
    "average": 0.5,
    "high": 0.75,
    "major": 0.75,
    "likely": 0.75,
    "probable": 0.75,
    "significant": 0.75,
    "very high": 1.0,
    "critical": 1.0,
    "severe": 1.0,
    "catastrophic": 1.0,
    "almost certain": 1.0,
    "extreme": 1.0,
    "certain": 1.0,
}
TRUE_WORDS = {"yes", "y", "true", "1", "x", "ja", "oui", "effective"}
FALSE_WORDS = {"no", "n", "false", "0", "nein", "non", "not effective"}


def norm(text: Any) -> str:
    return re.sub(r"[^0-9a-z#]+", " ", str(text).lower()).strip()


@dataclass
class Problem:
    row: int | None
    column: str | None
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class Report:
    """What an import did or would do; `as_json()` is the command's `--report`."""

    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    columns: dict[str, dict[str, Any]] = field(default_factory=dict)
    dates: str | None = None
    saved: bool = False
    # The rows of one page of the preview (PREVIEW_ROWS rows of the file from `run`'s
    # `preview_from`) as they will be saved: (row, {"field label": shown value}, action);
    # rows with errors are left out (the errors name them).
    preview: list[tuple[int, dict[str, str], str]] = field(default_factory=list)
    would_create: int = 0
    would_update: int = 0
    # The people mapped to "invite": {"email", "name", "rows" (theirs in the file), "held_by"
    # ("" when the rows are left unassigned, else the e-mail of the member importing, who
    # holds them), "status": "invite" (to be invited), "invited" (invited by this import:
    # its e-mail goes out once the import commits) or "waiting" (an invitation was already
    # waiting, so none was made)}.
    invited: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "errors": [e.as_dict() for e in self.errors],
            "warnings": [w.as_dict() for w in self.warnings],
            "columns": self.columns,
            "dates": self.dates,
            "saved": self.saved,
            "would_create": self.would_create,
            "would_update": self.would_update,
            "invited": self.invited,
        }


def make_context(membership: Any) -> Context:
    organisation = membership.organisation
    members = {u.pk: u for u in User.objects.filter(memberships__organisation=organisation)}
    return Context(organisation, membership, organisation.today(), members)


# --- suggestions -----------------------------------------------------------------------------


def _field_words(f: Field) -> list[str]:
    return [norm(f.name.replace("_", " ")), norm(f.label), *(norm(s) for s in f.synonyms)]


def _header_score(header: str, f: Field) -> int:
    h = norm(header)
    words = _field_words(f)
    if h in words:
        return 3
    padded = f" {h} "
    if any(w and f" {w} " in padded for w in words):
        return 2
    return 0


def choices_of(ctx: Context, f: Field) -> list[Choice]:
    if f.type == "person":
        return [Choice(u.email, u.get_full_name() or u.email) for u in ctx.members.values()]
    choices = f.choices(ctx) if callable(f.choices) else f.choices
    return list(choices)


def _looks(values: list[Cell], test: Callable[[Cell], bool]) -> bool:
    filled = [v for v in values if v != ""]
    return bool(filled) and sum(1 for v in filled if test(v)) >= 0.8 * len(filled)


def _is_date(v: Cell) -> bool:
    return isinstance(v, datetime.date) or bool(_DATE.match(str(v).strip()) or _ISO.match(str(v)))


def suggest_columns(kind: ImportKind, ctx: Context, table: Table) -> dict[str, dict[str, Any]]:
    """A field for each source column from its name, else from its contents; a column that
    matches nothing is kept in the notes (never dropped until the person ignores it)."""
    result: dict[str, dict[str, Any]] = {}
    taken: set[str] = set()
    scored = _scored_headers(kind, table)
    id_column = _id_column(kind, table)
    if id_column is not None:
        result[id_column] = {"field": EXTERNAL_REF, "action": "kept"}
    for header in table.headers:
        if norm(header) in {norm(d) for d in kind.derived}:
            result[header] = {"field": None, "action": "ignored"}
    for _, _, name, header in scored:
        if header in result or name in taken:
            continue
        result[header] = {"field": name, "action": "mapped"}
        taken.add(name)
    _give_required_fields(kind, scored, result, taken)
    _guess_from_contents(kind, ctx, table, result, taken)
    return {h: result[h] for h in table.headers}


def _scored_headers(kind: ImportKind, table: Table) -> list[tuple[int, int, str, str]]:
    """(-score, column, field name, header) for each header that names a field, best first."""
    scored = []
    for i, header in enumerate(table.headers):
        for f in kind.fields:
            s = _header_score(header, f)
            if s:
                scored.append((-s, i, f.name, header))
    return sorted(scored)


def _id_column(kind: ImportKind, table: Table) -> str | None:
    """The column holding the source's own ID, kept as the external reference (none when
    the kind matches rows by their own key)."""
    if kind.key is not None:
        return None  # rows are matched by their own key, not an ID column
    id_column = next((h for h in table.headers if norm(h) in ID_HEADERS), None)
    if id_column is None:
        id_column = next(
            (
                h
                for h in table.headers
                if norm(h).endswith((" id", " ref", " no", " reference", " #", " number"))
            ),
            None,
        )
    return id_column


def _give_required_fields(
    kind: ImportKind,
    scored: list[tuple[int, int, str, str]],
    result: dict[str, dict[str, Any]],
    taken: set[str],
) -> None:
    """A field every row needs takes a column that also names it ("Risk description" is the
    title when nothing else is), from a field no row needs."""
    for f in kind.fields:
        if not f.required or f.name in taken:
            continue
        for _, _, name, header in scored:
            entry = result.get(header)
            if name == f.name and entry and entry["action"] == "mapped":
                other = kind.field(entry["field"])
                if other is not None and not other.required:
                    taken.discard(other.name)
                    result[header] = {"field": f.name, "action": "mapped"}
                    taken.add(f.name)
                    break


def _guess_from_contents(
    kind: ImportKind,
    ctx: Context,
    table: Table,
    result: dict[str, dict[str, Any]],
    taken: set[str],
) -> None:
    """A column its name did not place: a person or choice field its values look like, else
    kept in the notes."""
    for i, header in enumerate(table.headers):
        if header in result:
            continue
        values = [r[i] for r in table.rows[:200]]
        guess = None
        for f in kind.fields:
            if f.name in taken:
                continue
            if (f.type == "person" and _looks(values, _is_email)) or (
                f.type == "choice" and _looks(values, _matcher(choices_of(ctx, f)))
            ):
                guess = f
                break
        if guess is not None:
            result[header] = {"field": guess.name, "action": "mapped"}
            taken.add(guess.name)
        else:
            result[header] = {"field": kind.notes_field, "action": "kept"}


def _is_email(v: Cell) -> bool:
    return "@" in str(v)


def _matcher(choices: Sequence[Choice]) -> Callable[[Cell], bool]:
    return lambda v: _choice_match(choices, str(v)) is not None


def _choice_match(choices: Sequence[Choice], raw: str) -> str | None:
    v = norm(raw)
    if not v:
        return None
    for c in choices:
        if v in (norm(c.value), norm(c.label), *(norm(s) for s in c.synonyms)):
            return c.value
    return None


def _person_match(ctx: Context, raw: str) -> str | None:
    v = norm(raw)
    for u in ctx.members.values():
        name = norm(u.get_full_name())
        if v == norm(u.email) or (name and v == name):
            return u.email
        if name and "," in raw:  # "Smith, Jane"
            last, _, first = raw.partition(",")
            if norm(f"{first} {last}") == name:
                return u.email
    return None


LEVEL_FAMILIES = (
    ("low", "medium", "high"),
    ("low", "moderate", "high"),
    ("low", "med", "high"),
    ("very low", "low", "medium", "high", "very high"),
    ("very low", "low", "moderate", "high", "very high"),
    ("rare", "unlikely", "possible", "likely", "almost certain"),
    ("insignificant", "minor", "moderate", "major", "catastrophic"),
    ("negligible", "minor", "moderate", "major", "severe"),
    ("negligible", "minor", "moderate", "major", "critical"),
    ("low", "medium", "high", "critical"),
    ("low", "medium", "high", "very high"),
    ("low", "medium", "high", "extreme"),
)


def _level_suggestions(choices: Sequence[Choice], values: list[str]) -> dict[str, str]:
    """Level words (High/Medium/Low, Rare … Almost certain) placed on the scale by their place
    in the smallest usual scale holding them all: Low/Medium/High on 1–5 are 1, 3 and 5,
    whichever of them a column uses."""
    found: dict[str, str] = {}
    words: dict[str, str] = {}
    for raw in values:
        exact = _choice_match(choices, raw)
        if exact is not None:
            found[raw] = exact
        else:
            words[raw] = norm(raw)
    if words and choices:
        n = len(choices)
        family = next((f for f in LEVEL_FAMILIES if set(words.values()) <= set(f)), None)
        for raw, word in words.items():
            if family is not None:
                pos = family.index(word) / (len(family) - 1)
            elif word in LEVEL_WORDS:
                pos = LEVEL_WORDS[word]
            else:
                continue
            found[raw] = choices[round(pos * (n - 1))].value
    return found


def distinct_values(table: Table, column: str, limit: int = 200) -> list[str]:
    i = table.headers.index(column)
    seen: dict[str, None] = {}
    for row in table.rows:
        v = str(row[i]).strip()
        if v and v not in seen:
            seen[v] = None
            if len(seen) >= limit:
                break
    return list(seen)


def suggest_values(ctx: Context, f: Field, values: list[str]) -> dict[str, str | None]:
    """Each distinct source value → the isova value isova suggests (None: no suggestion)."""
    choices = choices_of(ctx, f)
    if f.type == "level":
        found = _level_suggestions(choices, values)
        return {v: found.get(v) for v in values}
    if f.type == "person":
        return {v: _person_match(ctx, v) for v in values}
    return {v: _choice_match(choices, v) for v in values}


MAPPED_TYPES = ("choice", "level", "person", "lookup")


def suggest(kind: ImportKind, ctx: Context, table: Table) -> dict[str, Any]:
    columns = suggest_columns(kind, ctx, table)
    return {"columns": columns, "values": {}, "dates": None}


def value_columns(kind: ImportKind, columns: dict[str, dict[str, Any]]) -> list[tuple[str, Field]]:
    out = []
    for header, entry in columns.items():
        f = kind.field(entry.get("field") or "") if entry.get("action") == "mapped" else None
        if f is not None and f.type in MAPPED_TYPES:
            out.append((header, f))
    return out


# --- dates -----------------------------------------------------------------------------------

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")
_DATE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})$")
_TEXT_FORMATS = ("%d %b %Y", "%d %B %Y", "%b %d %Y", "%B %d %Y", "%d-%b-%Y", "%d-%b-%y")


def detect_dates(table: Table, columns: list[str]) -> tuple[str | None, bool]:
    """("dmy" | "mdy" | None, conflicting): day-first when a first part is above 12,
    month-first when a second part is; None when every date reads both ways."""
    dmy = mdy = False
    for column in columns:
        i = table.headers.index(column)
        for row in table.rows:
            v = row[i]
            if isinstance(v, datetime.date):
                continue
            m = _DATE.match(str(v).strip())
            if m:
                a, b = int(m[1]), int(m[2])
                dmy = dmy or (a > 12 >= b)
                mdy = mdy or (b > 12 >= a)
    if dmy and mdy:
        return None, True
    return ("dmy" if dmy else "mdy" if mdy else None), False


def parse_date(raw: Cell, order: str) -> datetime.date:
    if isinstance(raw, datetime.date):
        return raw
    text = str(raw).strip()
    try:
        m = _ISO.match(text)
        if m:
            return datetime.date(int(m[1]), int(m[2]), int(m[3]))
        m = _DATE.match(text)
        if m:
            a, b, y = int(m[1]), int(m[2]), int(m[3])
            y = y + 2000 if y < 100 else y
            day, month = (a, b) if order == "dmy" else (b, a)
            return datetime.date(y, month, day)
    except ValueError:
        raise ValueError(f"“{text}” is not a date on the calendar.") from None
    cleaned = re.sub(r"[,]", "", text)
    for fmt in _TEXT_FORMATS:
        try:
            return datetime.datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"“{text}” is not a date (for example 31/12/2026 or 2026-12-31).")


# --- reading the rows ------------------------------------------------------------------------


def _number(raw: str) -> Decimal:
    text = raw.strip().replace("\u00a0", "").replace(" ", "").rstrip("%")
    if "," in text and ("." not in text or text.rindex(",") > text.rindex(".")):
        # 12,5 and 1.234,50: the comma is the decimal mark
        text = text.replace(".", "").replace(",", ".")
    else:
        text = text.replace(",", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"“{raw}” is not a number.") from None
    if not value.is_finite():
        raise ValueError(f"“{raw}” is not a number.")
    return value


class _Reader:
    def __init__(self, kind: ImportKind, ctx: Context, table: Table, mapping: dict[str, Any]):
        self.kind, self.ctx, self.table = kind, ctx, table
        self.columns: dict[str, dict[str, Any]] = mapping["columns"]
        self.value_maps: dict[str, dict[str, str | None]] = {}
        self.by_email = {u.email.lower(): u for u in ctx.members.values()}
        self.choices: dict[str, list[Choice]] = {}
        # The people mapped to "invite" (by e-mail): {"email", "name", "rows", "held_by"}.
        self.invitees: dict[str, dict[str, Any]] = {}
        given = mapping.get("values") or {}
        for header, f in value_columns(kind, self.columns):
            self.choices[f.name] = choices_of(ctx, f)
            values = distinct_values(table, header, limit=100_000)
            suggested = suggest_values(ctx, f, values)
            chosen = {str(k).strip(): v for k, v in (given.get(header) or {}).items()}
            self.value_maps[header] = {
                v: (chosen[v] if v in chosen else suggested.get(v)) for v in values
            }

    def _model_field(self, f: Field) -> Any:
        try:
            return self.kind.model._meta.get_field(f.name)
        except Exception:
            return None

    def convert(self, header: str, f: Field, raw: Cell, order: str) -> Any:
        if f.type == "date":
            return parse_date(raw, order)
        text = str(raw).strip()
        column = self._model_field(f)
        if f.type == "text":
            limit = f.max_length or getattr(column, "max_length", None)
            if limit and len(text) > limit:
                raise ValueError(f"{f.label} is {len(text)} characters long; at most {limit} fit.")
            return text
        if f.type == "int":
            value = _number(text)
            if value != value.to_integral_value():
                raise ValueError(f"“{text}” is not a whole number.")
            # The smallest integer column isova uses (positive small integers).
            if not 0 <= value <= 32767:
                raise ValueError(f"“{text}” is out of range (0 to 32767).")
            return int(value)
        if f.type == "decimal":
            value = _number(text)
            digits = getattr(column, "max_digits", None) or 14
            places = getattr(column, "decimal_places", None) or 0
            if abs(value) >= Decimal(10) ** (digits - places):
                raise ValueError(f"“{text}” is too large for {f.label.lower()}.")
            return value.quantize(Decimal(1).scaleb(-places)) if places else value
        if f.type == "bool":
            if norm(text) in TRUE_WORDS:
                return True
            if norm(text) in FALSE_WORDS:
                return False
            raise ValueError(f"“{text}” is not yes or no.")
        mapped = self.value_maps.get(header, {}).get(text)
        if f.type == "person":
            return self._person(f, text, mapped)
        if mapped is None or mapped not in {c.value for c in self.choices[f.name]}:
            shown = ", ".join(c.label for c in self.choices[f.name][:12])
            raise ValueError(
                f"“{text}” is not a {f.label.lower()} isova knows; match it to one of: {shown}."
            )
        return int(mapped) if f.type == "level" else mapped

    def _person(self, f: Field, text: str, mapped: str | None) -> User | None:
        """The member a person's value is matched to; None to leave the row unassigned; an
        invited person's holder (see `_invitee`)."""
        if mapped == "":
            if not may_be_unassigned(self.kind, f):
                raise ValueError(
                    f"Every row needs its {f.label.lower()}, a member, so “{text}” cannot "
                    "be left unassigned: match it to a member"
                    + (" or invite them." if f.invite else ".")
                )
            return None
        if mapped == INVITE:
            if not f.invite:
                raise ValueError(
                    f"“{text}” cannot be invited as the {f.label.lower()}: match it to a member."
                )
            return self._invitee(text, f)
        user = self.by_email.get((mapped or "").lower())
        if user is None:
            raise ValueError(
                f"“{text}” is not a member of this organisation: match it to a member, "
                "choose “leave unassigned”, or “invite” (with their e-mail address)."
            )
        return user

    def _invitee(self, text: str, f: Field) -> User | None:
        """The member with the value's e-mail address; else the address is noted to be
        invited, and the row left unassigned (None), or, where it cannot be, held by the
        member importing until they hand it over."""
        email, name = invitee_of(text)
        if email is None:
            raise ValueError(
                f"“{text}” has no e-mail address, and isova invites people by e-mail: write "
                f"theirs in the file (such as “{text} <name@example.com>”), match them to a "
                "member, or leave them unassigned."
            )
        member = self.by_email.get(email)
        if member is not None:
            return member
        holder = None if may_be_unassigned(self.kind, f) else self.ctx.membership.user
        entry = self.invitees.setdefault(
            email, {"email": email, "name": "", "rows": 0, "held_by": ""}
        )
        entry["name"] = entry["name"] or name
        entry["rows"] += 1
        if holder is not None:
            entry["held_by"] = holder.email
        return holder


_ADDRESS = re.compile(r"[^\s<>()\[\],;:\"']+@[^\s<>()\[\],;:\"']+")


def invitee_of(text: str) -> tuple[str | None, str]:
    """(e-mail address, name) of "jane@example.com" or "Jane Smith <jane@example.com>"; the
    address None when the text holds none."""
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    found = _ADDRESS.search(text)
    if found is None:
        return None, ""
    email = found[0].lower()
    try:
        validate_email(email)
    except ValidationError:
        return None, ""
    name = f"{text[: found.start()]} {text[found.end() :]}"
    return email, " ".join(name.replace("<", " ").replace(">", " ").split()).strip("\"' ,;")[:150]


def may_be_unassigned(kind: ImportKind, f: Field) -> bool:
    """Whether a row may leave this person field empty."""
    if f.required:
        return False
    try:
        column = kind.model._meta.get_field(f.name)
    except Exception:
        return True
    return bool(getattr(column, "null", True))


def may_invite(membership: Any) -> bool:
    """Whether the member may invite people as staff (as the invite page allows them)."""
    inviter = registry.inviter()
    return inviter is not None and bool(inviter.may_invite(membership, INVITE_ROLE))


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, User):
        return value.get_full_name() or value.email
    if isinstance(value, datetime.date):
        return value.strftime("%d %b %Y")
    return str(value)


def run(
    kind: ImportKind,
    ctx: Context,
    table: Table,
    mapping: dict[str, Any],
    *,
    write: bool,
    progress: Callable[[int, int], None] | None = None,
    preview_from: int = 0,
) -> Report:
    """Read every row through `mapping`; with `write`, save them all in one transaction, or
    none when there is any error. The report lists every error and warning, and shows the
    PREVIEW_ROWS rows from the `preview_from`th (0: the first) as they will be saved."""
    report = Report(kind=kind.name, rows=len(table.rows))
    columns = _complete_columns(kind, ctx, table, mapping, report)
    mapping = {**mapping, "columns": columns}
    plan = _plan(kind, columns, report)
    reader = _Reader(kind, ctx, table, mapping)
    _check_invites(ctx, reader, report)
    order = _date_order(kind, table, mapping, plan, report)
    report.dates = order
    for header, entry in columns.items():
        report.columns[header] = {
            "field": entry.get("field"),
            "action": entry.get("action"),
            "values": reader.value_maps.get(header, {}),
        }
    if report.errors:
        return report
    if kind.prepare is not None:
        kind.prepare(ctx)
    rows = _Rows(kind, ctx, table, report, reader, plan, order or "dmy")
    rows.shown = range(preview_from, preview_from + PREVIEW_ROWS)
    rows.run(write, progress)
    return report


def _check_invites(ctx: Context, reader: _Reader, report: Report) -> None:
    """Only a member whose role may invite staff may map people to "invite"."""
    if may_invite(ctx.membership):
        return
    for header, values in reader.value_maps.items():
        asked = [f"“{v}”" for v, mapped in values.items() if mapped == INVITE]
        if asked:
            report.errors.append(
                Problem(
                    None,
                    header,
                    f"Your role does not invite people, so {', '.join(asked)} cannot be "
                    "invited: match them to members or leave them unassigned.",
                )
            )


def _complete_columns(
    kind: ImportKind, ctx: Context, table: Table, mapping: dict[str, Any], report: Report
) -> dict[str, dict[str, Any]]:
    """The mapping's columns: isova's suggestion for a column it does not name, and without
    the columns the file does not have (each with a warning)."""
    columns = dict(mapping.get("columns") or {})
    suggested: dict[str, dict[str, Any]] | None = None
    for header in table.headers:
        if header not in columns:
            if suggested is None:
                suggested = suggest_columns(kind, ctx, table)
            guess = suggested[header]
            columns[header] = guess
            report.warnings.append(
                Problem(
                    None,
                    header,
                    "The mapping does not name this column: isova's "
                    f"suggestion was used ({guess['action']} as {guess['field']}).",
                )
            )
    for header in list(columns):
        if header not in table.headers:
            report.warnings.append(
                Problem(None, header, "The mapping names a column the file does not have.")
            )
            del columns[header]
    return columns


@dataclass
class _Plan:
    """Where the source columns go: the field each mapped column fills (field name →
    column), the column kept as the external reference, the columns kept in the notes."""

    field_cols: dict[str, str] = field(default_factory=dict)
    ref_col: str | None = None
    notes_cols: list[str] = field(default_factory=list)


def _plan(kind: ImportKind, columns: dict[str, dict[str, Any]], report: Report) -> _Plan:
    plan = _Plan()
    by_name = {f.name: f for f in kind.fields}
    for header, entry in columns.items():
        action, name = entry.get("action"), entry.get("field")
        if action == "kept" and name == EXTERNAL_REF:
            if plan.ref_col is not None:
                report.errors.append(
                    Problem(
                        None, header, f"“{plan.ref_col}” is already kept as the external reference."
                    )
                )
            plan.ref_col = header
        elif action == "kept":
            plan.notes_cols.append(header)
            entry["field"] = kind.notes_field
        elif action == "mapped":
            if name not in by_name:
                report.errors.append(Problem(None, header, f"isova has no field “{name}” here."))
            elif name in plan.field_cols:
                report.errors.append(
                    Problem(
                        None,
                        header,
                        f"“{plan.field_cols[name]}” is already mapped to {by_name[name].label}.",
                    )
                )
            else:
                plan.field_cols[name] = header
        elif action == "ignored":
            entry["field"] = None
        else:
            report.errors.append(Problem(None, header, "Map this column, keep it or ignore it."))
    for f in kind.fields:
        if f.required and f.name not in plan.field_cols:
            report.errors.append(
                Problem(None, None, f"No column is mapped to {f.label}, which every row needs.")
            )
    return plan


def _date_order(
    kind: ImportKind, table: Table, mapping: dict[str, Any], plan: _Plan, report: Report
) -> str | None:
    """How the dates are written: as the mapping says, else as detected, else day-first
    (with a warning to confirm it when some date reads both ways)."""
    date_cols = [h for n, h in plan.field_cols.items() if kind.field(n).type == "date"]  # type: ignore[union-attr]
    order, conflict = detect_dates(table, date_cols)
    if conflict:
        report.warnings.append(
            Problem(
                None,
                None,
                "Some dates read only day-first and others "
                "only month-first: check the date columns.",
            )
        )
    chosen = mapping.get("dates")
    if chosen in ("dmy", "mdy"):
        return str(chosen)
    if order is None and date_cols:
        order = "dmy"
        if any(
            _DATE.match(str(r[table.headers.index(h)]).strip())
            for r in table.rows
            for h in date_cols
        ):
            report.warnings.append(
                Problem(
                    None,
                    None,
                    "Every date reads both day-first and "
                    "month-first: they were read day-first "
                    "(dd/mm/yyyy). Confirm or change that.",
                )
            )
    return order


_Read = tuple[int, str, dict[str, Any], str]  # row number, reference, values, notes


class _Rows:
    """Every row read, built and (with `write`) saved, batch by batch, in one transaction
    that is rolled back unless every row could be saved."""

    def __init__(
        self,
        kind: ImportKind,
        ctx: Context,
        table: Table,
        report: Report,
        reader: _Reader,
        plan: _Plan,
        order: str,
    ) -> None:
        self.kind, self.ctx, self.table, self.report = kind, ctx, table, report
        self.reader, self.plan, self.order = reader, plan, order
        self.index = {h: i for i, h in enumerate(table.headers)}
        self.by_name = {f.name: f for f in kind.fields}
        self.labels = {f.name: f.label for f in kind.fields}
        self.seen: dict[str, int] = {}  # reference → the row that has it
        self.shown = range(PREVIEW_ROWS)  # the rows (from 0) the preview shows

    def run(self, write: bool, progress: Callable[[int, int], None] | None) -> None:
        report, total = self.report, len(self.table.rows)
        with transaction.atomic():
            for start in range(0, total, BATCH):
                new, changed = self._build(self._read(start))
                report.would_create += len(new)
                report.would_update += len(changed)
                if write and not report.errors:
                    self._save_batch(start, new, changed)
                if progress is not None:
                    progress(min(start + BATCH, total), total)
            self._invite(write and not report.errors)
            if write and not report.errors:
                report.created, report.updated = report.would_create, report.would_update
                report.saved = True
            else:
                transaction.set_rollback(True)

    def _invite(self, write: bool) -> None:
        """Name the people to invite in the report; with `write`, invite them (one
        invitation each, unless one is waiting already; sent by e-mail)."""
        invitees = sorted(self.reader.invitees.values(), key=lambda i: i["email"])
        inviter = registry.inviter()
        if not invitees or inviter is None:
            return
        waiting = inviter.waiting(self.ctx.organisation, [i["email"] for i in invitees])
        for i in invitees:
            i["status"] = "waiting" if i["email"] in waiting else "invite"
        self.report.invited = invitees
        fresh = [i for i in invitees if i["status"] == "invite"]
        if not write or not fresh:
            return
        try:
            inviter.invite(
                self.ctx.membership, INVITE_ROLE, [(i["email"], i["name"]) for i in fresh]
            )
        except (DomainError, PermissionDenied) as error:
            message = getattr(error, "message", None) or str(error)
            self.report.errors.append(Problem(None, None, f"Nobody could be invited: {message}"))
            return
        for i in fresh:
            i["status"] = "invited"

    def _read(self, start: int) -> list[_Read]:
        """The batch's rows that read without an error."""
        batch = []
        for offset, row in enumerate(self.table.rows[start : start + BATCH]):
            read = self._read_row(start + offset + 2, row)
            if read is not None:
                batch.append(read)
        return batch

    def _read_row(self, number: int, row: Sequence[Cell]) -> _Read | None:
        kind, plan, report = self.kind, self.plan, self.report
        values, bad = self._values(number, row)
        ref = str(row[self.index[plan.ref_col]]).strip() if plan.ref_col else ""
        if kind.key is not None and not bad:
            try:
                ref = kind.key(self.ctx, values)
            except RowProblem as problem:
                report.errors.append(
                    Problem(number, plan.field_cols.get(problem.field), str(problem))
                )
                return None
        if ref:
            if ref in self.seen:
                report.errors.append(
                    Problem(
                        number,
                        plan.ref_col,
                        f"“{ref}” is also on row {self.seen[ref]}: each row needs its own.",
                    )
                )
                bad = True
            self.seen[ref] = number
        notes = "\n".join(
            f"{h}: {_shown(row[self.index[h]]).strip()}"
            for h in plan.notes_cols
            if str(row[self.index[h]]).strip()
        )
        return None if bad else (number, ref, values, notes)

    def _values(self, number: int, row: Sequence[Cell]) -> tuple[dict[str, Any], bool]:
        """The row's mapped fields, converted; True with them when any could not be."""
        values: dict[str, Any] = {}
        bad = False
        for name, header in self.plan.field_cols.items():
            f = self.by_name[name]
            raw = row[self.index[header]]
            if raw == "" or str(raw).strip() == "":
                if f.required:
                    self.report.errors.append(
                        Problem(number, header, f"{f.label} is empty; every row needs one.")
                    )
                    bad = True
                continue
            try:
                values[name] = self.reader.convert(header, f, raw, self.order)
            except ValueError as error:
                self.report.errors.append(Problem(number, header, str(error)))
                bad = True
        return values, bad

    def _build(self, batch: list[_Read]) -> tuple[list[Any], list[Any]]:
        """The batch's records, new and changed, built but not saved."""
        found = _existing(self.kind, self.ctx, [ref for _, ref, _, _ in batch if ref])
        new: list[Any] = []
        changed: list[Any] = []
        for number, ref, values, notes in batch:
            instance = found.get(ref) if ref else None
            built = self._build_row(number, instance, ref, values, notes)
            if built is None:
                continue
            (changed if instance is not None else new).append(built)
            if number - 2 in self.shown:
                shown = {self.labels[n]: _shown(v) for n, v in values.items() if n in self.labels}
                if notes:
                    shown["Notes"] = notes
                action = "update" if instance else "create"
                self.report.preview.append((number, shown, action))
        return new, changed

    def _build_row(
        self, number: int, instance: Any, ref: str, values: dict[str, Any], notes: str
    ) -> Any:
        """The row's record built by its kind, with its reference and notes; None (and the
        errors reported) when it cannot be."""
        kind, report = self.kind, self.report
        try:
            built, warnings = kind.build(self.ctx, instance, values)
        except RowProblem as problem:
            column = self.plan.field_cols.get(problem.field, problem.field)
            report.errors.append(Problem(number, column, str(problem)))
            return None
        for w in warnings:
            report.warnings.append(Problem(number, None, w))
        if ref and hasattr(built, EXTERNAL_REF) and kind.key is None:
            setattr(built, EXTERNAL_REF, ref[:100])
        if notes and not self._add_notes(number, built, notes):
            return None
        return built

    def _add_notes(self, number: int, built: Any, notes: str) -> bool:
        """Append the kept columns to the record's notes; False (an error reported) when
        they would not fit."""
        notes_field = self.kind.notes_field
        text = getattr(built, notes_field) or ""
        if notes in text:
            return True
        text = f"{text}\n\n{notes}".strip()
        limit = _max_length(self.kind.model, notes_field)
        if limit and len(text) > limit:
            kept = ", ".join(f"“{h}”" for h in self.plan.notes_cols)
            self.report.errors.append(
                Problem(
                    number,
                    None,
                    f"With the kept columns ({kept}) its {notes_field} "
                    f"would be {len(text)} characters long; at most {limit} "
                    "fit. Map or ignore some of those columns.",
                )
            )
            return False
        setattr(built, notes_field, text)
        return True

    def _save_batch(self, start: int, new: list[Any], changed: list[Any]) -> None:
        try:
            with transaction.atomic():
                _save(self.kind, self.ctx, new, changed)
        except (IntegrityError, DataError) as error:
            # What the checks above missed: the batch is refused, nothing is kept.
            first = start + 2
            self.report.errors.append(
                Problem(
                    None,
                    None,
                    f"The database refused rows {first} to "
                    f"{first + BATCH - 1}: {str(error).splitlines()[0]}",
                )
            )


def _max_length(model: Any, name: str) -> int | None:
    try:
        return getattr(model._meta.get_field(name), "max_length", None)
    except Exception:
        return None


def _existing(kind: ImportKind, ctx: Context, refs: list[str]) -> dict[str, Any]:
    if not refs:
        return {}
    if kind.existing is not None:
        return kind.existing(ctx, refs)
    rows = kind.model._default_manager.filter(organisation=ctx.organisation, external_ref__in=refs)
    return {getattr(r, EXTERNAL_REF): r for r in rows}


def _save(kind: ImportKind, ctx: Context, new: list[Any], changed: list[Any]) -> None:
    """A constant number of queries per batch: one insert (and one for the history rows),
    one update, and what `after_create` adds."""
    from simple_history.utils import bulk_create_with_history

    model = kind.model
    tracked = hasattr(model, "history")
    if new:
        if tracked:
            bulk_create_with_history(new, model, batch_size=BATCH, default_user=ctx.membership.user)
        else:
            model._default_manager.bulk_create(new, batch_size=BATCH)
        if kind.after_create is not None:
            kind.after_create(ctx, new)
    if changed:
        names = [*kind.saved_fields, kind.notes_field]
        if hasattr(model, EXTERNAL_REF):
            names.append(EXTERNAL_REF)
        names = list(dict.fromkeys(names))
        for start in range(0, len(changed), BATCH):
            _update(model, changed[start : start + BATCH], names)
        if tracked:
            model.history.bulk_history_create(  # type: ignore[attr-defined]
                changed, batch_size=BATCH, update=True, default_user=ctx.membership.user
            )
        if kind.after_update is not None:
            kind.after_update(ctx, changed)


def _update(model: Any, rows: list[Any], names: list[str]) -> None:
    """One UPDATE … FROM (VALUES …) for the batch on PostgreSQL: Django's bulk_update writes
    a CASE per field and row, which took minutes for 20,000 rows."""
    from django.db import connection

    if connection.vendor != "postgresql":
        model._default_manager.bulk_update(rows, names)
        return
    fields = [model._meta.get_field(n) for n in names]
    fields = [f for f in fields if f.concrete and not f.many_to_many]
    if any(f.name == "updated_at" for f in model._meta.concrete_fields):
        fields.append(model._meta.get_field("updated_at"))
        now = __import__("django.utils.timezone", fromlist=["now"]).now()
        for row in rows:
            row.updated_at = now
    table = connection.ops.quote_name(model._meta.db_table)
    pk = model._meta.pk
    columns = [pk, *fields]
    placeholders = (
        "("
        + ", ".join(
            f"%s::{f.db_type(connection)}"
            if not f.is_relation
            else f"%s::{f.target_field.rel_db_type(connection)}"
            for f in columns
        )
        + ")"
    )
    params: list[Any] = []
    for row in rows:
        for f in columns:
            params.append(f.get_db_prep_save(getattr(row, f.attname), connection))
    sets = ", ".join(
        f"{connection.ops.quote_name(f.column)} = v.{connection.ops.quote_name(f.column)}"
        for f in fields
    )
    names_sql = ", ".join(connection.ops.quote_name(f.column) for f in columns)
    sql = (
        f"UPDATE {table} SET {sets} FROM (VALUES {', '.join([placeholders] * len(rows))}) "
        f"AS v({names_sql}) WHERE {table}.{connection.ops.quote_name(pk.column)} = "
        f"v.{connection.ops.quote_name(pk.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
