"""What people type cannot break a page: line breaks in titles, dates past the calendar."""

from isova.actions.forms import ActionForm


def _form(org, **overrides):
    data = {
        "title": "Fix the lathe",
        "owner": org.staff.pk,
        "due_date": "2026-01-31",
        "confirm_past_due": "on",
    }
    data |= {"priority": "medium"} | overrides
    return ActionForm(data, organisation=org.organisation)


def test_a_title_with_a_line_break_is_refused_with_a_message(org):
    form = _form(org, title="Fix the lathe\r\nBcc: everyone@example.com")
    assert not form.is_valid()
    assert form.errors["title"] == ["Keep this on one line: remove the line breaks."]


def test_a_description_may_have_line_breaks(org):
    assert _form(org, description="First line\r\nSecond line").is_valid()


def test_a_due_date_in_year_9999_or_year_1_is_refused_with_a_message(org):
    for day in ("9999-12-31", "0001-01-01"):
        form = _form(org, due_date=day)
        assert not form.is_valid()
        assert form.errors["due_date"] == ["Give a date between 1900 and 2999."]


def test_a_null_character_is_refused_with_a_message(org):
    form = _form(org, title="Fix\x00it")
    assert not form.is_valid()
    assert "Null characters are not allowed." in form.errors["title"]


def _policy_form(org, **overrides):
    from isova.records.views import QualityPolicyForm

    data = {"title": "Our policy", "text": "We keep our promises.", "owner": org.leader.pk}
    data |= {"effective_from": "2026-01-01"} | overrides
    return QualityPolicyForm(data, organisation=org.organisation)


def test_a_quality_policy_title_with_a_line_break_is_refused_with_a_message(org):
    form = _policy_form(org, title="Our policy\r\nBcc: everyone@example.com")
    assert not form.is_valid()
    assert form.errors["title"] == ["Keep this on one line: remove the line breaks."]
    assert _policy_form(org, text="First paragraph\r\n\r\nSecond").is_valid()


def test_a_quality_policy_effective_in_year_9999_is_refused_with_a_message(org):
    form = _policy_form(org, effective_from="9999-12-31")
    assert not form.is_valid()
    assert form.errors["effective_from"] == ["Give a date between 1900 and 2999."]


def test_a_decision_or_submission_note_may_have_line_breaks_but_not_a_null(org):
    from isova.records.views import DecisionForm, SubmitForm

    decision = {"decision": "approve", "password": "pw", "snapshot_hash": "a" * 64}
    assert DecisionForm(decision | {"comment": "Fine.\r\nGo ahead."}).is_valid()
    assert not DecisionForm(decision | {"password": "pw\r\nx"}).is_valid()
    assert SubmitForm({"comment": "Line one\r\nLine two"}).is_valid()
    assert not SubmitForm({"comment": "Nul\x00"}).is_valid()
