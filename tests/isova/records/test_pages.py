"""The approval panel endpoints, the approvals inbox and the quality policy pages."""

import datetime

import pytest

from isova import demo, records
from isova.models import QualityPolicy, RecordStatus, SignOff
from tests.conftest import make_org
from tests.factories import PASSWORD

from .helpers import approved_policy, edit, make_policy, ms, shown

HX = {"HTTP_HX_REQUEST": "true"}


def submit_url(policy):
    return f"/records/isova.qualitypolicy/{policy.pk}/submit/"


def decide_url(policy):
    return f"/records/isova.qualitypolicy/{policy.pk}/decide/"


def shows_change(body: str, deleted: str, inserted: str) -> bool:
    """The page marks `deleted` and `inserted` as such (word difference, not colour alone)."""
    return (
        f'<del><span class="visually-hidden">deleted: </span>{deleted}</del>' in body
        and f'<ins><span class="visually-hidden">inserted: </span>{inserted}</ins>' in body
    )


def submitted_policy(org, **fields):
    policy = make_policy(org, **fields)
    records.submit(membership=ms(org, "manager"), obj=policy)
    return policy


# --- the quality policy pages ------------------------------------------------------


@pytest.mark.parametrize("role", ["leader", "manager", "staff", "auditor"])
def test_everyone_reads_the_quality_policy(org, as_user, role):
    policy = approved_policy(org)
    client = as_user(org.user(role))
    listing = client.get("/policy/")
    assert listing.status_code == 200 and policy.title in listing.content.decode()
    page = client.get(policy.get_absolute_url())
    assert page.status_code == 200
    body = page.content.decode()
    assert policy.text in body
    assert "Version 1" in body and "Approved" in body


@pytest.mark.parametrize(("role", "status"), [("staff", 403), ("auditor", 403)])
def test_staff_and_auditors_cannot_write_the_policy(org, as_user, role, status):
    policy = make_policy(org)
    client = as_user(org.user(role))
    assert client.get("/policy/new/").status_code == status
    assert client.get(f"/policy/{policy.pk}/edit/").status_code == status
    assert client.post(f"/policy/{policy.pk}/edit/", {"title": "x"}).status_code == status


def test_a_manager_writes_a_new_policy_as_a_draft(org, as_user):
    response = as_user(org.manager).post(
        "/policy/new/",
        {
            "title": "Quality policy 2027",
            "text": "Right first time.",
            "owner": org.leader.pk,
            "effective_from": "2027-01-01",
        },
    )
    policy = QualityPolicy.objects.get()
    assert response.status_code == 302 and response.url == policy.get_absolute_url()
    assert policy.organisation == org.organisation
    assert records.state(policy).status == RecordStatus.DRAFT
    assert policy.history.get().history_user == org.manager


def test_the_policy_form_explains_bad_input_and_saves_nothing(org, other_org, as_user):
    response = as_user(org.manager).post(
        "/policy/new/",
        {"title": "", "text": "x", "owner": other_org.leader.pk, "effective_from": "2026-13-45"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "This field is required." in body
    assert "Choose an owner from this organisation’s members." in body
    assert "Enter the date as YYYY-MM-DD" in body
    assert not QualityPolicy.objects.exists()


def test_a_material_edit_through_the_page_asks_for_a_new_approval(org, as_user):
    policy = approved_policy(org)
    response = as_user(org.manager).post(
        f"/policy/{policy.pk}/edit/",
        {
            "title": policy.title,
            "text": "New words.",
            "owner": policy.owner_id,
            "effective_from": "2026-01-01",
        },
        follow=True,
    )
    body = response.content.decode()
    assert "This change needs a new approval: version 2 is a draft" in body
    assert "Changed since approved on" in body
    assert shows_change(body, "We deliver parts right first time.", "New words.")
    assert "Submit version 2 for approval" in body
    assert records.state(policy).number == 2


def test_a_cosmetic_edit_through_the_page_keeps_the_approval(org, as_user):
    policy = approved_policy(org)
    response = as_user(org.manager).post(
        f"/policy/{policy.pk}/edit/",
        {
            "title": "Our policy",
            "text": policy.text,
            "owner": policy.owner_id,
            "effective_from": "2026-01-01",
        },
        follow=True,
    )
    body = response.content.decode()
    assert "Quality policy saved." in body
    assert "Changed since, without needing a new approval" in body
    assert "Changed since approved on" not in body
    assert records.state(policy).status == RecordStatus.APPROVED


def test_the_policy_page_shows_versions_their_differences_and_field_history(org, as_user):
    policy = approved_policy(org)
    policy._history_user = org.manager
    edit(policy, org.manager, effective_from=datetime.date(2026, 2, 1))
    records.submit(membership=ms(org, "manager"), obj=policy)
    records.approve(membership=ms(org, "leader"), obj=policy, password=PASSWORD)
    body = as_user(org.auditor).get(policy.get_absolute_url()).content.decode()
    assert 'id="version-1"' in body and 'id="version-2"' in body
    assert "What changed from version 1" in body
    assert shows_change(body, "2026-01-01", "2026-02-01")
    assert "Superseded" in body
    assert "Field history" in body and "effective from" in body.lower()
    assert SignOff.objects.first().hash[:12] in body


def test_another_organisations_policy_answers_404(org, other_org, as_user):
    policy = make_policy(other_org)
    client = as_user(org.leader)
    for url in (policy.get_absolute_url(), f"/policy/{policy.pk}/edit/"):
        assert client.get(url).status_code == 404
    assert client.post(submit_url(policy)).status_code == 404
    assert client.post(decide_url(policy), {"decision": "approve"}).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, org):
    policy = make_policy(org)
    for url in ("/approvals/", "/policy/", policy.get_absolute_url()):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url
    assert client.post(submit_url(policy)).status_code == 302
    assert not records.versions(policy)


# --- submit ----------------------------------------------------------------------------


def test_a_manager_submits_from_the_panel_without_javascript(org, as_user):
    policy = make_policy(org)
    response = as_user(org.manager).post(
        submit_url(policy), {"comment": "For the board", "next": policy.get_absolute_url()}
    )
    assert response.status_code == 302 and response.url == policy.get_absolute_url()
    version = records.state(policy).current
    assert (version.status, version.submit_comment) == (RecordStatus.SUBMITTED, "For the board")


def test_a_manager_submits_from_the_panel_with_htmx_and_gets_the_panel_back(org, as_user):
    policy = make_policy(org)
    response = as_user(org.manager).post(submit_url(policy), {"comment": ""}, **HX)
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and 'id="record-panel"' in body
    assert "Version 1 submitted" in body and "awaiting a leader’s approval" in body


def test_submitting_twice_explains_why_in_place(org, as_user):
    policy = submitted_policy(org)
    response = as_user(org.manager).post(submit_url(policy), **HX)
    assert response.status_code == 422
    assert "already waiting for approval" in response.content.decode()


@pytest.mark.parametrize("role", ["staff", "auditor"])
def test_staff_and_auditors_cannot_submit(org, as_user, role):
    policy = make_policy(org)
    assert as_user(org.user(role)).post(submit_url(policy)).status_code == 403
    assert not records.versions(policy)


@pytest.mark.parametrize("key", ["isova.action", "isova.nothing", "nonsense", "auth.user"])
def test_record_urls_refuse_what_is_not_approvable(org, as_user, key):
    response = as_user(org.manager).post(f"/records/{key}/1/submit/")
    assert response.status_code == 404


def test_the_submit_endpoint_only_accepts_posts(org, as_user):
    policy = make_policy(org)
    assert as_user(org.manager).get(submit_url(policy)).status_code == 405


def test_an_offsite_next_is_ignored(org, as_user):
    policy = make_policy(org)
    response = as_user(org.manager).post(submit_url(policy), {"next": "https://evil.example/"})
    assert response.url == policy.get_absolute_url()


# --- decide -----------------------------------------------------------------------------


def test_a_leader_approves_from_the_panel_without_javascript(org, as_user):
    policy = submitted_policy(org)
    response = as_user(org.leader).post(
        decide_url(policy),
        {
            "decision": "approve",
            "password": PASSWORD,
            "version": 1,
            "snapshot_hash": shown(policy),
            "next": "/approvals/",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/approvals/"
    assert "You approved version 1 of “Quality policy”." in response.content.decode()
    assert records.state(policy).status == RecordStatus.APPROVED


def test_a_leader_approves_from_the_panel_with_htmx(org, as_user):
    policy = submitted_policy(org)
    response = as_user(org.leader).post(
        decide_url(policy),
        {"decision": "approve", "password": PASSWORD, "version": 1, "snapshot_hash": shown(policy)},
        **HX,
    )
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert "You approved version 1" in body and "Version 1 approved by Acme Leader" in body


def test_a_leader_rejects_from_the_inbox_with_htmx(org, as_user):
    policy = submitted_policy(org)
    version = records.state(policy).current
    response = as_user(org.leader).post(
        decide_url(policy),
        {
            "decision": "reject",
            "password": PASSWORD,
            "comment": "Say who owns it",
            "version": 1,
            "snapshot_hash": shown(policy),
            "fragment": "inbox",
        },
        **HX,
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and f'id="approval-{version.pk}"' in body
    assert "You rejected version 1" in body and 'type="password"' not in body
    assert SignOff.objects.get().comment == "Say who owns it"


def test_a_wrong_password_from_the_inbox_signs_nothing_and_says_so(org, as_user):
    policy = submitted_policy(org)
    response = as_user(org.leader).post(
        decide_url(policy),
        {
            "decision": "approve",
            "password": "nope",
            "version": 1,
            "snapshot_hash": shown(policy),
            "fragment": "inbox",
        },
        **HX,
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert "That is not your password. Nothing was signed." in body
    assert 'type="password"' in body  # the form is still there to try again
    assert not SignOff.objects.exists()


def test_a_wrong_password_without_javascript_signs_nothing(org, as_user):
    policy = submitted_policy(org)
    response = as_user(org.leader).post(
        decide_url(policy),
        {"decision": "approve", "password": "nope", "snapshot_hash": shown(policy)},
        follow=True,
    )
    assert "Nothing was signed" in response.content.decode()
    assert not SignOff.objects.exists()


def test_a_missing_password_or_decision_is_explained(org, as_user):
    policy = submitted_policy(org)
    client = as_user(org.leader)
    response = client.post(decide_url(policy), {"decision": "approve"}, **HX)
    assert response.status_code == 422
    assert "Enter your password to sign" in response.content.decode()
    response = client.post(decide_url(policy), {"decision": "bless", "password": PASSWORD}, **HX)
    assert response.status_code == 422
    assert not SignOff.objects.exists()


def test_deciding_on_a_version_that_moved_on_is_a_conflict(org, as_user):
    policy = approved_policy(org)
    edit(policy, org.manager, text="v2 words")
    records.submit(membership=ms(org, "manager"), obj=policy)
    response = as_user(org.leader).post(
        decide_url(policy),
        {"decision": "approve", "password": PASSWORD, "version": 1, "snapshot_hash": shown(policy)},
        **HX,
    )
    assert response.status_code == 409
    assert "changed since you opened it" in response.content.decode()
    assert SignOff.objects.count() == 1


@pytest.mark.parametrize("role", ["manager", "staff", "auditor"])
def test_only_leaders_decide(org, as_user, role):
    policy = submitted_policy(org)
    response = as_user(org.user(role)).post(
        decide_url(policy),
        {"decision": "approve", "password": PASSWORD, "snapshot_hash": shown(policy)},
    )
    assert response.status_code == 403
    assert not SignOff.objects.exists()


def test_a_leader_cannot_approve_their_own_submission_through_the_page(org, as_user):
    policy = make_policy(org)
    records.submit(membership=ms(org, "leader"), obj=policy)
    page = as_user(org.leader).get(policy.get_absolute_url()).content.decode()
    assert "Approve version" not in page
    response = as_user(org.leader).post(
        decide_url(policy),
        {"decision": "approve", "password": PASSWORD, "snapshot_hash": shown(policy)},
    )
    assert response.status_code == 403
    assert not SignOff.objects.exists()


# --- the approvals inbox --------------------------------------------------------------


def test_the_inbox_lists_what_waits_for_a_leader_oldest_first(org, other_org, as_user, settings):
    import time_machine

    with time_machine.travel(datetime.datetime(2026, 5, 1, 9, tzinfo=datetime.UTC)):
        older = submitted_policy(org, title="Older policy")
    with time_machine.travel(datetime.datetime(2026, 5, 2, 9, tzinfo=datetime.UTC)):
        newer = submitted_policy(org, title="Newer policy")
    own = make_policy(org, title="Leader's own")
    records.submit(membership=ms(org, "leader"), obj=own)
    submitted_policy(other_org, title="Rival policy")
    make_policy(org, title="Just a draft")

    body = as_user(org.leader).get("/approvals/").content.decode()
    waiting = body.split("Waiting for your decision")[1].split("Your submissions")[0]
    assert waiting.index("Older policy") < waiting.index("Newer policy")
    assert "Leader&#x27;s own" not in waiting  # nobody approves their own submission
    assert "Rival policy" not in body and "Just a draft" not in body
    assert body.count('type="password"') == 2
    assert "Leader&#x27;s own" in body.split("Your submissions awaiting a leader")[1]
    assert older.get_absolute_url() in body and newer.get_absolute_url() in body


def test_a_manager_sees_their_own_submissions_and_nothing_to_decide(org, as_user):
    submitted_policy(org, title="Pending policy")
    body = as_user(org.manager).get("/approvals/").content.decode()
    assert "Nothing waits for your decision" in body
    assert "Pending policy" in body.split("Your submissions awaiting a leader")[1]
    assert 'type="password"' not in body


def test_the_inbox_shows_what_changed_since_the_approved_version(org, as_user):
    policy = approved_policy(org)
    edit(policy, org.manager, text="New words.")
    records.submit(membership=ms(org, "manager"), obj=policy, comment="Tightened")
    body = as_user(org.leader).get("/approvals/").content.decode()
    assert "version 2" in body and "“Tightened”" in body
    assert shows_change(body, "We deliver parts right first time.", "New words.")


def _fill_inbox(org, count):
    """`count` submissions by the manager (every third one a v2 after an approved v1) and
    `count // 2` by a second manager."""
    from tests.conftest import membership_of
    from tests.factories import member

    for i in range(count):
        if i % 3 == 0:
            policy = approved_policy(org, title=f"Policy {i}")
            edit(policy, org.manager, text=f"Version 2 of policy {i}")
        else:
            policy = make_policy(org, title=f"Policy {i}")
        records.submit(membership=ms(org, "manager"), obj=policy, comment=f"note {i}")
    other = member(org.organisation, "manager", full_name="Other Manager")
    for i in range(count // 2):
        records.submit(
            membership=membership_of(other, org.organisation),
            obj=make_policy(org, title=f"Other {i}"),
        )


@pytest.mark.parametrize("count", [2, 20])
def test_the_inbox_runs_a_fixed_number_of_queries(
    org, as_user, django_assert_max_num_queries, count
):
    _fill_inbox(org, count)
    client = as_user(org.leader)
    # 1 session, 2 user, 3 memberships (tenancy middleware), 4 versions waiting for me with
    # their submitters and content types, 5 their records (one query per kind of record:
    # quality policies), 6 my own pending submissions (empty here, so nothing prefetched).
    with django_assert_max_num_queries(6):
        response = client.get("/approvals/")
    assert response.content.decode().count('type="password"') == count + count // 2


def test_the_policy_page_runs_a_fixed_number_of_queries(
    org, as_user, django_assert_max_num_queries
):
    policy = approved_policy(org)
    for i in range(5):
        edit(policy, org.manager, text=f"Text {i}")
        records.submit(membership=ms(org, "manager"), obj=policy)
        records.approve(membership=ms(org, "leader"), obj=policy, password=PASSWORD)
    client = as_user(org.leader)
    # 1 session, 2 user, 3 memberships, 4 the policy and owner, 5 versions, 6 sign-offs,
    # 7 field history, 8 the organisation's members (names in the history).
    with django_assert_max_num_queries(8):
        response = client.get(policy.get_absolute_url())
    assert 'id="version-6"' in response.content.decode()


# --- demo data -------------------------------------------------------------------------


def test_the_demo_policy_has_an_approved_v1_and_a_v2_waiting(db):
    org = make_org("Demo")
    users = {u.email: u for u in (org.leader, org.manager, org.staff, org.auditor)}
    demo.seed_demo_policy(org.organisation, users, password=PASSWORD)
    demo.seed_demo_policy(org.organisation, users, password=PASSWORD)  # idempotent
    policy = QualityPolicy.objects.get()
    assert [(v.number, v.status) for v in records.versions(policy)] == [
        (1, RecordStatus.SUPERSEDED),
        (2, RecordStatus.SUBMITTED),
    ]
    state = records.state(policy)
    assert state.is_stale and state.awaiting_approval
    assert SignOff.objects.get().signer == org.leader
    assert records.verify_chain(org.organisation)[1] == []


def test_a_rejected_policy_shows_why_and_offers_the_next_version(org, as_user):
    policy = submitted_policy(org)
    records.reject(membership=ms(org, "leader"), obj=policy, password=PASSWORD, comment="Vague")
    edit(policy, org.manager, text="Sharper words.")
    body = as_user(org.manager).get(policy.get_absolute_url()).content.decode()
    assert "was rejected by Acme Leader" in body and "“Vague”" in body
    assert "Submit version 2 for approval" in body


# --- the admin ---------------------------------------------------------------------------


def test_the_admin_shows_sign_offs_read_only(org, client):
    from isova.models import User

    policy = approved_policy(org)
    signoff = SignOff.objects.get()
    admin = User.objects.create_superuser("root@example.org", PASSWORD)
    client.force_login(admin)
    assert client.get("/admin/isova/signoff/").status_code == 200
    page = client.get(f"/admin/isova/signoff/{signoff.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.get("/admin/isova/signoff/add/").status_code == 403
    assert client.post(f"/admin/isova/signoff/{signoff.pk}/delete/").status_code == 403
    assert (
        client.get(
            f"/admin/isova/recordversion/{records.state(policy).current.pk}/delete/"
        ).status_code
        == 403
    )
    assert SignOff.objects.get().hash == signoff.hash


def test_an_approvable_with_its_own_submit_page_is_submitted_there(org, as_user, monkeypatch):
    monkeypatch.setattr(
        QualityPolicy, "approval_submit_url", lambda self: f"/own/{self.pk}/", raising=False
    )
    policy = make_policy(org)
    body = as_user(org.manager).get(policy.get_absolute_url()).content.decode()
    assert f'action="/own/{policy.pk}/"' in body
    assert 'hx-post="/own/' not in body
    assert as_user(org.manager).post(submit_url(policy)).status_code == 404
    assert not records.versions(policy)


# --- what is signed is shown in full (issue 10.1) -----------------------------------------


LONG = " ".join(f"Paragraph sentence number {i} of our commitment to customers." for i in range(40))


def test_a_new_last_paragraph_is_visible_where_it_is_signed(org, as_user):
    policy = approved_policy(org, text=LONG)
    edit(policy, org.manager, text=LONG + "\n\nWe also hold our suppliers to it.")
    records.submit(membership=ms(org, "manager"), obj=policy)
    client = as_user(org.leader)
    for url in ("/approvals/", policy.get_absolute_url()):
        body = client.get(url).content.decode()
        assert "inserted: </span>" in body and "We also hold our suppliers to it." in body
        # the excerpt shows the change; the whole text is one click away
        assert "<summary>Show the whole text with the changes marked</summary>" in body
        assert "Paragraph sentence number 0 of" in body  # the start, inside the details


def test_word_differences_escape_what_people_typed():
    diff = records.word_diff("a <b>bold</b> claim", "a <script>x</script> claim")
    assert "<script>" not in diff.html and "&lt;script&gt;" in diff.html
    assert "deleted: </span>&lt;b&gt;bold&lt;/b&gt; </del>" in diff.html


def test_a_deleted_word_is_marked_in_text_as_well_as_struck_through():
    diff = records.word_diff("We deliver parts on time.", "We deliver on time.")
    assert str(diff.html) == (
        'We deliver <del><span class="visually-hidden">deleted: </span>parts </del>on time.'
    )


def test_deciding_in_the_inbox_refreshes_the_count_and_names_the_sign_off(org, as_user):
    first, second = make_policy(org, title="First"), make_policy(org, title="Second")
    for policy in (first, second):
        records.submit(membership=ms(org, "manager"), obj=policy)
    client = as_user(org.leader)
    assert "2 waiting" in client.get("/approvals/").content.decode()
    response = client.post(
        decide_url(first),
        {
            "decision": "approve",
            "password": PASSWORD,
            "version": 1,
            "snapshot_hash": shown(first),
            "fragment": "inbox",
        },
        **HX,
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert (
        '<p class="muted" id="approvals-count" role="status" hx-swap-oob="true">1 waiting' in body
    )
    sequence = SignOff.objects.get().sequence
    assert f"You approved version 1 of “First”. Sign-off #{sequence}." in body


def test_a_material_change_that_bypassed_the_workflow_is_not_listed_as_not_needing_approval(
    org, as_user
):
    """An approved record changed without record_changed (older data, a missed hook) says the
    change needs approval and offers to submit it, instead of calling it cosmetic."""
    policy = approved_policy(org)
    QualityPolicy.objects.filter(pk=policy.pk).update(text="Quietly changed.", title="Ours")
    body = as_user(org.manager).get(policy.get_absolute_url()).content.decode()
    needing, _, cosmetic = body.partition("Changed since, without needing a new approval")
    assert "Changed since approval without a new version." in needing
    assert "inserted: </span>Quietly changed.</ins>" in needing
    assert "Quietly changed." not in cosmetic.split("<h3>Versions</h3>")[0]
    assert "Submit version 2 for approval" in body
