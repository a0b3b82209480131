"""What people type cannot break a page: line breaks in titles, dates past the calendar."""

from isova.forms import ActionForm


def _form(org, **overrides):
    data = {"title": "Fix the lathe", "owner": org.staff.pk, "due_date": "2026-01-31"}
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
