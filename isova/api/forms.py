from __future__ import annotations

from typing import Any

from django import forms

from isova.forms import SafeForm

from .models import Scope
from .registry import events


class TokenForm(SafeForm):
    name = forms.CharField(max_length=100, help_text="What uses it, e.g. “Power BI report”.")
    scope = forms.ChoiceField(choices=Scope.choices, initial=Scope.READ)
    expires_in_days = forms.IntegerField(
        label="Expires after (days)",
        min_value=1,
        max_value=365,
        initial=90,
        required=False,
        help_text="Leave empty for a token that does not expire.",
    )


class WebhookForm(SafeForm):
    url = forms.URLField(
        label="Address (HTTPS)",
        max_length=500,
        assume_scheme="https",
        help_text="isova POSTs signed JSON here.",
    )
    events = forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple)
    description = forms.CharField(max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["events"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(name, f"{name}: {text}") for name, text in events().items()]
