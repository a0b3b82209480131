"""Lessons learned in the REST API: read and search them; capture or skip one, as the page does."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action as route
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from isova.api.base import OrgViewSet, membership, require
from isova.api.registry import register_resource
from isova.api.serializers import PersonSerializer

from . import services
from .models import Lesson, LessonStatus, SourceKind


class LessonSerializer(serializers.ModelSerializer):
    owner = PersonSerializer()
    tags = serializers.SerializerMethodField()
    action = serializers.IntegerField(source="action_id", allow_null=True)

    class Meta:
        model = Lesson
        fields = [
            "id",
            "status",
            "source_kind",
            "source_label",
            "source_url",
            "prompted_on",
            "owner",
            "what_worked",
            "what_did_not",
            "tags",
            "skip_reason",
            "captured_at",
            "action",
            "improvement_kind",
            "improvement_label",
            "improvement_url",
            "improved_at",
        ]

    def get_tags(self, lesson: Lesson) -> list[str]:
        return lesson.tag_names


class CaptureInput(serializers.Serializer):
    what_worked = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    what_did_not = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=120), required=False, max_length=12
    )


class SkipInput(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)


def _valid(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class LessonViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgViewSet):
    """Filters: `status` (prompted, captured, skipped), `kind` (objective, finding, audit,
    review, recorded), `tag`, `q` (words in the lesson)."""

    serializer_class = LessonSerializer
    queryset = Lesson.objects.for_list()
    read_permission = "isova.lesson.view"

    def get_queryset(self) -> Any:
        queryset = super().get_queryset()
        params = self.request.query_params
        status, kind = params.get("status"), params.get("kind")
        if status:
            if status not in LessonStatus.values:
                raise ValidationError({"status": [f"One of {', '.join(LessonStatus.values)}."]})
            queryset = queryset.filter(status=status)
        if kind:
            if kind not in SourceKind.values:
                raise ValidationError({"kind": [f"One of {', '.join(SourceKind.values)}."]})
            queryset = queryset.filter(source_kind=kind)
        if params.get("tag"):
            queryset = queryset.tagged(params["tag"][:120])
        if params.get("q"):
            queryset = queryset.search(params["q"][:200])
        return queryset

    def _answer(self, lesson: Lesson) -> Response:
        return Response(LessonSerializer(Lesson.objects.for_list().get(pk=lesson.pk)).data)

    @extend_schema(request=CaptureInput, responses={200: LessonSerializer})
    @route(detail=True, methods=["post"])
    def capture(self, request: Request, pk: str) -> Response:
        """Write what worked and what didn't (the owner, a manager or a leader)."""
        require(request, "isova.lesson.capture")
        lesson = self.get_object()
        data = _valid(CaptureInput, request)
        lesson = services.lesson_capture(
            membership=membership(request),
            lesson=lesson,
            what_worked=data.get("what_worked", ""),
            what_did_not=data.get("what_did_not", ""),
            tags=data.get("tags", []),
        )
        return self._answer(lesson)

    @extend_schema(request=SkipInput, responses={200: LessonSerializer})
    @route(detail=True, methods=["post"])
    def skip(self, request: Request, pk: str) -> Response:
        """Skip a lesson still to capture, saying why."""
        require(request, "isova.lesson.skip")
        lesson = self.get_object()
        data = _valid(SkipInput, request)
        lesson = services.lesson_skip(
            membership=membership(request), lesson=lesson, reason=data["reason"]
        )
        return self._answer(lesson)


register_resource("lessons", LessonViewSet, "lesson")
