"""Issue 23 in a real browser: a manager brings a risk register from another tool (its own
column names, High/Medium/Low, dd/mm/yyyy dates, Mitigated/Accepted/Closed, an opportunity,
owners by name): upload → columns → values → preview → import, nothing dropped."""

import datetime

from playwright.sync_api import expect

from risks.models import Risk

REGISTER = """Ref,Hazard,R/O,Area,Probability,Severity,Responsible,Raised,Review by,State,Controls
TR-1,Castings supplier fails,Risk,Supply chain,High,High,{manager},03/02/2026,15/03/2026,Mitigated,Second source approved
TR-2,Export to Spain,Opportunity,Strategic,Medium,High,{leader},04/02/2026,20/03/2026,Accepted,
TR-3,Inspector retires,Risk,HR,Low,Medium,{stranger},05/02/2026,21/03/2026,Closed,Cross-training
"""  # noqa: E501


def test_a_manager_imports_a_risk_register_from_another_tool(
    transactional_db, org, login, url, tmp_path
):
    path = tmp_path / "old-register.csv"
    path.write_text(
        REGISTER.format(
            manager=org.manager.get_full_name(),
            leader=org.leader.get_full_name(),
            stranger="Pat Gone",
        )
    )
    page = login(org.manager)
    page.goto(url("/risks/"))
    page.get_by_role("link", name="Import a register").click()
    page.get_by_label("CSV or Excel (.xlsx) file").set_input_files(str(path))
    page.get_by_role("button", name="Upload and map columns").click()

    # Columns: isova's suggestions, one changed by the person (the raised date is ignored).
    expect(page.get_by_role("heading", level=1)).to_contain_text("what each column holds")
    expect(page.get_by_label("Hazard")).to_have_value("mapped:title")
    expect(page.get_by_label("Ref", exact=True)).to_have_value("kept:external_ref")
    expect(page.get_by_label("Probability")).to_have_value("mapped:inherent_likelihood")
    expect(page.get_by_label("Responsible")).to_have_value("mapped:owner")
    page.get_by_label("Raised").select_option("ignored")
    page.get_by_role("button", name="Next: values").click()

    # Values: the levels, statuses and the opportunity are recognised; the unknown person is
    # matched to a member here.
    expect(page.get_by_label("Mitigated")).to_have_value("monitoring")
    expect(page.get_by_label("Opportunity")).to_have_value("opportunity")
    expect(page.get_by_label("Day first")).to_be_checked()
    expect(page.get_by_label("Pat Gone")).to_have_value("")
    page.get_by_role("button", name="Next: preview").click()

    # The preview names the problem by row and column and offers no import.
    expect(page.locator("#errors")).to_contain_text("“Pat Gone” is not a member")
    expect(page.locator("#errors")).to_contain_text("Responsible")
    expect(page.get_by_role("button", name="Import 3 rows")).to_have_count(0)
    page.get_by_role("link", name="values", exact=True).click()
    page.get_by_label("Pat Gone").select_option(label=org.staff.get_full_name())
    page.get_by_role("button", name="Next: preview").click()
    expect(page.locator("#summary")).to_contain_text("3 rows: 3 to create, 0 to update")
    expect(page.locator("#preview")).to_contain_text("Castings supplier fails")
    page.get_by_role("button", name="Import 3 rows").click()

    expect(page.locator("#summary")).to_contain_text("3 created")
    risks = {r.external_ref: r for r in Risk.objects.filter(organisation=org.organisation)}
    assert (risks["TR-1"].inherent_likelihood, risks["TR-1"].inherent_impact) == (5, 5)
    assert risks["TR-1"].status == "monitoring" and risks["TR-1"].category == "supplier"
    assert risks["TR-1"].next_review_date == datetime.date(2026, 3, 15)
    assert risks["TR-2"].kind == "opportunity" and risks["TR-2"].owner == org.leader
    assert risks["TR-3"].status == "closed" and risks["TR-3"].owner == org.staff
    page.get_by_role("link", name="Open the register").click()
    expect(page.locator("#results")).to_contain_text("Export to Spain")
