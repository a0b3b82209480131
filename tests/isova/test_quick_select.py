"""QuickSelect renders member selects in Python with the same HTML as Django's Select."""

import re

from django import forms

from isova.forms import QuickSelect


def _normalised(html: str) -> str:
    return re.sub(r"\s*\n\s*", "", str(html))


CHOICES = [("", "Anyone"), (1, "Ann <Admin> & Co"), (2, "Bob “Quoted”"), (3, "Cy")]


def test_a_quick_select_renders_the_same_html_as_djangos_select():
    attrs = {"id": "id_owner", "aria-describedby": "help", "required": True}
    for value in (None, "", 2, "3"):
        quick = QuickSelect(choices=CHOICES).render("owner", value, attrs)
        django = forms.Select(choices=CHOICES).render("owner", value, attrs)
        assert _normalised(quick) == _normalised(django)


def test_a_quick_select_with_option_groups_falls_back_to_djangos_template():
    grouped = [("People", [(1, "Ann"), (2, "Bob")]), ("Others", [(3, "Cy")])]
    quick = QuickSelect(choices=grouped).render("owner", 1, {"id": "x"})
    assert _normalised(quick) == _normalised(
        forms.Select(choices=grouped).render("owner", 1, {"id": "x"})
    )
    assert "<optgroup" in quick
