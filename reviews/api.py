"""Management reviews (read, with their decisions and outputs) and feedback (create, read)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from isova.accounts import tenancy
from isova.api.base import OrgViewSet, form_data, membership, organisation, require, valid
from isova.api.registry import register_resource
from isova.api.serializers import PersonSerializer

from . import services
from .forms import FeedbackFilterForm, FeedbackForm, SuggestionForm
from .models import Feedback, FeedbackKind, Review, ReviewOutput
from .views import _can_see_feedback


class OutputSerializer(serializers.ModelSerializer):
    action = serializers.IntegerField(source="action_id", allow_null=True)

    class Meta:
        model = ReviewOutput
        fields = ["id", "kind", "decision", "action", "created_at"]


class ReviewSerializer(serializers.ModelSerializer):
    chair = PersonSerializer()
    outputs = OutputSerializer(many=True, help_text="Decisions and actions (9.3.3)")

    class Meta:
        model = Review
        fields = [
            "id",
            "title",
            "meeting_date",
            "start_time",
            "duration_minutes",
            "location",
            "chair",
            "agenda",
            "period_start",
            "status",
            "held_at",
            "closed_at",
            "outputs",
        ]


class ReviewViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgViewSet):
    serializer_class = ReviewSerializer
    queryset = Review.objects.select_related("chair").prefetch_related("outputs")
    read_permission = "reviews.review.view"


class FeedbackSerializer(serializers.ModelSerializer):
    submitted_by = PersonSerializer(allow_null=True)
    owner = PersonSerializer(allow_null=True)

    class Meta:
        model = Feedback
        fields = [
            "id",
            "kind",
            "title",
            *Feedback.DETAIL_FIELDS,
            "submitted_by",
            "owner",
            "response_due",
            "response",
            "status",
        ]


class FeedbackInput(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=FeedbackKind.choices,
        required=False,
        help_text="suggestion (anyone, the default) or customer feedback (leaders, managers)",
    )
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    customer = serializers.CharField(required=False, allow_blank=True)
    received_on = serializers.DateField(required=False)
    score = serializers.DecimalField(3, 1, required=False, allow_null=True)


class FeedbackViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgViewSet):
    """The register for those who see it (leaders, managers, auditors); everyone else sees
    what they submitted, as on the pages; with the register page's filters."""

    serializer_class = FeedbackSerializer
    filter_form = FeedbackFilterForm
    ordering_fields = {
        "received_on": "received_on",
        "response_due": "response_due",
        "title": "title",
        "score": "score",
        "created": "created_at",
    }

    def filter_form_kwargs(self) -> dict[str, Any]:
        return {}

    def get_queryset(self) -> Any:
        queryset = Feedback.objects.for_org(organisation(self.request)).select_related(
            "submitted_by", "owner"
        )
        if not tenancy.has_perm(membership(self.request), "reviews.feedback.view"):
            queryset = queryset.filter(submitted_by_id=membership(self.request).user_id)
        return queryset

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        feedback = get_object_or_404(
            Feedback.objects.select_related("submitted_by", "owner"),
            organisation=organisation(request),
            pk=kwargs["pk"],
        )
        if not _can_see_feedback(membership(request), feedback):
            raise PermissionDenied("You see the feedback you submitted and the register's figures.")
        return Response(self.get_serializer(feedback).data)

    @extend_schema(request=FeedbackInput, responses={201: FeedbackSerializer})
    def create(self, request: Request) -> Response:
        require(request, "reviews.feedback.submit")
        org = organisation(request)
        kind = request.data.get("kind") or FeedbackKind.SUGGESTION
        if kind == FeedbackKind.SUGGESTION:
            form: Any = SuggestionForm(form_data(request))
        else:
            require(request, "reviews.feedback.respond")
            form = FeedbackForm({"received_on": org.today()} | form_data(request), organisation=org)
        data = {"kind": kind} | valid(form)
        made = services.feedback_submit(membership=membership(request), **data)
        return Response(self.get_serializer(made).data, status=201)


register_resource("reviews", ReviewViewSet, "review")
register_resource("feedback", FeedbackViewSet, "feedback")
