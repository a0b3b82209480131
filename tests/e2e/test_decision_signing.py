"""Issue 27 in a real browser: a leader finds a client-impacting decision waiting for sign-off
in the decision register, reads its rationale, the risk behind it and the action carrying it
out, and signs it with their password (a wrong one signs nothing); the signature is on the
chain, bound to the version shown. A manager then revisits it: version 2, version 1 kept."""

import datetime
import re

from playwright.sync_api import expect

from decisions import services
from decisions.models import Decision, Shown
from isova import records
from isova.models import SignOff
from tests.conftest import membership_of
from tests.decisions.conftest import record, submit
from tests.factories import PASSWORD
from tests.risks.conftest import raise_risk

TITLE = "Give Northline a weekly delivery slot"


def test_a_leader_signs_a_decision_from_the_register_and_a_revisit_opens_v2(
    transactional_db, org, login, url
):
    risk = raise_risk(org, title="Late deliveries lose Northline")
    decision = record(org, title=TITLE, risks=[risk])
    services.decision_action_add(
        membership=membership_of(org.manager, org.organisation),
        decision=decision,
        title="Agree the Thursday slot with the buyer",
        owner=org.staff,
        due_date=org.organisation.today() + datetime.timedelta(days=14),
    )
    submit(org, decision)

    page = login(org.leader)
    page.get_by_role("link", name="Decisions", exact=True).first.click()
    expect(page.get_by_role("heading", name="Decision register")).to_be_visible()
    page.get_by_role("link", name=re.compile(r"^Awaiting sign-off")).click()
    page.get_by_role("link", name=TITLE).click()
    page.wait_for_url(url(decision.get_absolute_url()))
    expect(page.locator("main")).to_contain_text("Fewer changeovers")  # the rationale
    expect(page.locator("main")).to_contain_text("Northline Aero: deliveries move to Thursdays.")
    expect(page.get_by_role("link", name=str(risk))).to_be_visible()
    expect(page.get_by_role("link", name="Agree the Thursday slot with the buyer")).to_be_visible()

    panel = page.locator("#record-panel")
    panel.get_by_label("Your password (to sign)").fill("not my password")
    panel.get_by_role("button", name="Approve version 1").click()
    expect(page.locator("#record-panel").get_by_role("alert")).to_contain_text(
        "That is not your password. Nothing was signed."
    )
    assert not SignOff.objects.exists()

    panel = page.locator("#record-panel")
    panel.get_by_label("Your password (to sign)").fill(PASSWORD)
    panel.get_by_role("button", name="Approve version 1").click()
    expect(page.locator("#record-panel")).to_contain_text("Approval · version 1 Approved")
    signoff = SignOff.objects.get()
    assert (signoff.signer, signoff.version_number, signoff.meaning) == (org.leader, 1, "approved")
    assert records.verify_chain(org.organisation)[1] == []
    assert Decision.objects.with_state().get(pk=decision.pk).shown == Shown.SIGNED

    # A manager revisits it: a reason is asked, version 2 opens as a draft, v1 is kept.
    page.context.clear_cookies()
    login(org.manager)
    page.goto(url(decision.get_absolute_url()))
    page.locator(".page-head").get_by_role("link", name="Revisit").click()
    expect(page.locator(".message.warning")).to_contain_text("version 1 and its signature are kept")
    page.get_by_label("Why it is revisited").fill("Northline doubled its volumes.")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(url(decision.get_absolute_url()))
    expect(page.get_by_text("Saved as version 2, a draft")).to_be_visible()
    panel = page.locator("#record-panel")
    expect(panel).to_contain_text("Approval · version 2 Draft")
    expect(panel.locator("#version-1")).to_contain_text("Superseded")


def test_the_register_a_decision_and_its_form_fit_a_phone(transactional_db, org, browser, url):
    from tests.decisions.conftest import signed
    from tests.e2e.test_phone_layout import OVERFLOW, PHONE

    risk = raise_risk(org, title="Late deliveries to our largest aerospace customer")
    decision = signed(
        org,
        title="Give Northline Aero a weekly delivery slot and consignment stock on their site",
        risks=[risk],
    )
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        page.goto(url("/accounts/login/"))
        page.get_by_label("E-mail address").fill(org.manager.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(lambda u: "/accounts/login/" not in u)
        too_wide = {}
        for path in (
            "/decisions/",
            decision.get_absolute_url(),
            f"/decisions/{decision.pk}/edit/",
            "/decisions/new/",
        ):
            page.goto(url(path))
            if (extra := page.evaluate(OVERFLOW)) > 0:
                too_wide[path] = f"{extra}px wider than the screen"
        assert too_wide == {}
    finally:
        context.close()
