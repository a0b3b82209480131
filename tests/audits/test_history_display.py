"""A finding's history reads as words: a list field (the five whys) is not printed as Python."""

from .conftest import respond


def test_the_five_whys_show_in_the_history_as_the_answers_not_a_python_list(org, finding, as_user):
    respond(org, finding)
    html = as_user(org.leader).get(f"/audits/findings/{finding.pk}/").content.decode()
    assert "— → Not printed; Nobody owns printing" in html
    assert "[]" not in html
    assert "[&#x27;" not in html and "['" not in html
