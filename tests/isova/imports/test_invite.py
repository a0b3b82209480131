"""Owners who are not members yet: "invite" makes an onboarding invitation (as staff) for an
e-mail address when the import is saved, leaves their rows unassigned and says so; a bare
name needs an e-mail; only a member who may invite staff may choose it (checked server side,
for the web flow and the command alike)."""

import json
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from audits.models import Finding
from isova.imports import engine
from isova.imports.models import ImportUpload
from isova.models import Action
from isova.onboarding import invitations
from isova.onboarding.models import Invitation
from reviews.models import Feedback
from risks.models import Risk
from tests.audits.conftest import plan, start
from tests.conftest import membership_of
from tests.isova.imports.conftest import run_import
from tests.isova.imports.test_risks_import import REGISTER

JANE = "Jane New <Jane@New.example>"
ACTIONS = """ID,Action,Owner,Due date,Status
A-1,Calibrate the gauges,Acme Manager,13/02/2026,Open
A-2,Update WI-7,{who},14/02/2026,Open
A-3,Train new starters,acme manager,15/02/2026,In progress
"""
WITH_JANE = ACTIONS.format(who=JANE)


def _invite_mapping(org, text, who=JANE, kind="actions", column="Owner"):
    from isova.imports.reading import read_table
    from isova.registry import registry

    membership = membership_of(org.leader, org.organisation)
    ctx = engine.make_context(membership)
    mapping = engine.suggest(registry.import_kind(kind), ctx, read_table(text.encode()))
    mapping["values"] = {column: {who: "invite"}}
    return mapping


def test_a_person_mapped_to_invite_is_invited_as_staff_and_the_importer_holds_their_actions(
    org, django_capture_on_commit_callbacks
):
    """An action needs an owner who is a member: the invited person's action is the importing
    member's until they hand it over, and the report says so."""
    leader = membership_of(org.leader, org.organisation)
    mapping = _invite_mapping(org, WITH_JANE)
    # The preview names who will be invited; a dry run invites nobody.
    report = run_import("actions", leader, WITH_JANE.encode(), mapping=mapping, write=False)
    assert report.errors == []
    assert report.invited == [
        {
            "email": "jane@new.example",
            "name": "Jane New",
            "rows": 1,
            "held_by": org.leader.email,
            "status": "invite",
        }
    ]
    assert report.columns["Owner"]["values"][JANE] == "invite"
    assert not Invitation.objects.exists() and mail.outbox == []
    with django_capture_on_commit_callbacks() as deferred:
        report = run_import("actions", leader, WITH_JANE.encode(), mapping=mapping)
        # Inside the import's transaction nothing is sent: a rollback must not leave a link.
        assert mail.outbox == []
    assert deferred
    for callback in deferred:
        callback()
    assert report.errors == [] and report.created == 3
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.full_name, invitation.role) == (
        "jane@new.example",
        "Jane New",
        "staff",
    )
    assert invitation.organisation == org.organisation and invitation.invited_by == org.leader
    assert [m.to for m in mail.outbox] == [["jane@new.example"]]
    assert report.invited == [
        {
            "email": "jane@new.example",
            "name": "Jane New",
            "rows": 1,
            "held_by": org.leader.email,
            "status": "invited",
        }
    ]
    assert report.as_json()["invited"] == report.invited
    assert Action.objects.get(external_ref="A-2").owner == org.leader
    assert Action.objects.get(external_ref="A-1").owner == org.manager


FEEDBACK = """Ref,Summary,Date,Handled by
F-1,Late delivery,13/02/2026,Acme Manager
F-2,Wrong labels,14/02/2026,jane@new.example
"""


def test_where_a_row_may_be_unassigned_an_invited_persons_row_is_left_unassigned(org):
    leader = membership_of(org.leader, org.organisation)
    mapping = _invite_mapping(
        org, FEEDBACK, who="jane@new.example", kind="feedback", column="Handled by"
    )
    report = run_import("feedback", leader, FEEDBACK.encode(), mapping=mapping)
    assert report.errors == [] and report.created == 2
    assert [(i["email"], i["name"], i["held_by"], i["status"]) for i in report.invited] == [
        ("jane@new.example", "", "", "invited")
    ]
    assert Feedback.objects.get(external_ref="F-2").owner is None
    assert Feedback.objects.get(external_ref="F-1").owner == org.manager
    assert Invitation.objects.get().role == "staff"


def test_a_bare_name_cannot_be_invited_and_the_message_asks_for_an_e_mail(org):
    leader = membership_of(org.leader, org.organisation)
    text = ACTIONS.format(who="Bob Nobody")
    report = run_import(
        "actions", leader, text.encode(), mapping=_invite_mapping(org, text, "Bob Nobody")
    )
    assert [(e.row, e.column) for e in report.errors] == [(3, "Owner")]
    assert "“Bob Nobody” has no e-mail address" in report.errors[0].message
    assert "invites people by e-mail" in report.errors[0].message
    assert not Action.objects.exists() and not Invitation.objects.exists()


def test_an_address_that_is_a_member_is_assigned_to_them_not_invited(org):
    leader = membership_of(org.leader, org.organisation)
    text = ACTIONS.format(who=org.staff.email.upper())
    report = run_import(
        "actions",
        leader,
        text.encode(),
        mapping=_invite_mapping(org, text, org.staff.email.upper()),
    )
    assert report.errors == [] and report.invited == []
    assert Action.objects.get(external_ref="A-2").owner == org.staff
    assert not Invitation.objects.exists()


def test_an_invitation_already_waiting_is_not_made_again(org):
    leader = membership_of(org.leader, org.organisation)
    invitations.invite(
        org.organisation, [invitations.Invitee("jane@new.example", "staff")], by=leader
    )
    mapping = _invite_mapping(org, WITH_JANE)
    report = run_import("actions", leader, WITH_JANE.encode(), mapping=mapping)
    assert report.errors == [] and report.created == 3
    assert report.invited[0]["status"] == "waiting"
    assert Invitation.objects.count() == 1


def test_where_every_row_needs_a_member_the_importer_holds_an_invited_persons_rows(org):
    """A risk needs an owner who is a member: "leave unassigned" is an error there, and an
    invited owner's risks are the importing member's until they hand them over."""
    leader = membership_of(org.leader, org.organisation)
    text = REGISTER.replace("Acme Leader", JANE)
    mapping = _invite_mapping(org, text, kind="risks", column="Risk Owner")
    mapping["values"]["Risk Owner"][JANE] = ""
    report = run_import("risks", leader, text.encode(), mapping=mapping)
    assert [(e.row, e.column) for e in report.errors] == [(3, "Risk Owner")]
    assert "Every row needs its owner, a member" in report.errors[0].message
    assert not Risk.objects.exists()
    mapping["values"]["Risk Owner"][JANE] = "invite"
    report = run_import("risks", leader, text.encode(), mapping=mapping)
    assert report.errors == [] and report.created == 3
    assert report.invited[0]["held_by"] == org.leader.email
    assert report.invited[0]["status"] == "invited"
    assert Risk.objects.get(external_ref="RR-02").owner == org.leader
    assert Invitation.objects.get().email == "jane@new.example"


FINDINGS = """Audit,Type,Clause,Description,Raised by
{ref},Minor,8.5.1,No work instruction at the machine,Jane New <jane@new.example>
"""


def _findings(org):
    audit = start(org, plan(org))
    return FINDINGS.format(ref=audit.reference)


def test_a_member_who_may_not_invite_cannot_choose_invite(org):
    text = _findings(org)
    auditor = membership_of(org.auditor, org.organisation)  # raises findings, invites nobody
    assert not engine.may_invite(auditor) and engine.may_invite(
        membership_of(org.manager, org.organisation)
    )
    mapping = _invite_mapping(
        org, text, who="Jane New <jane@new.example>", kind="findings", column="Raised by"
    )
    report = run_import("findings", auditor, text.encode(), mapping=mapping)
    assert [(e.row, e.column) for e in report.errors] == [(None, "Raised by")]
    assert "Your role does not invite people" in report.errors[0].message
    assert not Finding.objects.exists() and not Invitation.objects.exists()


def _selected(page):
    """Each value select's selected option, as a browser posts it (unselected ones left out)."""
    selects = re.findall(r'<select name="(v\d+_\d+)"[^>]*>(.*?)</select>', page, re.S)
    chosen = {n: re.search(r'<option value="([^"]*)" selected', body) for n, body in selects}
    return {n: found[1] for n, found in chosen.items() if found}


def _values_page(client, kind, data):
    client.post(
        reverse("imports:upload", args=[kind]),
        {"file": SimpleUploadedFile("register.csv", data.encode())},
    )
    upload = ImportUpload.objects.latest("pk")
    return upload, client.get(reverse("imports:values", args=[upload.pk])).content.decode()


def test_the_values_page_offers_invite_only_to_who_may_invite_and_the_server_checks_it(
    org, as_user, django_capture_on_commit_callbacks
):
    text = _findings(org)
    # An auditor is not offered "invite"; posting it anyway is refused in the preview.
    client = as_user(org.auditor)
    upload, page = _values_page(client, "findings", text)
    assert 'value="invite"' not in page and "Every row needs its raised by" in page
    posted = _selected(page)
    person = [n for n in re.findall(r'<select name="(v\d+_\d+)"', page) if n not in posted]
    assert len(person) == 1  # the not-yet-member, left on "Choose…"
    client.post(reverse("imports:values", args=[upload.pk]), {**posted, person[0]: "invite"})
    page = client.get(reverse("imports:preview", args=[upload.pk])).content.decode()
    assert "Your role does not invite people" in page and "Import 1 row" not in page
    # A manager is offered it; the preview and the result name who is invited.
    client = as_user(org.manager)
    upload, page = _values_page(client, "actions", WITH_JANE)
    assert 'value="invite"' in page and "Only an e-mail address can be invited" in page
    assert "Invite (as staff); yours until you hand it over" in page
    posted = _selected(page)
    person = [n for n in re.findall(r'<select name="(v\d+_\d+)"', page) if n not in posted]
    assert len(person) == 1
    client.post(
        reverse("imports:values", args=[upload.pk]),
        {**posted, person[0]: "invite", "dates": "dmy"},
    )
    page = client.get(reverse("imports:preview", args=[upload.pk])).content.decode()
    assert "People to invite" in page and "jane@new.example" in page
    assert "Will be invited as staff" in page and "Import 3 rows" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("imports:preview", args=[upload.pk]))
    page = client.get(response.url).content.decode()
    assert "People invited" in page and "Invited as staff" in page
    assert Invitation.objects.get().email == "jane@new.example"
    assert Action.objects.get(external_ref="A-2").owner == org.manager
    assert "held by " + org.manager.email in page


@pytest.mark.parametrize("dry_run", [True, False])
def test_the_command_takes_invite_in_its_mapping(org, tmp_path, dry_run):
    source = tmp_path / "register.csv"
    source.write_text(WITH_JANE, encoding="utf-8")
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"values": {"Owner": {JANE: "invite"}}}))
    out = tmp_path / "report.json"
    args = ["import_records", "actions", str(source), "--organisation", org.organisation.slug]
    args += ["--mapping", str(mapping), "--report", str(out)]
    call_command(*args, *(["--dry-run"] if dry_run else []))
    report = json.loads(out.read_text())
    assert report["errors"] == []
    assert [(i["email"], i["status"]) for i in report["invited"]] == [
        ("jane@new.example", "invite" if dry_run else "invited")
    ]
    assert Invitation.objects.filter(role="staff").count() == (0 if dry_run else 1)
