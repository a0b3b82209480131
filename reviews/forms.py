from __future__ import annotations

import datetime
from typing import Any

from django import forms

from isova.forms import (
    DateInput,
    MemberChoiceField,
    MembersChoiceField,
    ProviderSigningMixin,
    member_choices,
)
from isova.models import Organisation, Role, User
from objectives.models import Objective

from .models import (
    AttendanceStatus,
    ContextIssue,
    FeedbackKind,
    FeedbackStatus,
    OutputKind,
    Severity,
)


class ReviewForm(forms.Form):
    title = forms.CharField(max_length=200, initial="Management review")
    meeting_date = forms.DateField(widget=DateInput())
    start_time = forms.TimeField(
        initial=datetime.time(10, 0), widget=forms.TimeInput(attrs={"type": "time"})
    )
    duration_minutes = forms.IntegerField(
        label="Duration (minutes)", min_value=15, max_value=600, initial=120
    )
    location = forms.CharField(max_length=200, required=False)
    chair = MemberChoiceField(queryset=User.objects.none(), help_text="A leader.")
    attendees = MembersChoiceField(
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Invited",
    )
    period_start = forms.DateField(
        widget=DateInput(), label="The pack covers data from", help_text="Usually the last review."
    )
    agenda = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = member_choices(organisation)
        self.fields["chair"].queryset = members.filter(  # type: ignore[attr-defined]
            memberships__role=Role.LEADER
        )
        self.fields["attendees"].queryset = members  # type: ignore[attr-defined]


class RescheduleForm(forms.Form):
    title = forms.CharField(max_length=200)
    meeting_date = forms.DateField(widget=DateInput())
    start_time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}))
    duration_minutes = forms.IntegerField(label="Duration (minutes)", min_value=15, max_value=600)
    location = forms.CharField(max_length=200, required=False)
    period_start = forms.DateField(widget=DateInput(), label="The pack covers data from")
    agenda = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    invite = MembersChoiceField(
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Invite more people",
        help_text="They get the invitation now, and the reminders they missed at the next scan.",
    )

    def __init__(self, *args: Any, organisation: Organisation, review: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        invited = review.attendances.values("user_id")
        self.fields["invite"].queryset = member_choices(organisation).exclude(  # type: ignore[attr-defined]
            pk__in=invited
        )

    @staticmethod
    def initial_for(review: Any) -> dict[str, Any]:
        return {
            name: getattr(review, name)
            for name in (
                "title", "meeting_date", "start_time", "duration_minutes", "location",
                "period_start", "agenda",
            )
        }  # fmt: skip


class NoteForm(forms.Form):
    key = forms.CharField(widget=forms.HiddenInput)
    comment = forms.CharField(
        label="Presenter's comment", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class DiscussionForm(forms.Form):
    key = forms.CharField(widget=forms.HiddenInput)
    discussion = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    not_covered = forms.BooleanField(required=False, label="Not covered at this meeting")
    not_covered_reason = forms.CharField(max_length=300, required=False, label="Why not")


class ExternalProvidersForm(forms.Form):
    text = forms.CharField(
        label="External providers' performance",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class AttendanceForm(forms.Form):
    """One status field per invited person (`att_<user id>`)."""

    def __init__(self, *args: Any, rows: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for row in rows:
            self.fields[f"att_{row.user_id}"] = forms.ChoiceField(
                label=row.user.get_full_name(),
                choices=AttendanceStatus.choices,
                initial=row.status,
            )

    def statuses(self) -> dict[int, str]:
        return {int(name[4:]): value for name, value in self.cleaned_data.items()}


class OutputForm(forms.Form):
    kind = forms.ChoiceField(choices=OutputKind.choices, label="Type of output")
    decision = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    owner = MemberChoiceField(
        queryset=User.objects.none(),
        required=False,
        label="Action owner",
        help_text="Name an owner to turn the decision into an action.",
    )
    due_date = forms.DateField(widget=DateInput(), required=False)
    estimated_effort_hours = forms.DecimalField(
        label="Effort (hours)", required=False, min_value=0, max_digits=7, decimal_places=1
    )
    estimated_cost = forms.DecimalField(
        label="Cost", required=False, min_value=0, max_digits=12, decimal_places=2
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = member_choices(organisation)  # type: ignore[attr-defined]


class SignForm(ProviderSigningMixin, forms.Form):
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        label="Your password (to sign the minutes)",
    )
    comment = forms.CharField(required=False, max_length=500, label="Comment (optional)")


class ContextIssueForm(forms.ModelForm):
    class Meta:
        model = ContextIssue
        fields = ["kind", "title", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class SuggestionForm(forms.Form):
    title = forms.CharField(max_length=200, label="Your suggestion")
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label="Details (optional)"
    )


class FeedbackForm(forms.Form):
    kind = forms.ChoiceField(choices=FeedbackKind.choices)
    title = forms.CharField(max_length=200, label="Summary")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    customer = forms.CharField(max_length=200, required=False)
    received_on = forms.DateField(widget=DateInput(), label="Date")
    category = forms.CharField(max_length=80, required=False)
    severity = forms.ChoiceField(choices=[("", "—"), *Severity.choices], required=False)
    score = forms.DecimalField(
        required=False, min_value=0, max_value=10, decimal_places=1, label="Score (0–10)"
    )
    owner = MemberChoiceField(queryset=User.objects.none(), required=False)
    response_due = forms.DateField(widget=DateInput(), required=False)

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = member_choices(organisation)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == FeedbackKind.SURVEY and data.get("score") is None:
            self.add_error("score", "A survey result needs its score.")
        return self.cleaned_data


class RespondForm(forms.Form):
    response = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    status = forms.ChoiceField(choices=FeedbackStatus.choices)
    owner = MemberChoiceField(queryset=User.objects.none(), required=False)
    response_due = forms.DateField(widget=DateInput(), required=False)

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = member_choices(organisation)  # type: ignore[attr-defined]


class FeedbackActionForm(forms.Form):
    action_title = forms.CharField(max_length=200, label="Action")
    action_owner = MemberChoiceField(queryset=User.objects.none(), label="Owner")
    action_due = forms.DateField(widget=DateInput(), required=False, label="Due")

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action_owner"].queryset = member_choices(organisation)  # type: ignore[attr-defined]


class ObjectiveLinkForm(forms.Form):
    objective = forms.ModelChoiceField(queryset=Objective.objects.none(), label="Objective changed")
    note = forms.CharField(max_length=500, required=False, label="What changed")

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["objective"].queryset = Objective.objects.for_org(organisation).open()  # type: ignore[attr-defined]


class FeedbackFilterForm(forms.Form):
    """The feedback register's filters; every field optional."""

    kind = forms.ChoiceField(choices=[("", "All kinds"), *FeedbackKind.choices], required=False)
    status = forms.ChoiceField(
        choices=[("", "All statuses"), *FeedbackStatus.choices], required=False
    )

    def filter(self, queryset: Any) -> Any:
        """The rows the valid filters keep (an invalid one shows its error and is ignored)."""
        if not self.is_valid():
            return queryset
        for name in ("kind", "status"):
            if self.cleaned_data[name]:
                queryset = queryset.filter(**{name: self.cleaned_data[name]})
        return queryset


class ImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="Columns: date,customer,score,category,comment (dates as YYYY-MM-DD).",
    )
