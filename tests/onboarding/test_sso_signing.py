"""Signing a record with a fresh sign-in at the organisation's provider instead of the
password (issue 25.5), against the real loopback OpenID Connect provider of test_sso.py:
the confirmation is the signer's own, fresh, bound to the hash of what was shown and used
once; people who must sign in through the provider are never asked for a password."""

from __future__ import annotations

import datetime
import html
import re
import time
from urllib.parse import parse_qs, urlparse

import pytest
import time_machine
from django.test import Client

from isova import records
from isova.models import Role, SignOff
from isova.onboarding import sso
from isova.records.chain import ProviderSignIn, check_proof
from tests.conftest import client_for
from tests.factories import PASSWORD, member
from tests.isova.records.helpers import edit, make_policy, ms
from tests.onboarding import test_sso
from tests.onboarding.test_sso import at_provider, sign_in

# The loopback provider and the organisation using it, as test_sso.py starts them.
provider, acme = test_sso.provider, test_sso.acme

LINK = re.compile(r'href="(/sso/acme/\?reauth=1&amp;binding=[0-9a-f]{64}&amp;next=[^"]*)"')


def submitted(org, **fields):
    policy = make_policy(org, **fields)
    records.submit(membership=ms(org, "manager"), obj=policy)
    return policy


def decide_url(policy) -> str:
    return f"/records/isova.qualitypolicy/{policy.pk}/decide/"


def shown_hash(policy) -> str:
    return records.versions(policy)[-1].snapshot_hash


def confirm_link(client: Client, page: str) -> str:
    """The "Confirm with <provider>" link of the decision form on `page`."""
    body = client.get(page).content.decode()
    found = LINK.findall(body)
    assert found, "no confirm link on " + page
    return html.unescape(found[0])


def confirm(client: Client, link: str, email: str = "member@acme.example", browser=None):
    """Follow the form's link to the provider, sign in afresh there, come back."""
    start = client.get(link)
    assert start.status_code == 302
    callback, _ = at_provider(start["Location"], email, browser)
    return client.get(callback, follow=True)


def decide(client: Client, policy, *, shown: str | None = None, **data):
    values = {
        "decision": "approve",
        "version": records.versions(policy)[-1].number,
        "snapshot_hash": shown or shown_hash(policy),
        "comment": "",
    } | data
    return client.post(decide_url(policy), values, follow=True)


def asks_to_confirm(response) -> bool:
    """The page says to confirm at the provider (again: a confirmation signs once)."""
    body = response.content.decode()
    return (
        "onfirm with 127.0.0.1" in body
        and "(a confirmation signs once). Nothing was signed." in body
    )


@pytest.fixture
def signer(org, acme):
    """A leader of the organisation, signed in through its provider."""
    person = member(org.organisation, Role.LEADER, email="member@acme.example")
    client = Client()
    sign_in(client, "member@acme.example")
    return person, client


@pytest.mark.django_db
def test_a_leader_signed_in_through_the_provider_approves_by_confirming_there(org, signer):
    person, client = signer
    policy = submitted(org)
    page = policy.get_absolute_url()
    body = client.get(page).content.decode()
    assert 'name="password"' in body  # offered, not required: the password still works
    link = confirm_link(client, page)
    query = parse_qs(urlparse(link).query)
    assert query["binding"] == [shown_hash(policy)] and query["next"] == [page]
    back = confirm(client, link)
    assert back.redirect_chain[-1][0] == page
    assert "Confirmed with 127.0.0.1" in back.content.decode()
    done = decide(client, policy, comment="Fine.")
    assert "You approved version 1" in done.content.decode()
    signoff = SignOff.objects.get()
    assert (signoff.signer, signoff.meaning) == (person, "approved")
    assert records.state(policy).is_approved


@pytest.mark.django_db
def test_the_approvals_inbox_offers_the_provider_and_comes_back_to_the_inbox(org, signer):
    _, client = signer
    policy = submitted(org)
    link = confirm_link(client, "/approvals/")
    assert parse_qs(urlparse(link).query)["next"] == ["/approvals/"]
    back = confirm(client, link)
    assert "Confirmed with 127.0.0.1" in back.content.decode()
    response = client.post(
        decide_url(policy),
        {
            "decision": "reject",
            "comment": "Not yet.",
            "version": 1,
            "snapshot_hash": shown_hash(policy),
            "fragment": "inbox",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and "You rejected version 1" in response.content.decode()
    assert SignOff.objects.get().meaning == "rejected"


@pytest.mark.django_db
def test_a_confirmation_signs_once(org, signer):
    _, client = signer
    first, second = submitted(org, title="First"), submitted(org, title="Second")
    confirm(client, confirm_link(client, first.get_absolute_url()))
    decide(client, first)
    assert asks_to_confirm(decide(client, first))
    assert asks_to_confirm(decide(client, second))
    assert SignOff.objects.count() == 1 and not records.state(second).is_approved


@pytest.mark.django_db
def test_a_confirmation_older_than_five_minutes_signs_nothing(org, signer):
    _, client = signer
    policy = submitted(org)
    confirm(client, confirm_link(client, policy.get_absolute_url()))
    with time_machine.travel(time.time() + 301):
        refused = decide(client, policy).content.decode()
    assert "is more than 5 minutes old. Nothing was signed" in refused
    assert not SignOff.objects.exists()


@pytest.mark.django_db
def test_a_confirmation_for_what_was_shown_before_the_record_changed_signs_nothing(org, signer):
    _, client = signer
    policy = submitted(org)
    confirm(client, confirm_link(client, policy.get_absolute_url()))
    # Meanwhile the manager changes the text and submits again: other content, other hash.
    edit(policy, org.manager, text="We deliver parts on time.")
    records.submit(membership=ms(org, "manager"), obj=policy)
    refused = decide(client, policy).content.decode()  # the form as shown now
    assert "for what you were shown then, and it has changed since" in refused
    assert not SignOff.objects.exists()


@pytest.mark.django_db
def test_the_old_form_with_a_confirmation_for_it_signs_nothing_once_the_record_changed(org, signer):
    _, client = signer
    policy = submitted(org)
    before = shown_hash(policy)
    confirm(client, confirm_link(client, policy.get_absolute_url()))
    edit(policy, org.manager, text="We deliver parts on time.")
    records.submit(membership=ms(org, "manager"), obj=policy)
    refused = decide(client, policy, shown=before).content.decode()
    assert "Nothing was signed: look at what is submitted now" in refused
    assert not SignOff.objects.exists()


@pytest.mark.django_db
def test_signing_in_at_the_provider_as_someone_else_confirms_nothing(org, signer):
    _, client = signer
    member(org.organisation, Role.LEADER, email="newcomer@acme.example")
    policy = submitted(org)
    back = confirm(client, confirm_link(client, policy.get_absolute_url()), "newcomer@acme.example")
    assert "You signed in at the provider as someone else" in back.content.decode()
    assert sso.REAUTH_SESSION not in client.session
    assert asks_to_confirm(decide(client, policy))
    assert not SignOff.objects.exists()


@pytest.mark.django_db
def test_someone_elses_stale_or_other_content_confirmation_is_refused_by_the_check(org):
    now = time.time()
    mine = ProviderSignIn(user_id=org.leader.pk, at=now, binding="a" * 64, provider="idp")
    check_proof(org.leader, mine, "a" * 64)
    for proof, binding, reason in [
        (mine, "b" * 64, "has changed since"),
        (mine, None, "has changed since"),
        (ProviderSignIn(org.manager.pk, now, "a" * 64, "idp"), "a" * 64, "someone else's"),
        (ProviderSignIn(org.leader.pk, now - 301, "a" * 64, "idp"), "a" * 64, "minutes old"),
    ]:
        with pytest.raises(records.RecordError, match=reason):
            check_proof(org.leader, proof, binding)


@pytest.mark.django_db
def test_a_provider_answer_without_a_fresh_sign_in_signs_nothing(org, signer):
    _, client = signer
    policy = submitted(org)
    link = confirm_link(client, policy.get_absolute_url())
    with time_machine.travel(time.time() + 600):
        start = client.get(link)
    # The prompt removed on the way: the provider answers from its session, with an old
    # auth_time.
    stripped = start["Location"].replace("prompt=login&", "").replace("&max_age=0", "")
    callback, _ = at_provider(stripped, "member@acme.example")
    back = client.get(callback, follow=True)
    assert "The provider did not ask for a fresh sign-in" in back.content.decode()
    assert back.redirect_chain[-1][0] == policy.get_absolute_url()
    assert asks_to_confirm(decide(client, policy))
    assert not SignOff.objects.exists()


@pytest.mark.django_db
def test_a_person_who_must_use_the_provider_is_not_asked_for_a_password(org, acme):
    acme.required, acme.break_glass = True, org.leader
    acme.save(update_fields=["required", "break_glass"])
    member(org.organisation, Role.LEADER, email="member@acme.example")
    policy = submitted(org)
    client = Client()
    sign_in(client, "member@acme.example")
    for page in (policy.get_absolute_url(), "/approvals/"):
        body = client.get(page).content.decode()
        assert 'name="password"' not in body and "Confirm with 127.0.0.1</a>" in body
    # Their password, should they still hold one, does not sign.
    assert asks_to_confirm(decide(client, policy, password=PASSWORD))
    assert not SignOff.objects.exists()


@pytest.mark.django_db
def test_others_still_sign_with_their_password(org, acme):
    acme.required, acme.break_glass = True, org.leader
    acme.save(update_fields=["required", "break_glass"])
    policy = submitted(org)
    client = client_for(org.leader)  # the break-glass leader, signed in with a password
    body = client.get(policy.get_absolute_url()).content.decode()
    assert 'name="password"' in body and "Confirm with" not in body
    wrong = decide(client, policy, password="wrong").content.decode()
    assert "Nothing was signed" in wrong and not SignOff.objects.exists()
    decide(client, policy, password=PASSWORD)
    assert SignOff.objects.get().signer == org.leader


@pytest.mark.django_db
def test_rejecting_without_a_comment_keeps_the_confirmation(org, signer):
    _, client = signer
    policy = submitted(org)
    confirm(client, confirm_link(client, policy.get_absolute_url()))
    refused = decide(client, policy, decision="reject").content.decode()
    assert "the comment is required" in refused
    decide(client, policy, decision="reject", comment="Say who checks.")
    assert SignOff.objects.get().meaning == "rejected"


@pytest.mark.django_db
def test_a_person_without_a_password_confirms_at_the_provider(org, acme):
    # e.g. joined by the organisation's domain at the provider: they never had a password.
    person = member(org.organisation, Role.LEADER, email="member@acme.example")
    person.set_unusable_password()
    person.save(update_fields=["password"])
    policy = submitted(org)
    client = client_for(person)
    body = client.get(policy.get_absolute_url()).content.decode()
    assert 'name="password"' not in body
    assert asks_to_confirm(decide(client, policy))
    confirm(client, confirm_link(client, policy.get_absolute_url()))
    decide(client, policy)
    assert SignOff.objects.get().signer == person


@pytest.mark.django_db
def test_the_evidence_pack_is_signed_by_confirming_for_the_pack_as_shown(org, signer):
    person, client = signer
    page = client.get("/leadership/evidence/").content.decode()
    fields = dict(re.findall(r'name="(sign-(?:start|end|pack_hash))" value="([^"]*)"', page))
    link = confirm_link(client, "/leadership/evidence/")
    assert parse_qs(urlparse(link).query)["binding"] == [fields["sign-pack_hash"]]
    back = confirm(client, link)
    assert "Confirmed with 127.0.0.1" in back.content.decode()
    signed = client.post("/leadership/evidence/sign/", fields, follow=True).content.decode()
    assert "You signed the leadership evidence pack" in signed
    signoff = SignOff.objects.get(meaning="reviewed")
    assert signoff.signer == person
    # The next one needs a confirmation of its own.
    assert asks_to_confirm(client.post("/leadership/evidence/sign/", fields, follow=True))


# --- standalone signatures: the audit report, an effectiveness check, review minutes --------


def confirm_and_post(client: Client, page: str, url: str, data: dict, *, change=None):
    """Confirm at the provider from `page`'s signing form (bound to the hash it shows), call
    `change()` if given (the record moves meanwhile), then post the form to `url`."""
    body = client.get(page).content.decode()
    shown = re.search(r'name="shown_hash" value="([0-9a-f]{64})"', body).group(1)
    link = confirm_link(client, page)
    assert parse_qs(urlparse(link).query)["binding"] == [shown]
    assert "Confirmed with 127.0.0.1" in confirm(client, link).content.decode()
    if change:
        change()
    return client.post(url, data | {"shown_hash": shown}, follow=True)


def _running_audit(org):
    from audits import services as audits
    from audits.models import Process
    from tests.audits.conftest import plan, start

    process = Process.objects.create(organisation=org.organisation, name="Production")
    audit = start(org, plan(org, process=process))
    return audits.audit_update(
        membership=ms(org, "auditor"), audit=audit, summary="All fine.", conclusion="Effective."
    )


@pytest.mark.django_db
def test_the_audit_report_is_issued_by_confirming_at_the_provider(org, signer):
    person, client = signer
    audit = _running_audit(org)
    page = audit.get_absolute_url()
    assert 'name="password"' in client.get(page).content.decode()  # offered, not required
    done = confirm_and_post(client, page, f"/audits/{audit.pk}/issue/", {"comment": ""})
    assert "is issued and signed" in done.content.decode()
    assert SignOff.objects.get(meaning="issued").signer == person


@pytest.mark.django_db
def test_an_audit_that_changed_after_the_confirmation_is_not_issued(org, signer):
    from tests.audits.conftest import raise_finding

    _, client = signer
    audit = _running_audit(org)
    page = audit.get_absolute_url()
    refused = confirm_and_post(
        client, page, f"/audits/{audit.pk}/issue/", {}, change=lambda: raise_finding(org, audit)
    )
    assert "changed since you opened it. Nothing was signed" in refused.content.decode()
    audit.refresh_from_db()
    assert audit.status == "in_progress" and not SignOff.objects.exists()


@pytest.mark.django_db
def test_an_effectiveness_check_is_signed_by_confirming_at_the_provider(org, signer):
    from tests.audits.conftest import assign, complete, raise_finding, respond

    person, client = signer
    finding = respond(org, raise_finding(org, _running_audit(org)))
    complete(org, assign(org, finding))
    data = {"effective": "yes", "note": "Three weekly checks: WI-7 at every lathe."}
    page = finding.get_absolute_url()
    done = confirm_and_post(client, page, f"/audits/findings/{finding.pk}/verify/", data)
    assert "Effectiveness check recorded" in done.content.decode()
    assert SignOff.objects.get(meaning="verified").signer == person


@pytest.mark.django_db
def test_the_chair_signs_the_minutes_by_confirming_at_the_provider(org, signer):
    from reviews import services as reviews
    from tests.reviews.conftest import hold_and_discuss

    person, client = signer
    today = org.organisation.today()
    review = reviews.review_schedule(
        membership=ms(org, "manager"),
        title="Q1 review",
        meeting_date=today,
        chair=person,
        attendees=[org.manager],
        period_start=today - datetime.timedelta(days=90),
    )
    review = hold_and_discuss(org, review)
    page = review.get_absolute_url()
    done = confirm_and_post(client, page, f"/reviews/{review.pk}/close/", {"comment": ""})
    assert "Minutes signed: the review is closed" in done.content.decode()
    assert SignOff.objects.get().signer == person
